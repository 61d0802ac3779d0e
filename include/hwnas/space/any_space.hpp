#pragma once
/// \file
/// `AnySpace` and `AnyArch`: any search space and its architectures behind
/// one type, so that the command-line tool and JSON configurations pick a
/// space at run time. `AnySpace` is itself a `SearchSpace` whose `Arch` is
/// `AnyArch`, and a `DecisionSpace`:
///
///     AnySpace space = make_space("ofa-fmnist");
///     AnyArch arch = space.sample(rng);
///     auto [space2, arch2] = parse_arch(json);   // the space named by json["space"]
///
/// An `AnyArch` holds one architecture of a concrete space; operations given
/// an architecture of another space throw ConfigError naming both.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <typeinfo>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "hwnas/core/error.hpp"
#include "hwnas/core/random.hpp"
#include "hwnas/models/summary.hpp"
#include "hwnas/nn/module.hpp"
#include "hwnas/space/concepts.hpp"

namespace hwnas::space {

class AnyArch {
 public:
  /// Empty: belongs to no space.
  AnyArch() = default;
  template <class A>
    requires(!std::same_as<std::decay_t<A>, AnyArch>)
  explicit AnyArch(A arch) : self_(std::make_shared<const Model<A>>(std::move(arch))) {}

  [[nodiscard]] bool empty() const { return self_ == nullptr; }
  /// The architecture as its space's type; ConfigError if it is another's.
  template <class A>
  [[nodiscard]] const A& get(std::string_view space) const {
    const auto* model = dynamic_cast<const Model<A>*>(self_.get());
    HWNAS_CHECK_CONFIG(model != nullptr, "{}: the architecture belongs to another search space", space);
    return model->arch;
  }

  friend bool operator==(const AnyArch& a, const AnyArch& b) {
    if (a.self_ == b.self_) return true;
    return a.self_ && b.self_ && a.self_->equals(*b.self_);
  }
  [[nodiscard]] std::size_t hash() const { return self_ ? self_->hash() : 0; }

 private:
  struct Base {
    virtual ~Base() = default;
    [[nodiscard]] virtual bool equals(const Base& other) const = 0;
    [[nodiscard]] virtual std::size_t hash() const = 0;
  };
  template <class A>
  struct Model final : Base {
    explicit Model(A a) : arch(std::move(a)) {}
    [[nodiscard]] bool equals(const Base& other) const override {
      const auto* o = dynamic_cast<const Model*>(&other);
      return o != nullptr && o->arch == arch;
    }
    [[nodiscard]] std::size_t hash() const override { return std::hash<A>{}(arch); }
    A arch;
  };

  std::shared_ptr<const Base> self_;
};

}  // namespace hwnas::space

template <>
struct std::hash<hwnas::space::AnyArch> {
  std::size_t operator()(const hwnas::space::AnyArch& arch) const noexcept { return arch.hash(); }
};

namespace hwnas::space {

class AnySpace {
 public:
  using Arch = AnyArch;

  template <class S>
    requires DescribedSpace<S> && DecisionSpace<S> && (!std::same_as<S, AnySpace>)
  explicit AnySpace(S space) : self_(std::make_shared<const Model<S>>(std::move(space))) {}

  [[nodiscard]] std::string_view name() const { return self_->name(); }
  [[nodiscard]] Arch sample(Rng& rng) const { return self_->sample(rng); }
  [[nodiscard]] Arch mutate(const Arch& arch, Rng& rng, double p) const { return self_->mutate(arch, rng, p); }
  [[nodiscard]] Arch crossover(const Arch& a, const Arch& b, Rng& rng) const { return self_->crossover(a, b, rng); }
  [[nodiscard]] std::size_t encoding_size() const { return self_->encoding_size(); }
  [[nodiscard]] std::vector<float> encode(const Arch& arch) const { return self_->encode(arch); }
  [[nodiscard]] nlohmann::json to_json(const Arch& arch) const { return self_->to_json(arch); }
  [[nodiscard]] Arch from_json(const nlohmann::json& json) const { return self_->from_json(json); }
  [[nodiscard]] std::string canonical(const Arch& arch) const { return self_->canonical(arch); }
  [[nodiscard]] std::vector<std::int64_t> decisions() const { return self_->decisions(); }
  [[nodiscard]] std::vector<std::int64_t> to_decisions(const Arch& arch) const { return self_->to_decisions(arch); }
  [[nodiscard]] Arch from_decisions(std::span<const std::int64_t> indices) const {
    return self_->from_decisions(indices);
  }
  /// The network in single (default) or double precision.
  template <Scalar T = float>
  [[nodiscard]] std::shared_ptr<nn::BasicModule<T>> build(const Arch& arch) const {
    if constexpr (std::same_as<T, double>)
      return self_->build_double(arch);
    else
      return self_->build(arch);
  }
  [[nodiscard]] std::vector<models::LayerSummary> summary(const Arch& arch) const { return self_->summary(arch); }
  [[nodiscard]] std::int64_t macs(const Arch& arch) const { return self_->macs(arch); }
  [[nodiscard]] std::int64_t params(const Arch& arch) const { return self_->params(arch); }
  [[nodiscard]] double size() const { return self_->size(); }
  /// The choices an architecture makes, for listings (`hwnas spaces`).
  [[nodiscard]] nlohmann::json choices() const { return self_->choices(); }
  /// Architectures covering every distinct layer (see the concrete spaces);
  /// ConfigError for a space without layer-wise form (nb201: a cell is not
  /// a chain of standalone layers).
  [[nodiscard]] std::vector<Arch> layer_cover() const { return self_->layer_cover(); }

 private:
  struct Base {
    virtual ~Base() = default;
    [[nodiscard]] virtual std::string_view name() const = 0;
    [[nodiscard]] virtual Arch sample(Rng& rng) const = 0;
    [[nodiscard]] virtual Arch mutate(const Arch& arch, Rng& rng, double p) const = 0;
    [[nodiscard]] virtual Arch crossover(const Arch& a, const Arch& b, Rng& rng) const = 0;
    [[nodiscard]] virtual std::size_t encoding_size() const = 0;
    [[nodiscard]] virtual std::vector<float> encode(const Arch& arch) const = 0;
    [[nodiscard]] virtual nlohmann::json to_json(const Arch& arch) const = 0;
    [[nodiscard]] virtual Arch from_json(const nlohmann::json& json) const = 0;
    [[nodiscard]] virtual std::string canonical(const Arch& arch) const = 0;
    [[nodiscard]] virtual std::vector<std::int64_t> decisions() const = 0;
    [[nodiscard]] virtual std::vector<std::int64_t> to_decisions(const Arch& arch) const = 0;
    [[nodiscard]] virtual Arch from_decisions(std::span<const std::int64_t> indices) const = 0;
    [[nodiscard]] virtual std::shared_ptr<nn::Module> build(const Arch& arch) const = 0;
    [[nodiscard]] virtual std::shared_ptr<nn::ModuleD> build_double(const Arch& arch) const = 0;
    [[nodiscard]] virtual std::vector<models::LayerSummary> summary(const Arch& arch) const = 0;
    [[nodiscard]] virtual std::int64_t macs(const Arch& arch) const = 0;
    [[nodiscard]] virtual std::int64_t params(const Arch& arch) const = 0;
    [[nodiscard]] virtual double size() const = 0;
    [[nodiscard]] virtual nlohmann::json choices() const = 0;
    [[nodiscard]] virtual std::vector<Arch> layer_cover() const = 0;
  };

  template <class S>
  struct Model final : Base {
    using A = typename S::Arch;
    explicit Model(S s) : space(std::move(s)) {}
    const A& typed(const Arch& arch) const { return arch.get<A>(space.name()); }

    std::string_view name() const override { return space.name(); }
    Arch sample(Rng& rng) const override { return Arch(space.sample(rng)); }
    Arch mutate(const Arch& arch, Rng& rng, double p) const override { return Arch(space.mutate(typed(arch), rng, p)); }
    Arch crossover(const Arch& a, const Arch& b, Rng& rng) const override {
      return Arch(space.crossover(typed(a), typed(b), rng));
    }
    std::size_t encoding_size() const override { return space.encoding_size(); }
    std::vector<float> encode(const Arch& arch) const override { return space.encode(typed(arch)); }
    nlohmann::json to_json(const Arch& arch) const override { return space.to_json(typed(arch)); }
    Arch from_json(const nlohmann::json& json) const override { return Arch(space.from_json(json)); }
    std::string canonical(const Arch& arch) const override { return space.canonical(typed(arch)); }
    std::vector<std::int64_t> decisions() const override { return space.decisions(); }
    std::vector<std::int64_t> to_decisions(const Arch& arch) const override {
      return space.to_decisions(typed(arch));
    }
    Arch from_decisions(std::span<const std::int64_t> indices) const override {
      return Arch(space.from_decisions(indices));
    }
    std::shared_ptr<nn::Module> build(const Arch& arch) const override { return space.build(typed(arch)); }
    std::shared_ptr<nn::ModuleD> build_double(const Arch& arch) const override {
      return space.template build<double>(typed(arch));
    }
    std::vector<models::LayerSummary> summary(const Arch& arch) const override { return space.summary(typed(arch)); }
    std::int64_t macs(const Arch& arch) const override { return space.macs(typed(arch)); }
    std::int64_t params(const Arch& arch) const override { return space.params(typed(arch)); }
    double size() const override { return space.size(); }
    nlohmann::json choices() const override { return space.choices(); }
    std::vector<Arch> layer_cover() const override {
      if constexpr (requires { space.layer_cover(); }) {
        std::vector<Arch> out;
        for (auto& arch : space.layer_cover()) out.emplace_back(std::move(arch));
        return out;
      } else {
        throw ConfigError(fmt::format("{}: has no layer-wise form for latency tables", space.name()));
      }
    }

    S space;
  };

  std::shared_ptr<const Base> self_;
};

/// The names `make_space` knows: "ofa-fmnist", "nb201", "proxyless".
[[nodiscard]] std::vector<std::string> space_names();

/// The space called `name` with its default settings; ConfigError naming
/// the known spaces otherwise.
[[nodiscard]] AnySpace make_space(std::string_view name);

/// The space an architecture's JSON names in its "space" field (with that
/// architecture's own settings, e.g. nb201's classes and input), and the
/// architecture. ConfigError for JSON that is not an architecture.
[[nodiscard]] std::pair<AnySpace, AnyArch> parse_arch(const nlohmann::json& json);

}  // namespace hwnas::space
