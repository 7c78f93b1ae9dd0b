"""Turns bench/run's JSON lines into docs/PERFORMANCE.md (printed on stdout).

bench/run writes MODEL.SIDE.ROUND.jsonl (SIDE shears or torch) for several rounds; for each
model and batch size the report keeps each side's fastest round (for Shears, the round with
the fastest dense model, whose variants were timed in the same interleaved run).
"""
import glob
import json
import os
import platform
import sys

import torch


def lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def fastest_rounds(folder, model, side):
    """{batch: the records of the round whose dense (or only) latency at that batch is lowest}."""
    best = {}
    for path in sorted(glob.glob(os.path.join(folder, f"{model}.{side}.*.jsonl"))):
        records = lines(path)
        for batch in {r["batch"] for r in records}:
            round_records = [r for r in records if r["batch"] == batch]
            dense = next(r for r in round_records if r.get("variant", "dense") == "dense")
            if batch not in best or dense["latency_ms"] < best[batch][0]["latency_ms"]:
                best[batch] = [dense] + [r for r in round_records if r is not dense]
    return best


def main():
    folder = sys.argv[1]
    cpu = platform.processor() or platform.machine()
    print("# Performance\n")
    print("Written by `bench/run` (do not edit by hand). Shears (release build, OpenBLAS; a batch split "
          "over one lane per core, a single image on OpenBLAS's threads) and PyTorch "
          f"{torch.__version__} ({torch.get_num_threads()} threads) on the same machine in the same run: "
          f"{os.cpu_count()} cores, {cpu}. Median latency per batch after warm-up, fastest of "
          f"{len(glob.glob(os.path.join(folder, 'teacher.shears.*.jsonl')))} rounds in which Shears and PyTorch take turns; "
          "ratio = PyTorch time / Shears time (above 1: Shears is faster).\n")
    print("## Dense inference against PyTorch\n")
    print("| model | input | batch | Shears ms | PyTorch ms | ratio |")
    print("|---|---|---|---|---|---|")
    for model, shape in [("teacher", "3x32x32"), ("student", "3x32x32"), ("resnet18", "3x224x224")]:
        shears, torch_rounds = fastest_rounds(folder, model, "shears"), fastest_rounds(folder, model, "torch")
        for batch in sorted(torch_rounds):
            s, r = shears[batch][0], torch_rounds[batch][0]
            print(f"| {model} | {shape} | {batch} | {s['latency_ms']:.3f} | {r['latency_ms']:.3f} | "
                  f"{r['latency_ms'] / s['latency_ms']:.2f} |")
    print("\n## Pruned variants (Shears)\n")
    print("Masks keep the dense shapes, so masked models cost what the dense one costs; channel removal "
          "makes the network smaller. The variants of one model take turns (one run each per round), so a "
          "burst of load on this shared 2-core VM slows them alike; masked variants do exactly the dense "
          "arithmetic, so their speed-up is 1.00x up to noise.\n")
    print("| model | variant | method | ratio | batch | median ms | p90 ms | images/s | speed-up |")
    print("|---|---|---|---|---|---|---|---|---|")
    for model in ["teacher", "student", "resnet18"]:
        for batch, records in sorted(fastest_rounds(folder, model, "shears").items()):
            for s in records:
                print(f"| {model} | {s['variant']} | {s['method']} | {s['ratio']:.2f} | {s['batch']} | {s['latency_ms']:.3f} | "
                      f"{s['latency_p90_ms']:.3f} | {s['images_per_second']:.1f} | {s['speedup']:.2f}x |")


if __name__ == "__main__":
    main()
