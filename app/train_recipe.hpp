#pragma once
// The training recipe the tool uses for its own networks on 28 x 28 images,
// by `hwnas train` and by `hwnas search` for the brief training of the best.

#include "hwnas/train/options.hpp"

namespace hwnas::app {

[[nodiscard]] inline train::TrainOptions built_in_training() {
  return train::TrainOptions{}.epochs(3).batch_size(128).lr(0.1).weight_decay(5e-5).label_smoothing(0.1);
}

}  // namespace hwnas::app
