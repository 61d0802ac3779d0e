#!/usr/bin/python3
"""Reference Zen-scores for tests/estimate/test_zen_score.cpp, computed the way
the official Zen-NAS code does (compute_zen_score.py), in float64.

A small network (conv 1->4 + BN + ReLU, conv 4->6 stride 2 with bias + BN + ReLU,
then global pooling) is scored for two repeats. Each repeat draws new N(0, 1)
conv weights (biases 0) and inputs; the BN running statistics carry over
between repeats as in the official code. The weights and inputs are stored so
the C++ test scores exactly the same numbers. The "batch_variance" variant
resets the running statistics before each repeat and uses momentum 1.

Regenerate (Debian: apt-get install python3-torch) from the repository root:

    /usr/bin/python3 tests/golden/zen_score.py
"""
import json
import math
import pathlib

import torch
import torch.nn as nn

OUT = pathlib.Path(__file__).resolve().parent / "data" / "zen_score.json"
torch.manual_seed(31)
torch.set_default_dtype(torch.float64)


def network():
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(),
                         nn.Conv2d(4, 6, 3, stride=2, padding=1, bias=True), nn.BatchNorm2d(6), nn.ReLU())


def flat(t):
    return [float(v) for v in t.detach().flatten().tolist()]


def score(net, x, eps, gamma, batch_variance):
    bns = [m for m in net.modules() if isinstance(m, nn.BatchNorm2d)]
    if batch_variance:
        for bn in bns:
            bn.reset_running_stats()
            bn.momentum = 1.0
    with torch.no_grad():
        net.train()
        delta = torch.sum(torch.abs(net(x) - net(x + gamma * eps)), dim=[1, 2, 3]).mean()
        result = math.log(float(delta))
        for bn in bns:
            result += math.log(math.sqrt(float(torch.mean(bn.running_var))))
    for bn in bns:
        bn.momentum = 0.1
    return result


def main():
    gamma = 0.01
    repeats = []
    for _ in range(2):
        # Values rounded to float32 so that hwnas sees exactly the same inputs.
        repeats.append({
            "0.weight": torch.randn(4, 1, 3, 3).float().double(),
            "3.weight": torch.randn(6, 4, 3, 3).float().double(),
            "x": torch.randn(5, 1, 8, 8).float().double(),
            "eps": torch.randn(5, 1, 8, 8).float().double(),
        })
    cases = []
    for batch_variance in (False, True):
        net = network()
        scores = []
        for r in repeats:
            with torch.no_grad():
                net[0].weight.copy_(r["0.weight"])
                net[3].weight.copy_(r["3.weight"])
                net[3].bias.zero_()
            scores.append(score(net, r["x"], r["eps"], gamma, batch_variance))
        cases.append({"batch_variance": batch_variance, "scores": scores})
    data = {
        "gamma": gamma,
        "repeats": [{k: {"shape": list(v.shape), "values": flat(v)} for k, v in r.items()} for r in repeats],
        "cases": cases,
    }
    OUT.write_text(json.dumps(data) + "\n")


if __name__ == "__main__":
    main()
