#pragma once
/// \file
/// `BasicModule<T>`: the base of every layer and network. Networks are built at
/// run time (from JSON architecture descriptions), so modules compose through
/// virtual dispatch and shared pointers rather than nested template types.
///
/// A module owns named parameters (trainable leaves), named buffers (state that
/// is saved but not trained, such as batch-norm running statistics) and named
/// child modules. Names of nested entries are dotted paths, e.g.
/// `features.0.weight`, so a state file can be matched against any module tree.
///
/// Layers allocate their parameters when constructed (weights zero, batch-norm
/// scale one) and draw random values only in `reset_parameters(Rng&)`, which
/// `nn::init::default_init(module, rng)` calls for a whole tree: every random
/// draw goes through an explicit, seeded generator.

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "hwnas/core/autograd.hpp"
#include "hwnas/nn/forward_hook.hpp"
#include "hwnas/core/random.hpp"

namespace hwnas::nn {

/// What role a parameter plays, so optimizers can treat roles differently
/// (e.g. no weight decay on biases and normalisation parameters).
enum class ParameterKind {
  weight,  ///< A multiplicative weight of a conv or linear layer.
  bias,    ///< An additive bias of a conv or linear layer.
  norm,    ///< A normalisation layer's scale or shift.
};

/// A parameter as seen from the module tree's root.
template <Scalar T>
struct NamedParameter {
  std::string name;           ///< Dotted path, e.g. `features.0.weight`.
  BasicVariable<T> variable;  ///< Shares its node with the module's own handle.
  ParameterKind kind = ParameterKind::weight;
};

/// A buffer as seen from the module tree's root; `Tensor` is `BasicTensor<T>`
/// or `const BasicTensor<T>`.
template <class Tensor>
struct BasicNamedBuffer {
  std::string name;
  Tensor* tensor = nullptr;
};

template <Scalar T>
class BasicModule;

/// A child module with its (local or dotted) name.
template <Scalar T>
struct NamedModule {
  std::string name;
  std::shared_ptr<BasicModule<T>> module;
};

template <Scalar T>
class BasicModule {
 public:
  using Variable = BasicVariable<T>;
  using Tensor = BasicTensor<T>;
  using NamedBuffer = BasicNamedBuffer<Tensor>;
  using ConstNamedBuffer = BasicNamedBuffer<const Tensor>;

  BasicModule() = default;
  virtual ~BasicModule() = default;
  // Layers keep pointers into their own registries, so modules stay where they
  // were built; share them through std::shared_ptr.
  BasicModule(const BasicModule&) = delete;
  BasicModule& operator=(const BasicModule&) = delete;
  BasicModule(BasicModule&&) = delete;
  BasicModule& operator=(BasicModule&&) = delete;

  /// The layer's computation.
  virtual Variable forward(const Variable& x) = 0;
  /// `forward`, seen by the thread's `BasicForwardHook` if one is alive.
  /// Layers call their children this way.
  Variable operator()(const Variable& x) { return BasicForwardHook<T>::apply(*this, x, forward(x)); }

  /// The layer's type, e.g. "Conv2d"; used in reports and error messages.
  [[nodiscard]] virtual std::string type_name() const = 0;

  /// Draws this module's own parameters (not its children's) from their
  /// default distribution. Stateless layers have nothing to draw.
  virtual void reset_parameters(Rng& /*rng*/) {}

  /// All parameters of the tree: this module's own in registration order, then
  /// each child's, recursively, with dotted names.
  [[nodiscard]] std::vector<NamedParameter<T>> named_parameters() const {
    std::vector<NamedParameter<T>> out;
    collect_parameters("", out);
    return out;
  }

  /// The parameter handles of `named_parameters()`, in the same order.
  [[nodiscard]] std::vector<Variable> parameters() const {
    std::vector<Variable> out;
    for (auto& p : named_parameters()) out.push_back(std::move(p.variable));
    return out;
  }

  /// All buffers of the tree, in the same order rule as `named_parameters()`.
  /// The pointers stay valid for the life of the module.
  [[nodiscard]] std::vector<NamedBuffer> named_buffers() {
    std::vector<NamedBuffer> out;
    collect_buffers(*this, "", out);
    return out;
  }
  [[nodiscard]] std::vector<ConstNamedBuffer> named_buffers() const {
    std::vector<ConstNamedBuffer> out;
    collect_buffers(*this, "", out);
    return out;
  }

  /// The direct children, in registration order.
  [[nodiscard]] const std::vector<NamedModule<T>>& named_children() const { return children_; }
  [[nodiscard]] std::vector<std::shared_ptr<BasicModule>> children() const {
    std::vector<std::shared_ptr<BasicModule>> out;
    for (const auto& c : children_) out.push_back(c.module);
    return out;
  }

  /// Every descendant (not this module itself), depth first, parents before
  /// their children, with dotted names.
  [[nodiscard]] std::vector<NamedModule<T>> named_modules() const {
    std::vector<NamedModule<T>> out;
    collect_modules("", out);
    return out;
  }

  /// Replaces the parameter at dotted path `name` by `variable`, which must
  /// have the same shape. The layer then computes with `variable`, so
  /// gradients flow into whatever produced it (e.g. a hypernetwork).
  void set_parameter(std::string_view name, Variable variable) {
    HWNAS_CHECK_CONFIG(variable.defined(), "set_parameter('{}'): the new variable is undefined", name);
    Parameter& slot = find_parameter(name, name);
    HWNAS_CHECK_SHAPE(slot.variable.shape() == variable.shape(),
                      "set_parameter('{}'): parameter has shape {}, new value has shape {}", name,
                      slot.variable.shape(), variable.shape());
    slot.variable = std::move(variable);
  }

  /// Switches this module and all descendants to training (`on`) or evaluation mode.
  void train(bool on = true) {
    training_ = on;
    for (auto& c : children_) c.module->train(on);
  }
  void eval() { train(false); }
  [[nodiscard]] bool is_training() const { return training_; }

  /// Clears the accumulated gradient of every parameter in the tree.
  void zero_grad() {
    for (auto& p : named_parameters()) p.variable.zero_grad();
  }

  /// Total number of parameter elements in the tree.
  [[nodiscard]] std::int64_t num_parameters() const {
    std::int64_t n = 0;
    for (const auto& p : named_parameters()) n += p.variable.numel();
    return n;
  }

 protected:
  /// Adds a trainable parameter (a leaf that requires grad) and returns the
  /// module's handle to it; the reference stays valid for the module's life
  /// and follows `set_parameter`.
  Variable& register_parameter(std::string name, Tensor value, ParameterKind kind) {
    check_new_name(name);
    parameters_.push_back(Parameter{std::move(name), Variable(std::move(value), true), kind});
    return parameters_.back().variable;
  }

  /// Adds a buffer; the reference stays valid for the module's life.
  Tensor& register_buffer(std::string name, Tensor value) {
    check_new_name(name);
    buffers_.push_back(Buffer{std::move(name), std::move(value)});
    return buffers_.back().tensor;
  }

  /// Adds a child module and returns it with its own type.
  template <class M>
  requires std::is_base_of_v<BasicModule, M> std::shared_ptr<M> register_module(std::string name,
                                                                                std::shared_ptr<M> module) {
    HWNAS_CHECK_CONFIG(module != nullptr, "{}: child module '{}' is null", type_name(), name);
    check_new_name(name);
    children_.push_back(NamedModule<T>{std::move(name), module});
    return module;
  }

 private:
  struct Parameter {
    std::string name;
    Variable variable;
    ParameterKind kind;
  };
  struct Buffer {
    std::string name;
    Tensor tensor;
  };

  static std::string join(const std::string& prefix, const std::string& name) {
    return prefix.empty() ? name : prefix + "." + name;
  }

  void check_new_name(const std::string& name) const {
    HWNAS_CHECK_CONFIG(!name.empty() && name.find('.') == std::string::npos,
                       "{}: invalid entry name '{}' (must be non-empty and contain no '.')", type_name(), name);
    const auto taken = [&](const auto& entries) {
      for (const auto& e : entries)
        if (e.name == name) return true;
      return false;
    };
    HWNAS_CHECK_CONFIG(!taken(parameters_) && !taken(buffers_) && !taken(children_),
                       "{}: the name '{}' is already registered", type_name(), name);
  }

  void collect_parameters(const std::string& prefix, std::vector<NamedParameter<T>>& out) const {
    for (const auto& p : parameters_) out.push_back(NamedParameter<T>{join(prefix, p.name), p.variable, p.kind});
    for (const auto& c : children_) c.module->collect_parameters(join(prefix, c.name), out);
  }

  // One walk for the const and mutable buffer views.
  template <class Self, class Out>
  static void collect_buffers(Self& self, const std::string& prefix, std::vector<Out>& out) {
    for (auto& b : self.buffers_) out.push_back(Out{join(prefix, b.name), &b.tensor});
    for (const auto& c : self.children_) {
      using Child = std::conditional_t<std::is_const_v<Self>, const BasicModule, BasicModule>;
      collect_buffers(static_cast<Child&>(*c.module), join(prefix, c.name), out);
    }
  }

  void collect_modules(const std::string& prefix, std::vector<NamedModule<T>>& out) const {
    for (const auto& c : children_) {
      out.push_back(NamedModule<T>{join(prefix, c.name), c.module});
      c.module->collect_modules(join(prefix, c.name), out);
    }
  }

  Parameter& find_parameter(std::string_view path, std::string_view full) {
    const auto dot = path.find('.');
    if (dot == std::string_view::npos) {
      for (auto& p : parameters_)
        if (p.name == path) return p;
    } else {
      const auto head = path.substr(0, dot);
      for (auto& c : children_)
        if (c.name == head) return c.module->find_parameter(path.substr(dot + 1), full);
    }
    throw ConfigError(fmt::format("{}: no parameter named '{}'", type_name(), full));
  }

  // Deques keep references stable as entries are added.
  std::deque<Parameter> parameters_;
  std::deque<Buffer> buffers_;
  std::vector<NamedModule<T>> children_;
  bool training_ = true;
};

using Module = BasicModule<float>;
using ModuleD = BasicModule<double>;

}  // namespace hwnas::nn
