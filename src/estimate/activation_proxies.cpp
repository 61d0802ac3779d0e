#include "hwnas/estimate/activation_proxies.hpp"

#include <cmath>
#include <limits>

#include <Eigen/Eigenvalues>
#include <Eigen/LU>

#include "hwnas/nn/activation.hpp"

namespace hwnas::estimate {

template <Scalar T>
double naswot(nn::BasicModule<T>& net, const ProxyBatch& batch) {
  const auto n = std::ssize(batch.labels);
  // K = D - r 1' - 1 r' + 2 C C', with r the rows' counts of positive units:
  // one product per layer instead of two. Float sums of 0/1 are exact below 2^24.
  Eigen::MatrixXd agree = Eigen::MatrixXd::Zero(n, n);
  const auto code = [&](const BasicTensor<T>& x) {
    const Eigen::MatrixXf c = (x.matrix(n).array() > T{0}).template cast<float>();
    Eigen::MatrixXf cc = Eigen::MatrixXf::Zero(n, n);
    cc.template selfadjointView<Eigen::Lower>().rankUpdate(c);
    const Eigen::VectorXd r = c.rowwise().sum().template cast<double>();
    const auto d = static_cast<double>(c.cols());
    agree.array() += d;
    agree.colwise() -= r;
    agree.rowwise() -= r.transpose();
    agree += 2.0 * cc.template selfadjointView<Eigen::Lower>().toDenseMatrix().template cast<double>();
  };
  {
    NoGradGuard no_grad;
    nn::BasicForwardHook<T> hook([&](nn::BasicModule<T>& layer, const BasicVariable<T>& x, BasicVariable<T> y) {
      if (dynamic_cast<nn::BasicReLU<T>*>(&layer) || dynamic_cast<nn::BasicReLU6<T>*>(&layer)) code(x.value());
      return y;
    });
    net.train();
    (void)net(BasicVariable<T>(batch.images.cast<T>()));
  }
  const Eigen::PartialPivLU<Eigen::MatrixXd> lu(agree);
  return lu.matrixLU().diagonal().array().abs().log().sum();
}

template <Scalar T>
double jacov(nn::BasicModule<T>& net, const ProxyBatch& batch) {
  const auto n = std::ssize(batch.labels);
  net.train();
  net.zero_grad();
  BasicVariable<T> x(batch.images.cast<T>(), true);
  BasicVariable<T> y = net(x);
  y.backward(BasicTensor<T>(y.shape(), T{1}));
  net.zero_grad();
  Eigen::MatrixXd j = x.grad().matrix(n).template cast<double>();
  j.colwise() -= j.rowwise().mean();
  const Eigen::VectorXd norms = j.rowwise().norm();
  if ((norms.array() == 0.0).any() || !j.allFinite()) return std::numeric_limits<double>::quiet_NaN();
  const Eigen::MatrixXd correlation = norms.asDiagonal().inverse() * (j * j.transpose()) * norms.asDiagonal().inverse();
  const Eigen::VectorXd v = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(correlation, Eigen::EigenvaluesOnly)
                                .eigenvalues()
                                .array() +
                            1e-5;
  return -(v.array().log() + v.array().inverse()).sum();
}

template double naswot(nn::BasicModule<float>&, const ProxyBatch&);
template double naswot(nn::BasicModule<double>&, const ProxyBatch&);
template double jacov(nn::BasicModule<float>&, const ProxyBatch&);
template double jacov(nn::BasicModule<double>&, const ProxyBatch&);

}  // namespace hwnas::estimate
