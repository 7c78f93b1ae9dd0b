"""PyTorch side and report of bench/train: one training step's time, PyTorch against Shears.

  train.py time CKPT INPUT BATCH WARMUP STEPS    one JSON line {"model", "batch", "median_ms",
                                                 "min_ms", "images_per_second", "threads"} (the
                                                 fields `shears bench --train --json` prints)
  train.py homework-student OUT.pt              the homework's student (scripts/example/models.py
                                                 Student, widths (64, 64, 128, 256, 141), 11
                                                 classes), randomly initialised (seed 0), as a state dict
  train.py report RUNS ROUNDS SECONDS LOAD      docs/performance/training.md from
                                                 RUNS/NAME.{shears,torch}.ROUND.jsonl, copied into
                                                 docs/PERFORMANCE.md (as bench/zoo copies its section)

A step is what a PyTorch training loop runs: `optimizer.zero_grad()`, forward in training mode,
`F.cross_entropy`, `loss.backward()`, `optimizer.step()` with SGD (lr 0.01, momentum 0.9), on a
seeded random batch uniform in [-1, 1) with seeded random labels, as Shears times it; 2 threads
(`torch.set_num_threads(2)`), a few untimed steps first.
"""
import json
import os
import statistics
import sys
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
THREADS = 2
# name, checkpoint, input, batch, untimed and timed steps: the workloads bench/train times
# (out/train/student224.pt is written by `homework-student`).
WORKLOADS = [("student", "examples/models/student.pt", "3x32x32", 128, 2, 10),
             ("teacher", "examples/models/teacher.pt", "3x32x32", 128, 2, 10),
             ("student224", "out/train/student224.pt", "3x224x224", 32, 1, 3)]


def example_models():
    sys.path.insert(0, os.path.join(ROOT, "scripts", "example"))
    import models
    return models


def time_steps(checkpoint, input_shape, batch, warmup, iterations):
    import torch
    import torch.nn.functional as F
    torch.manual_seed(0)
    torch.set_num_threads(THREADS)
    model = example_models().from_state_dict(torch.load(checkpoint, map_location="cpu", weights_only=True)).train()
    x = torch.rand([batch] + [int(s) for s in input_shape.split("x")]) * 2 - 1
    labels = torch.randint(0, model.fc.out_features, (batch,))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    times = []
    for run in range(warmup + max(iterations, 1)):
        start = time.perf_counter()
        optimizer.zero_grad()
        F.cross_entropy(model(x), labels).backward()
        optimizer.step()
        if run >= warmup:
            times.append((time.perf_counter() - start) * 1000)
    median = statistics.median(times)
    print(json.dumps({"model": os.path.splitext(os.path.basename(checkpoint))[0], "batch": batch, "median_ms": median,
                      "min_ms": min(times), "images_per_second": batch * 1000 / median, "threads": torch.get_num_threads()}))


def homework_student(path):
    import torch
    models = example_models()
    torch.manual_seed(0)
    torch.save(models.Student(models.STUDENT_WIDTHS, num_classes=11).state_dict(), path)


def fastest(folder, name, side, rounds):
    """The side's round with the lowest median (None if no round ran)."""
    records = []
    for r in range(1, rounds + 1):
        path = os.path.join(folder, f"{name}.{side}.{r}.jsonl")
        if os.path.exists(path):
            records += [json.loads(line) for line in open(path) if line.strip()]
    return min(records, key=lambda record: record["median_ms"], default=None)


def table_rows(folder, rounds, suffix):
    """One row per workload from the runs named NAME.{shears,torch}SUFFIX.ROUND.jsonl."""
    rows = []
    for name, _, shape, batch, warmup, steps in WORKLOADS:
        t, s = fastest(folder, name, "torch" + suffix, rounds), fastest(folder, name, "shears" + suffix, rounds)
        if t is None or s is None:
            torch_ms = "—" if t is None else f"{t['median_ms']:.0f}"
            shears_ms = "failed" if s is None else f"{s['median_ms']:.0f}"
            rows.append(f"| {name} | {shape} | {batch} | {torch_ms} | {shears_ms} | | | |")
            continue
        rows.append(f"| {name} | {shape} | {batch} | {t['median_ms']:.0f} | {s['median_ms']:.0f} | "
                    f"{t['images_per_second']:.1f} | {s['images_per_second']:.1f} | {t['median_ms'] / s['median_ms']:.2f}x |")
    return rows


def report(folder, rounds, seconds, load):
    cpuinfo = open("/proc/cpuinfo").read()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")), "?")
    import torch
    out = ["## Training steps against PyTorch\n",
           f"Written by `bench/train` into docs/performance/training.md (do not edit by hand). {os.cpu_count()} cores, {cpu}, "
           f"PyTorch {torch.__version__} with {THREADS} threads; Shears on its {os.cpu_count()} cores (OpenBLAS on one thread inside its own). "
           "One step = zero the gradients, forward in training mode (BatchNorm on batch statistics), cross-entropy, "
           "backward, SGD with momentum 0.9: `shears bench CKPT --train` and bench/train.py's PyTorch loop on the same "
           "checkpoint, batch shape and kind of data (seeded uniform random images and labels). "
           "The two take turns workload by workload, round after round; each side's fastest round is kept (median of "
           "10 steps after 2 untimed ones at 32x32, of 3 steps after 1 at 224x224), of "
           f"{rounds} round{'s' if rounds != 1 else ''} "
           f"({seconds // 60} min {seconds % 60} s, 1-minute load {load} at the start: the machine is shared). "
           "Ratio = PyTorch ms / Shears ms (at least 1: Shears trains as fast or faster). First table: each side with "
           "the kernels it picks for this CPU. The homework student is "
           "scripts/example/models.py's Student with widths (64, 64, 128, 256, 141) and 11 classes, randomly initialised.\n",
           "| model | input | batch | PyTorch ms | Shears ms | PyTorch images/s | Shears images/s | ratio |",
           "|---|---|---:|---:|---:|---:|---:|---:|"]
    out += table_rows(folder, rounds, "")
    if any(fastest(folder, name, "shears-avx2", rounds) for name, *_ in WORKLOADS):
        out += ["", "Both held to AVX2, as on the project's reference machine: Shears with OpenBLAS's Haswell kernels "
                "(`OPENBLAS_CORETYPE=Haswell`; its own kernels have AVX2 clones only), PyTorch with "
                "`ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2`; the same runs otherwise.\n",
                "| model | input | batch | PyTorch ms | Shears ms | PyTorch images/s | Shears images/s | ratio |",
                "|---|---|---:|---:|---:|---:|---:|---:|"]
        out += table_rows(folder, rounds, "-avx2")
    with open(os.path.join(ROOT, "docs", "performance", "training.md"), "w") as f:
        f.write("\n".join(out) + "\n")
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from performance_report import refresh_static_sections
    refresh_static_sections()


def main():
    command, args = sys.argv[1], sys.argv[2:]
    if command == "time":
        time_steps(args[0], args[1], int(args[2]), int(args[3]), int(args[4]))
    elif command == "homework-student":
        homework_student(args[0])
    elif command == "report":
        report(args[0], int(args[1]), int(args[2]), args[3])
    elif command == "list":
        for workload in WORKLOADS:
            print(*workload)
    else:
        sys.exit(f"train.py: unknown command {command} (time, homework-student, report, list)")


if __name__ == "__main__":
    main()
