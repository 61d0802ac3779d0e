#include "hwnas/train/options.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <type_traits>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "hwnas/core/error.hpp"

namespace hwnas::train {
namespace {

template <class Kind, std::size_t N>
Kind parse_kind(std::string_view what, std::string_view name, const std::array<Kind, N>& kinds) {
  std::array<std::string_view, N> names{};
  for (std::size_t i = 0; i < N; ++i) {
    names[i] = to_string(kinds[i]);
    if (names[i] == name) return kinds[i];
  }
  throw ConfigError(fmt::format("unknown {} '{}'; allowed: {}", what, name, fmt::join(names, ", ")));
}

constexpr std::array optimizer_kinds{OptimizerKind::sgd, OptimizerKind::adam, OptimizerKind::adamw};
constexpr std::array schedule_kinds{ScheduleKind::cosine, ScheduleKind::step, ScheduleKind::constant};

}  // namespace

std::string_view to_string(OptimizerKind kind) {
  switch (kind) {
    case OptimizerKind::sgd: return "sgd";
    case OptimizerKind::adam: return "adam";
    case OptimizerKind::adamw: return "adamw";
  }
  return "?";
}

std::string_view to_string(ScheduleKind kind) {
  switch (kind) {
    case ScheduleKind::cosine: return "cosine";
    case ScheduleKind::step: return "step";
    case ScheduleKind::constant: return "constant";
  }
  return "?";
}

OptimizerKind optimizer_kind(std::string_view name) { return parse_kind("optimizer", name, optimizer_kinds); }
ScheduleKind schedule_kind(std::string_view name) { return parse_kind("schedule", name, schedule_kinds); }

/// Every field with its JSON name, for the JSON conversions.
struct TrainOptionsFields {
  template <class Options, class Visit>
  static void visit(Options& o, Visit&& f) {
    f("epochs", o.epochs_);
    f("batch_size", o.batch_size_);
    f("eval_batch_size", o.eval_batch_size_);
    f("optimizer", o.optimizer_);
    f("lr", o.lr_);
    f("momentum", o.momentum_);
    f("nesterov", o.nesterov_);
    f("schedule", o.schedule_);
    f("warmup_epochs", o.warmup_epochs_);
    f("lr_decay", o.lr_decay_);
    f("lr_decay_epochs", o.lr_decay_epochs_);
    f("weight_decay", o.weight_decay_);
    f("decay_norm_and_bias", o.decay_norm_and_bias_);
    f("label_smoothing", o.label_smoothing_);
    f("random_crop_padding", o.random_crop_padding_);
    f("horizontal_flip", o.horizontal_flip_);
    f("train_subset", o.train_subset_);
    f("seed", o.seed_);
    f("threads", o.threads_);
  }
};

void TrainOptions::validate() const {
  const auto require = [](bool ok, std::string_view field, std::string_view allowed, const auto& value) {
    HWNAS_CHECK_CONFIG(ok, "training option '{}' must be {}, got {}", field, allowed, value);
  };
  require(epochs_ >= 1, "epochs", ">= 1", epochs_);
  require(batch_size_ >= 1, "batch_size", ">= 1", batch_size_);
  require(eval_batch_size_ >= 1, "eval_batch_size", ">= 1", eval_batch_size_);
  require(lr_ >= 0.0, "lr", ">= 0", lr_);
  require(momentum_ >= 0.0 && momentum_ < 1.0, "momentum", "in [0, 1)", momentum_);
  require(warmup_epochs_ >= 0 && warmup_epochs_ < epochs_, "warmup_epochs", "in [0, epochs)", warmup_epochs_);
  require(lr_decay_ > 0.0 && lr_decay_ <= 1.0, "lr_decay", "in (0, 1]", lr_decay_);
  require(lr_decay_epochs_ >= 1, "lr_decay_epochs", ">= 1", lr_decay_epochs_);
  require(weight_decay_ >= 0.0, "weight_decay", ">= 0", weight_decay_);
  require(label_smoothing_ >= 0.0 && label_smoothing_ < 1.0, "label_smoothing", "in [0, 1)", label_smoothing_);
  require(random_crop_padding_ >= 0, "random_crop_padding", ">= 0", random_crop_padding_);
  require(train_subset_ >= 0, "train_subset", ">= 0 (0: all images)", train_subset_);
  require(threads_ >= 0, "threads", ">= 0 (0: the current setting)", threads_);
}

void to_json(nlohmann::json& j, const TrainOptions& options) {
  j = nlohmann::json::object();
  TrainOptionsFields::visit(options, [&](const char* name, const auto& value) {
    using V = std::decay_t<decltype(value)>;
    if constexpr (std::is_enum_v<V>)
      j[name] = to_string(value);
    else
      j[name] = value;
  });
}

void from_json(const nlohmann::json& j, TrainOptions& options) {
  HWNAS_CHECK_CONFIG(j.is_object(), "training options must be a JSON object, got {}", j.dump());
  TrainOptions parsed = options;
  std::vector<std::string> known;
  TrainOptionsFields::visit(parsed, [&](const char* name, auto& value) {
    known.emplace_back(name);
    if (!j.contains(name)) return;
    const auto& field = j[name];
    using V = std::decay_t<decltype(value)>;
    if constexpr (std::is_same_v<V, OptimizerKind> || std::is_same_v<V, ScheduleKind>) {
      HWNAS_CHECK_CONFIG(field.is_string(), "training option '{}' must be a string, got {}", name, field.dump());
      if constexpr (std::is_same_v<V, OptimizerKind>)
        value = optimizer_kind(field.get<std::string>());
      else
        value = schedule_kind(field.get<std::string>());
    } else if constexpr (std::is_same_v<V, bool>) {
      HWNAS_CHECK_CONFIG(field.is_boolean(), "training option '{}' must be true or false, got {}", name, field.dump());
      value = field.get<bool>();
    } else if constexpr (std::is_integral_v<V>) {
      HWNAS_CHECK_CONFIG(field.is_number_integer() && (std::is_signed_v<V> || field.is_number_unsigned()),
                         "training option '{}' must be an integer{}, got {}", name,
                         std::is_signed_v<V> ? "" : " >= 0", field.dump());
      value = field.get<V>();
    } else {
      HWNAS_CHECK_CONFIG(field.is_number(), "training option '{}' must be a number, got {}", name, field.dump());
      value = field.get<V>();
    }
  });
  for (const auto& [key, value] : j.items())
    HWNAS_CHECK_CONFIG(std::find(known.begin(), known.end(), key) != known.end(),
                       "unknown training option '{}'; known: {}", key, fmt::join(known, ", "));
  parsed.validate();
  options = parsed;
}

}  // namespace hwnas::train
