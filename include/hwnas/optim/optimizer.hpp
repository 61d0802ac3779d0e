#pragma once
/// \file
/// `BasicOptimizer<T>`: what every optimizer shares. It holds a module's named
/// parameters (with their kinds), the learning rate, the weight-decay policy
/// and per-parameter state (a step count and named state tensors such as a
/// momentum buffer), and saves and restores that state so training can resume.
///
/// The optimizer keeps the parameter handles it was given: after a module's
/// `set_parameter`, build a new optimizer for the new variables.
///
/// Derived optimizers implement only the update of one parameter. The state
/// is kept in the hwnas state format (docs/state-format.md): one tensor per
/// parameter and state slot, named `<parameter>.<slot>`
/// (e.g. `features.0.weight.momentum_buffer`), with metadata
/// `{"optimizer", "lr", "hyperparameters", "parameters": [{"name", "steps"}...]}`.

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "hwnas/core/autograd.hpp"
#include "hwnas/core/io.hpp"
#include "hwnas/nn/module.hpp"
#include "hwnas/nn/state.hpp"

namespace hwnas::optim {

/// Settings every optimizer has, set by chaining; `Derived` is the concrete
/// options type so that chained setters keep it.
template <class Derived>
class OptimizerOptions {
 public:
  Derived& lr(double value) {
    lr_ = value;
    return self();
  }
  /// L2 penalty factor (how it enters the update depends on the optimizer).
  Derived& weight_decay(double value) {
    weight_decay_ = value;
    return self();
  }
  /// Whether weight decay also applies to biases and normalisation parameters
  /// (ParameterKind::bias / norm). Off reproduces Once-for-All's `no_decay_keys`.
  Derived& decay_norm_and_bias(bool on) {
    decay_norm_and_bias_ = on;
    return self();
  }

  [[nodiscard]] double lr() const { return lr_; }
  [[nodiscard]] double weight_decay() const { return weight_decay_; }
  [[nodiscard]] bool decay_norm_and_bias() const { return decay_norm_and_bias_; }

 protected:
  explicit OptimizerOptions(double lr) : lr_(lr) {}

 private:
  Derived& self() { return static_cast<Derived&>(*this); }

  double lr_;
  double weight_decay_ = 0.0;
  bool decay_norm_and_bias_ = true;
};

template <Scalar T>
class BasicOptimizer {
 public:
  using Parameters = std::vector<nn::NamedParameter<T>>;

  virtual ~BasicOptimizer() = default;
  BasicOptimizer(const BasicOptimizer&) = delete;
  BasicOptimizer& operator=(const BasicOptimizer&) = delete;

  /// The optimizer's name, e.g. "SGD"; stored with the state.
  [[nodiscard]] virtual std::string type_name() const = 0;

  /// Updates, in place, every parameter that has received a gradient since
  /// the last `zero_grad()`; parameters without one are left alone and their
  /// state does not advance.
  void step() {
    NoGradGuard no_grad;
    for (std::size_t i = 0; i < parameters_.size(); ++i) {
      auto& p = parameters_[i];
      if (!p.variable.has_grad()) continue;
      State& state = states_[i];
      if (state.steps == 0) state.slots.assign(slot_names_.size(), BasicTensor<T>(p.variable.shape()));
      ++state.steps;
      const bool decays = decay_norm_and_bias_ || p.kind == nn::ParameterKind::weight;
      update(p.variable.value(), p.variable.grad(), static_cast<T>(decays ? weight_decay_ : 0.0), state);
    }
  }

  /// Clears the gradients of all parameters.
  void zero_grad() {
    for (auto& p : parameters_) p.variable.zero_grad();
  }

  [[nodiscard]] double lr() const { return lr_; }
  /// Sets the learning rate, e.g. from a schedule before each step.
  void set_lr(double lr) {
    HWNAS_CHECK_CONFIG(lr >= 0.0, "{}: learning rate must be >= 0, got {}", type_name(), lr);
    lr_ = lr;
  }

  [[nodiscard]] const Parameters& parameters() const { return parameters_; }
  /// How many updates parameter `index` has received.
  [[nodiscard]] std::int64_t steps(std::size_t index) const { return states_.at(index).steps; }

  /// Adds the state tensors to `writer`, each name preceded by `prefix`, and
  /// returns the rest of the state (type, learning rate, step counts) as the
  /// JSON that `read_state` takes back. One buffer can so hold an optimizer
  /// next to its model, as training checkpoints do.
  [[nodiscard]] nlohmann::json write_state(nn::StateWriter& writer, std::string_view prefix = {}) const {
    nlohmann::json params = nlohmann::json::array();
    for (std::size_t i = 0; i < parameters_.size(); ++i) {
      params.push_back({{"name", parameters_[i].name}, {"steps", states_[i].steps}});
      for (std::size_t s = 0; s < states_[i].slots.size(); ++s)
        writer.add(std::string(prefix) + slot_tensor_name(i, s), states_[i].slots[s]);
    }
    auto settings = hyperparameters();
    settings["weight_decay"] = weight_decay_;
    settings["decay_norm_and_bias"] = decay_norm_and_bias_;
    return {{"optimizer", type_name()},
            {"lr", lr_},
            {"hyperparameters", std::move(settings)},
            {"parameters", std::move(params)}};
  }

  /// Restores state saved by `write_state` of the same optimizer type over
  /// parameters with the same names and shapes; IoError naming the reader's
  /// origin otherwise, and then nothing changes. The learning rate is
  /// restored too.
  void read_state(const nn::StateReader& reader, const nlohmann::json& meta, std::string_view prefix = {}) {
    const auto fail = [&](const std::string& what) {
      throw IoError(fmt::format("cannot load optimizer state '{}': {}", reader.origin(), what));
    };
    if (!meta.is_object() || !meta.contains("optimizer") || !meta["optimizer"].is_string() || !meta.contains("lr") ||
        !meta["lr"].is_number() || !meta.contains("parameters") || !meta["parameters"].is_array())
      fail("metadata lacks 'optimizer', 'lr' or 'parameters'");
    if (meta["optimizer"] != type_name())
      fail(fmt::format("it was saved by {}, not {}", meta["optimizer"].template get<std::string>(), type_name()));
    const auto& params = meta["parameters"];
    if (params.size() != parameters_.size())
      fail(fmt::format("it holds {} parameters, this optimizer has {}", params.size(), parameters_.size()));

    std::vector<State> states(parameters_.size());
    std::vector<nn::BasicNamedBuffer<BasicTensor<T>>> targets;
    for (std::size_t i = 0; i < parameters_.size(); ++i) {
      const auto& entry = params[i];
      if (!entry.is_object() || !entry.contains("name") || !entry.contains("steps") ||
          !entry["steps"].is_number_unsigned())
        fail(fmt::format("malformed parameter entry {}", entry.dump()));
      if (entry["name"] != parameters_[i].name) {
        const auto& stored = entry["name"];
        fail(fmt::format("parameter {} is '{}' in the state but '{}' here", i,
                         stored.is_string() ? stored.template get<std::string>() : stored.dump(), parameters_[i].name));
      }
      states[i].steps = entry["steps"].template get<std::int64_t>();
      if (states[i].steps == 0) continue;
      states[i].slots.assign(slot_names_.size(), BasicTensor<T>(parameters_[i].variable.shape()));
    }
    // Targets point into `states`, which no longer grows.
    for (std::size_t i = 0; i < states.size(); ++i)
      for (std::size_t s = 0; s < states[i].slots.size(); ++s)
        targets.push_back({std::string(prefix) + slot_tensor_name(i, s), &states[i].slots[s]});
    reader.read_into<T>(targets, prefix);
    states_ = std::move(states);
    lr_ = meta["lr"].template get<double>();
  }

  /// The optimizer's state (learning rate, step counts, state tensors) as a buffer.
  [[nodiscard]] std::string state_to_string() const {
    nn::StateWriter writer;
    const auto meta = write_state(writer);
    return writer.finish(meta);
  }

  /// Restores state saved by `state_to_string`; see `read_state`. `origin`
  /// names the buffer in errors.
  void load_state_from_string(std::string bytes, std::string origin = "<optimizer state>") {
    const nn::StateReader reader(std::move(bytes), std::move(origin));
    read_state(reader, reader.metadata());
  }

  /// Writes the state to `path` atomically.
  void save_state(const std::filesystem::path& path) const { write_file_atomically(path, state_to_string()); }
  /// Restores the state saved at `path`.
  void load_state(const std::filesystem::path& path) { load_state_from_string(read_file(path), path.string()); }

 protected:
  /// Per-parameter state: updates so far and one tensor per slot name (zeros
  /// of the parameter's shape before the first update).
  struct State {
    std::int64_t steps = 0;
    std::vector<BasicTensor<T>> slots;
  };

  /// Checks and keeps the parameters; `slot_names` name the state tensors
  /// each parameter gets.
  BasicOptimizer(Parameters parameters, double lr, double weight_decay, bool decay_norm_and_bias,
                 std::vector<std::string> slot_names, const std::string& name)
      : parameters_(std::move(parameters)),
        states_(parameters_.size()),
        slot_names_(std::move(slot_names)),
        lr_(lr),
        weight_decay_(weight_decay),
        decay_norm_and_bias_(decay_norm_and_bias) {
    HWNAS_CHECK_CONFIG(!parameters_.empty(), "{}: no parameters to optimise", name);
    HWNAS_CHECK_CONFIG(lr >= 0.0, "{}: learning rate must be >= 0, got {}", name, lr);
    HWNAS_CHECK_CONFIG(weight_decay >= 0.0, "{}: weight decay must be >= 0, got {}", name, weight_decay);
    std::set<std::string> names;
    std::set<const void*> nodes;
    for (const auto& p : parameters_) {
      HWNAS_CHECK_CONFIG(p.variable.requires_grad(), "{}: parameter '{}' is undefined or does not require grad", name,
                         p.name);
      HWNAS_CHECK_CONFIG(names.insert(p.name).second && nodes.insert(p.variable.node().get()).second,
                         "{}: parameter '{}' is given twice", name, p.name);
    }
  }

  /// Applies one update to `value` given its `grad`; `state.steps` already
  /// counts this update. `weight_decay` is 0 for parameters exempt from decay.
  virtual void update(BasicTensor<T>& value, const BasicTensor<T>& grad, T weight_decay, State& state) = 0;

  /// The optimizer's own settings (weight decay is added by the base), stored
  /// with its state for reference.
  [[nodiscard]] virtual nlohmann::json hyperparameters() const = 0;

 private:
  [[nodiscard]] std::string slot_tensor_name(std::size_t param, std::size_t slot) const {
    return parameters_[param].name + "." + slot_names_[slot];
  }

  Parameters parameters_;
  std::vector<State> states_;
  std::vector<std::string> slot_names_;
  double lr_;
  double weight_decay_;
  bool decay_norm_and_bias_;
};

using Optimizer = BasicOptimizer<float>;

}  // namespace hwnas::optim
