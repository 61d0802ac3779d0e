#pragma once
// A small network standing in for the OFA supernet in the supernet tests.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hwnas/nn.hpp"
#include "hwnas/supernet/progressive_shrinking.hpp"

namespace hwnas::supernet {

/// A small network standing in for the OFA supernet: the active subnet's
/// first kernel size scales the logits, so subnets differ; `extract` copies
/// the body (it is asked only for the full network).
class FakeSupernet : public nn::Module {
 public:
  FakeSupernet() {
    body_ = register_module("body", make_body());
    Rng rng(11);
    nn::init::default_init(*body_, rng);
  }

  Variable forward(const Variable& x) override {
    return scale((*body_)(x), static_cast<float>(active_.ks[0]) / 7.0F);
  }
  [[nodiscard]] std::string type_name() const override { return "FakeSupernet"; }

  void set_active(const space::OfaFmnistArch& arch) {
    active_ = arch;
    ++activations;
  }
  [[nodiscard]] std::shared_ptr<nn::Module> extract(const space::OfaFmnistArch&) const {
    auto copy = make_body();
    nn::read_state(nn::StateReader(nn::state_to_string(*body_), "body"), *copy);
    return copy;
  }
  void reorganize_channels(std::int64_t stage) { reorganized.push_back(stage); }

  std::int64_t activations = 0;
  std::vector<std::int64_t> reorganized;

 private:
  static std::shared_ptr<nn::Sequential> make_body() {
    auto body = std::make_shared<nn::Sequential>();
    body->emplace_back<nn::Conv2d>(nn::Conv2dSpec{1, 4, 3}.padding(1).bias(false));
    body->emplace_back<nn::BatchNorm2d>(4);
    body->emplace_back<nn::ReLU>();
    body->emplace_back<nn::GlobalAvgPool2d>();
    body->emplace_back<nn::Flatten>();
    body->emplace_back<nn::Linear>(4, 3);
    return body;
  }

  std::shared_ptr<nn::Sequential> body_;
  space::OfaFmnistArch active_{};
};

static_assert(ElasticSupernet<FakeSupernet>);

}  // namespace hwnas::supernet
