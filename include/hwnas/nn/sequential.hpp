#pragma once
/// \file
/// `Sequential`: children applied one after another. `push_back` names a child
/// by its position ("0", "1", ...), `add` by a given name, so parameters read
/// `features.3.weight` or `block.conv.weight`.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hwnas/nn/module.hpp"

namespace hwnas::nn {

template <Scalar T>
class BasicSequential : public BasicModule<T> {
 public:
  BasicSequential() = default;
  explicit BasicSequential(std::vector<std::shared_ptr<BasicModule<T>>> layers) {
    for (auto& layer : layers) push_back(std::move(layer));
  }

  /// Appends `layer` under the name of its position and returns it.
  template <class M>
  std::shared_ptr<M> push_back(std::shared_ptr<M> layer) {
    return this->register_module(std::to_string(size()), std::move(layer));
  }

  /// Appends `layer` under `name` and returns it.
  template <class M>
  std::shared_ptr<M> add(std::string name, std::shared_ptr<M> layer) {
    return this->register_module(std::move(name), std::move(layer));
  }

  /// Constructs an `M` from `args`, appends it under the name of its position and returns it.
  template <class M, class... Args>
  std::shared_ptr<M> emplace_back(Args&&... args) {
    return push_back(std::make_shared<M>(std::forward<Args>(args)...));
  }

  [[nodiscard]] std::size_t size() const { return this->named_children().size(); }
  [[nodiscard]] bool empty() const { return size() == 0; }
  /// The layer at position `index` (ConfigError when out of range).
  [[nodiscard]] const std::shared_ptr<BasicModule<T>>& at(std::size_t index) const {
    HWNAS_CHECK_CONFIG(index < size(), "Sequential: index {} out of range for {} layers", index, size());
    return this->named_children()[index].module;
  }

  /// Each layer applied to the previous one's output; an empty Sequential is the identity.
  BasicVariable<T> forward(const BasicVariable<T>& x) override {
    BasicVariable<T> y = x;
    for (const auto& child : this->named_children()) y = (*child.module)(y);
    return y;
  }
  [[nodiscard]] std::string type_name() const override { return "Sequential"; }

  /// The layers before the one called `name` applied to `x`, e.g. the
  /// feature map before a network's global pooling; ConfigError if no layer
  /// has that name.
  BasicVariable<T> forward_until(const BasicVariable<T>& x, std::string_view name) {
    BasicVariable<T> y = x;
    for (const auto& child : this->named_children()) {
      if (child.name == name) return y;
      y = (*child.module)(y);
    }
    throw ConfigError(fmt::format("Sequential: no layer named '{}'", name));
  }
};

using Sequential = BasicSequential<float>;

}  // namespace hwnas::nn
