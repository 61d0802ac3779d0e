#pragma once
/// \file
/// Reverse-mode automatic differentiation. Each differentiable op records a
/// node holding its result, its inputs and a closure that maps the result's
/// gradient to its inputs' gradients. `backward()` replays the recorded nodes
/// in reverse creation order (a valid topological order, since inputs are
/// always created before the ops that use them), so the nodes form a tape.

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "hwnas/core/tensor.hpp"

namespace hwnas {

/// True unless a `NoGradGuard` is alive on this thread.
[[nodiscard]] inline bool& grad_mode_enabled() {
  thread_local bool enabled = true;
  return enabled;
}

/// While alive, ops on this thread record nothing: for evaluation and for
/// in-place parameter updates.
class NoGradGuard {
 public:
  NoGradGuard() : previous_(grad_mode_enabled()) { grad_mode_enabled() = false; }
  ~NoGradGuard() { grad_mode_enabled() = previous_; }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

template <Scalar T>
class BasicVariable;

namespace detail {

inline std::uint64_t next_node_sequence() {
  static std::atomic<std::uint64_t> counter{0};
  return counter.fetch_add(1, std::memory_order_relaxed);
}

template <Scalar T>
struct Node {
  using Backward = std::function<void(Node&)>;

  BasicTensor<T> value;
  BasicTensor<T> grad;  ///< Empty until a gradient reaches this node.
  bool requires_grad = false;
  std::uint64_t sequence = next_node_sequence();
  const char* op = "leaf";
  std::vector<std::shared_ptr<Node>> inputs;
  Backward backward;  ///< Empty for leaves.
  bool released = false;  ///< An op node whose graph was freed by a backward pass.

  [[nodiscard]] bool is_leaf() const { return !backward && !released; }

  /// The gradient of this node, zero-filled on first use so ops can accumulate into it.
  BasicTensor<T>& grad_buffer() {
    if (grad.empty() && value.numel() > 0) grad = BasicTensor<T>(value.shape());
    if (grad.shape() != value.shape()) grad = BasicTensor<T>(value.shape());
    return grad;
  }

  /// Whether input `i` takes part in differentiation; ops skip gradients nobody needs.
  [[nodiscard]] bool needs_input_grad(std::size_t i) const { return inputs[i] && inputs[i]->requires_grad; }

  /// The gradient buffer of input `i`, into which backward closures accumulate.
  BasicTensor<T>& input_grad(std::size_t i) { return inputs[i]->grad_buffer(); }

  /// The value of input `i` as recorded at forward time.
  [[nodiscard]] const BasicTensor<T>& input_value(std::size_t i) const { return inputs[i]->value; }
};

}  // namespace detail

/// A tensor taking part in automatic differentiation: a shared handle to a
/// graph node. Copies share the node; `detach()` makes a new leaf.
template <Scalar T>
class BasicVariable {
 public:
  using Node = detail::Node<T>;

  /// A null variable (no node). Optional op inputs such as a missing bias are null.
  BasicVariable() = default;

  /// A leaf holding `value`; parameters are leaves with `requires_grad`.
  explicit BasicVariable(BasicTensor<T> value, bool requires_grad = false) : node_(std::make_shared<Node>()) {
    node_->value = std::move(value);
    node_->requires_grad = requires_grad;
  }

  [[nodiscard]] bool defined() const { return node_ != nullptr; }
  explicit operator bool() const { return defined(); }

  [[nodiscard]] const BasicTensor<T>& value() const { return checked_node().value; }
  /// Mutable access, for optimizers and initialisers that update parameters in place.
  [[nodiscard]] BasicTensor<T>& value() { return checked_node().value; }
  [[nodiscard]] const Shape& shape() const { return value().shape(); }
  [[nodiscard]] std::int64_t size(std::int64_t axis) const { return value().size(axis); }
  [[nodiscard]] std::int64_t dim() const { return value().dim(); }
  [[nodiscard]] std::int64_t numel() const { return value().numel(); }
  [[nodiscard]] T item() const { return value().item(); }

  [[nodiscard]] bool requires_grad() const { return defined() && node_->requires_grad; }
  void set_requires_grad(bool on) {
    HWNAS_CHECK_CONFIG(checked_node().is_leaf(), "set_requires_grad is only allowed on leaf variables");
    node_->requires_grad = on;
  }

  /// Whether a gradient has been accumulated since the last `zero_grad()`.
  [[nodiscard]] bool has_grad() const { return defined() && !node_->grad.empty(); }
  /// The accumulated gradient; zeros if none has arrived yet.
  [[nodiscard]] const BasicTensor<T>& grad() const { return checked_node().grad_buffer(); }
  [[nodiscard]] BasicTensor<T>& grad() { return checked_node().grad_buffer(); }
  void zero_grad() { checked_node().grad = BasicTensor<T>(); }

  /// A new leaf sharing no history with this one (the value is copied).
  [[nodiscard]] BasicVariable detach() const { return BasicVariable(value(), false); }

  /// The name of the op that produced this variable ("leaf" for leaves).
  [[nodiscard]] const char* op() const { return checked_node().op; }

  /// Back-propagates from this scalar (seed 1), accumulating into the
  /// gradients of every leaf that requires them.
  void backward(bool retain_graph = false) {
    HWNAS_CHECK_SHAPE(numel() == 1, "backward() without a seed needs a scalar, got shape {}", shape());
    backward(BasicTensor<T>(shape(), T{1}), retain_graph);
  }

  /// Back-propagates the seed gradient `seed` (same shape as this variable).
  /// Without `retain_graph`, the graph is released afterwards.
  void backward(const BasicTensor<T>& seed, bool retain_graph = false) {
    check_same_shape("backward seed", seed, value());
    HWNAS_CHECK_CONFIG(requires_grad(), "backward() on a variable that does not require grad (op '{}')", op());
    auto order = reachable_nodes();
    node_->grad_buffer().array() += seed.array();
    for (const auto& node : order) {
      HWNAS_CHECK_CONFIG(!node->released,
                         "backward() through op '{}' whose graph was already released; "
                         "pass retain_graph = true to the first backward() to go through it twice",
                         node->op);
      if (node->is_leaf()) continue;
      if (!node->grad.empty()) node->backward(*node);
      node->grad = BasicTensor<T>();
      if (!retain_graph) release(*node);
    }
  }

  /// The node itself, for op implementations.
  [[nodiscard]] const std::shared_ptr<Node>& node() const { return node_; }

  /// Records an op result. `backward` runs with the result's node when its
  /// gradient is back-propagated; nothing is recorded unless grad mode is on
  /// and some input requires grad.
  static BasicVariable make_result(const char* op, BasicTensor<T> value,
                                   std::initializer_list<const BasicVariable*> inputs,
                                   typename Node::Backward backward) {
    return make_result(op, std::move(value), std::vector<const BasicVariable*>(inputs), std::move(backward));
  }
  static BasicVariable make_result(const char* op, BasicTensor<T> value,
                                   const std::vector<const BasicVariable*>& inputs,
                                   typename Node::Backward backward) {
    BasicVariable result(std::move(value), false);
    result.node_->op = op;
    const bool any = std::any_of(inputs.begin(), inputs.end(),
                                 [](const BasicVariable* v) { return v && v->requires_grad(); });
    if (!any || !grad_mode_enabled()) return result;
    result.node_->requires_grad = true;
    result.node_->inputs.reserve(inputs.size());
    for (const BasicVariable* v : inputs) result.node_->inputs.push_back(v ? v->node_ : nullptr);
    result.node_->backward = std::move(backward);
    return result;
  }

 private:
  Node& checked_node() const {
    HWNAS_CHECK_CONFIG(node_ != nullptr, "use of an undefined (null) variable");
    return *node_;
  }

  /// Nodes reachable from this one that require grad, newest first. Owning
  /// pointers: releasing one node's inputs must not free nodes still to visit.
  std::vector<std::shared_ptr<Node>> reachable_nodes() const {
    std::vector<std::shared_ptr<Node>> order{node_};
    std::unordered_set<const Node*> seen{node_.get()};
    for (std::size_t next = 0; next < order.size(); ++next) {
      for (const auto& in : order[next]->inputs) {
        if (in && in->requires_grad && seen.insert(in.get()).second) order.push_back(in);
      }
    }
    std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a->sequence > b->sequence; });
    return order;
  }

  static void release(Node& node) {
    node.released = true;
    node.backward = nullptr;
    node.inputs.clear();
  }

  std::shared_ptr<Node> node_;
};

using Variable = BasicVariable<float>;
using VariableD = BasicVariable<double>;

}  // namespace hwnas
