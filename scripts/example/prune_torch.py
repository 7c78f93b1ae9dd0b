#!/usr/bin/env python3
"""The PyTorch reference pruning sweep that Shears' prune numbers must reproduce.

For each ratio, a fresh copy of the checkpoint is pruned with torch.nn.utils.prune and
evaluated with eval_torch (images decoded once):
  l1         prune.l1_unstructured(m, "weight", amount=ratio) on every Conv2d and Linear;
  global-l1  prune.global_unstructured(all Conv2d and Linear weights, L1Unstructured, amount=ratio);
  ln         prune.ln_structured(m, "weight", amount=ratio, n=2, dim=0) on every Conv2d
             (output channels; depthwise convs included), Linear untouched.
With --iterative STEP --steps K it instead prunes one model K times by STEP of what remains
(torch's PruningContainer composition), giving points after 0..K steps at nominal ratio
1 - (1 - STEP)^k. Each point is one JSON line (--json) or one table row: method, ratio,
step (iterative only), accuracy, correct, images, nonzero_parameters (of all parameters, the
masked weights counted as pruned), parameters. Masks and biases are not made permanent;
BatchNorm is untouched.

    prune_torch.py examples/models/teacher.pt --data examples/fashion --method l1 --ratios 0,0.5,0.9 --json
    prune_torch.py examples/models/teacher.pt --data examples/fashion --method l1 --iterative 0.05 --steps 20 --json
"""
import argparse
import json
import os
import sys

import torch
from torch import nn
from torch.nn.utils import prune

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import eval_torch  # noqa: E402

DEFAULT_RATIOS = "0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9"


def prunable(model, types):
    return [m for m in model.modules() if isinstance(m, types)]


def apply(model, method, amount):
    """Prunes model in place by amount (a fraction, of what remains if already pruned)."""
    amount = float(amount)  # torch reads an int as a count of weights
    if method == "l1":
        for m in prunable(model, (nn.Conv2d, nn.Linear)):
            prune.l1_unstructured(m, "weight", amount=amount)
    elif method == "global-l1":
        parameters = [(m, "weight") for m in prunable(model, (nn.Conv2d, nn.Linear))]
        prune.global_unstructured(parameters, pruning_method=prune.L1Unstructured, amount=amount)
    elif method == "ln":
        for m in prunable(model, nn.Conv2d):
            prune.ln_structured(m, "weight", amount=amount, n=2, dim=0)
    else:
        raise ValueError(f"unknown method {method!r}")


def nonzero_parameters(model):
    """(nonzero, total) over every parameter, pruned weights read through their masks."""
    nonzero = total = 0
    for module in model.modules():
        for name, parameter in module.named_parameters(recurse=False):
            value = getattr(module, name[:-len("_orig")]) if name.endswith("_orig") else parameter
            nonzero += int(torch.count_nonzero(value))
            total += value.numel()
    return nonzero, total


def point(model, images, labels, method, ratio, step=None):
    result, _ = eval_torch.evaluate(model, images, labels)
    nonzero, total = nonzero_parameters(model)
    record = {"method": method, "ratio": ratio}
    if step is not None:
        record["step"] = step
    return {**record, **result, "nonzero_parameters": nonzero, "parameters": total}


def emit(record, as_json):
    if as_json:
        print(json.dumps(record), flush=True)
    else:
        step = f" step {record['step']:>3}" if "step" in record else ""
        print(f"{record['method']:>9} ratio {record['ratio']:.4f}{step}  accuracy {record['accuracy']:.4f}"
              f" ({record['correct']}/{record['labelled']})  nonzero {record['nonzero_parameters']:,}"
              f" of {record['parameters']:,}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoint")
    parser.add_argument("--data", required=True)
    parser.add_argument("--split", default="validation")
    parser.add_argument("--resize", type=int, default=36)
    parser.add_argument("--crop", type=int, default=32)
    parser.add_argument("--arch", choices=["teacher", "student"])
    parser.add_argument("--method", choices=["l1", "global-l1", "ln"], default="l1")
    parser.add_argument("--ratios", default=DEFAULT_RATIOS, help="comma-separated fractions in [0, 1]")
    parser.add_argument("--iterative", type=float, metavar="STEP", help="prune STEP of what remains, --steps times")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--json", action="store_true", help="JSON lines on stdout")
    args = parser.parse_args()
    torch.set_num_threads(1)

    ratios = [float(r) for r in args.ratios.split(",")]
    if any(not 0 <= r <= 1 for r in ratios) or (args.iterative is not None and not 0 <= args.iterative <= 1):
        parser.error("ratios must lie in [0, 1]")
    paths, labels = eval_torch.list_split(args.data, args.split)
    if all(label is None for label in labels):
        parser.error(f"{args.data} ({args.split}): no labelled images")
    images = eval_torch.decode(paths, args.resize, args.crop)

    if args.iterative is not None:
        model = eval_torch.load_model(args.checkpoint, args.arch)
        emit(point(model, images, labels, args.method, 0.0, step=0), args.json)
        for step in range(1, args.steps + 1):
            apply(model, args.method, args.iterative)
            ratio = round(1 - (1 - args.iterative) ** step, 12)
            emit(point(model, images, labels, args.method, ratio, step=step), args.json)
    else:
        for ratio in ratios:
            model = eval_torch.load_model(args.checkpoint, args.arch)
            apply(model, args.method, ratio)
            emit(point(model, images, labels, args.method, ratio), args.json)


if __name__ == "__main__":
    main()
