#include "hwnas/estimate/network_proxy.hpp"

#include <utility>

#include "hwnas/data/split.hpp"

namespace hwnas::estimate {

ProxyBatch proxy_batch(const data::LabelledImages& data, std::int64_t count, std::uint64_t seed) {
  const auto available = std::ssize(data.labels);
  HWNAS_CHECK_CONFIG(count >= 1 && count <= available, "proxy batch: needs 1 to {} images, asked for {}", available,
                     count);
  Rng rng(seed);
  auto order = data::random_permutation(available, rng);
  order.resize(static_cast<std::size_t>(count));
  data::LabelledImages chosen = data::subset(data, order);
  return {std::move(chosen.images), std::move(chosen.labels)};
}

}  // namespace hwnas::estimate
