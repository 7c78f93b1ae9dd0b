#!/usr/bin/env python3
"""The PyTorch reference fine-tuning that `shears finetune` must reproduce.

Loads a checkpoint of the bundled teacher or student (a plain state_dict; a Shears-pruned one
too: channel-removed layers are rebuilt at the checkpoint's widths by models.from_state_dict,
and every Conv2d/Linear weight holding exact zeros is masked with
torch.nn.utils.prune.custom_from_mask(weight != 0) so its zeros stay zero, as Shears'
--keep-zeros holds them). Trains it on DIR/SPLIT (default training) listed as eval_torch lists
it (sorted names, label from the name) and preprocessed by eval_torch.decode (Resize, CenterCrop,
ImageNet normalisation), with the loop Shears runs: per step zero_grad, model.train() forward,
loss, backward, optimizer.step(); cross-entropy (label smoothing optional), or with --teacher
the homework's loss_fn_kd against the teacher's eval-mode logits on the same (augmented) batch.
Optimizers and schedules as torch.optim: SGD (momentum, nesterov), Adam, AdamW (betas
(beta1, 0.999), eps 1e-8), weight decay (default 0, AdamW 0.01); constant, StepLR and
CosineAnnealingLR (T_max = epochs) stepped per epoch, OneCycleLR (max_lr = --lr) per batch.
Batches of --batch, the last one smaller (drop_last=False).

Augmentation: none; flip (RandomHorizontalFlip(0.5) on each decoded crop); crop-flip
(RandomResizedCrop(crop) of the whole image, then the flip). The shuffles and flips are drawn
from torch's own generator (seeded by --seed), so they differ from Shears' SplitMix64 draws:
compare final accuracies. With --no-shuffle --augment none every step is Shears' step.

Measures the validation split (eval mode) before training and after each epoch; prints one line
per epoch (or one JSON object with --json, the keys of `shears finetune --json`); -o writes the
trained state_dict (masks made permanent).

    finetune_torch.py out/student-ch50.pt --data examples/fashion --epochs 3 --optimizer adam --lr 0.001 --json
    finetune_torch.py out/student-ch50.pt --data examples/fashion --epochs 3 --optimizer adam --lr 0.001 \
        --teacher examples/models/teacher.pt --alpha 0.5 --temperature 4 -o out/student-ch50-kd.pt
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn
from torch.nn.utils import prune
from torchvision import transforms

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import eval_torch  # noqa: E402
import models  # noqa: E402


def loss_fn_kd(student_logits, labels, teacher_logits, alpha, temperature):
    """The homework's distillation loss: alpha·T²·KL(batchmean, log_target) + (1 − alpha)·CE."""
    kl = nn.KLDivLoss(reduction="batchmean", log_target=True)
    p = F.log_softmax(student_logits / temperature, dim=1)
    q = F.log_softmax(teacher_logits / temperature, dim=1)
    return alpha * temperature ** 2 * kl(p, q) + (1 - alpha) * F.cross_entropy(student_logits, labels)


def hold_zeros(model):
    """Masks every Conv2d/Linear weight that holds exact zeros (its zeros stay zero); the count."""
    held = 0
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)) and bool((module.weight == 0).any()):
            prune.custom_from_mask(module, "weight", (module.weight != 0).float())
            held += 1
    return held


def make_permanent(model):
    for module in model.modules():
        if prune.is_pruned(module) and hasattr(module, "weight_orig"):
            prune.remove(module, "weight")


def optimizer_of(args, parameters):
    if args.optimizer == "sgd":
        return torch.optim.SGD(parameters, lr=args.lr, momentum=args.momentum, nesterov=args.nesterov,
                               weight_decay=args.weight_decay or 0)
    betas = (args.beta1, 0.999)
    if args.optimizer == "adam":
        return torch.optim.Adam(parameters, lr=args.lr, betas=betas, weight_decay=args.weight_decay or 0)
    return torch.optim.AdamW(parameters, lr=args.lr, betas=betas,
                             weight_decay=0.01 if args.weight_decay is None else args.weight_decay)


def schedule_of(args, optimizer, total_steps):
    """(scheduler or None, steps per batch?)."""
    if args.schedule == "step":
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=args.step_size, gamma=args.gamma), False
    if args.schedule == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs), False
    if args.schedule == "onecycle":
        cycle = args.optimizer != "sgd" or args.momentum > 0
        return torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, total_steps=total_steps,
                                                   cycle_momentum=cycle), True
    return None, False


class Training:
    """The training split, decoded once; each epoch's augmented images."""

    def __init__(self, paths, labels, args):
        self.labels = torch.tensor(labels)
        self.augment = args.augment
        self.crop = args.crop
        if args.augment == "crop-flip":
            self.images = []
            for path in paths:
                with open(path, "rb") as f:
                    self.images.append(Image.open(f).convert("RGB"))
            self.transform = transforms.Compose([
                transforms.RandomResizedCrop(args.crop), transforms.RandomHorizontalFlip(),
                transforms.ToTensor(), transforms.Normalize(eval_torch.MEAN, eval_torch.STD)])
        else:
            self.crops = eval_torch.decode(paths, args.resize, args.crop)

    def __len__(self):
        return len(self.labels)

    def batch(self, indices):
        if self.augment == "crop-flip":
            images = torch.stack([self.transform(self.images[i]) for i in indices.tolist()])
        else:
            images = self.crops[indices]
            if self.augment == "flip":
                flip = torch.rand(len(indices)) < 0.5
                images[flip] = images[flip].flip(3)
        return images, self.labels[indices]


def accuracy(model, images, labels):
    return eval_torch.evaluate(model, images, labels)[0]["accuracy"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoint", help="torch.save(model.state_dict()) file (Shears' prune -o .pt too)")
    parser.add_argument("--data", required=True)
    parser.add_argument("--split", default="training")
    parser.add_argument("--val-split", default="validation", help="'none' for no validation")
    parser.add_argument("--resize", type=int, default=36)
    parser.add_argument("--crop", type=int, default=32)
    parser.add_argument("--limit", type=int, help="train on the first N images only")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--max-steps", type=int)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--optimizer", choices=["sgd", "adam", "adamw"], default="sgd")
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--nesterov", action="store_true")
    parser.add_argument("--beta1", type=float, default=0.9)
    parser.add_argument("--weight-decay", type=float)
    parser.add_argument("--schedule", choices=["constant", "step", "cosine", "onecycle"], default="constant")
    parser.add_argument("--step-size", type=int, default=1)
    parser.add_argument("--gamma", type=float, default=0.1)
    parser.add_argument("--augment", choices=["none", "flip", "crop-flip"], default="flip")
    parser.add_argument("--no-shuffle", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--label-smoothing", type=float, default=0.0)
    parser.add_argument("--teacher")
    parser.add_argument("--alpha", type=float, default=0.5)
    parser.add_argument("--temperature", type=float, default=1.0)
    parser.add_argument("--bn-momentum", type=float, default=0.1)
    parser.add_argument("--no-keep-zeros", action="store_true", help="let pruned (zero) weights train")
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("-o", "--output")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    model = eval_torch.load_model(args.checkpoint)
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            module.momentum = args.bn_momentum
    teacher = eval_torch.load_model(args.teacher).eval() if args.teacher else None
    held = 0 if args.no_keep_zeros else hold_zeros(model)

    paths, labels = eval_torch.list_split(args.data, args.split)
    if args.limit:
        paths, labels = paths[:args.limit], labels[:args.limit]
    if any(label is None for label in labels):
        raise SystemExit(f"finetune_torch: {args.data}/{args.split}: unlabelled images")
    training = Training(paths, labels, args)
    validation = None
    if args.val_split != "none":
        val_paths, val_labels = eval_torch.list_split(args.data, args.val_split)
        validation = (eval_torch.decode(val_paths, args.resize, args.crop), val_labels)

    optimizer = optimizer_of(args, model.parameters())
    steps_per_epoch = (len(training) + args.batch - 1) // args.batch
    total_steps = min(args.max_steps or 1 << 62, args.epochs * steps_per_epoch)
    scheduler, per_batch = schedule_of(args, optimizer, total_steps)

    before = accuracy(model, *validation) if validation else None
    if before is not None and not args.json:
        print(f"before: validation {before:.4f}", file=sys.stderr)
    records, steps_done = [], 0
    for epoch in range(args.epochs):
        if args.max_steps and steps_done >= args.max_steps:
            break
        start = time.perf_counter()
        order = torch.arange(len(training)) if args.no_shuffle else torch.randperm(len(training))
        loss_sum, correct, seen, steps = 0.0, 0, 0, 0
        model.train()
        for first in range(0, len(training), args.batch):
            if args.max_steps and steps_done >= args.max_steps:
                break
            images, targets = training.batch(order[first:first + args.batch])
            optimizer.zero_grad()
            logits = model(images)
            if teacher is not None:
                with torch.no_grad():
                    teacher_logits = teacher(images)
                loss = loss_fn_kd(logits, targets, teacher_logits, args.alpha, args.temperature)
            else:
                loss = F.cross_entropy(logits, targets, label_smoothing=args.label_smoothing)
            loss.backward()
            optimizer.step()
            if scheduler is not None and per_batch:
                scheduler.step()
            loss_sum += loss.item() * len(targets)
            correct += int((logits.argmax(1) == targets).sum())
            seen, steps, steps_done = seen + len(targets), steps + 1, steps_done + 1
        if scheduler is not None and not per_batch:
            scheduler.step()
        seconds = time.perf_counter() - start
        measured = accuracy(model, *validation) if validation else None
        record = {"epoch": epoch + 1, "steps": steps, "loss": loss_sum / seen, "training_accuracy": correct / seen,
                  "validation_accuracy": measured, "seconds": seconds, "images_per_second": seen / max(seconds, 1e-9)}
        records.append(record)
        if not args.json:
            tail = f", validation {measured:.4f}" if measured is not None else ""
            print(f"epoch {epoch + 1}/{args.epochs}: loss {record['loss']:.6f}, training {record['training_accuracy']:.4f}{tail}"
                  f" ({steps} steps, {seconds:.1f} s, {record['images_per_second']:.0f} images/s)", file=sys.stderr)
    make_permanent(model)
    if args.output:
        torch.save(model.state_dict(), args.output)
    if args.json:
        print(json.dumps({"checkpoint": args.checkpoint, "output": args.output, "training_images": len(training),
                          "validation_accuracy_before": before,
                          "validation_accuracy": records[-1]["validation_accuracy"] if records else None,
                          "held_tensors": held, "epochs": records}))
    else:
        after = records[-1]["validation_accuracy"] if records else None
        print(f"{args.checkpoint}: {len(records)} epochs on {len(training)} images; validation "
              f"{before if before is None else f'{before:.4f}'} -> {after if after is None else f'{after:.4f}'}")


if __name__ == "__main__":
    main()
