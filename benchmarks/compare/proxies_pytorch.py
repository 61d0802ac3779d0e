#!/usr/bin/python3
"""Cost of zero-cost proxies per architecture: hwnas next to PyTorch.

Both sides score the built-in `mbconv` network, which is the ofa-fmnist
architecture r28|k3e3,k5e3|k3e4,k5e4,k7e4|k3e4,k5e4,k7e4|k5e6,k7e6
(pytorch_networks.py builds it layer for layer), with the same algorithm:

- Zen-score as the official Zen-NAS code computes it: Gaussian weights,
  residual adds off, BN in training mode, two forward passes per repeat;
- GradSign as its reference computes it in PyTorch: one forward and backward
  pass per sample, the signs of the conv and linear weight gradients summed.
  hwnas gets the same per-sample gradients from one batched pass;
- NASLib's set (synflow, naswot, jacov, snip, grad_norm, fisher, grasp) with
  the PyTorch functions of tests/golden/naslib_proxies.py, the reference the
  golden tests compare hwnas with. PyTorch's grasp takes the Hessian-gradient
  product by double backward in float32; hwnas by central differences of two
  more gradients in float64.

hwnas runs through `hwnas score ... --json`; the first architecture of its
run is a warm-up, the others are timed. Medians of --runs repetitions.

    /usr/bin/python3 benchmarks/compare/proxies_pytorch.py --threads 2
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, str(ROOT / "tests" / "golden"))
import naslib_proxies  # noqa: E402
import pytorch_networks  # noqa: E402

MBCONV_ARCH = {"space": "ofa-fmnist",
               "ks": [3, 5, 3, 3, 3, 5, 7, 3, 3, 5, 7, 3, 5, 7, 3, 3],
               "e": [3, 3, 3, 3, 4, 4, 4, 3, 4, 4, 4, 3, 6, 6, 3, 3],
               "d": [2, 3, 3, 2], "r": 28}


def median(values):
    values = sorted(values)
    n = len(values)
    return values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2


def zen_score(net, batch, repeats, gamma=0.01):
    for m in net.modules():
        if isinstance(m, pytorch_networks.MBConv):
            m.residual = False
    scores = []
    with torch.no_grad():
        net.train()
        for _ in range(repeats):
            for m in net.modules():
                if isinstance(m, (nn.Conv2d, nn.Linear)):
                    nn.init.normal_(m.weight)
                    if m.bias is not None:
                        nn.init.zeros_(m.bias)
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.ones_(m.weight)
                    nn.init.zeros_(m.bias)
            x = torch.randn(batch, 1, 28, 28)
            eps = torch.randn(batch, 1, 28, 28)
            features = nn.Sequential(*[m for name, m in net.named_children() if name not in ("pool", "flatten", "classifier")])
            delta = torch.sum(torch.abs(features(x) - features(x + gamma * eps)), dim=[1, 2, 3]).mean()
            score = torch.log(delta)
            for m in net.modules():
                if isinstance(m, nn.BatchNorm2d):
                    score += torch.log(torch.sqrt(torch.mean(m.running_var)))
            scores.append(float(score))
    return sum(scores) / len(scores)


def grad_sign(net, x, y):
    net.train()
    layers = [m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    grads = []
    for i in range(x.shape[0]):
        net.zero_grad()
        F.cross_entropy(net(x[[i]]), y[[i]]).backward()
        grads.append(torch.cat([m.weight.grad.flatten() for m in layers]))
    return float(torch.nansum(torch.abs(torch.sign(torch.stack(grads)).sum(0))))


def trained_mode(net):
    net.train()
    return net


# NASLib's proxies as the golden reference computes them: name -> f(net, x, y).
NASLIB = {
    "synflow": lambda net, x, y: naslib_proxies.synflow(net, x),
    "naswot": lambda net, x, y: naslib_proxies.naswot(net, x),
    "jacov": lambda net, x, y: naslib_proxies.jacov(net, x),
    "snip": lambda net, x, y: naslib_proxies.grad_norm_and_snip(net, x, y)[1],
    "grad_norm": lambda net, x, y: naslib_proxies.grad_norm_and_snip(net, x, y)[0],
    "fisher": naslib_proxies.fisher,
    "grasp": naslib_proxies.grasp,
}


def time_torch(fn, runs):
    fn()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return median(times)


def time_hwnas(hwnas, proxy, extra, runs, threads):
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for _ in range(runs + 1):
            f.write(json.dumps(MBCONV_ARCH) + "\n")
        archs = f.name
    try:
        out = subprocess.run([hwnas, "score", "--archs", archs, "--proxy", proxy, "--threads", str(threads), "--quiet",
                              *extra], check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(archs)
    times = [json.loads(line)["time_ms"][proxy] for line in out.splitlines()]
    return median(times[1:])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hwnas", default=str(ROOT / "build" / "app" / "hwnas"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--zen-batch", type=int, default=16)
    parser.add_argument("--zen-repeats", type=int, default=8)
    parser.add_argument("--gradsign-batch", type=int, default=64,
                        help="labelled images of the proxies that need data")
    parser.add_argument("--proxies", nargs="+", default=["zen", "gradsign", *NASLIB])
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(0)
    x = torch.randn(args.gradsign_batch, 1, 28, 28)
    y = torch.randint(0, 10, (args.gradsign_batch,))
    data = ["--data", "synthetic", "--data-batch", str(args.gradsign_batch)]

    def torch_proxy(name):
        if name == "zen":
            return lambda: zen_score(pytorch_networks.build("mbconv"), args.zen_batch, args.zen_repeats)
        if name == "gradsign":
            return lambda: grad_sign(pytorch_networks.build("mbconv"), x, y)
        return lambda: NASLIB[name](trained_mode(pytorch_networks.build("mbconv")), x, y)

    rows = []
    for name in args.proxies:
        extra = ["--batch", str(args.zen_batch), "--repeat", str(args.zen_repeats)] if name == "zen" else data
        try:
            torch_ms = time_torch(torch_proxy(name), args.runs)
        except RuntimeError as e:  # e.g. grasp: no double backward through hard sigmoid
            print(f"{name}: PyTorch fails: {str(e).splitlines()[0]}", file=sys.stderr)
            torch_ms = None
        rows.append((name, torch_ms, time_hwnas(args.hwnas, name, extra, args.runs, args.threads)))
    print(f"| proxy | PyTorch ms | hwnas ms | PyTorch / hwnas |  ({args.threads} threads)")
    print("|---|---:|---:|---:|")
    for name, torch_ms, hwnas_ms in rows:
        if torch_ms is None:
            print(f"| {name} | fails | {hwnas_ms:.1f} | - |")
        else:
            print(f"| {name} | {torch_ms:.1f} | {hwnas_ms:.1f} | {torch_ms / hwnas_ms:.2f} |")


if __name__ == "__main__":
    main()
