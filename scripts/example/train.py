#!/usr/bin/env python3
"""Trains the bundled example's teacher and student on Fashion-MNIST JPEGs (CPU, minutes).

1. Writes the JPEG folders it needs into the ignored out/ (with make_dataset.py):
   out/fashion-train/training (all 60,000 train images) and out/fashion-full/validation
   (all 10,000 t10k images); reuses them when present.
2. Decodes every training image once with eval_torch's pipeline (Resize(36), CenterCrop(32),
   ToTensor, Normalize(ImageNet)) into one tensor; the only augmentation is a random
   horizontal flip of the 32x32 tensor.
3. Teacher: cross-entropy, Adam, one-cycle learning rate. Student: knowledge distillation
   from the teacher with the homework's loss_fn_kd (teacher logits of the unflipped and
   flipped images computed once, in eval mode).
4. Saves examples/models/{teacher,student}.pt as plain `model.state_dict()` (torch.save,
   zip format) and writes examples/models/README.md with the accuracies eval_torch measures
   on examples/fashion (committed 1000) and out/fashion-full (all 10,000).
Seeded, but CPU float summation order may vary between machines: reruns are close, not
bit-identical. Not a general trainer.

    train.py [--teacher-epochs 8] [--student-epochs 10] [--seed 0]
"""
import argparse
import os
import subprocess
import sys
import time

import torch
from torch import nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import eval_torch  # noqa: E402
import models  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
TRAIN_DIR = os.path.join(ROOT, "out", "fashion-train")
FULL_DIR = os.path.join(ROOT, "out", "fashion-full")
EXAMPLE_DIR = os.path.join(ROOT, "examples", "fashion")
MODEL_DIR = os.path.join(ROOT, "examples", "models")
BATCH = 128


def loss_fn_kd(student_logits, labels, teacher_logits, alpha=0.5, temperature=1.0):
    """The homework's distillation loss (seed 000): alpha * T^2 * KL(teacher || student at T)
    + (1 - alpha) * cross-entropy."""
    kl_loss = nn.KLDivLoss(reduction="batchmean", log_target=True)
    ce_loss = nn.CrossEntropyLoss()
    p = F.log_softmax(student_logits / temperature, dim=1)
    q = F.log_softmax(teacher_logits / temperature, dim=1)
    return alpha * (temperature ** 2) * kl_loss(p, q) + (1 - alpha) * ce_loss(student_logits, labels)


def ensure_dataset(folder, split, arguments):
    if not os.path.isdir(os.path.join(folder, split)):
        subprocess.run([sys.executable, os.path.join(HERE, "make_dataset.py"), "--out", folder, *arguments],
                       check=True)


def load_split(folder, split):
    paths, labels = eval_torch.list_split(folder, split)
    started = time.time()
    images = eval_torch.decode(paths)
    print(f"train: decoded {len(paths)} images of {folder}/{split} in {time.time() - started:.0f}s", file=sys.stderr)
    return images, labels


def train(model, images, labels, epochs, lr, generator, teacher_logits=None, kd=None, check=None):
    """Adam + OneCycleLR over shuffled batches with random horizontal flips. With
    teacher_logits ([2, N, classes]: unflipped, flipped) the loss is loss_fn_kd(**kd)."""
    targets = torch.tensor(labels)
    steps = (len(images) + BATCH - 1) // BATCH
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=epochs * steps)
    for epoch in range(epochs):
        model.train()
        started, total = time.time(), 0.0
        order = torch.randperm(len(images), generator=generator)
        for i in range(0, len(images), BATCH):
            index = order[i:i + BATCH]
            flip = torch.rand(len(index), generator=generator) < 0.5
            x = images[index]
            x[flip] = x[flip].flip(3)
            logits = model(x)
            if teacher_logits is None:
                loss = F.cross_entropy(logits, targets[index])
            else:
                loss = loss_fn_kd(logits, targets[index], teacher_logits[flip.long(), index], **kd)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            total += loss.item() * len(index)
        accuracy = check(model) if check else float("nan")
        print(f"train: {type(model).__name__} epoch {epoch + 1}/{epochs} loss {total / len(images):.4f}"
              f" check-accuracy {accuracy:.4f} ({time.time() - started:.0f}s)", file=sys.stderr)
    return model.eval()


def save(model, name):
    path = os.path.join(MODEL_DIR, name)
    torch.save(model.state_dict(), path)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--teacher-epochs", type=int, default=8)
    parser.add_argument("--student-epochs", type=int, default=10)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--alpha", type=float, default=0.5)
    parser.add_argument("--temperature", type=float, default=4.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--reuse-teacher", action="store_true", help="load examples/models/teacher.pt")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)
    os.makedirs(MODEL_DIR, exist_ok=True)

    ensure_dataset(TRAIN_DIR, "training", ["--validation-count", "0", "--evaluation-count", "0"])
    ensure_dataset(FULL_DIR, "validation", ["--train-count", "0", "--validation-count", "10000",
                                            "--evaluation-count", "0"])
    images, labels = load_split(TRAIN_DIR, "training")
    sets = {"validation (committed 1000)": load_split(EXAMPLE_DIR, "validation"),
            "t10k (all 10000)": load_split(FULL_DIR, "validation")}
    check_images, check_labels = sets["validation (committed 1000)"]

    def check(model):
        return eval_torch.evaluate(model, check_images, check_labels)[0]["accuracy"]

    started = time.time()
    if args.reuse_teacher:
        teacher = eval_torch.load_model(os.path.join(MODEL_DIR, "teacher.pt"), "teacher")
    else:
        teacher = train(models.Teacher(), images, labels, args.teacher_epochs, args.lr, generator, check=check)
        save(teacher, "teacher.pt")
    teacher_seconds = time.time() - started

    started = time.time()
    with torch.no_grad():
        teacher_logits = torch.stack([
            torch.cat([teacher(images[i:i + 500].flip(3) if flipped else images[i:i + 500])
                       for i in range(0, len(images), 500)])
            for flipped in (False, True)])
    kd = {"alpha": args.alpha, "temperature": args.temperature}
    student = train(models.Student(), images, labels, args.student_epochs, args.lr, generator,
                    teacher_logits=teacher_logits, kd=kd, check=check)
    save(student, "student.pt")
    student_seconds = time.time() - started

    results = {}
    for name in ("teacher", "student"):
        model = eval_torch.load_model(os.path.join(MODEL_DIR, f"{name}.pt"))
        results[name] = {label: eval_torch.evaluate(model, x, y)[0] for label, (x, y) in sets.items()}
        results[name]["parameters"] = models.parameter_count(model)
        results[name]["bytes"] = os.path.getsize(os.path.join(MODEL_DIR, f"{name}.pt"))
        print(f"train: {name} {results[name]}", file=sys.stderr)
    write_readme(args, results, teacher_seconds, student_seconds)


def write_readme(args, results, teacher_seconds, student_seconds):
    rows = []
    for name in ("teacher", "student"):
        r = results[name]
        cells = [f"{r[s]['accuracy']:.4f} ({r[s]['correct']}/{r[s]['images']})"
                 for s in ("validation (committed 1000)", "t10k (all 10000)")]
        rows.append(f"| `{name}.pt` | {r['parameters']:,} | {r['bytes']:,} | {cells[0]} | {cells[1]} |")
    command = " ".join(["scripts/example/train.py", f"--teacher-epochs {args.teacher_epochs}",
                        f"--student-epochs {args.student_epochs}", f"--lr {args.lr}",
                        f"--alpha {args.alpha}", f"--temperature {args.temperature}",
                        f"--seed {args.seed}", f"--threads {args.threads}"]
                       + (["--reuse-teacher"] if args.reuse_teacher else []))
    text = README.format(rows="\n".join(rows), command=command, teacher_seconds=teacher_seconds,
                         student_seconds=student_seconds, torch=torch.__version__,
                         teacher_widths=models.TEACHER_WIDTHS, student_widths=models.STUDENT_WIDTHS,
                         **vars(args))
    with open(os.path.join(MODEL_DIR, "README.md"), "w") as f:
        f.write(text)


README = """\
# Example models: Fashion-MNIST teacher and student

Written by `scripts/example/train.py` (do not edit by hand; rerun it). Both files are plain
`torch.save(model.state_dict())` (zip format), float32, for 10 classes (`../fashion/classes.txt`).
The model classes are in `scripts/example/models.py`; load with
`models.from_state_dict(torch.load(path, weights_only=True))`.

| file | parameters | bytes | accuracy, `examples/fashion/validation` | accuracy, all 10,000 t10k |
|---|---|---|---|---|
{rows}

Preprocessing (train and eval): `PIL.Image.open(f).convert("RGB")`, `Resize(36)`, `CenterCrop(32)`,
`ToTensor()`, `Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])`. Accuracies are
`scripts/example/eval_torch.py` numbers (model.eval(), float32, argmax); the 10,000-image set is
`make_dataset.py --out out/fashion-full --train-count 0 --validation-count 10000 --evaluation-count 0`.

## Architectures
- **teacher** (`Teacher`): torchvision `resnet18` topology and module names (BasicBlock,
  [2, 2, 2, 2], 7x7/2 stem conv + BN + ReLU, 3x3/2 max pool, downsample 1x1 conv + BN, global
  average pool, fc), stage widths {teacher_widths} instead of (64, 128, 256, 512). At 32x32
  input the stages see 8, 4, 2 and 1 pixels.
- **student** (`Student`): the homework's StudentNet (ML2022 HW13): `conv1` 7x7/2 no bias, `bn1`,
  `relu`, `maxpool` 3/2 pad 1, `layer1`..`layer4` each `Sequential(depthwise 3x3 (groups=in,
  stride 1/2/2/2) no bias, BN, ReLU, pointwise 1x1 no bias, BN, ReLU)`, `avgpool`, `fc`;
  widths (stem, layer1..4) = {student_widths}, the homework's, with 10 classes instead of 11.

## Training
All 60,000 Fashion-MNIST training images, written as quality-90 JPEGs
(`make_dataset.py`) and decoded with the pipeline above; random horizontal flips; batch 128,
Adam with a one-cycle learning rate (max {lr}), seed {seed}, {threads} CPU threads, torch {torch}.
- teacher: cross-entropy, {teacher_epochs} epochs ({teacher_seconds:.0f} s).
- student: {student_epochs} epochs ({student_seconds:.0f} s) of knowledge distillation from the
  teacher with the homework's `loss_fn_kd` (alpha {alpha}, temperature {temperature}).

Command (from the repository root):

    .venv-torch/bin/python {command}

CPU float summation order differs between machines, so a rerun gives close, not identical,
weights and accuracies.
"""


if __name__ == "__main__":
    main()
