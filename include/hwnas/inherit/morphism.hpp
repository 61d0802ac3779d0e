#pragma once
/// \file
/// Network morphisms of `ofa-fmnist` architectures (Elsken et al. 2017,
/// "NASH"; Cai et al. AAAI 2018): changes that only grow a network, so that
/// a trained parent's weights carry over to the child with the same function
/// (morph_network.hpp does that for the networks). Three kinds:
///
/// - widen: a block's expand ratio to the next one (3 -> 4 -> 6);
/// - deepen: a stage gets one more block at its end (depth d -> d + 1), with
///   its own kernel size and expand ratio;
/// - enlarge_kernel: a block's kernel to the next size (3 -> 5 -> 7).
///
/// Blocks are named by their index in the architecture (stage * 4 + position,
/// as in `OfaFmnistArch::ks`), stages by theirs (0..3).
///
///     Morphism m = Morphism::widen(5);
///     OfaFmnistArch child = apply(parent, m);            // ConfigError when it does not apply
///     auto path = morphism_path(parent, child);          // std::optional<std::vector<Morphism>>
///
/// JSON: `{"kind": "widen", "block": 5}`, `{"kind": "enlarge_kernel", "block": 5}`,
/// `{"kind": "deepen", "stage": 2, "ks": 5, "e": 4}`.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "hwnas/core/random.hpp"
#include "hwnas/models/mobilenet.hpp"
#include "hwnas/space/ofa_fmnist.hpp"

namespace hwnas::inherit {

enum class MorphismKind { widen, deepen, enlarge_kernel };

/// "widen", "deepen", "enlarge_kernel".
[[nodiscard]] std::string_view to_string(MorphismKind kind);
/// The kind called `name`; ConfigError listing the names otherwise.
[[nodiscard]] MorphismKind morphism_kind(std::string_view name);

struct Morphism {
  MorphismKind kind = MorphismKind::widen;
  /// The block (widen, enlarge_kernel) or the stage (deepen).
  std::int64_t index = 0;
  /// The new block's kernel size and expand ratio (deepen only; the others keep the default).
  models::MBConvChoice block{3, 3};

  [[nodiscard]] static Morphism widen(std::int64_t block) { return {MorphismKind::widen, block, {3, 3}}; }
  [[nodiscard]] static Morphism enlarge_kernel(std::int64_t block) {
    return {MorphismKind::enlarge_kernel, block, {3, 3}};
  }
  [[nodiscard]] static Morphism deepen(std::int64_t stage, models::MBConvChoice block) {
    return {MorphismKind::deepen, stage, block};
  }

  friend bool operator==(const Morphism&, const Morphism&) = default;
};

/// "widen block 5", "enlarge kernel of block 5", "deepen stage 2 with k5e4".
[[nodiscard]] std::string to_string(const Morphism& m);

void to_json(nlohmann::json& j, const Morphism& m);
/// ConfigError naming the field for a malformed morphism.
void from_json(const nlohmann::json& j, Morphism& m);

/// Every morphism that applies to `arch`: widenings and kernel enlargements
/// of its active blocks (block order), then deepenings of each stage below
/// depth 4 with each kernel size and expand ratio.
[[nodiscard]] std::vector<Morphism> applicable_morphisms(const space::OfaFmnistArch& arch);

/// `arch` changed by `m`. ConfigError naming the morphism and why it does
/// not apply: an index out of range, an inactive block, a choice already the
/// largest, a stage at depth 4, or a new block's choice outside the space.
[[nodiscard]] space::OfaFmnistArch apply(const space::OfaFmnistArch& arch, const Morphism& m);

/// A random morphism that applies to `arch`: a place (an active block to
/// widen or enlarge, a stage to deepen) drawn uniformly from those where
/// one applies, then, for deepen, the new block's kernel and expand ratio
/// uniformly. ConfigError when none applies (the largest architecture).
[[nodiscard]] Morphism random_morphism(const space::OfaFmnistArch& arch, Rng& rng);

/// The shortest sequence of morphisms turning `parent` into a network equal
/// to `child`'s (the same canonical string), or std::nullopt when there is
/// none: the resolutions differ, a stage of `parent` is deeper, or one of
/// `parent`'s active blocks has a larger kernel or expand ratio than the
/// child's block at its place. Order: stage by stage, each of the parent's
/// blocks enlarged then widened step by step, then the stage's new blocks
/// appended with the child's choices.
[[nodiscard]] std::optional<std::vector<Morphism>> morphism_path(const space::OfaFmnistArch& parent,
                                                                 const space::OfaFmnistArch& child);

/// The length of `morphism_path(parent, child)`, std::nullopt without one.
[[nodiscard]] std::optional<std::int64_t> morphism_distance(const space::OfaFmnistArch& parent,
                                                            const space::OfaFmnistArch& child);

/// `arch` changed by each morphism of `path` in turn.
[[nodiscard]] space::OfaFmnistArch apply_path(const space::OfaFmnistArch& arch, const std::vector<Morphism>& path);

/// The smallest architecture at `resolution` (every block k3e3, every stage
/// depth 2): every architecture at that resolution is reachable from it.
/// ConfigError for a resolution outside the space.
[[nodiscard]] space::OfaFmnistArch morphism_root(std::int64_t resolution);

}  // namespace hwnas::inherit
