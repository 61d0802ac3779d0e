#pragma once
/// \file
/// Saving and loading the state of a module (parameters and buffers) in the
/// hwnas state format, documented in docs/state-format.md:
///
///     8 bytes   magic "HWNSTATE"
///     u32       format version (1)
///     u64       length of the JSON header in bytes
///     ...       JSON header: {"tensors": [{name, dtype, shape, offset, bytes, crc32}...],
///                             "metadata": {...}}
///     ...       tensor data, little-endian, each at its `offset` from the data start
///
/// All integers are little-endian. Loading is strict and all-or-nothing:
/// every problem (bad magic, unsupported version, truncation, malformed
/// header, CRC mismatch, missing or unexpected tensor, shape or dtype
/// mismatch) is an IoError naming the source and the problem, and the module
/// is left untouched unless every tensor matches.

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hwnas/core/io.hpp"
#include "hwnas/core/tensor.hpp"
#include "hwnas/nn/module.hpp"

namespace hwnas::nn {

/// The 8 bytes every state buffer starts with.
inline constexpr std::string_view state_magic{"HWNSTATE", 8};
/// The version this library writes and reads.
inline constexpr std::uint32_t state_format_version = 1;

namespace detail {

/// CRC-32 (IEEE 802.3, the one zlib and PNG use) of `bytes`.
[[nodiscard]] std::uint32_t crc32(std::string_view bytes);

/// The format's name for the element type: "f32" or "f64".
template <Scalar T>
[[nodiscard]] constexpr std::string_view dtype_name() {
  return std::same_as<T, float> ? "f32" : "f64";
}

}  // namespace detail

/// Builds a state buffer one named tensor at a time.
class StateWriter {
 public:
  /// Appends `tensor` under `name` (unique within the buffer).
  template <Scalar T>
  void add(const std::string& name, const BasicTensor<T>& tensor) {
    add_raw(name, detail::dtype_name<T>(), tensor.shape(), tensor.data(), sizeof(T));
  }

  /// The complete buffer; `metadata` must be a JSON object and is stored as is.
  [[nodiscard]] std::string finish(const nlohmann::json& metadata = nlohmann::json::object()) const;

 private:
  void add_raw(const std::string& name, std::string_view dtype, const Shape& shape, const void* data,
               std::size_t element_size);

  nlohmann::json entries_ = nlohmann::json::array();
  std::string data_;
};

/// A parsed state buffer whose structure and checksums have been verified.
class StateReader {
 public:
  /// Parses `bytes`; `origin` (a file name, or a description of where the
  /// bytes came from) is named in every error.
  StateReader(std::string bytes, std::string origin);
  /// Reads and parses the file at `path`.
  [[nodiscard]] static StateReader from_file(const std::filesystem::path& path);

  [[nodiscard]] const nlohmann::json& metadata() const { return metadata_; }
  [[nodiscard]] const std::string& origin() const { return origin_; }
  /// The stored tensor names, in file order.
  [[nodiscard]] std::vector<std::string> names() const;

  /// Copies the stored tensors whose names start with `scope` into
  /// `targets`, whose names include the scope. The stored names under the
  /// scope must be exactly the targets' names, each with the target's shape
  /// and element type; otherwise IoError, and no target is changed. The
  /// empty scope covers the whole buffer; a scope such as "model/" lets one
  /// buffer hold the states of several objects.
  template <Scalar T>
  void read_into(std::span<const BasicNamedBuffer<BasicTensor<T>>> targets, std::string_view scope = {}) const {
    std::vector<RawTarget> raw;
    raw.reserve(targets.size());
    for (const auto& t : targets)
      raw.push_back(RawTarget{t.name, detail::dtype_name<T>(), t.tensor->shape(), t.tensor->data(), sizeof(T)});
    read_raw(raw, scope);
  }

 private:
  struct Entry {
    std::string name;
    std::string dtype;
    Shape shape;
    std::size_t offset = 0;
    std::size_t bytes = 0;
  };
  struct RawTarget {
    std::string name;
    std::string_view dtype;
    Shape shape;
    void* data;
    std::size_t element_size;
  };

  void parse();
  void read_raw(std::span<const RawTarget> targets, std::string_view scope) const;
  [[noreturn]] void fail(const std::string& what) const;

  std::string bytes_;
  std::string origin_;
  std::size_t data_start_ = 0;
  nlohmann::json metadata_;
  std::vector<Entry> entries_;
};

namespace detail {

/// Every parameter and buffer of `module` as a load target named
/// `prefix` + its name, parameters first.
template <Scalar T>
std::vector<BasicNamedBuffer<BasicTensor<T>>> state_targets(BasicModule<T>& module, std::string_view prefix = {}) {
  std::vector<BasicNamedBuffer<BasicTensor<T>>> targets;
  for (auto& p : module.named_parameters()) targets.push_back({std::string(prefix) + p.name, &p.variable.value()});
  for (auto& b : module.named_buffers()) targets.push_back({std::string(prefix) + b.name, b.tensor});
  return targets;
}

}  // namespace detail

/// Adds the state of `module` (every parameter, then every buffer) to
/// `writer`, each name preceded by `prefix`.
template <Scalar T>
void write_state(StateWriter& writer, const BasicModule<T>& module, std::string_view prefix = {}) {
  for (const auto& p : module.named_parameters()) writer.add(std::string(prefix) + p.name, p.variable.value());
  for (const auto& b : module.named_buffers()) writer.add(std::string(prefix) + b.name, *b.tensor);
}

/// Loads the tensors `write_state` added under `prefix` into `module`
/// (all or nothing, see `StateReader::read_into`).
template <Scalar T>
void read_state(const StateReader& reader, BasicModule<T>& module, std::string_view prefix = {}) {
  const auto targets = detail::state_targets(module, prefix);
  reader.read_into<T>(targets, prefix);
}

/// The state of `module` (every parameter, then every buffer) as a buffer.
template <Scalar T>
[[nodiscard]] std::string state_to_string(const BasicModule<T>& module,
                                          const nlohmann::json& metadata = nlohmann::json::object()) {
  StateWriter writer;
  write_state(writer, module);
  return writer.finish(metadata);
}

/// Writes the state of `module` to `path` atomically.
template <Scalar T>
void save_state(const BasicModule<T>& module, const std::filesystem::path& path,
                const nlohmann::json& metadata = nlohmann::json::object()) {
  write_file_atomically(path, state_to_string(module, metadata));
}

/// Loads a buffer made by `state_to_string` into `module` and returns its
/// metadata. `origin` names the buffer in errors.
template <Scalar T>
nlohmann::json load_state_from_string(BasicModule<T>& module, std::string bytes,
                                      std::string origin = "<state buffer>") {
  const StateReader reader(std::move(bytes), std::move(origin));
  read_state(reader, module);
  return reader.metadata();
}

/// Loads the state file at `path` into `module` and returns its metadata.
template <Scalar T>
nlohmann::json load_state(BasicModule<T>& module, const std::filesystem::path& path) {
  const auto reader = StateReader::from_file(path);
  read_state(reader, module);
  return reader.metadata();
}

}  // namespace hwnas::nn
