#pragma once
/// \file
/// Callbacks for `Searcher::run`, each one concern:
///
/// - `SearchProgressBar`: candidates done, the best so far and the front size on stderr;
/// - `HistoryLogger`: every candidate as one JSON line (history.jsonl), flushed each round;
/// - `EarlyStop`: stops after `patience` rounds without improving the objective;
/// - `Checkpoint`: the search's state, written atomically at most every few
///   seconds and at the end, so that a killed search resumes where it was:
///
///       search::Checkpoint checkpoint(dir / "checkpoint.json");
///       if (auto saved = search::Checkpoint::load(dir / "checkpoint.json")) searcher.restore(*saved);
///       searcher.run(checkpoint, search::HistoryLogger(dir / "history.jsonl"));

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "hwnas/core/error.hpp"
#include "hwnas/core/io.hpp"
#include "hwnas/core/progress_bar.hpp"
#include "hwnas/search/candidate.hpp"
#include "hwnas/search/searcher.hpp"

namespace hwnas::search {

class SearchProgressBar {
 public:
  template <class S>
  void on_start(const S& searcher) {
    bar_ = std::make_unique<ProgressBar>(searcher.options().max_evaluations(), "search");
  }
  template <class S>
  void on_round(const S& searcher) {
    const auto* best = searcher.best();
    bar_->update(std::ssize(searcher.history()),
                 best ? fmt::format("best {:.4g} at {:.4g} {}", best->accuracy, best->cost, best->unit)
                      : std::string("nothing feasible yet"));
  }
  template <class S>
  void on_finish(const S&) {
    bar_->finish();
  }

 private:
  std::unique_ptr<ProgressBar> bar_;
};

/// Writes the history as JSON Lines. At the start the file is rewritten with
/// the history the searcher already holds (a restored search's), so lines
/// written after the last checkpoint of a killed run do not appear twice.
class HistoryLogger {
 public:
  explicit HistoryLogger(std::filesystem::path path) : path_(std::move(path)) {}

  template <class S>
  void on_start(const S& searcher) {
    std::string lines;
    for (const auto& c : searcher.history()) lines += candidate_json(searcher.space(), c).dump() + '\n';
    write_file_atomically(path_, lines);
    out_ = std::make_unique<std::ofstream>(path_, std::ios::app);
    HWNAS_CHECK_AS(IoError, out_->good(), "search history: cannot append to {}", path_.string());
  }
  template <class S>
  void on_round(const S& searcher) {
    const auto& history = searcher.history();
    for (std::size_t i = searcher.round_begin(); i < history.size(); ++i)
      *out_ << candidate_json(searcher.space(), history[i]).dump() << '\n';
    out_->flush();
    HWNAS_CHECK_AS(IoError, out_->good(), "search history: cannot write {}", path_.string());
  }

 private:
  std::filesystem::path path_;
  std::unique_ptr<std::ofstream> out_;
};

class EarlyStop {
 public:
  /// Stops once `patience` rounds in a row have not improved the objective; ConfigError for patience < 1.
  explicit EarlyStop(std::int64_t patience) : patience_(patience) {
    HWNAS_CHECK_CONFIG(patience >= 1, "early stop: patience must be at least one round, got {}", patience);
  }
  template <class S>
  [[nodiscard]] Control on_round(const S& searcher) const {
    return searcher.rounds() - 1 - searcher.last_improvement() >= patience_ ? Control::stop : Control::proceed;
  }

 private:
  std::int64_t patience_;
};

class Checkpoint {
 public:
  /// Saves after a round when `every_seconds` have passed since the last save, and at the end.
  explicit Checkpoint(std::filesystem::path path, double every_seconds = 5.0)
      : path_(std::move(path)), every_seconds_(every_seconds) {}

  template <class S>
  void on_start(const S&) {
    last_ = Clock::now();
  }
  template <class S>
  void on_round(const S& searcher) {
    if (std::chrono::duration<double>(Clock::now() - last_).count() >= every_seconds_) save(searcher);
  }
  template <class S>
  void on_finish(const S& searcher) {
    save(searcher);
  }

  /// The state saved at `path`, or nothing when there is no file; IoError for a corrupt one.
  [[nodiscard]] static std::optional<nlohmann::json> load(const std::filesystem::path& path) {
    if (!std::filesystem::exists(path)) return std::nullopt;
    try {
      return nlohmann::json::parse(read_file(path));
    } catch (const nlohmann::json::exception& e) {
      throw IoError(fmt::format("search checkpoint {} is corrupt: {}", path.string(), e.what()));
    }
  }

 private:
  using Clock = std::chrono::steady_clock;

  template <class S>
  void save(const S& searcher) {
    write_file_atomically(path_, searcher.state().dump());
    last_ = Clock::now();
  }

  std::filesystem::path path_;
  double every_seconds_;
  Clock::time_point last_{};
};

/// `C`'s hooks when it holds one, nothing when empty, so that a run-time
/// choice keeps one `run` call:
///
///     searcher.run(callback_if<EarlyStop>(patience > 0, patience));
template <class C>
class OptionalCallback {
 public:
  OptionalCallback() = default;
  explicit OptionalCallback(std::optional<C> callback) : callback_(std::move(callback)) {}

  template <class S>
  void on_start(const S& searcher) {
    if constexpr (requires(C& c) { c.on_start(searcher); })
      if (callback_) callback_->on_start(searcher);
  }
  template <class S>
  Control on_round(const S& searcher) {
    if constexpr (requires(C& c) { { c.on_round(searcher) } -> std::same_as<Control>; }) {
      if (callback_) return callback_->on_round(searcher);
    } else if constexpr (requires(C& c) { c.on_round(searcher); }) {
      if (callback_) callback_->on_round(searcher);
    }
    return Control::proceed;
  }
  template <class S>
  void on_finish(const S& searcher) {
    if constexpr (requires(C& c) { c.on_finish(searcher); })
      if (callback_) callback_->on_finish(searcher);
  }

 private:
  std::optional<C> callback_;
};

/// A `C` made from `args` when `on`, else nothing.
template <class C, class... Args>
[[nodiscard]] OptionalCallback<C> callback_if(bool on, Args&&... args) {
  if (!on) return OptionalCallback<C>();
  return OptionalCallback<C>(std::optional<C>(std::in_place, std::forward<Args>(args)...));
}

}  // namespace hwnas::search
