"""Side-by-side speed of hwnas and PyTorch (CPU) on the built-in networks.

For each network (mbconv, resnet) and thread count (1, 2) it times, in both
libraries, a training step (forward, cross entropy, backward, SGD with
momentum 0.9) at batch 64 and 256 and a batch-1 inference pass (eval mode,
no gradient recording). PyTorch runs in one subprocess per thread count
(torch.set_num_threads(T), torch.set_num_interop_threads(1)); hwnas runs
through `hwnas bench ... --json`. Prints a markdown table; `--json OUT`
writes the raw numbers. See README.md beside this file.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent

NETWORKS = ("mbconv", "resnet")
THREADS = (1, 2)
TRAIN_BATCHES = (64, 256)
INFER_BATCHES = (1,)


def workloads():
    """(mode, batch) pairs in table order."""
    return [("train", b) for b in TRAIN_BATCHES] + [("infer", b) for b in INFER_BATCHES]


def summarise(times_ms):
    ordered = sorted(times_ms)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return {"median_ms": statistics.median(ordered), "p90_ms": p90}


# ---- PyTorch side (runs inside a worker subprocess) ----


def torch_measure(network, mode, batch, iters, warmup):
    import torch

    import pytorch_networks

    torch.manual_seed(0)
    net = pytorch_networks.build(network)
    x = torch.rand(batch, 1, pytorch_networks.IMAGE_SIZE, pytorch_networks.IMAGE_SIZE) * 2 - 1
    if mode == "train":
        net.train()
        labels = torch.arange(batch) % pytorch_networks.CLASSES
        sgd = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)

        def step():
            sgd.zero_grad(set_to_none=True)
            loss = torch.nn.functional.cross_entropy(net(x), labels)
            loss.backward()
            sgd.step()

    else:
        net.eval()

        def step():
            with torch.no_grad():
                net(x)

    for _ in range(warmup):
        step()
    times = []
    for _ in range(iters):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1e3)
    return summarise(times)


def torch_worker(args):
    import torch

    sys.path.insert(0, str(HERE))
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    results = []
    for network in args.networks:
        for mode, batch in workloads():
            result = {"arch": network, "mode": mode, "batch": batch, "threads": args.threads}
            result.update(torch_measure(network, mode, batch, iters_for(args, mode), args.warmup))
            results.append(result)
    json.dump(results, sys.stdout)


def run_torch(args, threads):
    command = [sys.executable, __file__, "--torch-worker", "--threads", str(threads), "--iters", str(args.iters),
               "--warmup", str(args.warmup), "--infer-iters", str(args.infer_iters), "--networks", *args.networks]
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


# ---- hwnas side ----


def iters_for(args, mode):
    return args.infer_iters if mode == "infer" else args.iters


def run_hwnas(args, network, mode, batch, threads):
    command = [str(args.hwnas), "bench", "--model", network, "--mode", mode, "--batch", str(batch), "--threads",
               str(threads), "--iters", str(iters_for(args, mode)), "--warmup", str(args.warmup), "--json"]
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


# ---- report ----


def table(rows):
    lines = [
        "| network | threads | batch | mode | torch median ms | hwnas median ms | torch/hwnas |",
        "|---|---:|---:|---|---:|---:|---:|",
    ]
    for r in rows:
        ratio = r["torch"]["median_ms"] / r["hwnas"]["median_ms"]
        lines.append(f"| {r['network']} | {r['threads']} | {r['batch']} | {r['mode']} | "
                     f"{r['torch']['median_ms']:.3f} | {r['hwnas']['median_ms']:.3f} | {ratio:.2f} |")
    return "\n".join(lines)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hwnas", type=Path, default=REPO / "build" / "app" / "hwnas",
                        help="the hwnas command-line tool (default: %(default)s)")
    parser.add_argument("--networks", nargs="+", choices=NETWORKS, default=list(NETWORKS))
    parser.add_argument("--threads", type=int, nargs="+", default=list(THREADS),
                        help="thread counts to compare (worker mode: the one thread count)")
    parser.add_argument("--iters", type=int, default=30, help="timed training steps per measurement")
    parser.add_argument("--infer-iters", type=int, default=300, help="timed inference passes per measurement")
    parser.add_argument("--warmup", type=int, default=5, help="untimed iterations before each measurement")
    parser.add_argument("--json", type=Path, help="write the raw numbers here")
    parser.add_argument("--torch-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.torch_worker:
        args.threads = args.threads[0]
    return args


def main():
    args = parse_args()
    if args.torch_worker:
        torch_worker(args)
        return 0
    if not os.access(args.hwnas, os.X_OK):
        print(f"hwnas tool not found at {args.hwnas}: build the `hwnas` target or pass --hwnas PATH", file=sys.stderr)
        return 2
    rows = []
    for threads in args.threads:
        torch_results = {(r["arch"], r["mode"], r["batch"]): r for r in run_torch(args, threads)}
        for network in args.networks:
            for mode, batch in workloads():
                rows.append({
                    "network": network,
                    "threads": threads,
                    "batch": batch,
                    "mode": mode,
                    "torch": torch_results[(network, mode, batch)],
                    "hwnas": run_hwnas(args, network, mode, batch, threads),
                })
    rows.sort(key=lambda r: (args.networks.index(r["network"]), r["threads"], r["mode"] != "train", r["batch"]))
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
