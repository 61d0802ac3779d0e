#pragma once
/// \file
/// Copying weights between networks, which weight inheritance does at every
/// step: a child network must own its weights, so fine-tuning it leaves
/// the parent as it was.

#include <memory>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"
#include "hwnas/nn/batch_norm.hpp"
#include "hwnas/nn/conv.hpp"
#include "hwnas/nn/linear.hpp"
#include "hwnas/nn/module.hpp"
#include "hwnas/nn/sequential.hpp"

namespace hwnas::inherit {

/// Sets the value of `variable` (a handle sharing a layer's parameter) to
/// `value`, which must have the parameter's shape.
template <Scalar T>
void assign(BasicVariable<T> variable, const BasicTensor<T>& value) {
  HWNAS_CHECK_SHAPE(variable.shape() == value.shape(), "weight copy: the parameter has shape {}, the value {}",
                    variable.shape(), value.shape());
  variable.value() = value;
}

/// Copies every parameter and buffer of `from` into `to`, which must have
/// the same entries in the same order (e.g. a layer built with the same
/// settings).
template <Scalar T>
void copy_state(const nn::BasicModule<T>& from, nn::BasicModule<T>& to) {
  const auto from_params = from.named_parameters();
  const auto to_params = to.named_parameters();
  const auto from_buffers = from.named_buffers();
  const auto to_buffers = to.named_buffers();
  HWNAS_CHECK_CONFIG(from_params.size() == to_params.size() && from_buffers.size() == to_buffers.size(),
                     "weight copy: a {} cannot take the state of a {}", to.type_name(), from.type_name());
  for (std::size_t i = 0; i < from_params.size(); ++i) {
    HWNAS_CHECK_CONFIG(from_params[i].name == to_params[i].name, "weight copy: parameter '{}' meets '{}'",
                       from_params[i].name, to_params[i].name);
    assign(to_params[i].variable, from_params[i].variable.value());
  }
  for (std::size_t i = 0; i < from_buffers.size(); ++i) {
    HWNAS_CHECK_SHAPE(
        from_buffers[i].name == to_buffers[i].name && from_buffers[i].tensor->shape() == to_buffers[i].tensor->shape(),
        "weight copy: buffer '{}' {} meets '{}' {}", from_buffers[i].name, from_buffers[i].tensor->shape(),
        to_buffers[i].name, to_buffers[i].tensor->shape());
    *to_buffers[i].tensor = *from_buffers[i].tensor;
  }
}

/// Whether `m` holds nothing to copy: no parameters, buffers or children.
template <Scalar T>
[[nodiscard]] bool is_stateless(const nn::BasicModule<T>& m) {
  return m.named_parameters().empty() && m.named_buffers().empty() && m.named_children().empty();
}

/// A copy of `layer.module` owning its own weights: Conv2d, BatchNorm2d,
/// Linear and Sequential (recursively) are rebuilt and their state copied;
/// stateless layers are shared, since they hold nothing a copy could change.
/// ConfigError naming the layer for any other layer with state.
template <Scalar T>
[[nodiscard]] std::shared_ptr<nn::BasicModule<T>> copy_layer(const nn::NamedModule<T>& layer) {
  const nn::BasicModule<T>& m = *layer.module;
  std::shared_ptr<nn::BasicModule<T>> copy;
  if (const auto* conv = dynamic_cast<const nn::BasicConv2d<T>*>(&m)) {
    copy = std::make_shared<nn::BasicConv2d<T>>(conv->spec());
  } else if (const auto* bn = dynamic_cast<const nn::BasicBatchNorm2d<T>*>(&m)) {
    copy = std::make_shared<nn::BasicBatchNorm2d<T>>(bn->spec());
  } else if (const auto* linear = dynamic_cast<const nn::BasicLinear<T>*>(&m)) {
    copy =
        std::make_shared<nn::BasicLinear<T>>(linear->in_features(), linear->out_features(), linear->bias().defined());
  } else if (dynamic_cast<const nn::BasicSequential<T>*>(&m) != nullptr) {
    auto seq = std::make_shared<nn::BasicSequential<T>>();
    for (const auto& child : m.named_children()) seq->add(child.name, copy_layer(child));
    seq->train(m.is_training());
    return seq;
  } else {
    HWNAS_CHECK_CONFIG(is_stateless(m), "weight copy: cannot copy layer '{}' of type {}", layer.name, m.type_name());
    return layer.module;
  }
  copy_state(m, *copy);
  copy->train(m.is_training());
  return copy;
}

}  // namespace hwnas::inherit
