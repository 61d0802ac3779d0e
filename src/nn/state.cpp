#include "hwnas/nn/state.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <map>
#include <set>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"

namespace hwnas::nn {
namespace {

constexpr std::size_t prefix_size = 8 + 4 + 8;  // magic, version, header length

constexpr std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1U) ? 0xEDB88320U ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}

constexpr auto crc_table = make_crc_table();

template <class U>
void append_le(std::string& out, U value) {
  for (std::size_t i = 0; i < sizeof(U); ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFFU));
}

template <class U>
U read_le(std::string_view bytes, std::size_t at) {
  U value = 0;
  for (std::size_t i = 0; i < sizeof(U); ++i)
    value |= static_cast<U>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
  return value;
}

// Tensor data is stored little-endian; on a big-endian host each element's
// bytes are reversed on the way in and out.
void copy_elements(char* dst, const char* src, std::size_t bytes, std::size_t element_size) {
  std::memcpy(dst, src, bytes);
  if constexpr (std::endian::native == std::endian::big) {
    for (std::size_t i = 0; i < bytes; i += element_size) std::reverse(dst + i, dst + i + element_size);
  }
}

std::size_t dtype_size(std::string_view dtype) {
  if (dtype == "f32") return 4;
  if (dtype == "f64") return 8;
  return 0;
}

}  // namespace

namespace detail {

std::uint32_t crc32(std::string_view bytes) {
  std::uint32_t c = 0xFFFFFFFFU;
  for (const char b : bytes) c = crc_table[(c ^ static_cast<unsigned char>(b)) & 0xFFU] ^ (c >> 8);
  return c ^ 0xFFFFFFFFU;
}

}  // namespace detail

void StateWriter::add_raw(const std::string& name, std::string_view dtype, const Shape& shape, const void* data,
                          std::size_t element_size) {
  for (const auto& e : entries_) HWNAS_CHECK_CONFIG(e["name"] != name, "state: tensor name '{}' is used twice", name);
  const std::size_t bytes = static_cast<std::size_t>(shape.numel()) * element_size;
  const std::size_t offset = data_.size();
  data_.resize(offset + bytes);
  copy_elements(data_.data() + offset, static_cast<const char*>(data), bytes, element_size);
  entries_.push_back({{"name", name},
                      {"dtype", dtype},
                      {"shape", shape.dims()},
                      {"offset", offset},
                      {"bytes", bytes},
                      {"crc32", detail::crc32(std::string_view(data_).substr(offset, bytes))}});
}

std::string StateWriter::finish(const nlohmann::json& metadata) const {
  HWNAS_CHECK_CONFIG(metadata.is_object(), "state: metadata must be a JSON object, got {}", metadata.type_name());
  const nlohmann::json header{{"tensors", entries_}, {"metadata", metadata}};
  const std::string text = header.dump();
  std::string out;
  out.reserve(prefix_size + text.size() + data_.size());
  out.append(state_magic);
  append_le<std::uint32_t>(out, state_format_version);
  append_le<std::uint64_t>(out, text.size());
  out.append(text);
  out.append(data_);
  return out;
}

StateReader::StateReader(std::string bytes, std::string origin) : bytes_(std::move(bytes)), origin_(std::move(origin)) {
  parse();
}

StateReader StateReader::from_file(const std::filesystem::path& path) { return {read_file(path), path.string()}; }

void StateReader::fail(const std::string& what) const {
  throw IoError(fmt::format("cannot load state '{}': {}", origin_, what));
}

void StateReader::parse() {
  const std::string_view all(bytes_);
  if (all.size() < state_magic.size() || all.substr(0, state_magic.size()) != state_magic)
    fail("bad magic (not an hwnas state file)");
  if (all.size() < prefix_size)
    fail(fmt::format("truncated header: {} bytes, the fixed prefix needs {}", all.size(), prefix_size));
  const auto version = read_le<std::uint32_t>(all, 8);
  if (version != state_format_version)
    fail(fmt::format("unsupported format version {} (this library reads version {})", version, state_format_version));
  const auto header_size = read_le<std::uint64_t>(all, 12);
  if (header_size > all.size() - prefix_size)
    fail(fmt::format("truncated header: it declares {} bytes but only {} follow", header_size,
                     all.size() - prefix_size));
  data_start_ = prefix_size + static_cast<std::size_t>(header_size);
  const std::size_t data_size = all.size() - data_start_;

  nlohmann::json header;
  try {
    header = nlohmann::json::parse(all.substr(prefix_size, static_cast<std::size_t>(header_size)));
  } catch (const nlohmann::json::exception& e) {
    fail(fmt::format("malformed JSON header: {}", e.what()));
  }
  if (!header.is_object() || !header.contains("tensors") || !header["tensors"].is_array())
    fail("malformed JSON header: expected an object with a 'tensors' array");
  if (header.contains("metadata") && !header["metadata"].is_object())
    fail("malformed JSON header: 'metadata' must be an object");
  metadata_ = header.value("metadata", nlohmann::json::object());

  std::set<std::string> seen;
  std::size_t data_end = 0;
  for (const auto& t : header["tensors"]) {
    using IsType = bool (nlohmann::json::*)() const noexcept;
    const auto field = [&](const char* key, IsType is_type) -> const nlohmann::json& {
      if (!t.is_object() || !t.contains(key) || !(t[key].*is_type)())
        fail(fmt::format("malformed JSON header: tensor entry {} lacks a valid '{}'", t.dump(), key));
      return t[key];
    };
    Entry e;
    e.name = field("name", &nlohmann::json::is_string).get<std::string>();
    e.dtype = field("dtype", &nlohmann::json::is_string).get<std::string>();
    const auto& shape = field("shape", &nlohmann::json::is_array);
    std::vector<std::int64_t> dims;
    std::uint64_t numel = 1;
    for (const auto& d : shape) {
      // Bounding the element count keeps every size computation below from overflowing.
      constexpr std::uint64_t max_numel = std::uint64_t{1} << 56;
      const bool ok =
          d.is_number_unsigned() && (d.get<std::uint64_t>() == 0 || numel <= max_numel / d.get<std::uint64_t>());
      if (!ok) fail(fmt::format("malformed JSON header: tensor '{}' has an invalid shape {}", e.name, shape.dump()));
      numel *= d.get<std::uint64_t>();
      dims.push_back(d.get<std::int64_t>());
    }
    e.shape = Shape(std::move(dims));
    e.offset = field("offset", &nlohmann::json::is_number_unsigned).get<std::size_t>();
    e.bytes = field("bytes", &nlohmann::json::is_number_unsigned).get<std::size_t>();
    const auto crc = field("crc32", &nlohmann::json::is_number_unsigned).get<std::uint64_t>();

    if (!seen.insert(e.name).second) fail(fmt::format("tensor '{}' appears twice", e.name));
    const std::size_t element_size = dtype_size(e.dtype);
    if (element_size == 0)
      fail(fmt::format("tensor '{}' has unknown dtype '{}' (expected f32 or f64)", e.name, e.dtype));
    if (e.bytes != static_cast<std::size_t>(e.shape.numel()) * element_size)
      fail(fmt::format("tensor '{}' of shape {} and dtype {} declares {} bytes, expected {}", e.name, e.shape, e.dtype,
                       e.bytes, static_cast<std::size_t>(e.shape.numel()) * element_size));
    if (e.offset > data_size || e.bytes > data_size - e.offset)
      fail(fmt::format("truncated data: tensor '{}' needs bytes [{}, {}) of the data section, which has {}", e.name,
                       e.offset, e.offset + e.bytes, data_size));
    const auto actual = detail::crc32(all.substr(data_start_ + e.offset, e.bytes));
    if (actual != crc)
      fail(fmt::format("CRC mismatch in tensor '{}': stored {:#010x}, computed {:#010x}", e.name, crc, actual));
    data_end = std::max(data_end, e.offset + e.bytes);
    entries_.push_back(std::move(e));
  }
  if (data_end != data_size)
    fail(fmt::format("{} unexpected bytes after the last tensor's data", data_size - data_end));
}

std::vector<std::string> StateReader::names() const {
  std::vector<std::string> out;
  for (const auto& e : entries_) out.push_back(e.name);
  return out;
}

void StateReader::read_raw(std::span<const RawTarget> targets, std::string_view scope) const {
  std::map<std::string_view, const Entry*> stored;
  for (const auto& e : entries_)
    if (e.name.starts_with(scope)) stored.emplace(e.name, &e);

  std::vector<std::string_view> missing;
  std::set<std::string_view> wanted;
  for (const auto& t : targets) {
    wanted.insert(t.name);
    if (!stored.contains(t.name)) missing.push_back(t.name);
  }
  if (!missing.empty()) fail(fmt::format("missing tensor(s) {}", fmt::join(missing, ", ")));
  std::vector<std::string_view> extra;
  for (const auto& e : entries_)
    if (e.name.starts_with(scope) && !wanted.contains(e.name)) extra.push_back(e.name);
  if (!extra.empty()) fail(fmt::format("unexpected extra tensor(s) {}", fmt::join(extra, ", ")));

  for (const auto& t : targets) {
    const Entry& e = *stored.at(t.name);
    if (e.shape != t.shape)
      fail(fmt::format("shape mismatch for tensor '{}': stored {}, expected {}", t.name, e.shape, t.shape));
    if (e.dtype != t.dtype)
      fail(fmt::format("dtype mismatch for tensor '{}': stored {}, expected {}", t.name, e.dtype, t.dtype));
  }
  // Everything matches: only now are targets written.
  for (const auto& t : targets) {
    const Entry& e = *stored.at(t.name);
    copy_elements(static_cast<char*>(t.data), bytes_.data() + data_start_ + e.offset, e.bytes, t.element_size);
  }
}

}  // namespace hwnas::nn
