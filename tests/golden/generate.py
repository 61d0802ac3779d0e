#!/usr/bin/env python3
"""Reference values for hwnas's golden tests, computed with PyTorch in float64.

Regenerate (Debian: apt-get install python3-torch) from the repository root:

    /usr/bin/python3 tests/golden/generate.py

Every case stores its inputs, a fixed upstream gradient `grad_out`, the
forward output and the gradients of sum(output * grad_out) with respect to
every input, as flat row-major lists with their shapes. The C++ tests read
these files; they never run Python.
"""
import json
import pathlib

import torch
import torch.nn.functional as F

OUT = pathlib.Path(__file__).resolve().parent / "data"
torch.manual_seed(2024)
torch.set_default_dtype(torch.float64)


def tensor_json(t):
    t = t.detach().contiguous()
    return {"shape": list(t.shape), "values": [float(v) for v in t.flatten().tolist()]}


def rand(*shape):
    return torch.randn(*shape, requires_grad=True)


def backward_case(name, inputs, forward, **extra):
    """Runs forward on the named inputs, back-propagates a random grad_out."""
    out = forward(**inputs)
    grad_out = torch.randn_like(out)
    (out * grad_out).sum().backward()
    case = {
        "name": name,
        "inputs": {k: tensor_json(v) for k, v in inputs.items()},
        "grad_out": tensor_json(grad_out),
        "output": tensor_json(out),
        "grads": {k: tensor_json(v.grad) for k, v in inputs.items() if v.grad is not None},
    }
    case.update(extra)
    return case


def conv_cases():
    cases = []
    geometries = [
        # name, N, C, H, O, k, stride, padding, groups, bias
        ("conv3x3_pad1", 2, 3, 7, 4, 3, 1, 1, 1, True),
        ("conv3x3_stride2", 2, 3, 8, 5, 3, 2, 1, 1, False),
        ("conv1x1", 2, 6, 5, 4, 1, 1, 0, 1, False),
        ("conv_grouped", 1, 4, 6, 6, 3, 1, 1, 2, True),
        ("depthwise3", 2, 4, 7, 4, 3, 1, 1, 4, False),
        ("depthwise5", 2, 4, 9, 4, 5, 1, 2, 4, False),
        ("depthwise7", 1, 3, 9, 3, 7, 1, 3, 3, False),
        ("depthwise5_stride2", 2, 4, 9, 4, 5, 2, 2, 4, False),
    ]
    for name, n, c, h, o, k, s, p, g, bias in geometries:
        inputs = {"x": rand(n, c, h, h), "weight": rand(o, c // g, k, k)}
        if bias:
            inputs["bias"] = rand(o)
        cases.append(backward_case(
            name, inputs,
            lambda x, weight, bias=None, s=s, p=p, g=g: F.conv2d(x, weight, bias, stride=s, padding=p, groups=g),
            stride=s, padding=p, groups=g))
    return cases


def batch_norm_cases():
    cases = []
    for training in (True, False):
        running_mean = torch.randn(4) * 0.3
        running_var = torch.rand(4) + 0.5
        before = {"running_mean": tensor_json(running_mean), "running_var": tensor_json(running_var)}
        inputs = {"x": rand(3, 4, 5, 5), "gamma": rand(4), "beta": rand(4)}

        def forward(x, gamma, beta):
            return F.batch_norm(x, running_mean, running_var, gamma, beta, training=training,
                                momentum=0.1, eps=1e-5)

        case = backward_case("batch_norm_train" if training else "batch_norm_eval", inputs, forward,
                             training=training, momentum=0.1, eps=1e-5, running_before=before)
        case["running_after"] = {"running_mean": tensor_json(running_mean), "running_var": tensor_json(running_var)}
        cases.append(case)
    return cases


def resize_cases():
    cases = []
    for h_in, w_in, h_out, w_out in [(7, 7, 5, 5), (7, 6, 9, 11), (28, 28, 20, 20), (28, 28, 32, 32), (5, 5, 5, 5)]:
        inputs = {"x": rand(1, 2, h_in, w_in)}
        cases.append(backward_case(
            f"resize_{h_in}x{w_in}_to_{h_out}x{w_out}", inputs,
            lambda x, h=h_out, w=w_out: F.interpolate(x, size=(h, w), mode="bilinear", align_corners=False),
            size=[h_out, w_out]))
    return cases


def cross_entropy_cases():
    cases = []
    for smoothing in (0.0, 0.1):
        logits = torch.randn(6, 10) * 3
        logits.requires_grad_(True)
        labels = torch.randint(0, 10, (6,))
        case = backward_case(f"cross_entropy_smoothing{smoothing}", {"logits": logits},
                             lambda logits: F.cross_entropy(logits, labels, label_smoothing=smoothing),
                             labels=labels.tolist(), label_smoothing=smoothing)
        cases.append(case)
    return cases


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    suites = {"conv": conv_cases(), "batch_norm": batch_norm_cases(), "resize": resize_cases(),
              "cross_entropy": cross_entropy_cases()}
    for suite, cases in suites.items():
        meta = {"generator": "tests/golden/generate.py", "torch": torch.__version__, "dtype": "float64"}
        (OUT / f"{suite}.json").write_text(json.dumps({"meta": meta, "cases": cases}, indent=None) + "\n")
        print(f"wrote {OUT / (suite + '.json')}: {len(cases)} cases")


if __name__ == "__main__":
    main()
