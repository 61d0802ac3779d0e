#pragma once
// The network a command trains or times: a built-in one (`--model NAME`)
// or any architecture of a search space (`--arch JSON` or `--arch @file`).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "arch_option.hpp"
#include "hwnas/core/shape.hpp"
#include "hwnas/nn/module.hpp"

namespace hwnas::app {

class NetworkOption {
 public:
  /// Declares `--model` and `--arch` on `command`.
  explicit NetworkOption(CLI::App& command);

  /// The chosen network, initialised from `seed`.
  [[nodiscard]] std::shared_ptr<nn::Module> build(std::uint64_t seed) const;
  /// How results name the network (their `arch` field): the architecture's
  /// JSON, or the built-in network's name.
  [[nodiscard]] nlohmann::json describe() const;
  /// The network's name for human-readable output.
  [[nodiscard]] std::string name() const;
  /// The shape of one input image, [C, H, W].
  [[nodiscard]] Shape input_shape() const;

 private:
  /// The architecture of `--arch`, parsed once.
  [[nodiscard]] const std::optional<SpacedArch>& arch() const;

  std::string model_ = "mbconv";
  std::string arch_text_;
  mutable std::optional<SpacedArch> arch_;
};

/// Multiply-accumulates of one forward pass of `net` on one image of `input` [C, H, W].
[[nodiscard]] std::int64_t macs_per_image(nn::Module& net, const Shape& input);

}  // namespace hwnas::app
