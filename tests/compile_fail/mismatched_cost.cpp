// Must not compile: a cost model that is not one (no `cost(arch)`).

#include <string_view>

#include "hwnas/estimate/size_proxies.hpp"
#include "hwnas/search/searcher.hpp"
#include "hwnas/space/nb201.hpp"

struct NotACostModel {
  [[nodiscard]] std::string_view name() const { return "not a cost model"; }
};

int main() {
  using namespace hwnas;
  using Space = space::Nb201Space;
  search::Searcher<Space, estimate::SizeProxy<Space>, NotACostModel>* searcher = nullptr;
  (void)sizeof(*searcher);
}
