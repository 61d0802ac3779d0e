// The Once-for-All supernet of `ofa-fmnist`: elastic kernels through learned
// transforms, width and depth slicing, extracted networks that compute what
// the active supernet computes, channel re-ordering that keeps the function,
// gradients and state round trips.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "hwnas/core/mac_counter.hpp"
#include "hwnas/supernet/ofa_supernet.hpp"
#include "hwnas/nn/elastic_batch_norm.hpp"
#include "hwnas/nn/elastic_kernel.hpp"
#include "hwnas/nn/init.hpp"
#include "hwnas/nn/state.hpp"
#include "support/expect.hpp"
#include "support/gradcheck.hpp"
#include "support/module_gradcheck.hpp"

namespace hwnas::supernet {
namespace {

using hwnas::testing::random_tensor;
using Arch = space::OfaFmnistArch;

/// Identity plus noise: a transform that visibly changes kernels.
void perturb_transform(BasicVariable<double> matrix, Rng& rng) {
  auto& m = matrix.value();
  for (std::int64_t i = 0; i < m.numel(); ++i) m[i] += rng.uniform(-0.2, 0.2);
}

/// Batch norms with non-trivial affine parameters and running statistics,
/// and kernel transforms away from the identity, so that every slice and
/// transform shows in the outputs.
void randomise_elastic_state(nn::BasicModule<double>& net, Rng& rng) {
  for (auto& p : net.named_parameters()) {
    if (p.name.find("kernel_transform") != std::string::npos) {
      perturb_transform(p.variable, rng);
    } else if (p.kind == nn::ParameterKind::norm || p.kind == nn::ParameterKind::bias) {
      nn::init::uniform(p.variable.value(), rng, p.name.ends_with("weight") ? 0.5 : -0.2,
                        p.name.ends_with("weight") ? 1.5 : 0.2);
    }
  }
  for (auto& b : net.named_buffers()) {
    const bool var = b.name.ends_with("running_var");
    nn::init::uniform(*b.tensor, rng, var ? 0.5 : -0.2, var ? 1.5 : 0.2);
  }
}

std::shared_ptr<OfaSupernetD> random_supernet(std::uint64_t seed) {
  auto net = std::make_shared<OfaSupernetD>();
  Rng rng(seed);
  nn::init::default_init(*net, rng);
  randomise_elastic_state(*net, rng);
  return net;
}

TensorD images(std::int64_t batch, std::uint64_t seed) {
  Rng rng(seed);
  return random_tensor(Shape{batch, 1, 28, 28}, rng, 0.0, 1.0);
}

TensorD eval_output(nn::BasicModule<double>& net, const TensorD& x) {
  const NoGradGuard no_grad;
  net.eval();
  return net(VariableD(x)).value();
}

/// Every element within `rel` of `expected`, relative to its largest magnitude.
void expect_relatively_near(const TensorD& actual, const TensorD& expected, double rel) {
  ASSERT_EQ(actual.shape(), expected.shape());
  const double scale = std::max(1.0, expected.array().abs().maxCoeff());
  EXPECT_LE((actual.array() - expected.array()).abs().maxCoeff(), rel * scale);
}

std::int64_t eval_macs(nn::BasicModule<double>& net) {
  const NoGradGuard no_grad;
  net.eval();
  MacCounter counter;
  static_cast<void>(net(VariableD(TensorD(Shape{1, 1, 28, 28}))));
  return counter.macs();
}

/// A small block with every part: squeeze-excite, residual, hswish.
ElasticMBConvSpec small_block_spec() {
  return ElasticMBConvSpec{4, 4}.activation(nn::Activation::hswish).se(true);
}

std::shared_ptr<BasicElasticMBConv<double>> random_small_block(std::uint64_t seed) {
  auto block = std::make_shared<BasicElasticMBConv<double>>(small_block_spec());
  Rng rng(seed);
  hwnas::testing::randomise_parameters(*block, rng);
  block->reset_parameters(rng);
  randomise_elastic_state(*block, rng);
  return block;
}

/// L1 norm of each column of a 1x1 conv weight [O, I, 1, 1].
std::vector<double> column_l1_norms(const TensorD& w) {
  const std::int64_t rows = w.size(0);
  const std::int64_t columns = w.size(1);
  std::vector<double> norms(static_cast<std::size_t>(columns), 0.0);
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < columns; ++c) norms[static_cast<std::size_t>(c)] += std::abs(w[r * columns + c]);
  return norms;
}

double kernel_at(const TensorD& w, std::int64_t c, std::int64_t size, std::int64_t row, std::int64_t col) {
  return w[(c * size + row) * size + col];
}

// --- elastic kernel ---------------------------------------------------------

TEST(ElasticKernel, IdentityTransformsGiveTheCentreCrop) {
  const auto block = random_small_block(1);
  Rng rng(2);
  block->reset_parameters(rng);  // transforms back to the identity
  const TensorD w7 = block->kernel(7).value();
  const TensorD w5 = block->kernel(5).value();
  const TensorD w3 = block->kernel(3).value();
  ASSERT_EQ(w5.shape(), (Shape{24, 1, 5, 5}));
  ASSERT_EQ(w3.shape(), (Shape{24, 1, 3, 3}));
  for (std::int64_t c = 0; c < 24; ++c) {
    for (std::int64_t i = 0; i < 5; ++i)
      for (std::int64_t j = 0; j < 5; ++j) EXPECT_EQ(kernel_at(w5, c, 5, i, j), kernel_at(w7, c, 7, i + 1, j + 1));
    for (std::int64_t i = 0; i < 3; ++i)
      for (std::int64_t j = 0; j < 3; ++j) EXPECT_EQ(kernel_at(w3, c, 3, i, j), kernel_at(w7, c, 7, i + 2, j + 2));
  }
}

TEST(ElasticKernel, SmallerKernelsComeFromTheTransformedLargerOnes) {
  const auto block = random_small_block(3);
  const TensorD w7 = block->kernel(7).value();
  const TensorD m75 = block->kernel_transform(7).value();
  const TensorD m53 = block->kernel_transform(5).value();
  const std::int64_t c = 5;
  // K5 = M75 * crop5(W7), then K3 = M53 * crop3(K5), by hand for channel c.
  std::vector<double> k5(25, 0.0);
  for (std::int64_t j = 0; j < 25; ++j)
    for (std::int64_t i = 0; i < 25; ++i) k5[j] += m75(j, i) * kernel_at(w7, c, 7, 1 + i / 5, 1 + i % 5);
  std::vector<double> k3(9, 0.0);
  for (std::int64_t j = 0; j < 9; ++j)
    for (std::int64_t i = 0; i < 9; ++i) k3[j] += m53(j, i) * k5[(1 + i / 3) * 5 + 1 + i % 3];

  const TensorD w5 = block->kernel(5).value();
  const TensorD w3 = block->kernel(3).value();
  for (std::int64_t j = 0; j < 25; ++j) EXPECT_NEAR(kernel_at(w5, c, 5, j / 5, j % 5), k5[j], 1e-12);
  for (std::int64_t j = 0; j < 9; ++j) EXPECT_NEAR(kernel_at(w3, c, 3, j / 3, j % 3), k3[j], 1e-12);
  // The transform is shared: the plain crop would differ.
  EXPECT_GT(std::abs(kernel_at(w3, c, 3, 1, 1) - kernel_at(w7, c, 7, 3, 3)), 1e-6);
}

TEST(ElasticKernel, TransformAndCropGradientsMatchCentralDifferences) {
  Rng rng(4);
  hwnas::testing::expect_gradients_match(
      [](const std::vector<VariableD>& v) { return nn::transform_kernel(nn::centre_crop_kernel(v[0], 3), v[1]); },
      {random_tensor(Shape{3, 1, 5, 5}, rng), random_tensor(Shape{9, 9}, rng)});
}

TEST(ElasticKernel, RejectsMismatchedShapes) {
  const VariableD w(TensorD(Shape{2, 1, 5, 5}));
  EXPECT_THROW(static_cast<void>(nn::transform_kernel(w, VariableD(TensorD(Shape{9, 9})))), ShapeError);
  EXPECT_THROW(static_cast<void>(nn::centre_crop_kernel(w, 4)), ShapeError);
  EXPECT_THROW(static_cast<void>(nn::centre_crop_kernel(w, 7)), ShapeError);
  EXPECT_THROW(static_cast<void>(nn::centre_crop_kernel(VariableD(TensorD(Shape{2, 1, 5, 3})), 3)), ShapeError);
}

// --- elastic batch norm -----------------------------------------------------

TEST(LeadingBatchNorm, TrainingMovesOnlyTheLeadingRunningStatistics) {
  nn::BasicBatchNorm2d<double> bn(6);
  Rng rng(5);
  randomise_elastic_state(bn, rng);
  const TensorD mean_before = bn.running_mean();
  const TensorD var_before = bn.running_var();
  const VariableD x(random_tensor(Shape{2, 4, 3, 3}, rng));
  static_cast<void>(nn::leading_batch_norm2d(bn, x));
  for (std::int64_t c = 0; c < 4; ++c) {
    EXPECT_NE(bn.running_mean()[c], mean_before[c]);
    EXPECT_NE(bn.running_var()[c], var_before[c]);
  }
  for (std::int64_t c = 4; c < 6; ++c) {
    EXPECT_EQ(bn.running_mean()[c], mean_before[c]);
    EXPECT_EQ(bn.running_var()[c], var_before[c]);
  }
  // In eval mode it is a 4-channel batch norm holding the leading entries.
  bn.eval();
  nn::BasicBatchNorm2d<double> sliced(4);
  sliced.eval();
  sliced.weight().value() = nn::leading_entries(bn.weight().value(), 4);
  sliced.bias().value() = nn::leading_entries(bn.bias().value(), 4);
  sliced.running_mean() = nn::leading_entries(bn.running_mean(), 4);
  sliced.running_var() = nn::leading_entries(bn.running_var(), 4);
  hwnas::testing::expect_tensors_near(nn::leading_batch_norm2d(bn, x).value(), sliced(x).value());
  EXPECT_THROW(static_cast<void>(nn::leading_batch_norm2d(bn, VariableD(TensorD(Shape{1, 7, 2, 2})))), ShapeError);
}

TEST(LeadingBatchNorm, GradientsMatchCentralDifferences) {
  nn::BasicBatchNorm2d<double> bn(6);
  Rng rng(27);
  hwnas::testing::expect_gradients_match(
      [&](const std::vector<VariableD>& v) {
        bn.set_parameter("weight", v[1]);
        bn.set_parameter("bias", v[2]);
        return nn::leading_batch_norm2d(bn, v[0]);
      },
      {random_tensor(Shape{2, 4, 3, 3}, rng), random_tensor(Shape{6}, rng), random_tensor(Shape{6}, rng)},
      hwnas::testing::loose_tolerance());
}

// --- elastic block ----------------------------------------------------------

TEST(ElasticMBConv, GradientsMatchCentralDifferencesForASmallerSetting) {
  const auto block = random_small_block(6);
  block->set_active({.kernel_size = 3, .expand = 4});
  Rng rng(7);
  hwnas::testing::expect_module_gradients_match(*block, random_tensor(Shape{2, 4, 5, 5}, rng),
                                                hwnas::testing::loose_tolerance());
}

TEST(ElasticMBConv, OnlyTheActiveWeightsReceiveGradients) {
  const auto block = random_small_block(8);
  block->set_active({.kernel_size = 3, .expand = 4});  // mid 16 of 24, SE 8 of 8
  Rng rng(9);
  const VariableD x(random_tensor(Shape{2, 4, 5, 5}, rng));
  (*block)(x).backward(random_tensor(Shape{2, 4, 5, 5}, rng));
  const auto grad = [&](const std::string& name) {
    for (const auto& p : block->named_parameters())
      if (p.name == name) return p.variable.grad();
    ADD_FAILURE() << "no parameter " << name;
    return TensorD();
  };
  const auto abs_sum = [](const TensorD& t, std::int64_t from, std::int64_t to) {
    return std::accumulate(t.data() + from, t.data() + to, 0.0, [](double s, double v) { return s + std::abs(v); });
  };
  EXPECT_GT(abs_sum(grad("kernel_transform_7to5"), 0, 625), 0.0);
  EXPECT_GT(abs_sum(grad("kernel_transform_5to3"), 0, 81), 0.0);
  // Expand conv rows and batch-norm entries beyond mid 16.
  const TensorD expand = grad("expand_conv.weight");
  EXPECT_GT(abs_sum(expand, 0, 16 * 4), 0.0);
  EXPECT_EQ(abs_sum(expand, 16 * 4, 24 * 4), 0.0);
  for (const auto* bn : {"expand_bn.weight", "depthwise_bn.bias", "se.expand.bias"}) {
    const TensorD g = grad(bn);
    EXPECT_GT(abs_sum(g, 0, 16), 0.0) << bn;
    EXPECT_EQ(abs_sum(g, 16, 24), 0.0) << bn;
  }
  // Depthwise: channels beyond 16 and, within them, the ring outside the centre 5x5.
  const TensorD depthwise = grad("depthwise_conv.weight");
  EXPECT_EQ(abs_sum(depthwise, 16 * 49, 24 * 49), 0.0);
  double ring = 0.0;
  double centre = 0.0;
  for (std::int64_t c = 0; c < 16; ++c)
    for (std::int64_t i = 0; i < 7; ++i)
      for (std::int64_t j = 0; j < 7; ++j) {
        const bool inner = i >= 1 && i <= 5 && j >= 1 && j <= 5;
        (inner ? centre : ring) += std::abs(kernel_at(depthwise, c, 7, i, j));
      }
  EXPECT_EQ(ring, 0.0);
  EXPECT_GT(centre, 0.0);
  // Projection columns beyond 16.
  const TensorD project = grad("project_conv.weight");
  for (std::int64_t o = 0; o < 4; ++o) {
    EXPECT_GT(abs_sum(project, o * 24, o * 24 + 16), 0.0);
    EXPECT_EQ(abs_sum(project, o * 24 + 16, o * 24 + 24), 0.0);
  }
}

TEST(ElasticMBConv, RejectsWhatItDoesNotServe) {
  BasicElasticMBConv<double> block(small_block_spec());
  EXPECT_THROW(block.set_active({.kernel_size = 9, .expand = 6}), ConfigError);
  EXPECT_THROW(block.set_active({.kernel_size = 5, .expand = 2}), ConfigError);
  EXPECT_THROW(static_cast<void>(block.kernel_transform(3)), ConfigError);
  EXPECT_THROW(static_cast<void>(block(VariableD(TensorD(Shape{1, 3, 4, 4})))), ShapeError);
  using Block = BasicElasticMBConv<double>;
  EXPECT_THROW(Block(ElasticMBConvSpec{4, 4}.kernel_sizes({3, 4})), ConfigError);
  EXPECT_THROW(Block(ElasticMBConvSpec{4, 4}.kernel_sizes({5, 3})), ConfigError);
  EXPECT_THROW(Block(ElasticMBConvSpec{4, 4}.expand_ratios({1, 3})), ConfigError);
  EXPECT_THROW(Block(ElasticMBConvSpec{0, 4}), ConfigError);
  EXPECT_THROW(block.reorganize_channels(3), ConfigError);
}

TEST(ElasticMBConv, NestedReorderingKeepsChannelsInTheirBand) {
  const auto block = random_small_block(10);  // widths 12, 16, 24 for expand 3, 4, 6
  auto parameters = block->named_parameters();
  const auto project = std::find_if(parameters.begin(), parameters.end(),
                                    [](const auto& p) { return p.name == "project_conv.weight"; });
  ASSERT_NE(project, parameters.end());
  TensorD& weight = project->variable.value();
  // Makes middle channel `c` more important than the others.
  const auto promote = [&](std::int64_t c, double value) {
    for (std::int64_t o = 0; o < 4; ++o) weight[o * 24 + c] = value;
  };
  const auto expect_sorted_bands = [&](std::initializer_list<std::int64_t> bounds) {
    const std::vector<double> norms = column_l1_norms(weight);
    for (auto b = bounds.begin(); b + 1 != bounds.end(); ++b)
      EXPECT_TRUE(std::is_sorted(norms.rbegin() + (24 - b[1]), norms.rend() - b[0])) << b[0] << " to " << b[1];
  };
  promote(23, 100.0);
  block->reorganize_channels(1);
  // It leads its band [16, 24), not the whole block.
  EXPECT_EQ(weight[16], 100.0);
  expect_sorted_bands({0, 16, 24});
  block->reorganize_channels(0);
  EXPECT_EQ(weight[0], 100.0);
  expect_sorted_bands({0, 24});
  promote(14, 200.0);
  block->reorganize_channels(2);
  EXPECT_EQ(weight[12], 200.0);
  EXPECT_EQ(weight[0], 100.0);
  expect_sorted_bands({0, 12, 16, 24});
}

// --- supernet ---------------------------------------------------------------

TEST(OfaSupernet, ExtractedNetworksComputeTheActiveSubnet) {
  const auto supernet = random_supernet(11);
  const space::OfaFmnistSpace space;
  Rng rng(12);
  std::vector<Arch> archs{space.largest(), space.smallest()};
  for (int i = 0; i < 4; ++i) archs.push_back(space.sample(rng));
  const TensorD x = images(2, 13);
  for (const Arch& arch : archs) {
    SCOPED_TRACE(space.canonical(arch));
    supernet->set_active(arch);
    const auto net = supernet->extract(arch);
    expect_relatively_near(eval_output(*net, x), eval_output(*supernet, x), 1e-10);
    EXPECT_EQ(net->num_parameters(), space.params(arch));
    EXPECT_EQ(eval_macs(*supernet), space.macs(arch));
  }
}

TEST(OfaSupernet, ExtractLeavesTheActiveSubnetAlone) {
  const auto supernet = random_supernet(14);
  const space::OfaFmnistSpace space;
  const Arch active = space.smallest();
  supernet->set_active(active);
  static_cast<void>(supernet->extract(space.largest()));
  EXPECT_EQ(supernet->active(), active);
}

TEST(OfaSupernet, EveryElasticDimensionChangesTheNetwork) {
  const auto supernet = random_supernet(15);
  const space::OfaFmnistSpace space;
  const TensorD x = images(2, 16);
  Arch base = space.largest();
  base.r = 28;
  supernet->set_active(base);
  const TensorD reference = eval_output(*supernet, x);
  const std::int64_t reference_macs = eval_macs(*supernet);

  Arch kernel = base;
  kernel.ks[5] = 3;
  Arch expand = base;
  expand.e[5] = 3;
  Arch depth = base;
  depth.d[1] = 2;
  Arch resolution = base;
  resolution.r = 24;
  for (const Arch& arch : {kernel, expand, depth, resolution}) {
    SCOPED_TRACE(space.canonical(arch));
    supernet->set_active(arch);
    const TensorD out = eval_output(*supernet, x);
    EXPECT_GT((out.array() - reference.array()).abs().maxCoeff(), 1e-9);
    const std::int64_t macs = eval_macs(*supernet);
    EXPECT_LT(macs, reference_macs);
    EXPECT_EQ(macs, space.macs(arch));
  }
  // Choices of blocks beyond their stage's depth change nothing.
  Arch hidden = depth;
  hidden.ks[7] = 3;
  hidden.e[7] = 3;
  supernet->set_active(depth);
  const TensorD shallow = eval_output(*supernet, x);
  supernet->set_active(hidden);
  EXPECT_EQ(eval_output(*supernet, x), shallow);
}

TEST(OfaSupernet, TrainingASubnetMovesOnlyItsRunningStatistics) {
  const auto supernet = random_supernet(17);
  const space::OfaFmnistSpace space;
  Arch arch = space.largest();
  arch.e[4] = 3;  // stage 2, first block: in 24, mid 72 of 144
  arch.d[3] = 2;
  supernet->set_active(arch);
  const auto stats = [&](const std::string& name) {
    for (const auto& b : supernet->named_buffers())
      if (b.name == name) return *b.tensor;
    ADD_FAILURE() << "no buffer " << name;
    return TensorD();
  };
  const TensorD narrow_before = stats("blocks.4.expand_bn.running_mean");
  const TensorD skipped_before = stats("blocks.14.depthwise_bn.running_var");
  supernet->train();
  static_cast<void>((*supernet)(VariableD(images(2, 18))));
  const TensorD narrow_after = stats("blocks.4.expand_bn.running_mean");
  for (std::int64_t c = 0; c < 72; ++c) EXPECT_NE(narrow_after[c], narrow_before[c]);
  for (std::int64_t c = 72; c < 144; ++c) EXPECT_EQ(narrow_after[c], narrow_before[c]);
  EXPECT_EQ(stats("blocks.14.depthwise_bn.running_var"), skipped_before);
}

TEST(OfaSupernet, GradientsReachTheKernelTransformsOfTheActiveSubnet) {
  const auto supernet = random_supernet(19);
  const space::OfaFmnistSpace space;
  Arch arch = space.smallest();
  arch.ks[4] = 5;
  supernet->set_active(arch);
  supernet->train();
  Rng rng(20);
  const TensorD x = images(2, 21);
  // Central differences on one block's 5->3 matrix, through the whole subnet.
  const std::string name = "blocks.5.kernel_transform_5to3";
  const VariableD original = supernet->blocks()[5]->kernel_transform(5);
  hwnas::testing::expect_gradients_match(
      [&](const std::vector<VariableD>& v) {
        supernet->set_parameter(name, v[0]);
        return (*supernet)(VariableD(x));
      },
      {original.value()}, hwnas::testing::loose_tolerance());
  supernet->set_parameter(name, original);

  supernet->zero_grad();
  (*supernet)(VariableD(x)).backward(random_tensor(Shape{2, 10}, rng));
  for (const auto& p : supernet->named_parameters()) {
    // Depth 2 skips the last two blocks of every stage; block 4 runs at kernel 5.
    const bool skipped_block =
        p.name.starts_with("blocks.") && std::stoi(p.name.substr(std::string("blocks.").size())) % 4 >= 2;
    const double norm = p.variable.grad().array().abs().sum();
    if (skipped_block || p.name == "blocks.4.kernel_transform_5to3") {
      EXPECT_EQ(norm, 0.0) << p.name;
    } else {
      EXPECT_GT(norm, 0.0) << p.name;
    }
  }
}

TEST(OfaSupernet, ReorganizingChannelsKeepsTheFullNetwork) {
  const auto supernet = random_supernet(22);
  const space::OfaFmnistSpace space;
  Arch largest = space.largest();
  largest.r = 28;
  supernet->set_active(largest);
  const TensorD x = images(2, 23);
  const TensorD before = eval_output(*supernet, x);
  supernet->reorganize_channels(0);
  expect_relatively_near(eval_output(*supernet, x), before, 1e-12);

  for (const auto& block : supernet->blocks()) {
    for (const auto& [name, tensor] : block->static_state(block->active())) {
      // Middle channels (projection columns) and SE hidden units (SE expand
      // columns), most important first.
      if (name == "project_conv.weight" || name == "se.expand.weight") {
        const std::vector<double> norms = column_l1_norms(tensor);
        EXPECT_TRUE(std::is_sorted(norms.rbegin(), norms.rend())) << name;
      }
    }
  }
  supernet->reorganize_channels(1);
  expect_relatively_near(eval_output(*supernet, x), before, 1e-12);
}

TEST(OfaSupernet, StateRoundTripGivesTheSameNetwork) {
  const auto source = random_supernet(24);
  const auto target = std::make_shared<OfaSupernetD>();
  nn::load_state_from_string(*target, nn::state_to_string(*source));
  const space::OfaFmnistSpace space;
  Rng rng(25);
  const Arch arch = space.sample(rng);
  source->set_active(arch);
  target->set_active(arch);
  const TensorD x = images(2, 26);
  EXPECT_EQ(eval_output(*target, x), eval_output(*source, x));

  std::vector<std::string> names;
  for (const auto& p : source->named_parameters()) names.push_back(p.name);
  for (const auto* expected : {"stem_conv.weight", "blocks.0.expand_conv.weight", "blocks.0.kernel_transform_7to5",
                               "blocks.15.se.reduce.bias", "head_bn.weight", "classifier.weight"})
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
}

TEST(OfaSupernet, RejectsArchitecturesOutsideTheSpace) {
  OfaSupernetD supernet;
  const space::OfaFmnistSpace space;
  Arch arch = space.largest();
  arch.ks[3] = 9;
  EXPECT_THROW(supernet.set_active(arch), ConfigError);
  EXPECT_EQ(supernet.active(), space.largest());
  arch = space.largest();
  arch.d[0] = 1;
  EXPECT_THROW(static_cast<void>(supernet.extract(arch)), ConfigError);
  arch = space.largest();
  arch.r = 30;
  EXPECT_THROW(supernet.set_active(arch), ConfigError);
  EXPECT_THROW(static_cast<void>(supernet(VariableD(TensorD(Shape{1, 3, 28, 28})))), ShapeError);
}

}  // namespace
}  // namespace hwnas::supernet
