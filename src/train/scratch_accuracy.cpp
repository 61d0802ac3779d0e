#include "hwnas/train/scratch_accuracy.hpp"

#include <bit>
#include <cmath>
#include <limits>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "hwnas/core/io.hpp"

namespace hwnas::train {
namespace {

/// FNV-1a, 64 bits.
class Fnv1a {
 public:
  void add(std::uint64_t value) {
    for (int byte = 0; byte < 8; ++byte) hash_ = (hash_ ^ ((value >> (8 * byte)) & 0xff)) * 1099511628211ULL;
  }
  [[nodiscard]] std::uint64_t value() const { return hash_; }

 private:
  std::uint64_t hash_ = 1469598103934665603ULL;
};

estimate::Estimate estimate_from_json(const nlohmann::json& j) {
  estimate::Estimate e;
  // A NaN accuracy (a diverged training) is stored as null.
  e.value = j.at("accuracy").is_null() ? std::numeric_limits<double>::quiet_NaN() : j.at("accuracy").get<double>();
  const auto& cost = j.at("cost");
  e.cost.seconds = cost.at("seconds").get<double>();
  e.cost.forward_passes = cost.at("forward_passes").get<std::int64_t>();
  e.cost.backward_passes = cost.at("backward_passes").get<std::int64_t>();
  e.cost.images = cost.at("images").get<std::int64_t>();
  return e;
}

}  // namespace

ScratchCache::ScratchCache(std::filesystem::path path) : path_(std::move(path)) {
  if (!std::filesystem::exists(path_)) return;
  std::istringstream lines(read_file(path_));
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    if (line.empty()) continue;
    try {
      const auto j = nlohmann::json::parse(line);
      const auto key = j.at("key").get<std::string>();
      if (entries_.try_emplace(key, Entry{j.at("space").get<std::string>(), j.at("arch").get<std::string>(),
                                          estimate_from_json(j)})
              .second)
        order_.push_back(key);
    } catch (const nlohmann::json::exception& e) {
      throw DataError(fmt::format("scratch cache {}, line {}: not a cache entry ({})", path_.string(), number,
                                  e.what()));
    }
  }
}

std::optional<estimate::Estimate> ScratchCache::find(const std::string& key) const {
  const std::lock_guard lock(mutex_);
  const auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second.estimate;
}

void ScratchCache::insert(const std::string& key, std::string_view space, std::string_view arch,
                          const estimate::Estimate& e) {
  const std::lock_guard lock(mutex_);
  if (entries_.insert_or_assign(key, Entry{std::string(space), std::string(arch), e}).second) order_.push_back(key);
  if (!path_.empty()) write();
}

std::size_t ScratchCache::size() const {
  const std::lock_guard lock(mutex_);
  return entries_.size();
}

void ScratchCache::write() const {
  std::string text;
  for (const auto& key : order_) {
    const Entry& entry = entries_.at(key);
    const nlohmann::json accuracy =
        std::isnan(entry.estimate.value) ? nlohmann::json() : nlohmann::json(entry.estimate.value);
    text += nlohmann::json{{"key", key},
                           {"space", entry.space},
                           {"arch", entry.arch},
                           {"accuracy", accuracy},
                           {"cost", entry.estimate.cost}}
                .dump();
    text += '\n';
  }
  if (path_.has_parent_path()) std::filesystem::create_directories(path_.parent_path());
  write_file_atomically(path_, text);
}

std::string data_fingerprint(const data::LabelledImages& data) {
  Fnv1a hash;
  hash.add(static_cast<std::uint64_t>(data.labels.size()));
  for (const auto d : data.images.shape().dims()) hash.add(static_cast<std::uint64_t>(d));
  for (const auto label : data.labels) hash.add(static_cast<std::uint64_t>(label));
  // A prime stride samples every image's pixels at shifting positions.
  const float* pixels = data.images.data();
  for (std::int64_t i = 0; i < data.images.numel(); i += 997) hash.add(std::bit_cast<std::uint32_t>(pixels[i]));
  return fmt::format("{:016x}", hash.value());
}

TrainOptions step_budget(TrainOptions options, std::int64_t steps, std::int64_t images) {
  HWNAS_CHECK_CONFIG(steps >= 1, "a step budget needs at least 1 step, got {}", steps);
  const std::int64_t needed = steps * options.batch_size();
  HWNAS_CHECK_CONFIG(needed <= images, "{} steps of {} images need {} training images, but there are {}", steps,
                     options.batch_size(), needed, images);
  return options.epochs(1).train_subset(needed);
}

std::string scratch_cache_key(std::string_view space, std::string_view canonical, const TrainOptions& options,
                              std::string_view data_fingerprints) {
  nlohmann::json o = options;
  o.erase("threads");
  return fmt::format("{}|{}|{}|{}", space, canonical, o.dump(), data_fingerprints);
}

}  // namespace hwnas::train
