#!/usr/bin/env python3
"""How well each zero-cost proxy ranks ofa-fmnist architectures by accuracy.

Three stages, each resumable (work already in OUT is kept, not redone):

1. sample N architectures of ofa-fmnist with a fixed seed (`hwnas score --sample`);
2. train each from scratch briefly on Fashion-MNIST (`hwnas train --arch`:
   a seeded subset, a few epochs, same recipe for all) and record its test
   accuracy in OUT/trained.jsonl, one line per architecture as it finishes;
3. score every trained architecture with every proxy (`hwnas score --archs`,
   kept in OUT/scores.jsonl), join the scores with the accuracies in
   OUT/joined.jsonl, and print the rank correlations (`hwnas correlate`) as
   a markdown table.

Only the Python standard library and the hwnas binary are needed:

    benchmarks/zero_shot/study.py OUT [--hwnas build/app/hwnas] [--n 60] [--threads 1]
"""
import argparse
import json
import pathlib
import subprocess
import sys

PROXIES = ["zen", "gradsign", "synflow", "naswot", "jacov", "snip", "grad_norm", "fisher", "grasp",
           "params", "macs"]


def run(cmd):
    return subprocess.run(cmd, check=True, text=True, stdout=subprocess.PIPE).stdout


def read_jsonl(path):
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def key(arch):
    return json.dumps(arch, sort_keys=True)


def sample(args, out):
    path = out / "archs.jsonl"
    if not path.exists():
        lines = run([args.hwnas, "score", "--space", "ofa-fmnist", "--sample", str(args.n), "--seed",
                     str(args.seed), "--proxy", "params", "--quiet"]).splitlines()
        tmp = path.with_suffix(".tmp")
        tmp.write_text("".join(json.dumps(json.loads(line)["arch"]) + "\n" for line in lines))
        tmp.replace(path)
    return read_jsonl(path)[:args.n]


def train(args, out, archs):
    path = out / "trained.jsonl"
    done = {key(r["arch"]) for r in read_jsonl(path)}
    for i, arch in enumerate(archs):
        if key(arch) in done:
            continue
        result = json.loads(run([args.hwnas, "train", "--arch", json.dumps(arch), "--epochs", str(args.epochs),
                                 "--train-subset", str(args.subset), "--seed", str(args.seed),
                                 "--threads", str(args.threads), "--json", "--quiet"]))
        row = {"arch": arch, "test_acc": result["test_acc"], "val_acc": result["val_acc"],
               "status": result["status"], "train_s": result["time_s"]}
        with path.open("a") as f:
            f.write(json.dumps(row) + "\n")
        print(f"[{i + 1}/{len(archs)}] test_acc {row['test_acc']:.4f} in {row['train_s']:.0f} s", file=sys.stderr)
    return read_jsonl(path)


def score(args, out, trained):
    """Scores the trained architectures not scored yet (OUT/scores.jsonl), then joins."""
    scores_path = out / "scores.jsonl"
    scored = {key(r["arch"]): r for r in read_jsonl(scores_path)}
    todo = [r["arch"] for r in trained if key(r["arch"]) not in scored]
    if todo:
        archs = out / "to_score.jsonl"
        archs.write_text("".join(json.dumps(arch) + "\n" for arch in todo))
        # Zen-score as the official standalone scorer runs it: batch 16, 32 repeats.
        new = run([args.hwnas, "score", "--archs", str(archs), "--proxy", ",".join(PROXIES), "--batch", "16",
                   "--repeat", "32", "--data-batch", "64", "--threads", str(args.threads), "--quiet"])
        with scores_path.open("a") as f:
            f.write(new)
        scored.update({key(r["arch"]): r for r in read_jsonl(scores_path)})
    rows = []
    for t in trained:
        s = scored[key(t["arch"])]
        rows.append({"arch": t["arch"], "test_acc": t["test_acc"], "scores": s["scores"], "time_ms": s["time_ms"]})
    path = out / "joined.jsonl"
    tmp = path.with_suffix(".tmp")
    tmp.write_text("".join(json.dumps(r) + "\n" for r in rows))
    tmp.replace(path)
    return rows


def report(args, out, rows):
    result = json.loads(run([args.hwnas, "correlate", str(out / "joined.jsonl"), "--truth", "test_acc",
                             "--scores", ",".join(PROXIES), "--bootstrap", "2000", "--json"]))
    (out / "correlation.json").write_text(json.dumps(result, indent=1) + "\n")

    def median(values):
        v = sorted(values)
        return v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2

    print(f"{len(rows)} architectures; test accuracy {min(r['test_acc'] for r in rows):.4f} to "
          f"{max(r['test_acc'] for r in rows):.4f}\n")
    print("| proxy | Kendall tau [95% interval] | Spearman rho [95% interval] | median ms / arch |")
    print("|---|---|---|---|")
    for r in result["results"]:
        name = r["score"]
        ms = median([row["time_ms"][name] for row in rows])
        tau, rho = r["kendall_tau_95"], r["spearman_rho_95"]
        print(f"| {name} | {r['kendall_tau']:.3f} [{tau[0]:.3f}, {tau[1]:.3f}] | "
              f"{r['spearman_rho']:.3f} [{rho[0]:.3f}, {rho[1]:.3f}] | {ms:.2f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--hwnas", default="build/app/hwnas")
    parser.add_argument("--n", type=int, default=60, help="architectures sampled")
    parser.add_argument("--seed", type=int, default=2026, help="seeds the sample and the training")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--subset", type=int, default=8000, help="training images per architecture")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--stage", choices=["train", "score", "all"], default="all",
                        help="'train' only trains; 'score' scores what is trained so far, without training more")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    archs = sample(args, args.out)
    trained = read_jsonl(args.out / "trained.jsonl") if args.stage == "score" else train(args, args.out, archs)
    if args.stage != "train":
        report(args, args.out, score(args, args.out, trained))


if __name__ == "__main__":
    main()
