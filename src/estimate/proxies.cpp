#include <fmt/format.h>
#include <fmt/ranges.h>

#include "hwnas/estimate/any_estimator.hpp"
#include "hwnas/estimate/gradient_proxies.hpp"
#include "hwnas/estimate/size_proxies.hpp"
#include "hwnas/estimate/zen_score.hpp"

namespace hwnas::estimate {

std::vector<std::string> proxy_names() { return {"zen", "gradsign", "grad_norm", "snip", "params", "macs"}; }

bool proxy_needs_data(std::string_view name) { return name == "gradsign" || name == "grad_norm" || name == "snip"; }

AnyEstimator make_proxy(std::string_view name, const space::AnySpace& space, const ProxyOptions& options) {
  using Size = SizeProxy<space::AnySpace>;
  if (name == "zen")
    return AnyEstimator(ZenScore<space::AnySpace>(
        space, ZenScoreOptions{}.batch(options.batch).repeats(options.repeats).seed(options.seed)));
  if (proxy_needs_data(name)) {
    HWNAS_CHECK_CONFIG(options.data != nullptr, "proxy '{}' needs labelled images (--data)", name);
    using Gradient = GradientProxy<space::AnySpace>;
    const auto kind = name == "snip"       ? Gradient::Kind::snip
                      : name == "gradsign" ? Gradient::Kind::grad_sign
                                           : Gradient::Kind::grad_norm;
    return AnyEstimator(Gradient(space, kind, options.data, options.seed));
  }
  if (name == "params") return AnyEstimator(Size(space, Size::Measure::params));
  if (name == "macs") return AnyEstimator(Size(space, Size::Measure::macs));
  throw ConfigError(fmt::format("unknown proxy '{}'; known: {}", name, fmt::join(proxy_names(), ", ")));
}

}  // namespace hwnas::estimate
