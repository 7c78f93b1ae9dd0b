#!/usr/bin/env python3
"""The PyTorch reference evaluation that Shears' accuracy must reproduce.

Lists DIR/SPLIT (or DIR itself when it has no such folder) like the homework: the image
files (torchvision's extensions) in Python `sorted` order, label = the integer before the
first `_` of the name (food-11), none for other names (e.g. evaluation/0.jpg). Each image
goes through `PIL.Image.open(f).convert("RGB")` and torchvision's
`Resize(R) -> CenterCrop(C) -> ToTensor() -> Normalize(ImageNet mean, std)`; the model
(eval mode, float32) runs in batches and the prediction is the argmax of the logits.
Accuracy = correct / labelled images. Flat layout only (no class sub-folders).

    eval_torch.py examples/models/teacher.pt --data examples/fashion --json
    eval_torch.py examples/models/student.pt --data examples/fashion --split evaluation \
        --predictions out/student-evaluation.csv

As a library (prune_torch.py does this): list_split, decode, load_model, logits, predict, evaluate.
"""
import argparse
import csv
import json
import os
import sys

import torch
from PIL import Image
from torchvision import transforms

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models  # noqa: E402

MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]
IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")
BATCH = 250


def list_split(data, split):
    """(sorted file paths, labels with None for unlabelled names) of data/split, or of data
    when data/split is not a folder."""
    folder = os.path.join(data, split) if split and os.path.isdir(os.path.join(data, split)) else data
    names = sorted(n for n in os.listdir(folder)
                   if n.lower().endswith(IMG_EXTENSIONS) and not os.path.isdir(os.path.join(folder, n)))
    if not names:
        raise SystemExit(f"eval_torch: {folder}: no image files")

    def label(name):
        prefix, underscore, _ = name.partition("_")
        return int(prefix) if underscore and prefix.isascii() and prefix.isdigit() else None

    return [os.path.join(folder, n) for n in names], [label(n) for n in names]


def pipeline(resize, crop):
    """torchvision's eval preprocessing at the given sizes."""
    return transforms.Compose([
        transforms.Resize(resize), transforms.CenterCrop(crop),
        transforms.ToTensor(), transforms.Normalize(MEAN, STD),
    ])


def decode(paths, resize=36, crop=32):
    """All images as one float32 tensor [N, 3, crop, crop]."""
    transform = pipeline(resize, crop)
    out = torch.empty(len(paths), 3, crop, crop)
    for i, path in enumerate(paths):
        with open(path, "rb") as f:  # torchvision's pil_loader
            out[i] = transform(Image.open(f).convert("RGB"))
    return out


def load_model(checkpoint, arch=None):
    """A plain state_dict checkpoint as the example model (eval mode)."""
    state_dict = torch.load(checkpoint, map_location="cpu", weights_only=True)
    return models.from_state_dict(state_dict, arch)


@torch.no_grad()
def logits(model, images, batch=BATCH):
    """Logits [N, classes] (float32) of model.eval() over images in batches."""
    model.eval()
    return torch.cat([model(images[i:i + batch]) for i in range(0, len(images), batch)])


def predict(model, images, batch=BATCH):
    """Argmax predictions [N] (int64) of the logits."""
    return logits(model, images, batch).argmax(1)


def evaluate(model, images, labels):
    """{"accuracy", "correct", "images", "labelled"} and the predictions."""
    predictions = predict(model, images)
    pairs = [(p, l) for p, l in zip(predictions.tolist(), labels) if l is not None]
    correct = sum(p == l for p, l in pairs)
    result = {
        "accuracy": correct / len(pairs) if pairs else None,
        "correct": correct,
        "images": len(labels),
        "labelled": len(pairs),
    }
    return result, predictions


def write_predictions(path, paths, labels, predictions):
    """CSV: file (name only), label (empty when unlabelled), prediction."""
    with open(path, "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["file", "label", "prediction"])
        for p, l, q in zip(paths, labels, predictions.tolist()):
            writer.writerow([os.path.basename(p), "" if l is None else l, q])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoint", help="torch.save(model.state_dict()) file")
    parser.add_argument("--data", required=True, help="dataset folder (food-11 layout)")
    parser.add_argument("--split", default="validation")
    parser.add_argument("--resize", type=int, default=36)
    parser.add_argument("--crop", type=int, default=32)
    parser.add_argument("--arch", choices=["teacher", "student"], help="default: from the checkpoint's keys")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--predictions", help="write per-image predictions to this CSV")
    args = parser.parse_args()
    torch.set_num_threads(1)

    model = load_model(args.checkpoint, args.arch)
    paths, labels = list_split(args.data, args.split)
    result, predictions = evaluate(model, decode(paths, args.resize, args.crop), labels)
    if args.predictions:
        write_predictions(args.predictions, paths, labels, predictions)
    if args.json:
        record = {"checkpoint": args.checkpoint, "arch": models.architecture_of(model.state_dict()),
                  "data": args.data, "split": args.split, "resize": args.resize, "crop": args.crop}
        print(json.dumps({**record, **result}))
    elif result["accuracy"] is None:
        print(f"{result['images']} images, none labelled")
    else:
        print(f"accuracy {result['accuracy']:.4f} ({result['correct']}/{result['labelled']} labelled"
              f" of {result['images']} images)")


if __name__ == "__main__":
    main()
