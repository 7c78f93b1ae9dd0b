"""Turns bench/run's JSON lines into docs/PERFORMANCE.md (printed on stdout)."""
import json
import os
import platform
import sys

import torch


def lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    folder = sys.argv[1]
    cpu = platform.processor() or platform.machine()
    print("# Performance\n")
    print("Written by `bench/run` (do not edit by hand). Shears (release build, OpenBLAS; a batch split "
          "over one lane per core, a single image on OpenBLAS's threads) and PyTorch "
          f"{torch.__version__} ({torch.get_num_threads()} threads) on the same machine in the same run: "
          f"{os.cpu_count()} cores, {cpu}. Median latency per batch after warm-up; ratio = PyTorch time / "
          "Shears time (above 1: Shears is faster).\n")
    print("## Dense inference against PyTorch\n")
    print("| model | input | batch | Shears ms | PyTorch ms | ratio |")
    print("|---|---|---|---|---|---|")
    for model, shape in [("teacher", "3x32x32"), ("student", "3x32x32"), ("resnet18", "3x224x224")]:
        shears = {r["batch"]: r for r in lines(os.path.join(folder, f"{model}.shears.jsonl")) if r["variant"] == "dense"}
        for r in lines(os.path.join(folder, f"{model}.torch.jsonl")):
            s = shears[r["batch"]]
            print(f"| {model} | {shape} | {r['batch']} | {s['latency_ms']:.3f} | {r['latency_ms']:.3f} | "
                  f"{r['latency_ms'] / s['latency_ms']:.2f} |")
    print("\n## Pruned variants (Shears)\n")
    print("Masks keep the dense shapes, so masked models cost what the dense one costs; channel removal "
          "makes the network smaller. The variants of one model take turns (one run each per round), so a "
          "burst of load on this shared 2-core VM slows them alike; masked variants do exactly the dense "
          "arithmetic, so their speed-up is 1.00x up to noise.\n")
    print("| model | variant | method | ratio | batch | median ms | p90 ms | images/s | speed-up |")
    print("|---|---|---|---|---|---|---|---|---|")
    for model in ["teacher", "student", "resnet18"]:
        for s in lines(os.path.join(folder, f"{model}.shears.jsonl")):
            print(f"| {model} | {s['variant']} | {s['method']} | {s['ratio']:.2f} | {s['batch']} | {s['latency_ms']:.3f} | "
                  f"{s['latency_p90_ms']:.3f} | {s['images_per_second']:.1f} | {s['speedup']:.2f}x |")


if __name__ == "__main__":
    main()
