// The SMASH hypernetwork of `ofa-fmnist`: block codes, generated weights of
// the right shapes and scale for every choice, extracted networks that
// compute what the hypernetwork computes, gradients that reach the generator,
// and state files that leave the generated weights out.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "hwnas/core/io.hpp"
#include "hwnas/core/ops/loss.hpp"
#include "hwnas/hypernet.hpp"
#include "hwnas/nn/init.hpp"
#include "hwnas/nn/state.hpp"
#include "support/expect.hpp"
#include "support/gradcheck.hpp"

namespace hwnas::hypernet {
namespace {

using Arch = space::OfaFmnistArch;
using hwnas::testing::random_tensor;

template <Scalar T>
std::shared_ptr<BasicSmashHypernet<T>> initialised(std::int64_t hidden, std::uint64_t seed) {
  auto hypernet = std::make_shared<BasicSmashHypernet<T>>(SmashHypernetOptions{}.hidden(hidden));
  Rng rng(seed);
  nn::init::default_init(*hypernet, rng);
  return hypernet;
}

/// Every block at kernel `k` and expand ratio `e`, full depth.
Arch uniform_arch(std::int64_t k, std::int64_t e, std::int64_t r = 20) {
  Arch arch = space::OfaFmnistSpace{}.largest();
  arch.ks.fill(k);
  arch.e.fill(e);
  arch.r = r;
  return arch;
}

Tensor random_images(std::int64_t n, std::uint64_t seed) {
  Rng rng(seed);
  Tensor t(Shape{n, 1, 28, 28});
  for (auto& v : t.values()) v = static_cast<float>(rng.uniform());
  return t;
}

std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::path(::testing::TempDir()) / ("hwnas_smash_" + name);
}

// --- block codes ------------------------------------------------------------

TEST(BlockCode, OneHotGroupsInTheDocumentedOrder) {
  Arch arch = space::OfaFmnistSpace{}.smallest();
  arch.d[2] = 3;
  arch.ks[9] = 7;
  arch.e[9] = 4;
  arch.r = 28;
  const std::vector<std::size_t> blocks{9};
  const TensorD code = block_codes<double>(arch, blocks);
  ASSERT_EQ(code.shape(), (Shape{1, block_code_size}));
  // stage 2, position 1, kernel 7, expand 4, depth 3, resolution 28.
  const std::set<std::int64_t> hot{2, 4 + 1, 8 + 2, 11 + 1, 14 + 1, 17 + 2};
  for (std::int64_t i = 0; i < block_code_size; ++i) EXPECT_EQ(code[i], hot.contains(i) ? 1.0 : 0.0) << i;
}

TEST(BlockCode, ActiveBlocksFollowTheDepths) {
  Arch arch = space::OfaFmnistSpace{}.smallest();
  arch.d = {4, 2, 3, 2};
  EXPECT_EQ(active_blocks(arch), (std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 8, 9, 10, 12, 13}));
  const std::vector<std::size_t> skipped{6};
  testing::expect_error_containing<ConfigError>([&] { static_cast<void>(block_codes<float>(arch, skipped)); },
                                                "block 6 is not run");
  arch.r = 30;
  const std::vector<std::size_t> first{0};
  testing::expect_error_containing<ConfigError>([&] { static_cast<void>(block_codes<float>(arch, first)); },
                                                "resolution 30");
}

TEST(BlockCode, EveryCodeOfTheSpaceIsDistinct) {
  const TensorD codes = all_block_codes<double>();
  ASSERT_EQ(codes.shape(), (Shape{1296, block_code_size}));
  std::set<std::vector<double>> distinct;
  for (std::int64_t r = 0; r < codes.size(0); ++r)
    distinct.insert(std::vector<double>(codes.data() + r * block_code_size, codes.data() + (r + 1) * block_code_size));
  EXPECT_EQ(distinct.size(), 1296U);
}

// --- generator --------------------------------------------------------------

TEST(SmashGenerator, HeadsMakeTheLargestBlockShapes) {
  const SmashHypernet hypernet(SmashHypernetOptions{}.hidden(64));
  const GeneratedShapes& shapes = hypernet.generator().shapes();
  EXPECT_EQ(shapes, (GeneratedShapes{576, 96, 96, 7}));
  // Two hidden layers and three heads of the largest shapes.
  const std::int64_t heads = (576 * 96 + 576 * 49 + 96 * 576) * (64 + 1);
  EXPECT_EQ(hypernet.generator().num_parameters(), (21 + 1) * 64 + (64 + 1) * 64 + heads);
  testing::expect_error_containing<ConfigError>([] { SmashHypernet(SmashHypernetOptions{}.hidden(0)); },
                                                "hidden width");
}

TEST(SmashGenerator, StartsAtTheScaleOfTheSupernetsInitialisation) {
  const auto hypernet = initialised<double>(16, 1);
  const NoGradGuard no_grad;
  // Every 16th code of the space: all blocks, a spread of choices.
  const TensorD all = all_block_codes<double>();
  TensorD codes(Shape{all.size(0) / 16, block_code_size});
  for (std::int64_t r = 0; r < codes.size(0); ++r)
    std::copy_n(all.data() + r * 16 * block_code_size, block_code_size, codes.data() + r * block_code_size);
  const auto weights = hypernet->generator().generate(VariableD(codes));
  const auto rms = [](const VariableD& v) { return std::sqrt(v.value().array().square().mean()); };
  // He-normal, fan-out, of the largest block's convs.
  EXPECT_NEAR(rms(weights.expand), std::sqrt(2.0 / 576), 0.3 * std::sqrt(2.0 / 576));
  EXPECT_NEAR(rms(weights.depthwise), std::sqrt(2.0 / (576 * 49)), 0.3 * std::sqrt(2.0 / (576 * 49)));
  EXPECT_NEAR(rms(weights.project), std::sqrt(2.0 / 96), 0.3 * std::sqrt(2.0 / 96));
}

TEST(SmashGenerator, RejectsCodesOfAnotherSize) {
  BasicSmashGenerator<double> generator(GeneratedShapes{4, 2, 2, 3}, 3);
  EXPECT_THROW(static_cast<void>(generator.generate(VariableD(TensorD(Shape{2, 20})))), ShapeError);
  EXPECT_THROW(BasicSmashGenerator<double>(GeneratedShapes{0, 2, 2, 3}, 3), ConfigError);
}

// --- generated weights ------------------------------------------------------

TEST(SmashHypernet, GeneratedWeightsHaveTheBuiltShapesForEveryChoice) {
  const auto hypernet = initialised<float>(4, 2);
  const space::OfaFmnistSpace space;
  for (std::int64_t k : space::OfaFmnistSpace::kernel_sizes) {
    for (std::int64_t e : space::OfaFmnistSpace::expand_ratios) {
      SCOPED_TRACE(::testing::Message() << "kernel " << k << " expand " << e);
      const Arch arch = uniform_arch(k, e);
      const auto extracted = hypernet->extract(arch);
      std::map<std::string, Shape> built;
      for (const auto& p : space.build(arch)->named_parameters()) built.emplace(p.name, p.variable.shape());
      std::size_t convs = 0;
      for (const auto& p : extracted->named_parameters()) {
        ASSERT_TRUE(built.contains(p.name)) << p.name;
        EXPECT_EQ(p.variable.shape(), built.at(p.name)) << p.name;
        convs += p.name.ends_with("_conv.weight") && p.name.starts_with("blocks.") ? 1 : 0;
      }
      EXPECT_EQ(extracted->named_parameters().size(), built.size());
      EXPECT_EQ(convs, 3 * Arch::blocks);
    }
  }
}

TEST(SmashHypernet, ExtractedNetworkComputesWhatTheHypernetworkComputes) {
  const auto hypernet = initialised<double>(4, 3);
  Rng rng(4);
  const VariableD images(random_tensor(Shape{2, 1, 28, 28}, rng, 0.0, 1.0));
  for (int i = 0; i < 2; ++i) {
    const Arch arch = space::OfaFmnistSpace{}.sample(rng);
    const auto extracted = hypernet->extract(arch);
    const NoGradGuard no_grad;
    hypernet->eval();
    extracted->eval();
    hypernet->generate(arch);
    hwnas::testing::expect_tensors_near((*extracted)(images).value(), (*hypernet)(images).value(), 1e-10);
  }
}

TEST(SmashHypernet, DifferentCodesGiveDifferentWeightsAndTheSameCodeTheSame) {
  const auto hypernet = initialised<double>(8, 5);
  const auto weights_of = [&](const Arch& arch, std::size_t block) {
    hypernet->generate(arch);
    std::map<std::string, TensorD> out;
    for (const auto& p : hypernet->network().blocks()[block]->named_parameters())
      if (p.name.ends_with("_conv.weight")) out.emplace(p.name, p.variable.value());
    return out;
  };
  const auto differ = [](const std::map<std::string, TensorD>& a, const std::map<std::string, TensorD>& b) {
    for (const auto& [name, t] : a)
      if ((t.array() - b.at(name).array()).abs().maxCoeff() < 1e-3 * t.array().abs().maxCoeff()) return false;
    return true;
  };
  const Arch base = uniform_arch(5, 4, 24);
  const auto reference = weights_of(base, 1);
  EXPECT_EQ(reference.size(), 3U);
  for (const auto& [name, t] : weights_of(base, 1)) EXPECT_TRUE((t.array() == reference.at(name).array()).all());

  Arch other_kernel = base;
  other_kernel.ks[1] = 3;
  Arch other_resolution = base;
  other_resolution.r = 32;
  Arch other_depth = base;
  other_depth.d[0] = 3;
  for (const Arch& arch : {other_kernel, other_resolution, other_depth})
    EXPECT_TRUE(differ(weights_of(arch, 1), reference));
  // Blocks 1 and 2 have the same shapes; their positions tell them apart.
  EXPECT_TRUE(differ(weights_of(base, 2), reference));
}

TEST(SmashHypernet, GradientsReachTheGeneratorAndMatchCentralDifferences) {
  const auto hypernet = initialised<double>(4, 6);
  Rng rng(7);
  const VariableD images(random_tensor(Shape{3, 1, 28, 28}, rng, 0.0, 1.0));
  const std::vector<std::int32_t> labels{1, 7, 4};
  const Arch arch = space::OfaFmnistSpace{}.smallest();  // resolution 20: quick
  hypernet->train(true);
  const auto loss = [&] {
    hypernet->generate(arch);
    return cross_entropy((*hypernet)(images), labels, 0.1);
  };

  hypernet->zero_grad();
  loss().backward();
  std::map<std::string, BasicVariable<double>> params;
  for (const auto& p : hypernet->learned_parameters()) params.emplace(p.name, p.variable);

  // The first block's strongest feature: a unit ReLU lets through.
  const std::vector<std::size_t> first_block{0};
  const TensorD features = hypernet->generator()(VariableD(block_codes<double>(arch, first_block))).value();
  std::int64_t unit = 0;
  for (std::int64_t u = 0; u < features.numel(); ++u) unit = features[u] > features[unit] ? u : unit;
  ASSERT_GT(features[unit], 0.0);
  const std::int64_t hidden = hypernet->generator().hidden();
  // Elements the smallest architecture's first block (in 16, mid 48,
  // kernel 3, out 24) uses: code value 0 (stage 0), the expand weight at
  // [5, 3], the centre of the depthwise kernel of channel 2, the projection
  // weight at [2, 7].
  const std::vector<std::pair<std::string, std::int64_t>> probes{
      {"generator.hidden1_weight", 0},           {"generator.hidden2_weight", unit * hidden + unit},
      {"generator.hidden2_bias", unit},          {"generator.expand_weight", (5 * 96 + 3) * hidden + unit},
      {"generator.expand_bias", 5 * 96 + 3},     {"generator.depthwise_weight", (2 * 49 + 24) * hidden + unit},
      {"generator.depthwise_bias", 2 * 49 + 24}, {"generator.project_weight", (2 * 576 + 7) * hidden + unit},
      {"generator.project_bias", 2 * 576 + 7}};
  const double step = 1e-6;
  for (const auto& [name, index] : probes) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(params.contains(name));
    auto& value = params.at(name).value();
    const double analytic = params.at(name).grad()[index];
    const NoGradGuard no_grad;
    const double x0 = value[index];
    value[index] = x0 + step;
    const double up = loss().item();
    value[index] = x0 - step;
    const double down = loss().item();
    value[index] = x0;
    const double numeric = (up - down) / (2.0 * step);
    EXPECT_NE(analytic, 0.0);
    EXPECT_NEAR(analytic, numeric, 1e-7 + 1e-4 * std::abs(numeric));
  }
}

TEST(SmashHypernet, LearnedParametersLeaveOutTheGeneratedSlots) {
  const auto hypernet = initialised<float>(4, 8);
  hypernet->generate(space::OfaFmnistSpace{}.largest());
  const auto learned = hypernet->learned_parameters();
  std::size_t generated = 0;
  for (const auto& p : hypernet->named_parameters()) generated += hypernet->is_generated(p.name) ? 1 : 0;
  EXPECT_EQ(generated, 3 * Arch::blocks);
  EXPECT_EQ(learned.size() + generated, hypernet->named_parameters().size());
  for (const auto& p : learned) {
    EXPECT_TRUE(p.variable.requires_grad() && p.variable.node()->is_leaf()) << p.name;
    EXPECT_FALSE(p.name.ends_with("expand_conv.weight")) << p.name;
  }
  EXPECT_TRUE(hypernet->is_generated("network.blocks.15.depthwise_conv.weight"));
  EXPECT_FALSE(hypernet->is_generated("network.blocks.15.kernel_transform_7to5"));
}

// --- state files ------------------------------------------------------------

TEST(SmashHypernetState, RoundTripRestoresEveryLearnedWeightAndStatistic) {
  const auto saved = initialised<float>(4, 9);
  // Batch-norm statistics away from their initial values.
  saved->train(true);
  saved->generate(space::OfaFmnistSpace{}.smallest());
  static_cast<void>((*saved)(Variable(random_images(2, 10))));
  const auto path = temp_path("round_trip.state");
  saved->save(path);

  const auto loaded = std::make_shared<SmashHypernet>(SmashHypernetOptions{}.hidden(4));
  loaded->load(path);
  for (const Arch& arch : {space::OfaFmnistSpace{}.largest(), space::OfaFmnistSpace{}.smallest()}) {
    const auto a = saved->extract(arch);
    const auto b = loaded->extract(arch);
    const auto pa = a->named_parameters();
    const auto pb = b->named_parameters();
    ASSERT_EQ(pa.size(), pb.size());
    for (std::size_t i = 0; i < pa.size(); ++i)
      EXPECT_TRUE((pa[i].variable.value().array() == pb[i].variable.value().array()).all()) << pa[i].name;
    const auto ba = a->named_buffers();
    const auto bb = b->named_buffers();
    for (std::size_t i = 0; i < ba.size(); ++i)
      EXPECT_TRUE((ba[i].tensor->array() == bb[i].tensor->array()).all()) << ba[i].name;
  }
  // No generated slot is stored.
  for (const auto& name : nn::StateReader::from_file(path).names()) EXPECT_FALSE(saved->is_generated(name)) << name;
  std::filesystem::remove(path);
}

TEST(SmashHypernetState, OtherFilesFailWithClearErrors) {
  const auto path = temp_path("errors.state");
  SmashHypernet hypernet(SmashHypernetOptions{}.hidden(4));

  supernet::OfaSupernet supernet;
  nn::save_state(supernet, path);
  testing::expect_error_containing<IoError>([&] { hypernet.load(path); }, "not a SMASH hypernetwork state");

  SmashHypernet(SmashHypernetOptions{}.hidden(5)).save(path);
  testing::expect_error_containing<IoError>([&] { hypernet.load(path); }, "\"hidden\":5");

  hypernet.save(path);
  std::string bytes = read_file(path);
  write_file_atomically(path, bytes.substr(0, bytes.size() / 2));
  EXPECT_THROW(hypernet.load(path), IoError);

  // The right description over a missing tensor.
  nn::StateWriter writer;
  write_file_atomically(path, writer.finish(hypernet.description()));
  testing::expect_error_containing<IoError>([&] { hypernet.load(path); }, "generator.hidden1_weight");
  std::filesystem::remove(path);
  EXPECT_THROW(hypernet.load(path), IoError);
}

}  // namespace
}  // namespace hwnas::hypernet
