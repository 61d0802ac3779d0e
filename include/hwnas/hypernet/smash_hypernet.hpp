#pragma once
/// \file
/// `SmashHypernet`: a SMASH hypernetwork (Brock et al., ICLR 2018) over the
/// `ofa-fmnist` space (../shared/spec/estimators.md). The main network is an
/// `OfaSupernet`; a `SmashGenerator` makes each active block's three conv
/// weights (expand, depthwise at 7 x 7, projection, at the block's stored
/// largest shapes) from the block's code, and the block then slices and
/// transforms them for its kernel size and expand ratio as usual:
///
///     hypernet::SmashHypernet hypernet;
///     nn::init::default_init(hypernet, rng);
///     hypernet.generate(arch);          // weights for arch, linked to the generator
///     auto loss = cross_entropy(hypernet(images), labels);
///     loss.backward();                  // gradients reach the generator
///     auto net = hypernet.extract(arch); // a standalone models::mobilenet
///
/// As in SMASH, the weights that are not generated (stem, batch norms,
/// squeeze-excite, kernel-transform matrices, head and classifier) are
/// learned directly: `learned_parameters()` is what an optimizer trains.
///
/// Children: `generator` and `network`. The generated slots,
/// `network.blocks.<i>.{expand,depthwise,project}_conv.weight`, hold the
/// output of the last `generate` (not leaves); state files leave them out.
/// Blocks the last generated architecture does not run keep older weights,
/// which take no part in anything. Once-for-All's channel re-ordering
/// (`OfaSupernet::reorganize_channels`) has no meaning here: the generator
/// decides the order of the channels it makes.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hwnas/core/arg.hpp"
#include "hwnas/hypernet/generator.hpp"
#include "hwnas/nn/module.hpp"
#include "hwnas/nn/sequential.hpp"
#include "hwnas/nn/state.hpp"
#include "hwnas/space/ofa_fmnist.hpp"
#include "hwnas/supernet/ofa_supernet.hpp"

namespace hwnas::hypernet {

/// `SmashHypernetOptions{}.hidden(64)`.
class SmashHypernetOptions {
  /// Width of the generator's two hidden layers.
  HWNAS_ARG(std::int64_t, hidden, 64)

 public:
  friend bool operator==(const SmashHypernetOptions&, const SmashHypernetOptions&) = default;
};

/// See the file comment. Built with zero parameters like every layer
/// (initialise with `nn::init::default_init`).
template <Scalar T>
class BasicSmashHypernet : public nn::BasicModule<T> {
 public:
  using Arch = space::OfaFmnistArch;

  /// ConfigError for a hidden width below 1.
  explicit BasicSmashHypernet(SmashHypernetOptions options = {});

  /// The main network with the weights of the last `generate` applied to
  /// images [N, 1, H, W] (resized to the architecture's resolution).
  BasicVariable<T> forward(const BasicVariable<T>& x) override;
  [[nodiscard]] std::string type_name() const override { return "SmashHypernet"; }

  /// Activates `arch` in the main network and puts the generator's weights
  /// for its blocks into their slots. With gradients enabled, a backward pass
  /// through the network reaches the generator; the weights are a snapshot,
  /// so generate again after the generator changes. ConfigError for an
  /// architecture outside the space. Not thread-safe (see `extract`).
  void generate(const Arch& arch);

  /// `arch` as a standalone `models::mobilenet` holding its generated weights
  /// (and the learned ones it uses): in evaluation mode it computes what this
  /// hypernetwork computes after `generate(arch)`. Generates without
  /// gradients, under a lock, so concurrent calls are safe; they must not
  /// overlap training or `generate`.
  [[nodiscard]] std::shared_ptr<nn::BasicSequential<T>> extract(const Arch& arch);

  /// The parameters to train: the generator's, and the main network's that
  /// are not generated, with their dotted names.
  [[nodiscard]] std::vector<nn::NamedParameter<T>> learned_parameters() const;
  /// Whether the dotted name is a generated slot (`network.blocks.3.expand_conv.weight`).
  [[nodiscard]] bool is_generated(std::string_view name) const { return generated_.contains(std::string(name)); }

  /// The state: every learned parameter and every buffer (batch-norm
  /// statistics), each name preceded by `prefix`.
  void write_state(nn::StateWriter& writer, std::string_view prefix = {}) const;
  /// Loads what `write_state` wrote under `prefix`; IoError (and nothing
  /// changes) unless names, shapes and types all match.
  void read_state(const nn::StateReader& reader, std::string_view prefix = {});
  /// The kind and shape of this hypernetwork as stored with its state:
  /// `{"format": "hwnas-smash-hypernet", "hidden": 64, "space": "ofa-fmnist"}`.
  [[nodiscard]] nlohmann::json description() const;
  /// IoError naming `origin` unless `stored` is this hypernetwork's description.
  void check_description(const nlohmann::json& stored, const std::string& origin) const;

  /// The state as a buffer in the hwnas state format, its description as metadata.
  [[nodiscard]] std::string state_to_string() const;
  /// Loads a buffer made by `state_to_string`; IoError naming `origin` for a
  /// corrupt buffer, another kind of file or another hidden width.
  void load_state_from_string(std::string bytes, const std::string& origin = "<SMASH state>");
  /// Writes the state to `path` atomically.
  void save(const std::filesystem::path& path) const;
  /// Loads the state saved at `path` (errors as `load_state_from_string`).
  void load(const std::filesystem::path& path);

  [[nodiscard]] const SmashHypernetOptions& options() const { return options_; }
  [[nodiscard]] supernet::BasicOfaSupernet<T>& network() const { return *network_; }
  [[nodiscard]] BasicSmashGenerator<T>& generator() const { return *generator_; }

 private:
  SmashHypernetOptions options_;
  std::shared_ptr<supernet::BasicOfaSupernet<T>> network_;
  std::shared_ptr<BasicSmashGenerator<T>> generator_;
  std::set<std::string> generated_;
  std::mutex extract_mutex_;
};

using SmashHypernet = BasicSmashHypernet<float>;
using SmashHypernetD = BasicSmashHypernet<double>;

extern template class BasicSmashHypernet<float>;
extern template class BasicSmashHypernet<double>;

}  // namespace hwnas::hypernet
