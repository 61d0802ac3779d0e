#pragma once
/// \file
/// `nb201`: the NAS-Bench-201 / NATS-Bench topology space of 15,625 cells
/// (../shared/spec/spaces.md, docs/spaces.md). An architecture is one cell,
/// repeated in the TinyNetwork skeleton of `models::nb201_network`; each of
/// its 6 edges takes one of `none`, `skip_connect`, `nor_conv_1x1`,
/// `nor_conv_3x3`, `avg_pool_3x3`.
///
/// JSON: `{"space": "nb201", "arch": "|op~0|+|op~0|op~1|+|op~0|op~1|op~2|",
/// "classes": 10, "input": [3, 32, 32]}`; the string is the benchmark's own,
/// edges into node 1, then node 2, then node 3, and is the canonical string.
///
/// Encoding (30 values): per edge, in the string's order, a one-hot over the
/// five operations in the order above.
///
/// Decisions (6): per edge, in the string's order, the index of its
/// operation in the order above; the architectures they make have the
/// space's classes and input.

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hwnas/core/random.hpp"
#include "hwnas/models/nb201.hpp"
#include "hwnas/models/summary.hpp"
#include "hwnas/nn/sequential.hpp"

namespace hwnas::space {

struct Nb201Arch {
  models::Nb201Cell cell{};
  std::int64_t classes = 10;
  /// [C, H, W] of the input images (H == W, a multiple of 4).
  std::array<std::int64_t, 3> input{3, 32, 32};

  friend bool operator==(const Nb201Arch&, const Nb201Arch&) = default;
};

class Nb201Space {
 public:
  using Arch = Nb201Arch;

  /// Architectures this space samples are for `classes` classes and inputs
  /// [C, H, W] = `input`.
  explicit Nb201Space(std::int64_t classes = 10, std::array<std::int64_t, 3> input = {3, 32, 32});

  [[nodiscard]] std::string_view name() const { return "nb201"; }

  [[nodiscard]] Arch sample(Rng& rng) const;
  [[nodiscard]] Arch mutate(const Arch& arch, Rng& rng, double p) const;
  [[nodiscard]] Arch crossover(const Arch& a, const Arch& b, Rng& rng) const;

  [[nodiscard]] std::size_t encoding_size() const { return 6 * models::nb201_ops.size(); }
  [[nodiscard]] std::vector<float> encode(const Arch& arch) const;

  [[nodiscard]] nlohmann::json to_json(const Arch& arch) const;
  [[nodiscard]] Arch from_json(const nlohmann::json& json) const;

  /// 6 edges x 5 operations.
  [[nodiscard]] std::vector<std::int64_t> decisions() const;
  [[nodiscard]] std::vector<std::int64_t> to_decisions(const Arch& arch) const;
  /// With this space's classes and input; ConfigError naming the edge for a
  /// wrong length or an index out of range.
  [[nodiscard]] Arch from_decisions(std::span<const std::int64_t> indices) const;

  [[nodiscard]] std::string canonical(const Arch& arch) const;
  /// The cell a benchmark string describes; ConfigError naming what is malformed.
  [[nodiscard]] static models::Nb201Cell parse_cell(std::string_view text);

  [[nodiscard]] models::Nb201Config config(const Arch& arch) const;
  template <Scalar T = float>
  [[nodiscard]] std::shared_ptr<nn::BasicSequential<T>> build(const Arch& arch) const {
    return models::nb201_network<T>(config(arch));
  }
  [[nodiscard]] std::vector<models::LayerSummary> summary(const Arch& arch) const;
  [[nodiscard]] std::int64_t macs(const Arch& arch) const;
  [[nodiscard]] std::int64_t params(const Arch& arch) const;

  /// 5^6 = 15,625.
  [[nodiscard]] double size() const { return 15625.0; }
  /// `{"ops": [5 names], "edges": ["0->1", ...], "classes": 10, "input": [3, 32, 32]}`.
  [[nodiscard]] nlohmann::json choices() const;
  /// Every architecture, in the order of the cell's base-5 digits (edge 0
  /// most significant).
  [[nodiscard]] std::vector<Arch> enumerate() const;

 private:
  std::int64_t classes_;
  std::array<std::int64_t, 3> input_;
};

}  // namespace hwnas::space

template <>
struct std::hash<hwnas::space::Nb201Arch> {
  std::size_t operator()(const hwnas::space::Nb201Arch& arch) const noexcept;
};
