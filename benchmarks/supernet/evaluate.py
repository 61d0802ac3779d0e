#!/usr/bin/env python3
"""Measures the shipped Once-for-All supernet of ofa-fmnist, or another (--supernet DIR), as
docs/once-for-all.md reports:

- `predictor`: the accuracy predictor (`hwnas supernet predict`) against
  measured accuracy (`hwnas supernet eval`) on --held-out seeded subnets it
  was not fitted on: RMSE in accuracy points, Kendall tau (`hwnas
  correlate`, with a bootstrap interval), and OUT/predictor-scatter.svg.
- `tradeoff`: the best subnet that evolution finds within each latency
  budget (`hwnas search`: layer-wise latency table, OFA's evolution with
  --evaluations candidates), ranked by the accuracy predictor and, for
  comparison, by the zero-cost Zen-score; each best is then tested with the
  supernet's weights on the Fashion-MNIST test images and its latency
  measured. Prints the table and draws OUT/tradeoff.svg.
- `scratch`: the largest, the smallest and --random seeded subnets trained
  from scratch for --epochs (default: the recipe's total) against the same
  subnets with inherited weights, both on the held-out images.

Every step resumes from what OUT already holds. Only the Python standard
library and the hwnas binary are needed:

    benchmarks/supernet/evaluate.py {predictor,tradeoff,scratch} OUT [--hwnas build/app/hwnas] [--supernet DIR]
"""
import argparse
import json
import math
import pathlib
import subprocess

SUPERNET = pathlib.Path(__file__).resolve().parents[2] / "data" / "supernet" / "ofa-fmnist"


def run(cmd):
    return subprocess.run([str(c) for c in cmd], check=True, text=True, stdout=subprocess.PIPE).stdout


def lines(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def key(arch):
    return json.dumps(arch, sort_keys=True)


def append_scored(hwnas, supernet, archs, path):
    """`hwnas supernet eval` of those `archs` that `path` does not hold yet, appended to it; all of its lines."""
    done = {key(r["arch"]) for r in lines(path.read_text())} if path.exists() else set()
    todo = [a for a in archs if key(a) not in done]
    if todo:
        pending = path.with_suffix(".todo.jsonl")
        pending.write_text("".join(json.dumps(a) + "\n" for a in todo))
        with path.open("a") as out:
            subprocess.run([str(hwnas), "supernet", "eval", "--supernet", str(supernet), "--archs", str(pending)],
                           check=True, text=True, stdout=out)
        pending.unlink()
    return lines(path.read_text())


def sampled(hwnas, count, seed):
    return [r["arch"] for r in lines(run([hwnas, "info", "--json", "--space", "ofa-fmnist", "--sample", count,
                                          "--seed", seed]))]


def svg_plot(path, title, x_label, y_label, series, diagonal=False):
    """Points (and lines through them where asked) of `series`: (name, colour, [(x, y)], joined)."""
    width, height, pad = 560, 420, 64
    xs = [x for _, _, points, _ in series for x, _ in points]
    ys = [y for _, _, points, _ in series for _, y in points]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(ys), max(ys)
    if diagonal:
        x0 = y0 = min(x0, y0)
        x1 = y1 = max(x1, y1)
    x0, x1 = x0 - 0.05 * (x1 - x0), x1 + 0.05 * (x1 - x0)
    y0, y1 = y0 - 0.05 * (y1 - y0), y1 + 0.05 * (y1 - y0)
    px = lambda v: pad + (width - 1.5 * pad) * (v - x0) / (x1 - x0)  # noqa: E731
    py = lambda v: height - pad - (height - 1.5 * pad) * (v - y0) / (y1 - y0)  # noqa: E731
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
           f'font-size="12"><rect width="100%" height="100%" fill="white"/>',
           f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="14">{title}</text>',
           f'<line x1="{px(x0)}" y1="{py(y0)}" x2="{px(x1)}" y2="{py(y0)}" stroke="black"/>',
           f'<line x1="{px(x0)}" y1="{py(y0)}" x2="{px(x0)}" y2="{py(y1)}" stroke="black"/>',
           f'<text x="{width / 2}" y="{height - 18}" text-anchor="middle">{x_label}</text>',
           f'<text x="16" y="{height / 2}" text-anchor="middle" transform="rotate(-90 16 {height / 2})">'
           f'{y_label}</text>']
    if diagonal:
        out.append(f'<line x1="{px(x0)}" y1="{py(x0)}" x2="{px(x1)}" y2="{py(x1)}" stroke="#aaa"/>')
    for low, high, to_pixel, axis in ((x0, x1, px, "x"), (y0, y1, py, "y")):
        step = 10 ** math.floor(math.log10((high - low) / 2))
        if (high - low) / step < 4:
            step /= 2
        tick = math.ceil(low / step) * step
        while tick <= high:
            label = f"{tick:.{max(0, -math.floor(math.log10(step)))}f}"
            if axis == "x":
                out.append(f'<text x="{to_pixel(tick):.1f}" y="{py(y0) + 16}" text-anchor="middle">{label}</text>')
            else:
                out.append(f'<text x="{px(x0) - 6}" y="{to_pixel(tick) + 4:.1f}" text-anchor="end">{label}</text>')
            tick += step
    for i, (name, colour, points, joined) in enumerate(series):
        if joined:
            path_points = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in sorted(points))
            out.append(f'<polyline points="{path_points}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
        radius = 4 if joined else 2.2
        out += [f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="{radius}" fill="{colour}" fill-opacity="0.7"/>'
                for x, y in points]
        out.append(f'<circle cx="{pad + 12}" cy="{pad + 4 + 18 * i}" r="4" fill="{colour}"/>'
                   f'<text x="{pad + 22}" y="{pad + 8 + 18 * i}">{name}</text>')
    path.write_text("\n".join(out + ["</svg>"]) + "\n")


def predictor(args):
    held_out = args.out / "held_out.jsonl"
    scored = append_scored(args.hwnas, args.supernet, sampled(args.hwnas, args.held_out, args.seed), held_out)
    estimates = {key(r["arch"]): r["predicted_acc"]
                 for r in lines(run([args.hwnas, "supernet", "predict", "--predictor", args.predictor, "--archs",
                                     held_out]))}
    measured = [r["val_acc"] for r in scored]
    predicted = [estimates[key(r["arch"])] for r in scored]
    both = args.out / "predicted.jsonl"
    both.write_text("".join(json.dumps({"arch": r["arch"], "val_acc": m, "predicted_acc": p}) + "\n"
                            for r, m, p in zip(scored, measured, predicted)))
    rmse = math.sqrt(sum((p - m) ** 2 for p, m in zip(predicted, measured)) / len(measured))
    spread = math.sqrt(sum((m - sum(measured) / len(measured)) ** 2 for m in measured) / len(measured))
    tau = json.loads(run([args.hwnas, "correlate", both, "--truth", "val_acc", "--scores", "predicted_acc",
                          "--json"]))
    result = {"held_out": len(measured), "rmse_points": 100 * rmse, "spread_points": 100 * spread,
              "kendall": tau}
    (args.out / "predictor.json").write_text(json.dumps(result, indent=1) + "\n")
    svg_plot(args.out / "predictor-scatter.svg", f"accuracy predictor on {len(measured)} held-out subnets",
             "measured accuracy (%)", "predicted accuracy (%)",
             [("subnets", "#1f77b4", [(100 * m, 100 * p) for m, p in zip(measured, predicted)], False)],
             diagonal=True)
    print(json.dumps(result, indent=1))


def tradeoff(args):
    rows = []
    candidates = {"ofa-predictor": args.evaluations, "zen": args.zen_evaluations}
    for budget in args.budgets:
        for estimator in args.rankers:
            evaluations = candidates[estimator]
            out = args.out / f"{estimator}-{budget:g}ms"
            summary = out / "summary.json"
            if not summary.exists():
                text = run([args.hwnas, "search", "--quiet", "--json", "--estimator", estimator, "--latency-budget-ms",
                            budget, "--budget-evals", evaluations, "--out", out])
                summary.write_text(text)
            # The best of either ranking is tested with the supernet's weights (the search's default for ofa-fmnist).
            best = json.loads(summary.read_text())["best"]
            rows.append({"budget_ms": budget, "estimator": estimator, "evaluations": evaluations,
                         "estimate": best["accuracy"], "arch": best["arch"], **best["final"]})
    (args.out / "tradeoff.json").write_text(json.dumps(rows, indent=1) + "\n")
    colours = {"ofa-predictor": "#d62728", "zen": "#7f7f7f"}
    names = {"ofa-predictor": "accuracy predictor", "zen": "Zen-score"}
    svg_plot(args.out / "tradeoff.svg", "ofa-fmnist: best subnet per latency budget", "measured latency (ms)",
             "test accuracy (%), supernet weights",
             [(names[e], colours[e], [(r["measured_ms"], 100 * r["test_acc"]) for r in rows if r["estimator"] == e],
               True) for e in args.rankers])
    print("| budget (ms) | ranked by | candidates | test accuracy | measured (ms) | table (ms) |")
    print("|---:|---|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['budget_ms']:g} | {names[r['estimator']]} | {r['evaluations']} | {100 * r['test_acc']:.2f} % | "
              f"{r['measured_ms']:.3f} | {r['predicted_ms']:.3f} |")


def scratch(args):
    recipe = json.loads((args.supernet / "recipe.json").read_text())
    epochs = args.epochs or math.ceil(sum(p["epochs"] for p in recipe["phases"]))
    smallest = {"space": "ofa-fmnist", "ks": [3] * 16, "e": [3] * 16, "d": [2] * 4, "r": 20}
    largest = {"space": "ofa-fmnist", "ks": [7] * 16, "e": [6] * 16, "d": [4] * 4, "r": 32}
    archs = [largest, smallest] + sampled(args.hwnas, args.random, args.seed)
    inherited = {key(r["arch"]): r["val_acc"]
                 for r in append_scored(args.hwnas, args.supernet, archs, args.out / "inherited.jsonl")}
    trained_path = args.out / f"scratch-{epochs}-epochs.jsonl"
    trained = {key(r["arch"]): r for r in lines(trained_path.read_text())} if trained_path.exists() else {}
    # The largest, by far the slowest, trains last; a killed training continues from its checkpoint.
    for i, arch in sorted(enumerate(archs), key=lambda pair: pair[0] == 0):
        if key(arch) in trained:
            continue
        checkpoint = args.out / f"scratch-{epochs}-epochs-{i}.state"
        result = json.loads(run([args.hwnas, "train", "--quiet", "--json", "--arch", json.dumps(arch), "--epochs",
                                 epochs, "--val-size", recipe["validation_size"], "--seed", recipe["seed"],
                                 "--checkpoint", checkpoint, "--checkpoint-every", 100, "--resume"]))
        line = {"arch": arch, "val_acc": result["val_acc"], "test_acc": result["test_acc"], "time_s": result["time_s"]}
        with trained_path.open("a") as out:
            out.write(json.dumps(line) + "\n")
        checkpoint.unlink(missing_ok=True)
        trained[key(arch)] = line
    print(f"{len(archs)} subnets, from scratch for {epochs} epochs; accuracy on the "
          f"{recipe['validation_size']} held-out images\n")
    print("| subnet | inherited | from scratch | difference |")
    print("|---|---:|---:|---:|")
    differences = []
    for i, arch in enumerate(archs):
        a, b = inherited[key(arch)], trained[key(arch)]["val_acc"]
        differences.append(a - b)
        name = ["largest", "smallest"][i] if i < 2 else f"random {i - 1}"
        print(f"| {name} | {100 * a:.2f} % | {100 * b:.2f} % | {100 * (a - b):+.2f} |")
    print(f"| mean | | | {100 * sum(differences) / len(differences):+.2f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=["predictor", "tradeoff", "scratch"])
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--hwnas", default="build/app/hwnas")
    parser.add_argument("--supernet", type=pathlib.Path, default=SUPERNET,
                        help="supernet directory the predictor and scratch steps score (default: the shipped one)")
    parser.add_argument("--predictor", default="auto", help="accuracy predictor file (auto: the shipped one)")
    parser.add_argument("--held-out", type=int, default=200, help="subnets the predictor is judged on")
    parser.add_argument("--seed", type=int, default=1, help="seeds the held-out and random subnets")
    parser.add_argument("--budgets", type=lambda s: [float(b) for b in s.split(",")],
                        default=[0.3, 0.35, 0.4, 0.5, 0.65], help="latency budgets in ms, comma-separated")
    parser.add_argument("--evaluations", type=int, default=50000, help="OFA: a population of 100 for 500 generations")
    parser.add_argument("--zen-evaluations", type=int, default=3000)
    parser.add_argument("--rankers", type=lambda s: s.split(","), default=["ofa-predictor", "zen"],
                        help="estimators the searches rank candidates by: ofa-predictor, zen")
    parser.add_argument("--random", type=int, default=10, help="random subnets trained from scratch")
    parser.add_argument("--epochs", type=int, default=None, help="from-scratch epochs (default: the recipe's total)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    {"predictor": predictor, "tradeoff": tradeoff, "scratch": scratch}[args.step](args)


if __name__ == "__main__":
    main()
