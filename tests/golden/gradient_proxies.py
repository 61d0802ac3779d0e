#!/usr/bin/python3
"""Reference grad_norm and snip values for tests/estimate/test_gradient_proxies.cpp,
computed as zero-cost-nas does (network in training mode, one cross-entropy
backward pass; grad_norm = sum over conv/linear layers of ||dL/dW||_2,
snip = sum of |W * dL/dW| via a mask of ones), in float64.

Regenerate (Debian: apt-get install python3-torch) from the repository root:

    /usr/bin/python3 tests/golden/gradient_proxies.py
"""
import json
import pathlib

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = pathlib.Path(__file__).resolve().parent / "data" / "gradient_proxies.json"
torch.manual_seed(47)
torch.set_default_dtype(torch.float64)


def main():
    net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(),
                        nn.Conv2d(4, 6, 3, stride=2, padding=1, bias=True), nn.BatchNorm2d(6), nn.ReLU(),
                        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6, 3))
    # Values rounded to float32 so that hwnas sees exactly the same numbers.
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.randn_like(p).float().double())
    x = torch.randn(5, 1, 8, 8).float().double()
    y = torch.tensor([0, 2, 1, 2, 0])
    net.train()
    layers = [m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    masks = [torch.ones_like(m.weight, requires_grad=True) for m in layers]
    originals = [m.weight.detach().clone() for m in layers]

    def forward(inp):
        h = inp
        for m in net:
            if isinstance(m, nn.Conv2d):
                i = layers.index(m)
                h = F.conv2d(h, originals[i] * masks[i], m.bias, m.stride, m.padding)
            elif isinstance(m, nn.Linear):
                i = layers.index(m)
                h = F.linear(h, originals[i] * masks[i], m.bias)
            else:
                h = m(h)
        return h

    F.cross_entropy(forward(x), y).backward()
    snip = sum(float(m.grad.abs().sum()) for m in masks)
    net.zero_grad()
    F.cross_entropy(net(x), y).backward()
    grad_norm = sum(float(m.weight.grad.norm()) for m in layers)
    params = {name: {"shape": list(p.shape), "values": [float(v) for v in p.detach().flatten().tolist()]}
              for name, p in net.named_parameters()}
    OUT.write_text(json.dumps({
        "parameters": params,
        "x": {"shape": list(x.shape), "values": [float(v) for v in x.flatten().tolist()]},
        "labels": y.tolist(),
        "grad_norm": grad_norm,
        "snip": snip,
    }) + "\n")


if __name__ == "__main__":
    main()
