// Fits y = 3x - 1 with one linear layer through the installed package.
#include <cstdio>

#include <hwnas/hwnas.hpp>

int main() {
  hwnas::Rng rng(1);
  hwnas::nn::Linear layer(1, 1);
  hwnas::nn::init::default_init(layer, rng);
  hwnas::optim::SGD sgd(layer.named_parameters(), hwnas::optim::SGDOptions(0.5));
  hwnas::Tensor x({8, 1});
  hwnas::Tensor y({8, 1});
  for (int i = 0; i < 8; ++i) {
    x[i] = static_cast<float>(i) / 8.0F;
    y[i] = 3.0F * x[i] - 1.0F;
  }
  float loss = 0.0F;
  for (int step = 0; step < 500; ++step) {
    sgd.zero_grad();
    auto error = hwnas::sub(layer(hwnas::Variable(x)), hwnas::Variable(y));
    auto mse = hwnas::mean(hwnas::mul(error, error));
    mse.backward();
    sgd.step();
    loss = mse.item();
  }
  std::printf("hwnas %s consumer: final loss %.6f\n", hwnas::version(), loss);
  return loss < 1e-4F ? 0 : 1;
}
