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
          "Winograd F(4x4, 3x3), polyphase Winograd F(4x4, 4x4) (stems) and sparse kernels, OpenBLAS for "
          "F(4x4, 3x3)'s GEMMs; a batch split over "
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
    global_l1_bound(os.path.join(folder, "resnet18.pt"))
    print(static_sections(), end="")


def crossover(folder):
    """The `shears crossover` table: per layer, dense and sparse time at each density; per kind, the switch point."""
    path = os.path.join(folder, "crossover.jsonl")
    if not os.path.exists(path):
        return
    print("\n## Sparse kernel crossover (Shears)\n")
    print("`shears crossover --batch 8`: one conv of each layer with random weights masked to each density, "
          "timed on the dense kernel that layer runs (Winograd F(4x4, 3x3) for stride-1 3x3 convs, F(4x4, 4x4) "
          "over the stride phases for the 7x7/2 stem, the direct kernel otherwise) and on the direct sparse kernel (CSR weights over the padded input, no im2col). "
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


def global_l1_bound(path):
    """Where 90% global-L1 (torch.nn.utils.prune) leaves ResNet18's nonzeros, and the speed-up
    that bounds: multiplies per layer dense (a quarter of the direct count on the Winograd
    kernels) against the nonzeros' multiplies, the smaller per layer, as if every kernel ran
    at the same speed per multiply."""
    if not os.path.exists(path):
        return
    import torchvision
    from torch.nn.utils import prune
    model = torchvision.models.resnet18(num_classes=11)
    model.load_state_dict(torch.load(path, weights_only=True))
    layers = [m for m in model.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    prune.global_unstructured([(m, "weight") for m in layers], pruning_method=prune.L1Unstructured, amount=0.9)
    sizes = {}
    hooks = [m.register_forward_hook(lambda m, i, o: sizes.__setitem__(m, o.shape[2] * o.shape[3] if o.dim() == 4 else 1))
             for m in layers]
    model(torch.zeros(1, 3, 224, 224))
    for h in hooks:
        h.remove()
    stages = {}
    for name, m in model.named_modules():
        if m not in sizes:
            continue
        macs = m.weight.numel() * sizes[m]
        winograd = isinstance(m, torch.nn.Conv2d) and m.groups == 1 and (
            (m.kernel_size == (3, 3) and m.stride == (1, 1)) or (m.kernel_size == (7, 7) and m.stride == (2, 2)))
        dense = macs / 4 if winograd else macs
        nonzero = macs * float((m.weight != 0).float().mean())
        stage = stages.setdefault(name.split(".")[0], [0, 0, 0, 0])
        stage[0] += macs
        stage[1] += nonzero
        stage[2] += dense
        stage[3] += min(dense, nonzero)
    print("\n## 90% global-L1 on ResNet18: where the nonzeros stay\n")
    print("torch.nn.utils.prune.global_unstructured (L1, amount 0.9) on the benchmark's ResNet18 (seeded "
          "torchvision initialisation) keeps far more of the early, narrow layers than of layer4. Multiplies "
          "per stage and image: dense on Shears' kernels (Winograd does a quarter of the direct count on "
          "stride-1 3x3 convs and the stem) and the nonzeros' (what a sparse kernel must do at least). "
          "The last column bounds the speed-up of any dense/sparse choice per layer, as if every kernel ran "
          "at the same speed per multiply.\n")
    print("| stage | direct MMAC | nonzero MMAC | density | dense on Shears' kernels MMAC | best of the two per layer MMAC |")
    print("|---|---|---|---|---|---|")
    for stage, (macs, nonzero, dense, best) in stages.items():
        print(f"| {stage} | {macs / 1e6:.1f} | {nonzero / 1e6:.1f} | {nonzero / macs:.2f} | {dense / 1e6:.1f} | {best / 1e6:.1f} |")
    dense, best = sum(v[2] for v in stages.values()), sum(v[3] for v in stages.values())
    print(f"\nBound on the 90% global-L1 speed-up from multiply counts: {dense / best:.2f}x "
          "(measured above: masked-sparse against dense).")


def static_sections():
    """Sections kept as written (docs/performance/*.md, e.g. onednn.md: measurements bench/run does
    not repeat; zoo.md, which bench/zoo writes), between markers so that regenerating this file
    keeps them: the text that ends docs/PERFORMANCE.md (bench/zoo splices it in too)."""
    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "performance")
    sections = []
    for path in sorted(glob.glob(os.path.join(folder, "*.md"))):
        name = f"docs/performance/{os.path.basename(path)}"
        with open(path) as f:
            text = f.read().strip("\n")
        sections.append(f"\n<!-- begin {name} (edit that file: bench/performance_report.py copies it here) -->\n\n"
                        f"{text}\n\n<!-- end {name} -->\n")
    return "".join(sections)


def refresh_static_sections():
    """Replaces the copies of docs/performance/*.md that end docs/PERFORMANCE.md by the files'
    current text (bench/run's part is kept as it is): bench/zoo and bench/train call it."""
    doc = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "PERFORMANCE.md")
    text = open(doc).read()
    marker = "\n<!-- begin docs/performance/"
    text = text[:text.index(marker)] if marker in text else text.rstrip("\n") + "\n"
    with open(doc + ".tmp", "w") as f:
        f.write(text + static_sections())
    os.replace(doc + ".tmp", doc)


if __name__ == "__main__":
    main()
