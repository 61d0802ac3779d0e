#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "hwnas/estimate/activation_proxies.hpp"
#include "hwnas/estimate/any_estimator.hpp"
#include "hwnas/estimate/gradient_proxies.hpp"
#include "hwnas/estimate/size_proxies.hpp"
#include "hwnas/estimate/synflow.hpp"
#include "hwnas/estimate/zen_score.hpp"

namespace hwnas::estimate {
namespace {

/// The proxies computed by a scorer on one initialised network, in listing order.
using Scorers = std::tuple<GradSign, Synflow, Naswot, Jacov, Snip, GradNorm, Fisher, Grasp>;

/// `visit(Scorer{})` for each scorer until one returns true.
template <class Visit>
bool any_scorer(Visit visit) {
  return std::apply([&](auto... scorer) { return (visit(scorer) || ...); }, Scorers{});
}

}  // namespace

std::vector<std::string> proxy_names() {
  std::vector<std::string> names{"zen"};
  any_scorer([&](auto scorer) {
    names.emplace_back(decltype(scorer)::name);
    return false;
  });
  names.insert(names.end(), {"params", "macs"});
  return names;
}

bool proxy_needs_data(std::string_view name) {
  return any_scorer([&](auto scorer) { return decltype(scorer)::name == name && decltype(scorer)::needs_data; });
}

AnyEstimator make_proxy(std::string_view name, const space::AnySpace& space, const ProxyOptions& options) {
  using Size = SizeProxy<space::AnySpace>;
  if (name == "zen")
    return AnyEstimator(ZenScore<space::AnySpace>(
        space, ZenScoreOptions{}.batch(options.batch).repeats(options.repeats).seed(options.seed)));
  if (name == "params") return AnyEstimator(Size(space, Size::Measure::params));
  if (name == "macs") return AnyEstimator(Size(space, Size::Measure::macs));
  std::optional<AnyEstimator> made;
  any_scorer([&](auto scorer) {
    using Scorer = decltype(scorer);
    if (Scorer::name != name) return false;
    HWNAS_CHECK_CONFIG(!Scorer::needs_data || options.data != nullptr, "proxy '{}' needs labelled images (--data)",
                       name);
    made.emplace(NetworkProxy<space::AnySpace, Scorer>(space, scorer, options.data, options.seed));
    return true;
  });
  if (made) return *std::move(made);
  throw ConfigError(fmt::format("unknown proxy '{}'; known: {}", name, fmt::join(proxy_names(), ", ")));
}

}  // namespace hwnas::estimate
