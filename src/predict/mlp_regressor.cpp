#include "hwnas/predict/mlp_regressor.hpp"

#include <cmath>
#include <cstdlib>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "hwnas/core/ops/elementwise.hpp"
#include "hwnas/core/ops/reduce.hpp"
#include "hwnas/core/random.hpp"
#include "hwnas/data/split.hpp"
#include "hwnas/nn/activation.hpp"
#include "hwnas/nn/init.hpp"
#include "hwnas/nn/linear.hpp"
#include "hwnas/nn/sequential.hpp"
#include "hwnas/optim/adam.hpp"

namespace hwnas::predict {
namespace {

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

void check_set(const MlpRegressor::Features& x, std::span<const double> y, const char* which) {
  HWNAS_CHECK_CONFIG(!x.empty() && x.size() == y.size(), "MlpRegressor: the {} set needs as many targets ({}) as "
                     "feature rows ({}), and at least one", which, y.size(), x.size());
  for (const auto& row : x)
    HWNAS_CHECK_CONFIG(row.size() == x.front().size(), "MlpRegressor: feature rows of unequal lengths ({} and {})",
                       row.size(), x.front().size());
}

std::vector<float> floats(const nlohmann::json& j, const char* name) {
  HWNAS_CHECK_CONFIG(j.contains(name) && j.at(name).is_array(), "MLP model: missing array \"{}\"", name);
  return j.at(name).get<std::vector<float>>();
}

}  // namespace

RegressionMetrics regression_metrics(std::span<const double> predicted, std::span<const double> measured) {
  HWNAS_CHECK_CONFIG(!predicted.empty() && predicted.size() == measured.size(),
                     "regression_metrics: needs equal, non-zero counts, got {} and {}", predicted.size(),
                     measured.size());
  RegressionMetrics m;
  m.n = std::ssize(predicted);
  double squares = 0.0;
  double total = 0.0;
  std::int64_t close = 0;
  for (std::size_t i = 0; i < predicted.size(); ++i) {
    const double error = predicted[i] - measured[i];
    squares += error * error;
    total += measured[i];
    close += std::abs(error) <= 0.1 * std::abs(measured[i]);
  }
  m.rmse = std::sqrt(squares / static_cast<double>(m.n));
  m.relative_rmse = m.rmse / (total / static_cast<double>(m.n));
  m.within_10_percent = static_cast<double>(close) / static_cast<double>(m.n);
  return m;
}

void to_json(nlohmann::json& j, const RegressionMetrics& m) {
  j = {{"n", m.n}, {"rmse", m.rmse}, {"relative_rmse", m.relative_rmse}, {"within_10_percent", m.within_10_percent}};
}

void from_json(const nlohmann::json& j, RegressionMetrics& m) {
  m = {j.at("n").get<std::int64_t>(), j.at("rmse").get<double>(), j.at("relative_rmse").get<double>(),
       j.at("within_10_percent").get<double>()};
}

MlpRegressor MlpRegressor::fit(const Features& x, std::span<const double> y, const Features& val_x,
                               std::span<const double> val_y, const MlpRegressorOptions& options) {
  check_set(x, y, "training");
  check_set(val_x, val_y, "validation");
  const auto in = std::ssize(x.front());
  HWNAS_CHECK_CONFIG(std::ssize(val_x.front()) == in, "MlpRegressor: validation features have {} values, not {}",
                     val_x.front().size(), in);
  HWNAS_CHECK_CONFIG(options.epochs() >= 1 && options.batch_size() >= 1, "MlpRegressor: epochs and batch size must "
                     "be >= 1");
  const auto n = std::ssize(x);

  MlpRegressor model;
  Eigen::MatrixXd data(n, in);
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t f = 0; f < in; ++f) data(i, f) = x[static_cast<std::size_t>(i)][static_cast<std::size_t>(f)];
  const Eigen::VectorXd mean = data.colwise().mean();
  const Eigen::VectorXd stddev = ((data.rowwise() - mean.transpose()).array().square().colwise().mean()).sqrt();
  model.feature_mean_ = mean.cast<float>();
  model.feature_scale_ = (stddev.array() > 1e-12).select(stddev.array().inverse(), 1.0).matrix().cast<float>();
  const Eigen::Map<const Eigen::VectorXd> targets(y.data(), n);
  model.target_mean_ = targets.mean();
  const double target_std = std::sqrt((targets.array() - model.target_mean_).square().mean());
  model.target_std_ = target_std > 1e-12 ? target_std : 1.0;

  const auto standardised = [&](const Features& rows) {
    Tensor t(Shape{std::ssize(rows), in});
    for (std::int64_t i = 0; i < std::ssize(rows); ++i)
      for (std::int64_t f = 0; f < in; ++f)
        t[i * in + f] = (rows[static_cast<std::size_t>(i)][static_cast<std::size_t>(f)] - model.feature_mean_[f]) *
                        model.feature_scale_[f];
    return t;
  };
  const Tensor train_x = standardised(x);

  nn::Sequential net;
  Rng rng(options.seed());
  std::int64_t width = in;
  for (const auto hidden : options.hidden()) {
    auto layer = net.emplace_back<nn::Linear>(width, hidden);
    nn::init::kaiming_uniform(layer->weight().value(), rng);
    net.emplace_back<nn::ReLU>();
    width = hidden;
  }
  net.emplace_back<nn::Linear>(width, 1)->reset_parameters(rng);
  optim::Adam adam(net.named_parameters(), optim::AdamOptions(options.lr()).weight_decay(options.weight_decay()));

  const auto copy_out = [&] {
    model.weights_.clear();
    model.biases_.clear();
    for (const auto& child : net.named_children())
      if (const auto* linear = dynamic_cast<const nn::Linear*>(child.module.get())) {
        const Tensor& w = linear->weight().value();
        model.weights_.push_back(Eigen::Map<const RowMajor>(w.data(), w.size(0), w.size(1)));
        model.biases_.push_back(Eigen::Map<const Eigen::VectorXf>(linear->bias().value().data(), w.size(0)));
      }
  };
  const auto validation_rmse = [&] {
    copy_out();
    double squares = 0.0;
    for (std::size_t i = 0; i < val_x.size(); ++i) {
      const double error = model.predict(val_x[i]) - val_y[i];
      squares += error * error;
    }
    return std::sqrt(squares / static_cast<double>(val_x.size()));
  };

  double best = std::numeric_limits<double>::infinity();
  MlpRegressor best_model = model;
  const std::int64_t batch = std::min(options.batch_size(), n);
  for (std::int64_t epoch = 0; epoch < options.epochs(); ++epoch) {
    net.train();
    const auto order = data::random_permutation(n, rng);
    for (std::int64_t start = 0; start + batch <= n; start += batch) {
      Tensor xb(Shape{batch, in});
      Tensor yb(Shape{batch, 1});
      for (std::int64_t b = 0; b < batch; ++b) {
        const std::int64_t row = order[static_cast<std::size_t>(start + b)];
        std::copy_n(train_x.data() + row * in, in, xb.data() + b * in);
        yb[b] = static_cast<float>((y[static_cast<std::size_t>(row)] - model.target_mean_) / model.target_std_);
      }
      adam.zero_grad();
      const Variable error = sub(net(Variable(xb)), Variable(yb));
      hwnas::mean(mul(error, error)).backward();
      adam.step();
    }
    if (const double rmse = validation_rmse(); rmse < best) {
      best = rmse;
      best_model = model;
    }
  }
  return best_model;
}

double MlpRegressor::predict(std::span<const float> features) const {
  HWNAS_CHECK_CONFIG(std::ssize(features) == input_size(), "MLP predictor: expected {} features, got {}",
                     input_size(), features.size());
  Eigen::VectorXf h =
      (Eigen::Map<const Eigen::VectorXf>(features.data(), input_size()) - feature_mean_).cwiseProduct(feature_scale_);
  for (std::size_t l = 0; l < weights_.size(); ++l) {
    h = weights_[l] * h + biases_[l];
    if (l + 1 < weights_.size()) h = h.cwiseMax(0.0F);
  }
  return static_cast<double>(h[0]) * target_std_ + target_mean_;
}

nlohmann::json MlpRegressor::to_json() const {
  // Each float as the shortest decimal that reads back as it: held in JSON as a double, a float would
  // print with 17 digits and the file would be twice the size.
  const auto list = [](const auto& v) {
    std::vector<double> out;
    out.reserve(static_cast<std::size_t>(v.size()));
    for (Eigen::Index i = 0; i < v.size(); ++i)
      out.push_back(std::strtod(fmt::format("{}", v.data()[i]).c_str(), nullptr));
    return out;
  };
  nlohmann::json layers = nlohmann::json::array();
  for (std::size_t l = 0; l < weights_.size(); ++l) {
    const RowMajor w = weights_[l];
    layers.push_back({{"rows", w.rows()}, {"cols", w.cols()}, {"weight", list(w)}, {"bias", list(biases_[l])}});
  }
  return {{"feature_mean", list(feature_mean_)}, {"feature_scale", list(feature_scale_)},
          {"target_mean", target_mean_},         {"target_std", target_std_},
          {"layers", std::move(layers)}};
}

MlpRegressor MlpRegressor::from_json(const nlohmann::json& j) {
  HWNAS_CHECK_CONFIG(j.is_object(), "MLP model: expected a JSON object");
  MlpRegressor model;
  try {
    const auto mean = floats(j, "feature_mean");
    const auto scale = floats(j, "feature_scale");
    HWNAS_CHECK_CONFIG(!mean.empty() && mean.size() == scale.size(), "MLP model: feature statistics of unequal sizes");
    model.feature_mean_ = Eigen::Map<const Eigen::VectorXf>(mean.data(), std::ssize(mean));
    model.feature_scale_ = Eigen::Map<const Eigen::VectorXf>(scale.data(), std::ssize(scale));
    model.target_mean_ = j.at("target_mean").get<double>();
    model.target_std_ = j.at("target_std").get<double>();
    std::int64_t width = std::ssize(mean);
    for (const auto& layer : j.at("layers")) {
      const auto rows = layer.at("rows").get<std::int64_t>();
      const auto cols = layer.at("cols").get<std::int64_t>();
      const auto w = floats(layer, "weight");
      const auto b = floats(layer, "bias");
      HWNAS_CHECK_CONFIG(cols == width && std::ssize(w) == rows * cols && std::ssize(b) == rows,
                         "MLP model: layer {} has inconsistent sizes", model.weights_.size());
      model.weights_.push_back(Eigen::Map<const RowMajor>(w.data(), rows, cols));
      model.biases_.push_back(Eigen::Map<const Eigen::VectorXf>(b.data(), rows));
      width = rows;
    }
    HWNAS_CHECK_CONFIG(!model.weights_.empty() && width == 1, "MLP model: needs layers ending in one output");
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(fmt::format("MLP model: malformed ({})", e.what()));
  }
  return model;
}

}  // namespace hwnas::predict
