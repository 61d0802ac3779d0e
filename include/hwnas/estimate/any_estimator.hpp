#pragma once
/// \file
/// `AnyEstimator`: any accuracy estimator over `space::AnySpace` behind one
/// type, and the zero-cost proxies by name, for the command-line tool and
/// JSON configurations:
///
///     AnyEstimator zen = make_proxy("zen", space::make_space("ofa-fmnist"), ProxyOptions{});
///     Estimate e = zen.estimate(arch);

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hwnas/core/parallel.hpp"
#include "hwnas/estimate/concepts.hpp"
#include "hwnas/estimate/network_proxy.hpp"
#include "hwnas/space/any_space.hpp"

namespace hwnas::estimate {

class AnyEstimator {
 public:
  template <class E>
    requires(AccuracyEstimator<E, space::AnySpace> && !std::same_as<E, AnyEstimator>)
  explicit AnyEstimator(E estimator) : self_(std::make_shared<Model<E>>(std::move(estimator))) {}

  [[nodiscard]] std::string_view name() const { return self_->name(); }
  /// Whether the wrapped estimator allows concurrent `estimate` calls.
  [[nodiscard]] bool thread_safe() const { return self_->thread_safe(); }
  [[nodiscard]] Estimate estimate(const space::AnyArch& arch) { return self_->estimate(arch); }

 private:
  struct Base {
    virtual ~Base() = default;
    [[nodiscard]] virtual std::string_view name() const = 0;
    [[nodiscard]] virtual bool thread_safe() const = 0;
    [[nodiscard]] virtual Estimate estimate(const space::AnyArch& arch) = 0;
  };
  template <class E>
  struct Model final : Base {
    explicit Model(E e) : estimator(std::move(e)) {}
    std::string_view name() const override { return estimator.name(); }
    bool thread_safe() const override { return is_thread_safe(estimator); }
    Estimate estimate(const space::AnyArch& arch) override { return estimator.estimate(arch); }
    E estimator;
  };

  std::shared_ptr<Base> self_;
};

/// Settings shared by the proxies; each uses those it needs.
struct ProxyOptions {
  /// Images per pass of Zen-score (Gaussian inputs).
  std::int64_t batch = 16;
  /// Repeats averaged (Zen-score).
  std::int64_t repeats = 1;
  /// Seeds the proxies' random draws and initialisations.
  std::uint64_t seed = 0;
  /// The labelled images of the proxies that need data (`proxy_needs_data`).
  std::shared_ptr<const ProxyBatch> data;
};

/// Whether proxy `name` needs labelled images.
[[nodiscard]] bool proxy_needs_data(std::string_view name);

/// The names `make_proxy` knows: "zen", "gradsign", "synflow", "naswot",
/// "jacov", "snip", "grad_norm", "fisher", "grasp", "params", "macs".
[[nodiscard]] std::vector<std::string> proxy_names();

/// The proxy called `name` over `space`; ConfigError naming the known ones otherwise.
[[nodiscard]] AnyEstimator make_proxy(std::string_view name, const space::AnySpace& space,
                                      const ProxyOptions& options);

}  // namespace hwnas::estimate
