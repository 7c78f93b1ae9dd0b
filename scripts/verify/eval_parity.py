"""Accuracy parity of `shears predict`/`eval` with PyTorch on a labelled folder.

For each checkpoint: PyTorch logits (scripts/example/eval_torch.py: PIL + torchvision,
model.eval(), float32) and Shears' logits (`shears predict --logits`), compared image by image.
A checkpoint `X.onnx`, `X.legacy.onnx` or `X.module.pt` (the architecture fixtures) is
compared with the whole-module pickle `X.module.pt`, loaded in PyTorch with torch.load(weights_only=False):
only for files you made yourself, as Tests/Fixtures/architectures' are.
Prints one Markdown table row per checkpoint: images, PyTorch accuracy, Shears accuracy,
identical predictions, largest absolute logit difference. Usage:

    .venv-torch/bin/python scripts/verify/eval_parity.py examples/models/teacher.pt \
        examples/models/student.pt --data out/fashion-full --shears .build/release/shears
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "example"))
import eval_torch  # noqa: E402


def torch_model(checkpoint):
    """The PyTorch model a Shears input stands for (see the module docstring)."""
    for suffix in [".legacy.onnx", ".onnx", ".module.pt"]:
        if checkpoint.endswith(suffix):
            stem = checkpoint[:-len(suffix)]
            break
    else:
        return eval_torch.load_model(checkpoint)
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures"))
    import _zoo  # noqa: F401 (the pickles name its classes)
    return torch.load(stem + ".module.pt", map_location="cpu", weights_only=False).eval()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoints", nargs="+")
    parser.add_argument("--data", required=True)
    parser.add_argument("--split", default="validation")
    parser.add_argument("--resize", type=int, default=36)
    parser.add_argument("--crop", type=int, default=32)
    parser.add_argument("--shears", default=".build/release/shears")
    args = parser.parse_args()
    paths, labels = eval_torch.list_split(args.data, args.split)
    images = eval_torch.decode(paths, args.resize, args.crop)
    print("| checkpoint | images | PyTorch accuracy | Shears accuracy | identical predictions | max abs logit diff |")
    print("|---|---|---|---|---|---|")
    for checkpoint in args.checkpoints:
        torch_logits = eval_torch.logits(torch_model(checkpoint), images)
        torch_predictions = torch_logits.argmax(1).tolist()
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "predictions.csv")
            subprocess.run([args.shears, "predict", checkpoint, "--data", args.data, "--split", args.split,
                            "--resize", str(args.resize), "--crop", str(args.crop), "--logits", "-o", out],
                           check=True)
            with open(out) as f:
                shears = {row["Id"]: row for row in csv.DictReader(f)}
        rows = [shears[os.path.splitext(os.path.basename(p))[0]] for p in paths]
        shears_predictions = [int(row["Category"]) for row in rows]
        width = torch_logits.shape[1]
        shears_logits = torch.tensor([[float(row[f"logit_{j}"]) for j in range(width)] for row in rows])
        diff = (shears_logits - torch_logits).abs().max().item()
        n = len(paths)
        torch_correct = sum(p == l for p, l in zip(torch_predictions, labels))
        shears_correct = sum(p == l for p, l in zip(shears_predictions, labels))
        same = sum(a == b for a, b in zip(torch_predictions, shears_predictions))
        print(f"| {checkpoint} | {n} | {torch_correct / n:.4f} | {shears_correct / n:.4f} | {same} / {n} ({100 * same / n:.2f}%) | {diff:.1e} |")


if __name__ == "__main__":
    main()
