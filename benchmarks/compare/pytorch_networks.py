"""The built-in hwnas networks (``models::builtin("mbconv")`` and
``models::builtin("resnet")``) rebuilt layer for layer in PyTorch, for the
speed comparison in compare_pytorch.py.

Children carry the hwnas names and order (include/hwnas/nn/mbconv.hpp,
residual_block.hpp, squeeze_excite.hpp, src/models/mobilenet.cpp,
resnet.cpp, builtin.cpp), so that ``state_dict()`` keys line up with
``named_parameters()`` in hwnas. Run this file to check the parameter counts.
"""

import sys

import torch
from torch import nn

# Parameter counts of hwnas's built-in networks: `num_parameters()` of
# `models::builtin(name)`, printed by a small C++ program linked against
# libhwnas (see README.md, "Parameter counts"); the parameter names and
# sizes of both sides were also compared one by one and agree.
HWNAS_PARAMETER_COUNTS = {"mbconv": 778898, "resnet": 696042}

IMAGE_SIZE = 28
CLASSES = 10


def make_divisible(value, divisor):
    """MobileNet's rounding, as `nn::make_divisible` in include/hwnas/nn/mbconv.hpp."""
    rounded = int(value + divisor / 2.0) // divisor * divisor
    if rounded < divisor:
        rounded = divisor
    if rounded < 0.9 * value:
        rounded += divisor
    return rounded


def batch_norm(channels):
    return nn.BatchNorm2d(channels, eps=1e-5, momentum=0.1)


def conv(in_channels, out_channels, kernel, stride=1, groups=1, bias=False):
    return nn.Conv2d(in_channels, out_channels, kernel, stride=stride, padding=kernel // 2, groups=groups, bias=bias)


def activation(name):
    return {"relu": nn.ReLU, "hswish": nn.Hardswish}[name]()


class SqueezeExcite(nn.Module):
    """avg pool -> 1x1 conv (bias) -> ReLU -> 1x1 conv (bias) -> hard sigmoid -> scale."""

    def __init__(self, channels, se_channels):
        super().__init__()
        self.reduce = nn.Conv2d(channels, se_channels, 1)
        self.expand = nn.Conv2d(se_channels, channels, 1)

    def forward(self, x):
        s = x.mean((2, 3), keepdim=True)
        s = nn.functional.hardsigmoid(self.expand(nn.functional.relu(self.reduce(s))))
        return x * s


class MBConv(nn.Module):
    """Inverted residual: [1x1 expand + BN + act] -> depthwise kxk + BN + act -> [SE] -> 1x1 project + BN [+ x]."""

    def __init__(self, in_channels, out_channels, kernel, expand, stride, act, se):
        super().__init__()
        mid = in_channels * expand
        if expand > 1:
            self.expand_conv = conv(in_channels, mid, 1)
            self.expand_bn = batch_norm(mid)
        else:
            self.expand_conv = None
        self.depthwise_conv = conv(mid, mid, kernel, stride=stride, groups=mid)
        self.depthwise_bn = batch_norm(mid)
        self.se = SqueezeExcite(mid, make_divisible(mid / 4.0, 8)) if se else None
        self.project_conv = conv(mid, out_channels, 1)
        self.project_bn = batch_norm(out_channels)
        # Stateless: one instance serves both places, as in hwnas.
        self.act = activation(act)
        self.residual = stride == 1 and in_channels == out_channels

    def forward(self, x):
        h = x
        if self.expand_conv is not None:
            h = self.act(self.expand_bn(self.expand_conv(h)))
        h = self.act(self.depthwise_bn(self.depthwise_conv(h)))
        if self.se is not None:
            h = self.se(h)
        h = self.project_bn(self.project_conv(h))
        return h + x if self.residual else h


class ResidualBlock(nn.Module):
    """relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), shortcut 1x1 conv + BN when the shape changes."""

    def __init__(self, in_channels, out_channels, stride):
        super().__init__()
        self.conv1 = conv(in_channels, out_channels, 3, stride=stride)
        self.bn1 = batch_norm(out_channels)
        self.conv2 = conv(out_channels, out_channels, 3)
        self.bn2 = batch_norm(out_channels)
        if stride != 1 or in_channels != out_channels:
            self.shortcut_conv = nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False)
            self.shortcut_bn = batch_norm(out_channels)
        else:
            self.shortcut_conv = None

    def forward(self, x):
        h = self.bn2(self.conv2(nn.functional.relu(self.bn1(self.conv1(x)))))
        shortcut = self.shortcut_bn(self.shortcut_conv(x)) if self.shortcut_conv is not None else x
        return nn.functional.relu(h + shortcut)


# models::mbconv_config(): (width, stride, activation, se, [(kernel, expand), ...]) per stage.
MBCONV_STAGES = [
    (24, 1, "relu", False, [(3, 3), (5, 3)]),
    (40, 2, "relu", True, [(3, 4), (5, 4), (7, 4)]),
    (80, 2, "hswish", False, [(3, 4), (5, 4), (7, 4)]),
    (96, 1, "hswish", True, [(5, 6), (7, 6)]),
]
MBCONV_STEM_WIDTH = 16
MBCONV_HEAD_WIDTH = 192

# models::resnet_config()
RESNET_STEM_WIDTH = 32
RESNET_WIDTHS = [32, 64, 128]
RESNET_BLOCKS_PER_STAGE = 2


def mbconv_network():
    net = nn.Sequential()
    net.add_module("stem_conv", conv(1, MBCONV_STEM_WIDTH, 3, stride=2))
    net.add_module("stem_bn", batch_norm(MBCONV_STEM_WIDTH))
    net.add_module("stem_act", nn.ReLU())
    blocks = nn.Sequential()
    width = MBCONV_STEM_WIDTH
    for stage_width, stride, act, se, choices in MBCONV_STAGES:
        for b, (kernel, expand) in enumerate(choices):
            blocks.append(MBConv(width, stage_width, kernel, expand, stride if b == 0 else 1, act, se))
            width = stage_width
    net.add_module("blocks", blocks)
    net.add_module("head_conv", conv(width, MBCONV_HEAD_WIDTH, 1))
    net.add_module("head_bn", batch_norm(MBCONV_HEAD_WIDTH))
    net.add_module("head_act", nn.Hardswish())
    net.add_module("pool", nn.AdaptiveAvgPool2d(1))
    net.add_module("flatten", nn.Flatten())
    net.add_module("classifier", nn.Linear(MBCONV_HEAD_WIDTH, CLASSES))
    return net


def resnet_network():
    net = nn.Sequential()
    net.add_module("stem_conv", conv(1, RESNET_STEM_WIDTH, 3))
    net.add_module("stem_bn", batch_norm(RESNET_STEM_WIDTH))
    net.add_module("stem_act", nn.ReLU())
    blocks = nn.Sequential()
    width = RESNET_STEM_WIDTH
    for s, stage_width in enumerate(RESNET_WIDTHS):
        for b in range(RESNET_BLOCKS_PER_STAGE):
            blocks.append(ResidualBlock(width, stage_width, 2 if s > 0 and b == 0 else 1))
            width = stage_width
    net.add_module("blocks", blocks)
    net.add_module("pool", nn.AdaptiveAvgPool2d(1))
    net.add_module("flatten", nn.Flatten())
    net.add_module("classifier", nn.Linear(width, CLASSES))
    return net


NETWORKS = {"mbconv": mbconv_network, "resnet": resnet_network}


def build(name):
    """The PyTorch twin of `models::builtin(name)`."""
    return NETWORKS[name]()


def parameter_count(net):
    return sum(p.numel() for p in net.parameters())


def check_parameter_counts():
    """Raises unless every network has as many parameters as its hwnas twin; returns the counts."""
    counts = {}
    for name in NETWORKS:
        net = build(name)
        counts[name] = parameter_count(net)
        if counts[name] != HWNAS_PARAMETER_COUNTS[name]:
            raise AssertionError(f"{name}: PyTorch has {counts[name]} parameters, hwnas {HWNAS_PARAMETER_COUNTS[name]}")
        out = net(torch.zeros(2, 1, IMAGE_SIZE, IMAGE_SIZE))
        if tuple(out.shape) != (2, CLASSES):
            raise AssertionError(f"{name}: output shape {tuple(out.shape)}, expected (2, {CLASSES})")
    return counts


if __name__ == "__main__":
    for network, count in check_parameter_counts().items():
        print(f"{network}: {count} parameters, as in hwnas")
    sys.exit(0)
