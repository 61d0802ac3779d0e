// Must not compile: an estimator of ofa-fmnist architectures given to a
// search over nb201. The Searcher names the part that does not fit.

#include "hwnas/cost/size_costs.hpp"
#include "hwnas/estimate/size_proxies.hpp"
#include "hwnas/search/searcher.hpp"
#include "hwnas/space/nb201.hpp"
#include "hwnas/space/ofa_fmnist.hpp"

int main() {
  using namespace hwnas;
  using Space = space::Nb201Space;
  using OfaParams = estimate::SizeProxy<space::OfaFmnistSpace>;
  search::Searcher<Space, OfaParams, cost::SizeCost<Space>>* searcher = nullptr;
  (void)sizeof(*searcher);
}
