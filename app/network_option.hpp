#pragma once
// The `--model` option shared by commands that build a network, and the
// network it names.

#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "hwnas/core/shape.hpp"
#include "hwnas/nn/sequential.hpp"

namespace hwnas::app {

class NetworkOption {
 public:
  /// Declares `--model` on `command`.
  explicit NetworkOption(CLI::App& command);

  /// The chosen network, initialised from `seed`.
  [[nodiscard]] std::shared_ptr<nn::Sequential> build(std::uint64_t seed) const;
  /// How results name the network (the `arch` field of JSON output).
  [[nodiscard]] nlohmann::json describe() const { return model_; }
  /// The network's name for human-readable output.
  [[nodiscard]] const std::string& name() const { return model_; }
  /// The shape of one input image, [C, H, W].
  [[nodiscard]] Shape input_shape() const { return Shape{1, 28, 28}; }

 private:
  std::string model_ = "mbconv";
};

/// Multiply-accumulates of one forward pass of `net` on one image of `input` [C, H, W].
[[nodiscard]] std::int64_t macs_per_image(nn::Module& net, const Shape& input);

}  // namespace hwnas::app
