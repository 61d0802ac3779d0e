#pragma once
/// \file
/// `SmashGenerator`: the weight generator of a SMASH hypernetwork (Brock et
/// al., ICLR 2018) for `ofa-fmnist`. It maps block codes (block_code.hpp) to
/// the three convolution weights of an MBConv block through a small MLP,
///
///     code [21] -> Linear -> ReLU -> Linear -> ReLU -> features [hidden]
///     features  -> expand head    -> [mid x in]       (the expand 1x1 conv)
///               -> depthwise head -> [mid x k x k]    (the depthwise conv)
///               -> project head   -> [out x mid]      (the projection 1x1 conv)
///
/// Each head makes the largest shape over all blocks (`GeneratedShapes`), and
/// each block keeps its leading corner (generate the largest, then slice):
/// one head per weight kind serves all sixteen blocks, which costs a third
/// of the parameters of one head per distinct block shape and lets blocks of
/// different stages share what they learn.
///
/// Parameters (all the generator's own, so that its initialisation can look at
/// the whole network at once): `hidden1_weight` [hidden, 21], `hidden1_bias`,
/// `hidden2_weight` [hidden, hidden], `hidden2_bias`, and per head
/// `<kind>_weight` [size, hidden] and `<kind>_bias` [size] for kind in
/// expand, depthwise, project.

#include <cstdint>
#include <string>

#include "hwnas/core/autograd.hpp"
#include "hwnas/nn/module.hpp"

namespace hwnas::hypernet {

/// The largest block shape the generator produces; every block slices its
/// own from it.
struct GeneratedShapes {
  /// Largest middle width (input width x largest expand ratio).
  std::int64_t mid = 0;
  /// Largest block input and output widths.
  std::int64_t in = 0;
  std::int64_t out = 0;
  /// Largest depthwise kernel size.
  std::int64_t kernel = 0;

  [[nodiscard]] std::int64_t expand_size() const { return mid * in; }
  [[nodiscard]] std::int64_t depthwise_size() const { return mid * kernel * kernel; }
  [[nodiscard]] std::int64_t project_size() const { return out * mid; }
  friend bool operator==(const GeneratedShapes&, const GeneratedShapes&) = default;
};

/// The generated weights of a batch of codes, one flat row per code.
template <Scalar T>
struct GeneratedWeights {
  BasicVariable<T> expand;     ///< [n, mid * in], row-major [mid, in]
  BasicVariable<T> depthwise;  ///< [n, mid * k * k], row-major [mid, 1, k, k]
  BasicVariable<T> project;    ///< [n, out * mid], row-major [out, mid]
};

/// See the file comment. Built with zero parameters, like every layer.
template <Scalar T>
class BasicSmashGenerator : public nn::BasicModule<T> {
 public:
  /// ConfigError for non-positive sizes.
  BasicSmashGenerator(GeneratedShapes shapes, std::int64_t hidden);

  /// The code features [n, hidden] of codes [n, block_code_size].
  BasicVariable<T> forward(const BasicVariable<T>& codes) override;
  [[nodiscard]] std::string type_name() const override { return "SmashGenerator"; }

  /// The weights of codes [n, block_code_size].
  [[nodiscard]] GeneratedWeights<T> generate(const BasicVariable<T>& codes);

  /// The MLP: He-normal (fan-in) weights and zero biases, so the features
  /// keep their scale. The heads: each generated weight starts as a random
  /// draw at the scale `nn::init` gives that conv in the largest block
  /// (He-normal, fan-out), half of its variance from the head's bias (shared
  /// by all codes) and half from the code's features, so different codes get
  /// different weights from the first step and the supernet's learning rate
  /// and weight decay suit the generated weights too.
  void reset_parameters(Rng& rng) override;

  [[nodiscard]] const GeneratedShapes& shapes() const { return shapes_; }
  [[nodiscard]] std::int64_t hidden() const { return hidden_; }

 private:
  struct Layer {
    BasicVariable<T>* weight = nullptr;
    BasicVariable<T>* bias = nullptr;
  };
  Layer add_layer(const std::string& name, std::int64_t in, std::int64_t out);
  [[nodiscard]] static BasicVariable<T> apply(const Layer& layer, const BasicVariable<T>& x);

  GeneratedShapes shapes_;
  std::int64_t hidden_;
  Layer hidden1_;
  Layer hidden2_;
  Layer expand_;
  Layer depthwise_;
  Layer project_;
};

using SmashGenerator = BasicSmashGenerator<float>;

extern template class BasicSmashGenerator<float>;
extern template class BasicSmashGenerator<double>;

}  // namespace hwnas::hypernet
