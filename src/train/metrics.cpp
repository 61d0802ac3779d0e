#include "hwnas/train/metrics.hpp"

#include <nlohmann/json.hpp>

#include "hwnas/core/ops/loss.hpp"
#include "hwnas/data/loader.hpp"

namespace hwnas::train {

std::string_view to_string(TrainStatus status) {
  switch (status) {
    case TrainStatus::completed: return "completed";
    case TrainStatus::stopped: return "stopped";
    case TrainStatus::diverged: return "diverged";
  }
  return "?";
}

void to_json(nlohmann::json& j, const Evaluation& e) {
  j = {{"loss", e.loss}, {"accuracy", e.accuracy}, {"samples", e.samples}};
}

void from_json(const nlohmann::json& j, Evaluation& e) {
  j.at("loss").get_to(e.loss);
  j.at("accuracy").get_to(e.accuracy);
  j.at("samples").get_to(e.samples);
}

void to_json(nlohmann::json& j, const EpochMetrics& m) {
  j = {{"epoch", m.epoch},
       {"train_loss", m.train_loss},
       {"train_accuracy", m.train_accuracy},
       {"lr", m.lr},
       {"seconds", m.seconds},
       {"images_per_second", m.images_per_second}};
  if (m.validation) j["validation"] = *m.validation;
}

void from_json(const nlohmann::json& j, EpochMetrics& m) {
  j.at("epoch").get_to(m.epoch);
  j.at("train_loss").get_to(m.train_loss);
  j.at("train_accuracy").get_to(m.train_accuracy);
  j.at("lr").get_to(m.lr);
  j.at("seconds").get_to(m.seconds);
  j.at("images_per_second").get_to(m.images_per_second);
  m.validation = j.contains("validation") ? std::optional(j["validation"].get<Evaluation>()) : std::nullopt;
}

void to_json(nlohmann::json& j, const TrainResult& r) {
  j = {{"status", to_string(r.status)}, {"steps", r.steps}, {"seconds", r.seconds}, {"history", r.history}};
}

std::int64_t count_correct(const Tensor& logits, std::span<const std::int32_t> labels) {
  HWNAS_CHECK_SHAPE(logits.dim() == 2 && logits.size(0) == static_cast<std::int64_t>(labels.size()),
                    "count_correct: expected logits [{}, classes], got {}", labels.size(), logits.shape());
  const auto scores = logits.matrix(logits.size(0));
  std::int64_t correct = 0;
  for (Eigen::Index n = 0; n < scores.rows(); ++n) {
    Eigen::Index best = 0;
    scores.row(n).maxCoeff(&best);
    correct += best == labels[static_cast<std::size_t>(n)];
  }
  return correct;
}

Evaluation evaluate(nn::Module& network, const data::LabelledImages& data, std::int64_t batch_size) {
  HWNAS_CHECK_CONFIG(!data.labels.empty(), "evaluate: the dataset is empty");
  const bool was_training = network.is_training();
  network.eval();
  NoGradGuard no_grad;
  double loss_sum = 0.0;
  std::int64_t correct = 0;
  for (const data::Batch& batch : data::DataLoader(data, data::LoaderOptions{}.batch_size(batch_size))) {
    const Variable logits = network(Variable(batch.images));
    loss_sum += cross_entropy(logits, batch.labels).item() * static_cast<double>(batch.labels.size());
    correct += count_correct(logits.value(), batch.labels);
  }
  network.train(was_training);
  const auto n = static_cast<double>(data.labels.size());
  return {loss_sum / n, static_cast<double>(correct) / n, static_cast<std::int64_t>(data.labels.size())};
}

}  // namespace hwnas::train
