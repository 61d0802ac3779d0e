#pragma once
/// \file
/// `BasicForwardHook<T>`: sees every module call `module(x)` of element type
/// `T` on this thread while it is alive, with the module, its input and its
/// output, and returns the output the caller gets (the same one, or one
/// routed through an op such as `tap` to see its gradient later):
///
///     ForwardHook hook([&](Module& m, const Variable& x, Variable y) {
///       if (m.type_name() == "ReLU") record(x);
///       return y;
///     });
///     net(images);
///
/// Layers call their children through `operator()`, so the hook sees every
/// layer of a network, however deeply nested. Hooks nest: the innermost
/// live one on the thread is called.

#include <functional>
#include <utility>

#include "hwnas/core/autograd.hpp"

namespace hwnas::nn {

template <Scalar T>
class BasicModule;

template <Scalar T>
class BasicForwardHook {
 public:
  using Variable = BasicVariable<T>;
  using Hook = std::function<Variable(BasicModule<T>& module, const Variable& input, Variable output)>;

  explicit BasicForwardHook(Hook hook) : hook_(std::move(hook)), previous_(innermost()) { innermost() = this; }
  ~BasicForwardHook() { innermost() = previous_; }
  BasicForwardHook(const BasicForwardHook&) = delete;
  BasicForwardHook& operator=(const BasicForwardHook&) = delete;

  /// `output` as the innermost live hook on this thread returns it; called by `BasicModule::operator()`.
  static Variable apply(BasicModule<T>& module, const Variable& input, Variable output) {
    BasicForwardHook* hook = innermost();
    return hook != nullptr ? hook->hook_(module, input, std::move(output)) : output;
  }

 private:
  static BasicForwardHook*& innermost() {
    thread_local BasicForwardHook* hook = nullptr;
    return hook;
  }

  Hook hook_;
  BasicForwardHook* previous_;
};

using ForwardHook = BasicForwardHook<float>;

}  // namespace hwnas::nn
