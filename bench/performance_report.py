"""Turns bench/run's JSON lines into docs/PERFORMANCE.md (printed on stdout).

bench/run writes MODEL.SIDE.ROUND.jsonl (SIDE shears, torch or ort) for several rounds; for each
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
    import onnxruntime
    flags = " ".join(sorted({f for f in ["avx2", "avx512f"] if f in open("/proc/cpuinfo").read()}))
    print("Written by `bench/run` (do not edit by hand). Shears (release build: the CKernels direct, "
          "Winograd F(4x4, 3x3) and sparse kernels, OpenBLAS for Winograd's GEMMs; a batch split over "
          f"one lane per core, a single image's convs split over the cores), PyTorch {torch.__version__} ({torch.get_num_threads()} threads) and ONNX Runtime "
          f"{onnxruntime.__version__} (CPU provider, {os.cpu_count()} intra-op threads, the model exported "
          f"with torch.onnx.export) on the same machine in the same run: {os.cpu_count()} cores, {cpu} "
          f"({flags}). Median latency per batch after warm-up, fastest of "
          f"{len(glob.glob(os.path.join(folder, 'teacher.shears.*.jsonl')))} rounds in which the runtimes take turns; "
          "ratio = other time / Shears time (above 1: Shears is faster).\n")
    print("## Dense inference against PyTorch and ONNX Runtime\n")
    print("| model | input | batch | Shears ms | PyTorch ms | ratio | ONNX Runtime ms | ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for model, shape in [("teacher", "3x32x32"), ("student", "3x32x32"), ("student224", "3x224x224"), ("resnet18", "3x224x224")]:
        shears, torch_rounds = fastest_rounds(folder, model, "shears"), fastest_rounds(folder, model, "torch")
        ort_rounds = fastest_rounds(folder, model, "ort")
        for batch in sorted(torch_rounds):
            s, r = shears[batch][0], torch_rounds[batch][0]
            o = ort_rounds.get(batch, [None])[0]
            ort = f"{o['latency_ms']:.3f} | {o['latency_ms'] / s['latency_ms']:.2f}" if o else "— | —"
            print(f"| {model.replace('224', '')} | {shape} | {batch} | {s['latency_ms']:.3f} | {r['latency_ms']:.3f} | "
                  f"{r['latency_ms'] / s['latency_ms']:.2f} | {ort} |")
    print("\n## Pruned variants (Shears)\n")
    print("Masks keep the dense shapes: on the dense kernels (masked-unstructured, masked-structured) a "
          "masked model costs what the dense one costs, up to noise. With unstructured masks, layers at or "
          "below their kind's crossover density run on the sparse kernel (masked-sparse, what eval and sweep "
          "use; the crossovers are below). "
          "Channel removal makes the network smaller. The variants of one model take turns (one run each "
          "per round), so a burst of load on this shared 2-core VM slows them alike.\n")
    print("| model | variant | method | ratio | batch | median ms | p90 ms | images/s | speed-up |")
    print("|---|---|---|---|---|---|---|---|---|")
    for model in ["teacher", "student", "student224", "resnet18"]:
        for batch, records in sorted(fastest_rounds(folder, model, "shears").items()):
            for s in records:
                print(f"| {model.replace('224', ' 224²')} | {s['variant']} | {s['method']} | {s['ratio']:.2f} | {s['batch']} | {s['latency_ms']:.3f} | "
                      f"{s['latency_p90_ms']:.3f} | {s['images_per_second']:.1f} | {s['speedup']:.2f}x |")
    crossover(folder)


def crossover(folder):
    """The `shears crossover` table: per layer, dense and sparse time at each density; per kind, the switch point."""
    path = os.path.join(folder, "crossover.jsonl")
    if not os.path.exists(path):
        return
    print("\n## Sparse kernel crossover (Shears)\n")
    print("`shears crossover --batch 8`: one conv of each layer with random weights masked to each density, "
          "timed on the dense kernel that layer runs (Winograd F(4x4, 3x3) for stride-1 3x3 convs, the direct "
          "kernel otherwise) and on the direct sparse kernel (CSR weights over the padded input, no im2col). "
          "A layer's crossover is the highest density up to which the sparse kernel was faster at every density "
          "measured; a kind's is the lowest of its layers'. The plan runs a conv on the sparse kernel only at or "
          "below its kind's switch point (`SparseCrossover`), so a sparse model is never slower than the dense one.\n")
    records = lines(path)
    layers = [r for r in records if "layer" in r]
    densities = [p["density"] for p in layers[0]["points"]]
    print("| layer | kind | " + " | ".join(f"{d:.2f}" for d in densities) + " | crossover |")
    print("|---|---|" + "---|" * (len(densities) + 1))
    for r in layers:
        cells = [f"{p['dense_ms'] / p['sparse_ms']:.2f}x" for p in r["points"]]
        print(f"| {r['layer']} | {r['kind']} | " + " | ".join(cells) + f" | {r['crossover_density']:.2f} |")
    print("\nCells: sparse speed-up over dense at that weight density (fraction of nonzeros).\n")
    print("| kind | measured crossover | Shears' switch point |")
    print("|---|---|---|")
    for r in records:
        if "kind" in r and "layer" not in r:
            print(f"| {r['kind']} | {r['crossover_density']:.2f} | {r['shears_switch']:.2f} |")


if __name__ == "__main__":
    main()
