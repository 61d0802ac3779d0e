#!/usr/bin/env python3
"""How well the training-based and weight-sharing estimators rank ofa-fmnist
architectures, and what they cost (docs/accuracy-estimation.md).

The ground truth is the zero-shot study's (benchmarks/zero_shot/study.py
TRUTH): a seeded sample of architectures, each trained from scratch with one
recipe, with every zero-cost proxy's score. On the same architectures, in
the same order, this study runs (each stage resumable: a stage whose output
is complete is not redone):

- `net2net`: weight inheritance (`hwnas score --estimator net2net`): a root
  per resolution trained with the truth's recipe, every architecture
  inheriting from its nearest trained ancestor and fine-tuned briefly;
- `smash`: a SMASH hypernetwork trained once (`hwnas hypernet train`), then
  every architecture scored with generated weights;
- `supernet`, `predictor`: the shipped Once-for-All supernet and its
  accuracy predictor.

It joins everything with the truth in OUT/joined.jsonl, ranks each estimate
against the truth (`hwnas correlate`) and prints two markdown tables: rank
correlation and cost per architecture, and the cost of choosing the best of
the sample with each estimator against the true accuracy of its choice.
Only the Python standard library and the hwnas binary are needed:

    benchmarks/zero_shot/study.py TRUTH --stage train      # the truth, if not there yet
    benchmarks/accuracy_estimation/study.py OUT --truth TRUTH [--hwnas build/app/hwnas]
"""
import argparse
import json
import pathlib
import subprocess
import sys

PROXIES = ["zen", "gradsign", "synflow", "naswot", "jacov", "snip", "grad_norm", "fisher", "grasp",
           "params", "macs"]
# One-time costs measured in docs/once-for-all.md: training the shipped supernet (48 min), and scoring
# 1,000 subnets with it to fit the accuracy predictor (about 85 min).
SUPERNET_TRAINING_S = 48 * 60
PREDICTOR_FITTING_S = SUPERNET_TRAINING_S + 85 * 60


def run(cmd):
    return subprocess.run([str(c) for c in cmd], check=True, text=True, stdout=subprocess.PIPE).stdout


def read_jsonl(path):
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def write_atomically(path, text):
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def key(arch):
    return json.dumps(arch, sort_keys=True)


def median(values):
    v = sorted(values)
    return v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2


def scored(args, out, name, estimators, archs):
    """`hwnas score` of every architecture with `estimators`, in order, into OUT/<name>.jsonl (kept when complete)."""
    path = out / f"{name}.jsonl"
    rows = read_jsonl(path)
    if len(rows) == len(archs):
        return rows
    listing = out / "archs.jsonl"
    write_atomically(listing, "".join(json.dumps(a) + "\n" for a in archs))
    cmd = [args.hwnas, "score", "--archs", listing, "--threads", args.threads, "--proxy-seed", args.seed]
    for estimator in estimators:
        cmd += ["--estimator", json.dumps(estimator)]
    print(f"{name}: scoring {len(archs)} architectures", file=sys.stderr)
    text = run(cmd if args.progress else cmd + ["--quiet"])
    write_atomically(path, text)
    return read_jsonl(path)


def hypernet(args, out):
    """Trains the SMASH hypernetwork once (resumable); its training seconds."""
    directory = out / "hypernet"
    result_path = out / "hypernet-train.json"
    if not result_path.exists():
        print(f"smash: training the hypernetwork for {args.smash_epochs} epochs", file=sys.stderr)
        result = run([args.hwnas, "hypernet", "train", "--out", directory, "--epochs", args.smash_epochs,
                      "--train-subset", args.smash_subset, "--seed", args.seed, "--threads", args.threads,
                      "--json", "--quiet"])
        write_atomically(result_path, result)
    return directory, json.loads(result_path.read_text())


def join(truth, proxies, estimated):
    rows = []
    for t in truth:
        row = {"arch": t["arch"], "test_acc": t["test_acc"], "train_s": t["train_s"], "scores": {}, "time_ms": {}}
        for source in [proxies] + estimated:
            s = source[key(t["arch"])]
            row["scores"].update(s["scores"])
            row["time_ms"].update(s["time_ms"])
        rows.append(row)
    return rows


def report(args, out, rows, one_time_s):
    joined = out / "joined.jsonl"
    write_atomically(joined, "".join(json.dumps(r) + "\n" for r in rows))
    names = ["net2net", "smash", "supernet", "predictor"] + PROXIES
    result = json.loads(run([args.hwnas, "correlate", joined, "--truth", "test_acc", "--scores", ",".join(names),
                             "--bootstrap", "2000", "--json"]))
    write_atomically(out / "correlation.json", json.dumps(result, indent=1) + "\n")

    accs = [r["test_acc"] for r in rows]
    print(f"{len(rows)} architectures; trained-from-scratch test accuracy {min(accs):.4f} to {max(accs):.4f}; "
          f"scratch training {median([r['train_s'] for r in rows]):.0f} s per architecture (median)\n")
    print("| estimator | Kendall tau [95% interval] | Spearman rho [95% interval] | s per architecture (median) "
          "| one-time s |")
    print("|---|---|---|---|---|")
    for r in result["results"]:
        name = r["score"]
        per_arch = median([row["time_ms"][name] / 1e3 for row in rows])
        tau, rho = r["kendall_tau_95"], r["spearman_rho_95"]
        print(f"| {name} | {r['kendall_tau']:.3f} [{tau[0]:.3f}, {tau[1]:.3f}] | {r['spearman_rho']:.3f} "
              f"[{rho[0]:.3f}, {rho[1]:.3f}] | {per_arch:.3g} | {one_time_s.get(name, 0):.0f} |")

    # Choosing the best of the sample: the wall time to rank it, and the true accuracy of the choice.
    best = max(accs)
    order = sorted(accs, reverse=True)
    print(f"\nChoosing the best of the {len(rows)} (true best: {best:.4f}):\n")
    print("| estimator | wall s to rank all | true accuracy of its choice | its true rank |")
    print("|---|---|---|---|")
    print(f"| scratch (the truth) | {sum(r['train_s'] for r in rows):.0f} | {best:.4f} | 1 |")
    for name in names:
        valid = [r for r in rows if r["scores"].get(name) is not None]
        choice = max(valid, key=lambda r: r["scores"][name])
        wall = one_time_s.get(name, 0) + sum(r["time_ms"][name] for r in rows) / 1e3
        print(f"| {name} | {wall:.0f} | {choice['test_acc']:.4f} | {order.index(choice['test_acc']) + 1} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--truth", type=pathlib.Path, required=True,
                        help="output directory of benchmarks/zero_shot/study.py (trained.jsonl, scores.jsonl)")
    parser.add_argument("--hwnas", default="build/app/hwnas")
    parser.add_argument("--seed", type=int, default=2026, help="the truth's seed: split, roots, estimators")
    parser.add_argument("--root-epochs", type=int, default=3, help="net2net roots: the truth's recipe")
    parser.add_argument("--root-subset", type=int, default=8000)
    parser.add_argument("--fine-tune-subset", type=int, default=2000, help="net2net: images per fine-tuning")
    parser.add_argument("--smash-epochs", type=int, default=2)
    parser.add_argument("--smash-subset", type=int, default=0, help="hypernetwork training images (0: all)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--progress", action="store_true", help="progress bars on stderr")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    truth = read_jsonl(args.truth / "trained.jsonl")
    proxies = {key(r["arch"]): r for r in read_jsonl(args.truth / "scores.jsonl")}
    truth = [t for t in truth if key(t["arch"]) in proxies]
    archs = [t["arch"] for t in truth]

    net2net = scored(args, args.out, "net2net", [{
        "name": "net2net",
        "root": {"epochs": args.root_epochs, "train_subset": args.root_subset},
        "fine_tune": {"epochs": 1, "train_subset": args.fine_tune_subset, "lr": 0.02}}], archs)
    directory, trained = hypernet(args, args.out)
    smash = scored(args, args.out, "smash", [{"name": "smash", "dir": str(directory)}], archs)
    ofa = scored(args, args.out, "ofa", [{"name": "supernet"}, {"name": "ofa-predictor"}], archs)

    rows = join(truth, proxies, [{key(r["arch"]): r for r in source} for source in (net2net, smash, ofa)])
    one_time = {"smash": trained["time_s"], "supernet": SUPERNET_TRAINING_S, "predictor": PREDICTOR_FITTING_S}
    report(args, args.out, rows, one_time)


if __name__ == "__main__":
    main()
