#!/usr/bin/env python3
"""Fashion-MNIST as JPEG folders in the food-11 layout (the bundled example's data).

Reads the idx files of Debian's `dataset-fashion-mnist` (gzip + struct, no numpy needed)
and writes 28x28 grayscale JPEGs (PIL, quality 90):

    DIR/training/<label>_<n>.jpg    from the train set (60,000 images)
    DIR/validation/<label>_<n>.jpg  from the t10k set
    DIR/evaluation/<n>.jpg          unlabelled, from the t10k images not used for validation
    DIR/classes.txt                 the ten class names, one a line, by label

<n> counts from 0 within each label (food-11 style), in source order, so `3_17.jpg` is the
18th picked image of class 3. Which images are picked (deterministic):
  - training: the whole train set (default), or with --train-count N a seeded random
    subset of N (random.Random(seed).sample over the indices, then kept in source order);
    with --balanced-training as well, N/10 of each class (the remainder of N/10 to the lowest
    labels, one each): one random.Random(seed) samples each class's indices in turn, class 0
    first, and the union is kept in source order;
  - validation: a balanced pick, the first N/10 images of each class in t10k order (the
    remainder of N/10 goes to the lowest labels, one each); N=10000 is all of t10k;
  - evaluation: the first --evaluation-count t10k images not picked for validation, in
    t10k order, named 0.jpg, 1.jpg, ...
A split with count 0 is not written, and only the splits written must not exist yet (so a
training split can be added beside committed validation/ and evaluation/ folders). It is not
a general converter: Fashion-MNIST only.

    make_dataset.py --out examples/fashion --train-count 0 --validation-count 1000
    make_dataset.py --out examples/fashion --train-count 3000 --balanced-training \
        --validation-count 0 --evaluation-count 0
"""
import argparse
import gzip
import os
import random
import struct
import sys

from PIL import Image

SOURCE = "/usr/share/datasets/fashion-mnist"
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
QUALITY = 90


def read_idx(path):
    """An idx file as (dims, raw bytes): magic 0x00000803 images [n, rows, cols] u8,
    0x00000801 labels [n] u8, big-endian header."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack_from(">HBB", data, 0)
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte idx file")
    dims = struct.unpack_from(f">{ndim}I", data, 4)
    body = data[4 + 4 * ndim:]
    count = 1
    for d in dims:
        count *= d
    if len(body) != count:
        raise ValueError(f"{path}: {len(body)} bytes of data, header says {count}")
    return dims, body


def load(source, kind):
    """(images as a list of 784-byte strings, labels as a list of ints) of 'train' or 't10k'."""
    (n, rows, cols), pixels = read_idx(os.path.join(source, f"{kind}-images-idx3-ubyte.gz"))
    (m,), labels = read_idx(os.path.join(source, f"{kind}-labels-idx1-ubyte.gz"))
    if (rows, cols) != (28, 28) or n != m:
        raise ValueError(f"{source}/{kind}: {n} images of {rows}x{cols}, {m} labels")
    size = rows * cols
    return [pixels[i * size:(i + 1) * size] for i in range(n)], list(labels)


def quotas(count):
    """Images per class for a balanced pick of count: count//10, +1 for the lowest count%10 labels."""
    classes = len(CLASSES)
    return [count // classes + (1 if c < count % classes else 0) for c in range(classes)]


def balanced_sample(labels, count, seed):
    """A seeded balanced subset, in source order: one random.Random(seed) samples quotas(count)[c]
    of class c's indices, for c = 0, 1, ..."""
    rng = random.Random(seed)
    picked = []
    for label, quota in enumerate(quotas(count)):
        members = [i for i, l in enumerate(labels) if l == label]
        if quota > len(members):
            raise ValueError(f"not enough images of class {label} for a balanced pick of {count}")
        picked += rng.sample(members, quota)
    return sorted(picked)


def balanced(labels, count):
    """Indices of the first count//10 (+1 for the lowest count%10 labels) images of each class."""
    quota = quotas(count)
    picked = []
    for i, label in enumerate(labels):
        if quota[label] > 0:
            quota[label] -= 1
            picked.append(i)
    if any(quota):
        raise ValueError(f"not enough images for a balanced pick of {count}")
    return picked


def write_jpeg(pixels, path):
    Image.frombytes("L", (28, 28), pixels).save(path, "JPEG", quality=QUALITY)


def write_split(folder, images, labels, indices, labelled):
    """Writes images[indices] into folder, named <label>_<n>.jpg (labelled) or <n>.jpg."""
    os.makedirs(folder, exist_ok=True)
    counters = [0] * len(CLASSES)
    for n, i in enumerate(indices):
        if labelled:
            name = f"{labels[i]}_{counters[labels[i]]}.jpg"
            counters[labels[i]] += 1
        else:
            name = f"{n}.jpg"
        write_jpeg(images[i], os.path.join(folder, name))
    print(f"make_dataset: {folder}: {len(indices)} images", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="dataset folder to write")
    parser.add_argument("--train-count", type=int, default=60000, help="training images (0: none)")
    parser.add_argument("--validation-count", type=int, default=1000, help="balanced t10k pick")
    parser.add_argument("--evaluation-count", type=int, default=20, help="unlabelled t10k images")
    parser.add_argument("--balanced-training", action="store_true", help="the training subset takes as many images of each class")
    parser.add_argument("--seed", type=int, default=0, help="seed of the training subset")
    parser.add_argument("--source", default=SOURCE, help="folder of the idx .gz files")
    args = parser.parse_args()

    counts = {"training": args.train_count, "validation": args.validation_count, "evaluation": args.evaluation_count}
    for split in (name for name, count in counts.items() if count > 0):
        if os.path.isdir(os.path.join(args.out, split)) and os.listdir(os.path.join(args.out, split)):
            parser.error(f"{args.out}/{split} exists and is not empty; remove it first")
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "classes.txt"), "w") as f:
        f.write("".join(name + "\n" for name in CLASSES))

    if args.train_count > 0:
        images, labels = load(args.source, "train")
        if args.train_count > len(images):
            parser.error(f"--train-count {args.train_count}: the train set has {len(images)} images")
        if args.balanced_training:
            indices = balanced_sample(labels, args.train_count, args.seed)
        else:
            indices = sorted(random.Random(args.seed).sample(range(len(images)), args.train_count))
        write_split(os.path.join(args.out, "training"), images, labels, indices, labelled=True)

    if args.validation_count > 0 or args.evaluation_count > 0:
        images, labels = load(args.source, "t10k")
        validation = balanced(labels, args.validation_count)
        if args.validation_count > 0:
            write_split(os.path.join(args.out, "validation"), images, labels, validation, labelled=True)
        used = set(validation)
        evaluation = [i for i in range(len(images)) if i not in used][:args.evaluation_count]
        if len(evaluation) < args.evaluation_count:
            parser.error(f"--evaluation-count {args.evaluation_count}: only {len(evaluation)} t10k images left")
        if evaluation:
            write_split(os.path.join(args.out, "evaluation"), images, labels, evaluation, labelled=False)


if __name__ == "__main__":
    main()
