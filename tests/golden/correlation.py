#!/usr/bin/env python3
"""Reference values for hwnas's rank correlations (estimate/correlation.hpp).

Kendall's tau-b and Spearman's rho computed directly from their definitions
(every pair for tau-b; average ranks for ties), the conventions of
scipy.stats.kendalltau and scipy.stats.spearmanr. Needs only the standard
library. Regenerate from the repository root:

    python3 tests/golden/correlation.py
"""
import json
import math
import pathlib
import random

OUT = pathlib.Path(__file__).resolve().parent / "data" / "correlation.json"


def tau_b(x, y):
    concordant_minus_discordant = 0
    x_untied = 0
    y_untied = 0
    for i in range(len(x)):
        for j in range(i + 1, len(x)):
            dx = (x[i] > x[j]) - (x[i] < x[j])
            dy = (y[i] > y[j]) - (y[i] < y[j])
            concordant_minus_discordant += dx * dy
            x_untied += dx != 0
            y_untied += dy != 0
    if x_untied == 0 or y_untied == 0:
        return None
    return concordant_minus_discordant / math.sqrt(x_untied * y_untied)


def ranks(v):
    order = sorted(range(len(v)), key=lambda i: v[i])
    r = [0.0] * len(v)
    start = 0
    while start < len(order):
        end = start + 1
        while end < len(order) and v[order[end]] == v[order[start]]:
            end += 1
        for i in range(start, end):
            r[order[i]] = (start + end - 1) / 2 + 1
        start = end
    return r


def rho(x, y):
    rx, ry = ranks(x), ranks(y)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    sxx = sum((a - mx) ** 2 for a in rx)
    syy = sum((b - my) ** 2 for b in ry)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def main():
    rng = random.Random(7)
    cases = [
        ("no_ties", [rng.random() for _ in range(40)], None),
        ("ties_in_both", [rng.randint(0, 5) for _ in range(60)], [rng.randint(0, 4) for _ in range(60)]),
        ("joint_ties", [1, 1, 2, 2, 3, 3, 3, 4], [5, 5, 1, 2, 3, 3, 0, 9]),
        ("reversed", list(range(10)), list(range(10, 0, -1))),
        ("two_pairs", [0.5, 0.25], [1.0, 2.0]),
        ("constant_y", [1, 2, 3, 4], [7, 7, 7, 7]),
        ("large", [rng.randint(0, 50) for _ in range(500)], None),
    ]
    out = []
    for name, x, y in cases:
        if y is None:
            y = [xi + rng.gauss(0, 0.3) for xi in x]
        out.append({"name": name, "x": x, "y": y, "kendall_tau": tau_b(x, y), "spearman_rho": rho(x, y)})
    OUT.write_text("[\n" + ",\n".join(json.dumps(case) for case in out) + "\n]\n")


if __name__ == "__main__":
    main()
