#include "hwnas/hypernet/smash_hypernet.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "hwnas/core/io.hpp"
#include "hwnas/core/ops/reshape.hpp"
#include "hwnas/hypernet/block_code.hpp"

namespace hwnas::hypernet {
namespace {

constexpr std::string_view state_format = "hwnas-smash-hypernet";
constexpr std::array<std::string_view, 3> generated_convs{"expand_conv", "depthwise_conv", "project_conv"};

/// The largest shape of each generated weight over the network's blocks.
/// All blocks serve the same kernel sizes, so they share the stored kernel.
template <Scalar T>
GeneratedShapes largest_shapes(const supernet::BasicOfaSupernet<T>& network) {
  GeneratedShapes shapes;
  shapes.kernel = network.blocks().front()->spec().max_kernel_size();
  for (const auto& block : network.blocks()) {
    const supernet::ElasticMBConvSpec& spec = block->spec();
    HWNAS_ASSERT(spec.max_kernel_size() == shapes.kernel);
    shapes.mid = std::max(shapes.mid, spec.max_mid_channels());
    shapes.in = std::max(shapes.in, spec.in_channels());
    shapes.out = std::max(shapes.out, spec.out_channels());
  }
  return shapes;
}

/// Row `row` of `flat` [n, rows * cols] as the matrix [rows, cols], cut to its
/// leading [keep_rows, keep_cols] corner.
template <Scalar T>
BasicVariable<T> corner(const BasicVariable<T>& flat, std::int64_t row, std::int64_t rows, std::int64_t cols,
                        std::int64_t keep_rows, std::int64_t keep_cols) {
  const auto matrix = hwnas::reshape(hwnas::narrow(flat, 0, row, 1), Shape{rows, cols});
  return hwnas::narrow(hwnas::narrow(matrix, 0, 0, keep_rows), 1, 0, keep_cols);
}

}  // namespace

template <Scalar T>
BasicSmashHypernet<T>::BasicSmashHypernet(SmashHypernetOptions options) : options_(options) {
  HWNAS_CHECK_CONFIG(options_.hidden() >= 1, "SmashHypernet: hidden width must be >= 1, got {}", options_.hidden());
  auto network = std::make_shared<supernet::BasicOfaSupernet<T>>();
  generator_ = this->register_module(
      "generator", std::make_shared<BasicSmashGenerator<T>>(largest_shapes(*network), options_.hidden()));
  network_ = this->register_module("network", std::move(network));
  for (std::size_t i = 0; i < network_->blocks().size(); ++i)
    for (std::string_view conv : generated_convs)
      generated_.insert(fmt::format("network.blocks.{}.{}.weight", i, conv));
}

template <Scalar T>
BasicVariable<T> BasicSmashHypernet<T>::forward(const BasicVariable<T>& x) {
  return (*network_)(x);
}

template <Scalar T>
void BasicSmashHypernet<T>::generate(const Arch& arch) {
  network_->set_active(arch);
  const std::vector<std::size_t> blocks = active_blocks(arch);
  const GeneratedWeights<T> weights = generator_->generate(BasicVariable<T>(block_codes<T>(arch, blocks)));
  const GeneratedShapes& g = generator_->shapes();
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const auto row = static_cast<std::int64_t>(i);
    auto& block = *network_->blocks()[blocks[i]];
    const supernet::ElasticMBConvSpec& spec = block.spec();
    const std::int64_t mid = spec.max_mid_channels();
    const std::int64_t in = spec.in_channels();
    const std::int64_t out = spec.out_channels();
    const std::int64_t area = g.kernel * g.kernel;
    block.set_parameter("expand_conv.weight",
                        hwnas::reshape(corner(weights.expand, row, g.mid, g.in, mid, in), Shape{mid, in, 1, 1}));
    block.set_parameter("depthwise_conv.weight", hwnas::reshape(corner(weights.depthwise, row, g.mid, area, mid, area),
                                                                Shape{mid, 1, g.kernel, g.kernel}));
    block.set_parameter("project_conv.weight",
                        hwnas::reshape(corner(weights.project, row, g.out, g.mid, out, mid), Shape{out, mid, 1, 1}));
  }
}

template <Scalar T>
std::shared_ptr<nn::BasicSequential<T>> BasicSmashHypernet<T>::extract(const Arch& arch) {
  const std::lock_guard lock(extract_mutex_);
  const NoGradGuard no_grad;
  generate(arch);
  return network_->extract(arch);
}

template <Scalar T>
std::vector<nn::NamedParameter<T>> BasicSmashHypernet<T>::learned_parameters() const {
  auto parameters = this->named_parameters();
  std::erase_if(parameters, [&](const nn::NamedParameter<T>& p) { return is_generated(p.name); });
  return parameters;
}

template <Scalar T>
void BasicSmashHypernet<T>::write_state(nn::StateWriter& writer, std::string_view prefix) const {
  for (const auto& p : learned_parameters()) writer.add(std::string(prefix) + p.name, p.variable.value());
  for (const auto& b : this->named_buffers()) writer.add(std::string(prefix) + b.name, *b.tensor);
}

template <Scalar T>
void BasicSmashHypernet<T>::read_state(const nn::StateReader& reader, std::string_view prefix) {
  auto targets = nn::detail::state_targets<T>(*this, prefix);
  std::erase_if(targets, [&](const auto& t) { return is_generated(std::string_view(t.name).substr(prefix.size())); });
  reader.read_into<T>(targets, prefix);
}

template <Scalar T>
nlohmann::json BasicSmashHypernet<T>::description() const {
  return {{"format", state_format}, {"space", network_->space().name()}, {"hidden", options_.hidden()}};
}

template <Scalar T>
void BasicSmashHypernet<T>::check_description(const nlohmann::json& stored, const std::string& origin) const {
  const auto fail = [&](const std::string& what) {
    throw IoError(fmt::format("cannot load a SMASH hypernetwork from '{}': {}", origin, what));
  };
  const bool is_smash = stored.is_object() && stored.contains("format") && stored["format"] == state_format;
  if (!is_smash) fail(fmt::format("it is not a SMASH hypernetwork state (metadata {})", stored.dump()));
  const nlohmann::json expected = description();
  if (stored != expected) fail(fmt::format("it holds {}, this hypernetwork is {}", stored.dump(), expected.dump()));
}

template <Scalar T>
std::string BasicSmashHypernet<T>::state_to_string() const {
  nn::StateWriter writer;
  write_state(writer);
  return writer.finish(description());
}

template <Scalar T>
void BasicSmashHypernet<T>::load_state_from_string(std::string bytes, const std::string& origin) {
  const nn::StateReader reader(std::move(bytes), origin);
  check_description(reader.metadata(), origin);
  read_state(reader);
}

template <Scalar T>
void BasicSmashHypernet<T>::save(const std::filesystem::path& path) const {
  write_file_atomically(path, state_to_string());
}

template <Scalar T>
void BasicSmashHypernet<T>::load(const std::filesystem::path& path) {
  load_state_from_string(read_file(path), path.string());
}

template class BasicSmashHypernet<float>;
template class BasicSmashHypernet<double>;

}  // namespace hwnas::hypernet
