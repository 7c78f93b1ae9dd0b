"""Pruning-sweep parity: accuracies of `shears sweep` (a results.jsonl) against
scripts/example/prune_torch.py (torch.nn.utils.prune) on the same images, per method and
ratio. Prints a Markdown table. Usage:

    .venv-torch/bin/python scripts/verify/sweep_parity.py examples/models/teacher.pt \
        out/demo/teacher/results.jsonl --data examples/fashion --methods l1,global-l1
"""
import argparse
import json
import subprocess
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint")
    parser.add_argument("results")
    parser.add_argument("--data", required=True)
    parser.add_argument("--methods", default="l1,global-l1")
    args = parser.parse_args()
    shears = {}
    with open(args.results) as f:
        for line in f:
            r = json.loads(line)
            if r["kind"] == "prune" and r.get("step") is None:
                shears[(r["method"], round(r["ratio"], 6))] = r["correct"]
    print(f"| {args.checkpoint} method | ratio | PyTorch correct | Shears correct | equal |")
    print("|---|---|---|---|---|")
    for method in args.methods.split(","):
        ratios = sorted(ratio for (m, ratio) in shears if m == method)
        out = subprocess.run([sys.executable, "scripts/example/prune_torch.py", args.checkpoint, "--data", args.data,
                              "--method", method, "--ratios", ",".join(map(str, ratios)), "--json"],
                             check=True, capture_output=True, text=True).stdout
        for line in out.splitlines():
            r = json.loads(line)
            s = shears[(method, round(r["ratio"], 6))]
            print(f"| {method} | {r['ratio']:.1f} | {r['correct']} | {s} | {'yes' if s == r['correct'] else 'NO'} |")


if __name__ == "__main__":
    main()
