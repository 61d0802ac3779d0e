#include "hwnas/space/nb201.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "hwnas/core/error.hpp"
#include "hwnas/space/choices.hpp"

namespace hwnas::space {
namespace {

using models::Nb201Op;
using Arch = Nb201Arch;

std::size_t index_of(Nb201Op op) { return static_cast<std::size_t>(op); }

std::vector<std::string> op_names() {
  std::vector<std::string> names;
  for (const Nb201Op op : models::nb201_ops) names.emplace_back(models::to_string(op));
  return names;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

void check_input(std::int64_t classes, const std::array<std::int64_t, 3>& input) {
  HWNAS_CHECK_CONFIG(classes >= 1, "nb201: \"classes\" must be a positive integer, got {}", classes);
  HWNAS_CHECK_CONFIG(input[0] >= 1 && input[1] == input[2] && input[1] >= 4 && input[1] % 4 == 0,
                     "nb201: \"input\" must be [C, H, W] with square H = W a positive multiple of 4, got [{}]",
                     fmt::join(input, ", "));
}

}  // namespace

Nb201Space::Nb201Space(std::int64_t classes, std::array<std::int64_t, 3> input) : classes_(classes), input_(input) {
  check_input(classes, input);
}

Nb201Arch Nb201Space::sample(Rng& rng) const {
  Arch arch{{}, classes_, input_};
  for (auto& op : arch.cell) op = detail::pick(std::span<const Nb201Op>(models::nb201_ops), rng);
  return arch;
}

Nb201Arch Nb201Space::mutate(const Arch& arch, Rng& rng, double p) const {
  HWNAS_CHECK_CONFIG(p >= 0.0 && p <= 1.0, "nb201: mutation probability must be in [0, 1], got {}", p);
  Arch out = arch;
  for (auto& op : out.cell) op = detail::maybe_mutate(std::span<const Nb201Op>(models::nb201_ops), op, rng, p);
  return out;
}

Nb201Arch Nb201Space::crossover(const Arch& a, const Arch& b, Rng& rng) const {
  Arch out = a;
  for (std::size_t e = 0; e < out.cell.size(); ++e) out.cell[e] = detail::either(a.cell[e], b.cell[e], rng);
  return out;
}

std::vector<float> Nb201Space::encode(const Arch& arch) const {
  std::vector<float> x(encoding_size(), 0.0F);
  for (std::size_t e = 0; e < arch.cell.size(); ++e) x[e * models::nb201_ops.size() + index_of(arch.cell[e])] = 1.0F;
  return x;
}

std::string Nb201Space::canonical(const Arch& arch) const {
  std::string s;
  for (int node = 1; node <= 3; ++node) {
    s += node == 1 ? "|" : "+|";
    for (std::size_t e = 0; e < arch.cell.size(); ++e)
      if (models::nb201_edges[e].to == node)
        s += fmt::format("{}~{}|", models::to_string(arch.cell[e]), models::nb201_edges[e].from);
  }
  return s;
}

models::Nb201Cell Nb201Space::parse_cell(std::string_view text) {
  const auto fail = [&](const std::string& what) {
    throw ConfigError(fmt::format("nb201: malformed architecture string \"{}\": {}; expected the form "
                                  "|op~0|+|op~0|op~1|+|op~0|op~1|op~2|",
                                  text, what));
  };
  const auto nodes = split(text, '+');
  if (nodes.size() != 3) fail(fmt::format("{} node groups separated by '+', expected 3", nodes.size()));
  models::Nb201Cell cell{};
  std::size_t edge = 0;
  const auto names = op_names();
  for (std::size_t node = 0; node < 3; ++node) {
    const std::string_view group = nodes[node];
    if (group.size() < 2 || group.front() != '|' || group.back() != '|')
      fail(fmt::format("node {}'s group \"{}\" must start and end with '|'", node + 1, group));
    const auto edges = split(group.substr(1, group.size() - 2), '|');
    if (edges.size() != node + 1)
      fail(fmt::format("node {} has {} incoming edges, expected {}", node + 1, edges.size(), node + 1));
    for (std::size_t from = 0; from <= node; ++from, ++edge) {
      const std::string_view item = edges[from];
      const std::size_t tilde = item.find('~');
      if (tilde == std::string_view::npos || item.substr(tilde + 1) != std::to_string(from))
        fail(fmt::format("edge \"{}\" into node {} must read op~{}", item, node + 1, from));
      const std::string_view op = item.substr(0, tilde);
      const auto it = std::ranges::find(names, op);
      if (it == names.end()) fail(fmt::format("unknown operation \"{}\"; allowed: {}", op, fmt::join(names, ", ")));
      cell[edge] = models::nb201_ops[static_cast<std::size_t>(it - names.begin())];
    }
  }
  return cell;
}

nlohmann::json Nb201Space::to_json(const Arch& arch) const {
  return {{"space", name()}, {"arch", canonical(arch)}, {"classes", arch.classes}, {"input", arch.input}};
}

Nb201Arch Nb201Space::from_json(const nlohmann::json& json) const {
  detail::check_arch_object(json, name(), {"arch", "classes", "input"});
  HWNAS_CHECK_CONFIG(json["arch"].is_string(), "nb201: \"arch\" must be a string, got {}", json["arch"].dump());
  const auto& input = json["input"];
  HWNAS_CHECK_CONFIG(json["classes"].is_number_integer(), "nb201: \"classes\" must be a positive integer, got {}",
                     json["classes"].dump());
  HWNAS_CHECK_CONFIG(input.is_array() && input.size() == 3 && std::ranges::all_of(input, [](const auto& v) {
                       return v.is_number_integer();
                     }),
                     "nb201: \"input\" must be a list of 3 integers [C, H, W], got {}", input.dump());
  Arch arch{parse_cell(json["arch"].get<std::string>()), json["classes"].get<std::int64_t>(),
            input.get<std::array<std::int64_t, 3>>()};
  check_input(arch.classes, arch.input);
  return arch;
}

std::vector<std::int64_t> Nb201Space::decisions() const {
  return std::vector<std::int64_t>(models::nb201_edges.size(), std::ssize(models::nb201_ops));
}

std::vector<std::int64_t> Nb201Space::to_decisions(const Arch& arch) const {
  std::vector<std::int64_t> indices;
  for (const Nb201Op op : arch.cell) indices.push_back(static_cast<std::int64_t>(index_of(op)));
  return indices;
}

Nb201Arch Nb201Space::from_decisions(std::span<const std::int64_t> indices) const {
  detail::check_decisions(indices, name(), decisions(), [](std::size_t e) {
    return fmt::format("edge {}->{}", models::nb201_edges[e].from, models::nb201_edges[e].to);
  });
  Arch arch{{}, classes_, input_};
  for (std::size_t e = 0; e < arch.cell.size(); ++e)
    arch.cell[e] = models::nb201_ops[static_cast<std::size_t>(indices[e])];
  return arch;
}

models::Nb201Config Nb201Space::config(const Arch& arch) const {
  models::Nb201Config config;
  config.cell = arch.cell;
  config.classes = arch.classes;
  config.in_channels = arch.input[0];
  config.input_size = arch.input[1];
  return config;
}

std::vector<models::LayerSummary> Nb201Space::summary(const Arch& arch) const {
  return models::nb201_summary(config(arch));
}

std::int64_t Nb201Space::macs(const Arch& arch) const { return models::total_macs(summary(arch)); }
std::int64_t Nb201Space::params(const Arch& arch) const { return models::total_params(summary(arch)); }

nlohmann::json Nb201Space::choices() const {
  std::vector<std::string> edges;
  for (const auto& e : models::nb201_edges) edges.push_back(fmt::format("{}->{}", e.from, e.to));
  return {{"ops", op_names()}, {"edges", edges}, {"classes", classes_}, {"input", input_}};
}

std::vector<Nb201Arch> Nb201Space::enumerate() const {
  std::vector<Arch> all;
  all.reserve(15625);
  for (std::size_t code = 0; code < 15625; ++code) {
    Arch arch{{}, classes_, input_};
    std::size_t rest = code;
    for (std::size_t e = arch.cell.size(); e-- > 0; rest /= 5) arch.cell[e] = models::nb201_ops[rest % 5];
    all.push_back(arch);
  }
  return all;
}

}  // namespace hwnas::space

std::size_t std::hash<hwnas::space::Nb201Arch>::operator()(const hwnas::space::Nb201Arch& arch) const noexcept {
  hwnas::space::detail::ChoiceHash h;
  for (const auto op : arch.cell) h.add(static_cast<std::int64_t>(op));
  h.add(arch.classes);
  for (const auto v : arch.input) h.add(v);
  return h.value();
}
