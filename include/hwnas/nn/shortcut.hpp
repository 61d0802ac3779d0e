#pragma once
/// \file
/// Blocks with a shortcut (residual) path that can be switched off, so that
/// a network's plain path can be scored on its own (Zen-NAS removes the
/// residual links before scoring):
///
///     nn::set_shortcuts(*net, false);

#include "hwnas/nn/module.hpp"

namespace hwnas::nn {

/// Implemented by every block that adds a shortcut to its main path.
class HasShortcut {
 public:
  virtual ~HasShortcut() = default;
  /// With `on` false the block returns its main path alone.
  virtual void set_shortcut(bool on) = 0;
};

/// Switches the shortcut of every block in `root` (itself included) on or off;
/// returns how many blocks it switched.
template <Scalar T>
std::size_t set_shortcuts(BasicModule<T>& root, bool on) {
  std::size_t count = 0;
  const auto visit = [&](BasicModule<T>& m) {
    if (auto* block = dynamic_cast<HasShortcut*>(&m)) {
      block->set_shortcut(on);
      ++count;
    }
  };
  visit(root);
  for (const auto& child : root.named_modules()) visit(*child.module);
  return count;
}

}  // namespace hwnas::nn
