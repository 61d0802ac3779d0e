#!/usr/bin/python3
"""Reference values of NASLib's zero-cost proxies for tests/estimate/test_naslib_proxies.cpp.

Two small networks ("plain": conv-BN-ReLU twice, pooling, linear; "mobile":
conv-BN-ReLU6, depthwise conv-BN-hardswish, biased 1x1 conv-BN-ReLU, pooling,
linear) with fixed weights and a fixed labelled batch, in float64, each proxy
computed as NASLib / zero-cost-nas define it, with PyTorch's autograd:

- grad_norm, snip: one cross-entropy backward pass in training mode;
- fisher: per conv/linear output a, 0.5 * mean over samples of
  (sum over positions of a * dL/da)^2, summed over channels and layers;
- grasp: -w * (H g) with H g from double backward (create_graph);
- synflow: BN removed, float64, |parameters|, ones input, log of sum |w * dR/dw|;
- naswot: log|det K| of the ReLU/ReLU6 input codes' agreement kernel;
- jacov: eigenvalues of the correlation of d(sum out)/d(input) rows.

benchmarks/compare/proxies_pytorch.py times these same functions.

Regenerate (Debian: apt-get install python3-torch) from the repository root:

    /usr/bin/python3 tests/golden/naslib_proxies.py
"""
import copy
import json
import math
import pathlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = pathlib.Path(__file__).resolve().parent / "data" / "naslib_proxies.json"


def plain():
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(),
                         nn.Conv2d(4, 6, 3, stride=2, padding=1, bias=True), nn.BatchNorm2d(6), nn.ReLU(),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6, 3))


def mobile():
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU6(),
                         nn.Conv2d(4, 4, 3, stride=2, padding=1, groups=4, bias=False), nn.BatchNorm2d(4),
                         nn.Hardswish(), nn.Conv2d(4, 5, 1, bias=True), nn.BatchNorm2d(5), nn.ReLU(),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(5, 3))


def weight_layers(net):
    return [m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]


def grad_norm_and_snip(net, x, y):
    net.zero_grad()
    F.cross_entropy(net(x), y).backward()
    layers = weight_layers(net)
    grad_norm = sum(float(m.weight.grad.norm()) for m in layers)
    snip = sum(float((m.weight * m.weight.grad).abs().sum()) for m in layers)
    return grad_norm, snip


def fisher(net, x, y):
    outputs = []

    def keep(module, inputs, output):
        output.retain_grad()
        outputs.append(output)

    hooks = [m.register_forward_hook(keep) for m in weight_layers(net)]
    net.zero_grad()
    F.cross_entropy(net(x), y).backward()
    for h in hooks:
        h.remove()
    total = 0.0
    for a in outputs:
        g = a.grad
        per_channel = (a * g).sum(dim=tuple(range(2, a.dim()))) if a.dim() > 2 else a * g
        total += float(per_channel.pow(2).mean(0).mul(0.5).sum())
    return total


def grasp(net, x, y):
    weights = [m.weight for m in weight_layers(net)]
    g = torch.autograd.grad(F.cross_entropy(net(x), y), weights)
    grad_f = torch.autograd.grad(F.cross_entropy(net(x), y), weights, create_graph=True)
    z = sum((gw.detach() * gf).sum() for gw, gf in zip(g, grad_f))
    hg = torch.autograd.grad(z, weights)
    return float(sum((-w * h).sum() for w, h in zip(weights, hg)))


def synflow(net, x):
    net = copy.deepcopy(net).double()
    for name, m in list(net.named_modules()):
        for child_name, child in m.named_children():
            if isinstance(child, nn.BatchNorm2d):
                setattr(m, child_name, nn.Identity())
    with torch.no_grad():
        for p in net.parameters():
            p.abs_()
    net.zero_grad()
    net(torch.ones((1,) + tuple(x.shape[1:]), dtype=torch.float64)).sum().backward()
    return math.log(sum(float((m.weight * m.weight.grad).abs().sum()) for m in weight_layers(net)))


def naswot(net, x):
    n = x.shape[0]
    kernel = np.zeros((n, n))

    def code(module, inputs, output):
        nonlocal kernel
        c = (inputs[0].reshape(n, -1) > 0).float()
        kernel += (c @ c.t() + (1 - c) @ (1 - c).t()).numpy()

    hooks = [m.register_forward_hook(code) for m in net.modules() if isinstance(m, (nn.ReLU, nn.ReLU6))]
    with torch.no_grad():
        net(x)
    for h in hooks:
        h.remove()
    return float(np.linalg.slogdet(kernel)[1])


def jacov(net, x):
    x = x.clone().requires_grad_(True)
    out = net(x)
    out.backward(torch.ones_like(out))
    jacobian = x.grad.reshape(x.shape[0], -1).numpy()
    v = np.linalg.eigvalsh(np.corrcoef(jacobian))
    return float(-np.sum(np.log(v + 1e-5) + 1.0 / (v + 1e-5)))


def case(name, build, seed):
    torch.manual_seed(seed)
    net = build()
    # Values rounded to float32 so that hwnas sees exactly the same numbers.
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.randn_like(p).float().double())
    x = torch.randn(6, 1, 8, 8).float().double()
    y = torch.tensor([0, 2, 1, 2, 0, 1])
    net.train()
    grad_norm, snip = grad_norm_and_snip(net, x, y)
    scores = {"grad_norm": grad_norm, "snip": snip, "fisher": fisher(net, x, y), "grasp": grasp(net, x, y),
              "synflow": synflow(net, x), "naswot": naswot(net, x), "jacov": jacov(net, x)}
    return {
        "network": name,
        "parameters": {n: {"shape": list(p.shape), "values": p.detach().flatten().tolist()}
                       for n, p in net.named_parameters()},
        "x": {"shape": list(x.shape), "values": x.flatten().tolist()},
        "labels": y.tolist(),
        "scores": scores,
    }


def main():
    torch.set_default_dtype(torch.float64)
    cases = [case("plain", plain, 47), case("mobile", mobile, 48)]
    OUT.write_text(json.dumps({"cases": cases}) + "\n")


if __name__ == "__main__":
    main()
