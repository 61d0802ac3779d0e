#!/usr/bin/python3
"""Trains a built-in network on Fashion-MNIST in PyTorch with the recipe of
`hwnas train` (and examples/train_mbconv.cpp), for the accuracy and speed
comparison in docs/benchmarks.md.

Recipe, as in hwnas: 55,000 / 5,000 seeded train / validation split, images
standardised with the training split's mean and standard deviation; the
network initialised as hwnas does (conv: Kaiming normal, fan_out, gain
sqrt(2); linear: normal(0, 0.01); biases 0; BN 1 / 0); SGD with Nesterov
momentum 0.9, weight decay 5e-5 on conv and linear weights only; learning
rate 0.1 with a per-step cosine decay to 0; label smoothing 0.1; batch 128,
last incomplete batch dropped; 3 epochs.

    /usr/bin/python3 benchmarks/compare/train_pytorch.py --model mbconv --threads 2
"""

import argparse
import gzip
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pytorch_networks  # noqa: E402


def fashion_mnist_dir():
    env = os.environ.get("HWNAS_DATA_DIR")
    for d in ([env, os.path.join(env, "fashion-mnist")] if env else []) + ["/usr/share/datasets/fashion-mnist"]:
        if os.path.exists(os.path.join(d, "train-images-idx3-ubyte.gz")):
            return d
    sys.exit("Fashion-MNIST not found: apt-get install dataset-fashion-mnist, or set HWNAS_DATA_DIR")


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(split):
    d = fashion_mnist_dir()
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(os.path.join(d, f"{prefix}-images-idx3-ubyte.gz")).astype(np.float32) / 255.0
    labels = read_idx(os.path.join(d, f"{prefix}-labels-idx1-ubyte.gz")).astype(np.int64)
    return torch.from_numpy(images).unsqueeze(1), torch.from_numpy(labels)


def init_like_hwnas(net):
    for m in net.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0.0, 0.01)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)


def accuracy(net, images, labels, batch=500):
    net.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(labels), batch):
            correct += (net(images[i:i + batch]).argmax(1) == labels[i:i + batch]).sum().item()
    net.train()
    return correct / len(labels)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="mbconv", choices=sorted(pytorch_networks.NETWORKS))
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--weight-decay", type=float, default=5e-5)
    parser.add_argument("--label-smoothing", type=float, default=0.1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print the result as one JSON document")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    images, labels = load("train")
    test_images, test_labels = load("test")
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(args.seed))
    val_idx, train_idx = order[:5000], order[5000:]
    mean, std = images[train_idx].mean().item(), images[train_idx].std().item()
    norm = lambda x: (x - mean) / std  # noqa: E731
    train_x, train_y = norm(images[train_idx]), labels[train_idx]
    val_x, val_y = norm(images[val_idx]), labels[val_idx]
    test_x = norm(test_images)

    net = pytorch_networks.build(args.model)
    init_like_hwnas(net)
    decay = [p for n, p in net.named_parameters() if p.dim() > 1]
    no_decay = [p for n, p in net.named_parameters() if p.dim() <= 1]
    sgd = torch.optim.SGD([{"params": decay, "weight_decay": args.weight_decay},
                           {"params": no_decay, "weight_decay": 0.0}],
                          lr=args.lr, momentum=0.9, nesterov=True)
    steps_per_epoch = len(train_y) // args.batch_size
    total = args.epochs * steps_per_epoch
    step = 0
    start = time.perf_counter()
    history = []
    for epoch in range(args.epochs):
        epoch_start = time.perf_counter()
        perm = torch.randperm(len(train_y))
        for b in range(steps_per_epoch):
            idx = perm[b * args.batch_size:(b + 1) * args.batch_size]
            for group in sgd.param_groups:
                group["lr"] = 0.5 * args.lr * (1 + math.cos(math.pi * step / total))
            loss = F.cross_entropy(net(train_x[idx]), train_y[idx], label_smoothing=args.label_smoothing)
            sgd.zero_grad()
            loss.backward()
            sgd.step()
            step += 1
        seconds = time.perf_counter() - epoch_start
        history.append({"epoch": epoch, "val_acc": accuracy(net, val_x, val_y), "seconds": seconds,
                        "images_per_second": steps_per_epoch * args.batch_size / seconds})
        print(f"epoch {epoch + 1}/{args.epochs}  val_acc {history[-1]['val_acc']:.4f}  "
              f"{history[-1]['images_per_second']:.0f} img/s", file=sys.stderr)
    result = {"arch": args.model, "framework": f"pytorch {torch.__version__}", "threads": args.threads,
              "test_acc": accuracy(net, test_x, test_labels), "val_acc": history[-1]["val_acc"],
              "epochs": args.epochs, "time_s": time.perf_counter() - start, "history": history}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{args.model} (PyTorch): test accuracy {result['test_acc']:.4f}, validation accuracy "
              f"{result['val_acc']:.4f} after {args.epochs} epochs in {result['time_s']:.1f} s")


if __name__ == "__main__":
    main()
