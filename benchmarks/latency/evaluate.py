#!/usr/bin/env python3
"""Builds this machine's latency table and MLP predictor for a space, then
judges both on held-out architectures against a MACs-linear baseline.

1. `hwnas profile`: the layer-wise table, data/lut/<space>-<device>.json;
2. `hwnas fit-latency`: measures --samples seeded architectures (1 thread,
   20 timed runs each), trains the MLP on 80%, holds out 10% (data/lut/
   <space>-<device>-mlp.json and -measured.jsonl);
3. predicts the held-out architectures with the table (`hwnas latency --lut`)
   and with a least-squares line in MACs fitted on the training measurements;
4. prints RMSE, relative RMSE and the share within +-10% of the measured
   median for the three (the nn-Meter convention) and draws OUT/latency-scatter.svg.

Every step resumes: the table and the measurements are kept as they grow.
Only the Python standard library and the hwnas binary are needed:

    benchmarks/latency/evaluate.py OUT [--hwnas build/app/hwnas] [--space ofa-fmnist] [--samples 2000]
"""
import argparse
import json
import math
import pathlib
import subprocess


def run(cmd):
    return subprocess.run(cmd, check=True, text=True, stdout=subprocess.PIPE).stdout


def lines(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def key(arch):
    return json.dumps(arch, sort_keys=True)


def metrics(predicted, measured):
    n = len(measured)
    rmse = math.sqrt(sum((p - m) ** 2 for p, m in zip(predicted, measured)) / n)
    within = sum(abs(p - m) <= 0.1 * m for p, m in zip(predicted, measured)) / n
    return {"n": n, "rmse_ms": rmse, "relative_rmse": rmse / (sum(measured) / n), "within_10_percent": within}


def scatter(path, series, measured):
    """Predicted against measured latency, one colour per predictor, with y = x and the +-10% band."""
    size, pad = 520, 60
    top = max(max(measured), *(max(p) for _, p, _ in series)) * 1.05
    x = lambda v: pad + (size - 2 * pad) * v / top  # noqa: E731
    y = lambda v: size - pad - (size - 2 * pad) * v / top  # noqa: E731
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" font-family="sans-serif" '
           f'font-size="12"><rect width="100%" height="100%" fill="white"/>',
           f'<polygon points="{x(0)},{y(0)} {x(top)},{y(top * 1.1)} {x(top)},{y(top * 0.9)}" fill="#eee"/>',
           f'<line x1="{x(0)}" y1="{y(0)}" x2="{x(top)}" y2="{y(top)}" stroke="#888"/>',
           f'<line x1="{x(0)}" y1="{y(0)}" x2="{x(top)}" y2="{y(0)}" stroke="black"/>',
           f'<line x1="{x(0)}" y1="{y(0)}" x2="{x(0)}" y2="{y(top)}" stroke="black"/>',
           f'<text x="{size / 2}" y="{size - 20}" text-anchor="middle">measured latency (ms)</text>',
           f'<text x="18" y="{size / 2}" text-anchor="middle" transform="rotate(-90 18 {size / 2})">'
           f'predicted latency (ms)</text>']
    step = 10 ** math.floor(math.log10(top / 2))
    tick = 0.0
    while tick <= top:
        out.append(f'<text x="{x(tick)}" y="{y(0) + 16}" text-anchor="middle">{tick:g}</text>')
        out.append(f'<text x="{x(0) - 6}" y="{y(tick) + 4}" text-anchor="end">{tick:g}</text>')
        tick += step
    for i, (name, predicted, colour) in enumerate(series):
        out += [f'<circle cx="{x(m):.1f}" cy="{y(p):.1f}" r="2.2" fill="{colour}" fill-opacity="0.6"/>'
                for m, p in zip(measured, predicted)]
        out.append(f'<circle cx="{pad + 12}" cy="{pad + 14 + 18 * i}" r="4" fill="{colour}"/>'
                   f'<text x="{pad + 22}" y="{pad + 18 + 18 * i}">{name}</text>')
    out.append(f'<text x="{pad + 12}" y="{pad + 14 + 18 * len(series)}" fill="#666">grey band: within +-10%</text>')
    path.write_text("\n".join(out + ["</svg>"]) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--hwnas", default="build/app/hwnas")
    parser.add_argument("--space", default="ofa-fmnist")
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    table = json.loads(run([args.hwnas, "profile", "--space", args.space, "--json"]))["table"]
    held_out_path = args.out / "held_out.jsonl"
    fitted = json.loads(run([args.hwnas, "fit-latency", "--space", args.space, "--samples", str(args.samples),
                             "--seed", str(args.seed), "--held-out", str(held_out_path), "--json"]))
    held = lines(held_out_path.read_text())
    lut = {key(r["arch"]): r["lut_ms"] for r in lines(run([args.hwnas, "latency", "--archs", str(held_out_path),
                                                               "--lut", table]))}
    # The MACs line is fitted on every measured architecture that is not held out.
    held_keys = {key(r["arch"]) for r in held}
    train = [r for r in lines(pathlib.Path(fitted["measurements"]).read_text()) if key(r["arch"]) not in held_keys]
    info = {key(r["arch"]): r["macs"] for r in lines(run([args.hwnas, "info", "--json", "--archs",
                                                            fitted["measurements"]]))}
    xs = [info[key(r["arch"])] for r in train]
    ys = [r["measured_ms"] for r in train]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((a - mx) * (b - my) for a, b in zip(xs, ys)) / sum((a - mx) ** 2 for a in xs)
    intercept = my - slope * mx

    measured = [r["measured_ms"] for r in held]
    series = [("layer-wise table", [lut[key(r["arch"])] for r in held], "#1f77b4"),
              ("MLP predictor", [r["mlp_ms"] for r in held], "#d62728"),
              ("MACs, linear fit", [intercept + slope * r["macs"] for r in held], "#7f7f7f")]
    results = {name: metrics(predicted, measured) for name, predicted, _ in series}
    (args.out / "latency.json").write_text(json.dumps({"device": fitted["device"], "table": table,
                                                       "model": fitted["model"], "results": results}, indent=1))
    scatter(args.out / "latency-scatter.svg", series, measured)
    print(f"{len(held)} held-out {args.space} architectures on {fitted['device']['id']}; "
          f"measured {min(measured):.3f} to {max(measured):.3f} ms\n")
    print("| predictor | RMSE (ms) | relative RMSE | within +-10% |")
    print("|---|---:|---:|---:|")
    for name, m in results.items():
        print(f"| {name} | {m['rmse_ms']:.4f} | {100 * m['relative_rmse']:.1f}% | {100 * m['within_10_percent']:.1f}% |")


if __name__ == "__main__":
    main()
