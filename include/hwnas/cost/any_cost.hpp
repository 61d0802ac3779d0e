#pragma once
/// \file
/// `AnyCost`: any cost model over `space::AnySpace` behind one type, for the
/// command-line tool and JSON configurations:
///
///     AnyCost lut(LutLatency<space::AnySpace>(space, table));
///     Cost c = lut.cost(arch);

#include <concepts>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "hwnas/core/parallel.hpp"
#include "hwnas/cost/concepts.hpp"
#include "hwnas/space/any_space.hpp"

namespace hwnas::cost {

class AnyCost {
 public:
  template <class C>
    requires(CostModel<C, space::AnySpace> && !std::same_as<C, AnyCost>)
  explicit AnyCost(C model)
      : name_(model.name()),
        thread_safe_(is_thread_safe(model)),
        cost_([model = std::make_shared<C>(std::move(model))](const space::AnyArch& arch) {
          return model->cost(arch);
        }) {}

  [[nodiscard]] std::string_view name() const { return name_; }
  /// Whether the wrapped model allows concurrent `cost` calls.
  [[nodiscard]] bool thread_safe() const { return thread_safe_; }
  [[nodiscard]] Cost cost(const space::AnyArch& arch) const { return cost_(arch); }

 private:
  std::string name_;
  bool thread_safe_;
  std::function<Cost(const space::AnyArch&)> cost_;
};

}  // namespace hwnas::cost
