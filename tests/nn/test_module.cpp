// The module tree: registration, names, counts, modes, parameter replacement.

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "hwnas/nn.hpp"
#include "support/printers.hpp"

namespace hwnas::nn {
namespace {

std::vector<std::string> parameter_names(const Module& m) {
  std::vector<std::string> out;
  for (const auto& p : m.named_parameters()) out.push_back(p.name);
  return out;
}

std::vector<std::string> buffer_names(const Module& m) {
  std::vector<std::string> out;
  for (const auto& b : m.named_buffers()) out.push_back(b.name);
  return out;
}

// Conv-BN-ReLU as a named block inside an indexed Sequential.
std::shared_ptr<Sequential> small_net() {
  auto net = std::make_shared<Sequential>();
  auto block = net->emplace_back<Sequential>();
  block->add("conv", std::make_shared<Conv2d>(Conv2dSpec{3, 8, 3}.padding(1).bias(false)));
  block->add("bn", std::make_shared<BatchNorm2d>(8));
  block->add("act", std::make_shared<ReLU>());
  net->emplace_back<SqueezeExcite>(8, 8);
  net->emplace_back<GlobalAvgPool2d>();
  net->emplace_back<Flatten>();
  net->emplace_back<Linear>(8, 10);
  return net;
}

TEST(Module, NamedParametersAreDottedAndInRegistrationOrder) {
  const auto net = small_net();
  EXPECT_EQ(parameter_names(*net),
            (std::vector<std::string>{"0.conv.weight", "0.bn.weight", "0.bn.bias", "1.reduce.weight", "1.reduce.bias",
                                      "1.expand.weight", "1.expand.bias", "4.weight", "4.bias"}));
  EXPECT_EQ(buffer_names(*net), (std::vector<std::string>{"0.bn.running_mean", "0.bn.running_var"}));
  EXPECT_EQ(net->parameters().size(), 9U);
}

TEST(Module, ParameterKinds) {
  const auto net = small_net();
  std::vector<ParameterKind> kinds;
  for (const auto& p : net->named_parameters()) kinds.push_back(p.kind);
  using enum ParameterKind;
  EXPECT_EQ(kinds, (std::vector<ParameterKind>{weight, norm, norm, weight, bias, weight, bias, weight, bias}));
}

TEST(Module, ParameterCounts) {
  EXPECT_EQ(Conv2d(Conv2dSpec{3, 16, 3}).num_parameters(), 16 * 3 * 9 + 16);
  EXPECT_EQ(Conv2d(Conv2dSpec{16, 16, 5}.groups(16).bias(false)).num_parameters(), 16 * 25);
  EXPECT_EQ(Linear(192, 10).num_parameters(), 1930);
  EXPECT_EQ(Linear(192, 10, false).num_parameters(), 1920);
  EXPECT_EQ(BatchNorm2d(24).num_parameters(), 48);
  EXPECT_EQ(BatchNorm2d(BatchNorm2dSpec{24}.affine(false)).num_parameters(), 0);
  // reduce: 96 * 24 weights + 24 biases; expand: 24 * 96 weights + 96 biases.
  EXPECT_EQ(SqueezeExcite(96, 24).num_parameters(), 2304 + 24 + 2304 + 96);
  EXPECT_EQ(ReLU().num_parameters(), 0);
}

TEST(Module, TypeNames) {
  EXPECT_EQ(Conv2d(Conv2dSpec{1, 1, 1}).type_name(), "Conv2d");
  EXPECT_EQ(HSwish().type_name(), "HSwish");
  EXPECT_EQ(HSigmoid().type_name(), "HSigmoid");
  EXPECT_EQ(MaxPool2d().type_name(), "MaxPool2d");
  EXPECT_EQ(GlobalAvgPool2d().type_name(), "GlobalAvgPool2d");
  EXPECT_EQ(SqueezeExcite(8, 8).type_name(), "SqueezeExcite");
  EXPECT_EQ(Dropout(0.1).type_name(), "Dropout");
}

TEST(Module, NamedModulesWalkTheTreeParentsFirst) {
  const auto net = small_net();
  std::vector<std::string> names;
  std::vector<std::string> types;
  for (const auto& m : net->named_modules()) {
    names.push_back(m.name);
    types.push_back(m.module->type_name());
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{"0", "0.conv", "0.bn", "0.act", "1", "1.reduce", "1.expand", "2", "3", "4"}));
  EXPECT_EQ(types[1], "Conv2d");
  EXPECT_EQ(net->children().size(), 5U);
  EXPECT_EQ(net->named_children()[0].name, "0");
}

TEST(Module, TrainAndEvalRecurse) {
  const auto net = small_net();
  EXPECT_TRUE(net->is_training());
  net->eval();
  EXPECT_FALSE(net->is_training());
  for (const auto& m : net->named_modules()) EXPECT_FALSE(m.module->is_training()) << m.name;
  net->train();
  for (const auto& m : net->named_modules()) EXPECT_TRUE(m.module->is_training()) << m.name;
}

TEST(Module, BatchNormRunningStatsMoveOnlyInTraining) {
  BatchNorm2d bn(2);
  Rng rng(1);
  Tensor x(Shape{4, 2, 3, 3});
  init::normal(x, rng, 2.0, 3.0);
  (void)bn(Variable(x));
  const Tensor mean_after_train = bn.running_mean();
  EXPECT_NE(mean_after_train, Tensor(Shape{2}));
  EXPECT_NE(bn.running_var(), Tensor(Shape{2}, 1.0F));

  bn.eval();
  const Tensor var_before = bn.running_var();
  (void)bn(Variable(x));
  EXPECT_EQ(bn.running_mean(), mean_after_train);
  EXPECT_EQ(bn.running_var(), var_before);

  bn.reset_running_stats();
  EXPECT_EQ(bn.running_mean(), Tensor(Shape{2}));
  EXPECT_EQ(bn.running_var(), Tensor(Shape{2}, 1.0F));
}

TEST(Module, ZeroGradClearsEveryParameter) {
  const auto net = small_net();
  Rng rng(2);
  init::default_init(*net, rng);
  Tensor x(Shape{2, 3, 4, 4});
  init::normal(x, rng);
  (void)net->forward(Variable(x)).backward(Tensor(Shape{2, 10}, 1.0F));
  for (const auto& p : net->named_parameters()) EXPECT_TRUE(p.variable.has_grad()) << p.name;
  net->zero_grad();
  for (const auto& p : net->named_parameters()) EXPECT_FALSE(p.variable.has_grad()) << p.name;
}

TEST(Module, ForwardShapes) {
  const auto net = small_net();
  EXPECT_EQ(net->forward(Variable(Tensor(Shape{2, 3, 5, 5}))).shape(), (Shape{2, 10}));
  Conv2d strided(Conv2dSpec{3, 4, 3}.stride(2).padding(1));
  EXPECT_EQ(strided(Variable(Tensor(Shape{1, 3, 7, 7}))).shape(), (Shape{1, 4, 4, 4}));
  AvgPool2d avg(Pool2dOptions{}.kernel(2));
  EXPECT_EQ(avg(Variable(Tensor(Shape{1, 3, 6, 6}))).shape(), (Shape{1, 3, 3, 3}));
  Sequential empty;
  EXPECT_EQ(empty(Variable(Tensor(Shape{2, 2}))).shape(), (Shape{2, 2}));
}

TEST(Module, DropoutIsIdentityInEvalAndSeededInTraining) {
  const Variable x(Tensor(Shape{64}, 1.0F));
  Dropout a(0.5, 7);
  Dropout b(0.5, 7);
  const Tensor ya = a(x).value();
  EXPECT_EQ(ya, b(x).value());
  EXPECT_NE(ya, x.value());
  for (float v : ya.values()) EXPECT_TRUE(v == 0.0F || v == 2.0F);
  a.eval();
  EXPECT_EQ(a(x).value(), x.value());
}

TEST(Module, HandlesShareTheLayersParameters) {
  Linear fc(2, 1);
  fc.weight().value() = Tensor(Shape{1, 2}, {1.0F, 2.0F});
  fc.bias().value()[0] = 0.5F;
  EXPECT_FLOAT_EQ(fc(Variable(Tensor(Shape{1, 2}, {1.0F, 1.0F}))).item(), 3.5F);
  EXPECT_FLOAT_EQ(fc.named_parameters()[0].variable.value()[1], 2.0F);
}

TEST(Module, SetParameterRoutesGradientsToTheNewVariable) {
  Linear fc(2, 1, false);
  Variable generated(Tensor(Shape{1, 2}, {3.0F, -1.0F}), true);
  fc.set_parameter("weight", generated);
  Variable y = fc(Variable(Tensor(Shape{1, 2}, {2.0F, 5.0F})));
  EXPECT_FLOAT_EQ(y.item(), 1.0F);
  y.backward();
  EXPECT_EQ(generated.grad(), Tensor(Shape{1, 2}, {2.0F, 5.0F}));

  const auto net = small_net();
  EXPECT_THROW(net->set_parameter("4.weight", Variable(Tensor(Shape{10, 9}))), ShapeError);
  EXPECT_THROW(net->set_parameter("4.missing", Variable(Tensor(Shape{1}))), ConfigError);
  EXPECT_THROW(net->set_parameter("9.weight", Variable(Tensor(Shape{1}))), ConfigError);
  EXPECT_THROW(net->set_parameter("4.weight", Variable()), ConfigError);
}

class TwoNames : public Module {
 public:
  explicit TwoNames(const std::string& second) {
    register_parameter("w", Tensor(Shape{1}), ParameterKind::weight);
    register_buffer(second, Tensor(Shape{1}));
  }
  Variable forward(const Variable& x) override { return x; }
  [[nodiscard]] std::string type_name() const override { return "TwoNames"; }
};

TEST(Module, RegistrationRejectsDuplicateAndDottedNames) {
  EXPECT_NO_THROW(TwoNames("b"));
  EXPECT_THROW(TwoNames("w"), ConfigError);
  EXPECT_THROW(TwoNames("a.b"), ConfigError);
  EXPECT_THROW(TwoNames(""), ConfigError);
  Sequential seq;
  seq.add("x", std::make_shared<ReLU>());
  EXPECT_THROW(seq.add("x", std::make_shared<ReLU>()), ConfigError);
  EXPECT_THROW(seq.push_back(std::shared_ptr<ReLU>()), ConfigError);
  EXPECT_THROW((void)seq.at(1), ConfigError);
}

TEST(ForwardHook, SeesNestedLayersAndMayReplaceTheirOutputs) {
  Sequential net;
  auto inner = net.emplace_back<Sequential>();
  inner->emplace_back<ReLU>();
  net.emplace_back<ReLU>();
  std::vector<std::string> seen;
  const Variable x(Tensor({2}, {-1.0F, 2.0F}));
  {
    ForwardHook hook([&](Module& m, const Variable&, Variable y) {
      seen.push_back(m.type_name());
      // Negate what the inner ReLU gives, so the outer one zeroes everything.
      return &m == inner->at(0).get() ? sub(Variable(Tensor(y.shape())), y) : y;
    });
    EXPECT_EQ(net(x).value(), Tensor({2}, {0.0F, 0.0F}));
    {
      ForwardHook innermost([](Module&, const Variable&, Variable y) { return y; });
      EXPECT_EQ(net(x).value(), Tensor({2}, {0.0F, 2.0F})) << "only the innermost hook is called";
    }
    EXPECT_EQ(net(x).value(), Tensor({2}, {0.0F, 0.0F})) << "the outer hook is back";
  }
  // Inner layers first, as each call returns; the middle run went to the innermost hook.
  EXPECT_EQ(seen, (std::vector<std::string>{"ReLU", "Sequential", "ReLU", "Sequential", "ReLU", "Sequential", "ReLU",
                                            "Sequential"}));
  EXPECT_EQ(net(x).value(), Tensor({2}, {0.0F, 2.0F})) << "no hook once it is gone";
}

TEST(Module, LayersRejectInvalidSpecs) {
  EXPECT_THROW(Conv2d(Conv2dSpec{3, 4, 0}), ConfigError);
  EXPECT_THROW(Conv2d(Conv2dSpec{3, 4, 3}.groups(2)), ConfigError);
  EXPECT_THROW(Conv2d(Conv2dSpec{4, 4, 3}.stride(0)), ConfigError);
  EXPECT_THROW(Conv2d(Conv2dSpec{4, 4, 3}.padding(-1)), ConfigError);
  EXPECT_THROW(Linear(0, 3), ConfigError);
  EXPECT_THROW(BatchNorm2d(0), ConfigError);
  EXPECT_THROW(BatchNorm2d(BatchNorm2dSpec{4}.momentum(1.5)), ConfigError);
  EXPECT_THROW(BatchNorm2d(BatchNorm2dSpec{4}.eps(0.0)), ConfigError);
  EXPECT_THROW(MaxPool2d(Pool2dOptions{}.kernel(0)), ConfigError);
  EXPECT_THROW(AvgPool2d(Pool2dOptions{}.kernel(2).padding(2)), ConfigError);
  EXPECT_THROW(Dropout(1.0), ConfigError);
}

TEST(Module, LayersRejectWrongInputsWithShapes) {
  Conv2d conv(Conv2dSpec{3, 4, 3});
  try {
    (void)conv(Variable(Tensor(Shape{1, 2, 5, 5})));
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("[1, 2, 5, 5]"), std::string::npos) << e.what();
  }
  SqueezeExcite se(8, 4);
  try {
    (void)se(Variable(Tensor(Shape{1, 6, 2, 2})));
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_STREQ(e.what(), "SqueezeExcite: expected input [N, 8, H, W], got [1, 6, 2, 2]");
  }
  EXPECT_THROW((void)Linear(4, 2)(Variable(Tensor(Shape{3, 5}))), ShapeError);
  EXPECT_THROW((void)BatchNorm2d(4)(Variable(Tensor(Shape{2, 3, 2, 2}))), ShapeError);
}

}  // namespace
}  // namespace hwnas::nn
