"""Python side of bench/zoo: the model zoo, ONNX Runtime's timings, the logits check and the
zoo section of docs/PERFORMANCE.md.

    zoo.py list [NAME,...]            "name CxHxW" per model (all, or the names given)
    zoo.py build FOLDER [NAME,...]    FOLDER/NAME.onnx for each model not built yet, and
                                      FOLDER/images-S/0/*.jpg (8 photo-like S x S JPEGs per input side S)
    zoo.py ort FILE CxHxW BATCH ITERATIONS
                                      ONNX Runtime's latency of FILE: one `shears bench --json`-like line
    zoo.py check FOLDER RUNS SHEARS NAME...
                                      Shears' logits (`shears predict --logits` on the JPEGs) against
                                      ONNX Runtime's on the same preprocessed batch: RUNS/NAME.check.json
    zoo.py report RUNS ROUNDS SECONDS LOAD
                                      writes docs/performance/zoo.md from RUNS/NAME.{shears,ort}.ROUND.BATCH.jsonl
                                      and NAME.check.json, and copies it into docs/PERFORMANCE.md between the
                                      markers performance_report.py writes (so bench/run keeps it)

The zoo: torchvision classifiers with random weights (torch.manual_seed(0), torchvision's own
initialisation, 1000 classes), the bundled example teacher and student (examples/models), and the
homework students of scripts/fixtures (their classes imported from there, not copied). Each is
exported with the TorchScript-based exporter (dynamo=False, the default opset) with a dynamic
batch axis, so one file serves batch 1 and 8 in both engines.
"""
import json
import math
import os
import subprocess
import sys
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
# A Shears logit further than this from ONNX Runtime's, relative to the largest of ONNX
# Runtime's logits, marks the model as wrong in the table.
TOLERANCE = 1e-4


def torchvision_model(name):
    def build():
        import torchvision
        return getattr(torchvision.models, name)(weights=None)
    return build


def zoo_student(name, **options):
    """A homework student of scripts/fixtures/_zoo.py (ZOO's factory, with `options`)."""
    def build():
        import _zoo
        return _zoo.ZOO[name](**options)
    return build


def group_student():
    import grouped_channels
    return grouped_channels.group_student()


def example(name):
    """examples/models/NAME.pt through scripts/example/models.py (trained weights)."""
    def build():
        import torch
        import models
        return models.from_state_dict(torch.load(os.path.join(ROOT, "examples", "models", name + ".pt"), weights_only=True))
    return build


# name -> (what it is, input side, factory)
ZOO = {
    **{name: (f"torchvision {name}", 224, torchvision_model(name)) for name in [
        "mobilenet_v2", "mnasnet0_5", "mobilenet_v3_small", "mobilenet_v3_large", "regnet_y_400mf", "densenet121",
        "resnext50_32x4d", "resnet50", "resnet18", "googlenet", "squeezenet1_0", "shufflenet_v2_x1_0",
        "efficientnet_b0"]},
    "student": ("the bundled homework student (examples/models/student.pt)", 224, example("student")),
    "teacher": ("the bundled teacher, a narrow ResNet18 (examples/models/teacher.pt)", 32, example("teacher")),
    "dw-relu6": ("depthwise/pointwise student, ReLU6 (_zoo.DepthwiseStudent)", 96, zoo_student("dw-relu6")),
    "leaky-bias": ("LeakyReLU student: biased, grouped and dilated convs, a pointwise conv (_zoo.LeakyNet)", 96,
                   zoo_student("leaky-bias")),
    "hw7-student": ("ML2020 HW7 StudentNet at its base 16 (_zoo.HW7StudentNet)", 128, zoo_student("hw7-student", base=16)),
    "group-student": ("groups=2/4, depthwise and grouped 1x1 student (grouped_channels.group_student)", 64, group_student),
}


def selected(names):
    """The ZOO names in `names` (comma-separated; all when empty), refusing unknown ones."""
    if not names:
        return list(ZOO)
    chosen = [n for n in names.split(",") if n]
    unknown = [n for n in chosen if n not in ZOO]
    if unknown:
        sys.exit(f"bench/zoo: unknown model(s) {', '.join(unknown)} in MODELS; known: {', '.join(ZOO)}")
    return chosen


def build(folder, names):
    import warnings
    import torch
    warnings.filterwarnings("ignore", category=FutureWarning)  # GoogLeNet's note on its initialisation
    for path in ["scripts/fixtures", "scripts/example"]:
        sys.path.insert(0, os.path.join(ROOT, path))
    import images
    os.makedirs(folder, exist_ok=True)
    for name in selected(names):
        _, side, factory = ZOO[name]
        path = os.path.join(folder, name + ".onnx")
        if not os.path.exists(path):
            print(f"bench/zoo: building {name}", file=sys.stderr)
            torch.manual_seed(0)
            model = factory().eval()
            x = torch.randn(1, 3, side, side)
            torch.onnx.export(model, (x,), path + ".tmp", dynamo=False, input_names=["input"], output_names=["logits"],
                              dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
            os.replace(path + ".tmp", path)
        pictures = os.path.join(folder, f"images-{side}", "0")
        if not os.path.isdir(pictures):
            os.makedirs(pictures + ".tmp", exist_ok=True)
            for k in range(8):
                with open(os.path.join(pictures + ".tmp", f"{k}.jpg"), "wb") as f:
                    f.write(images.jpeg(images.photo(side, side, 100 + k), quality=90))
            os.replace(pictures + ".tmp", pictures)


def ort(path, shape, batch, iterations):
    import numpy as np
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from torch_latency import latency, onnxruntime_file_session
    threads = os.cpu_count()
    forward = onnxruntime_file_session(path, threads)
    x = np.random.default_rng(42).uniform(-1, 1, (batch, *[int(v) for v in shape.split("x")])).astype(np.float32)
    print(json.dumps(latency(forward, x, batch, 3, iterations, threads)))


def check(zoo, runs, shears, name):
    """Shears' logits against ONNX Runtime's on the 8 JPEGs at the model's side, both through
    the food11 preprocessing at Resize S, CenterCrop S (torchvision's, as images.py runs it).
    Writes {"status": "ok" | "mismatch" | "refused" | "crashed", "relative_error", "message"}."""
    import numpy as np
    sys.path.insert(0, os.path.join(ROOT, "scripts", "fixtures"))
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import images
    from torch_latency import onnxruntime_file_session
    side = ZOO[name][1]
    data = os.path.join(zoo, f"images-{side}")
    model = os.path.join(zoo, name + ".onnx")
    with tempfile.NamedTemporaryFile(suffix=".csv") as csv:
        run = subprocess.run([shears, "predict", model, "--data", data, "--resize", str(side), "--crop", str(side),
                              "--batch", "8", "--logits", "-o", csv.name], capture_output=True, text=True)
        rows = [line.strip().split(",") for line in open(csv.name) if line.strip()] if run.returncode == 0 else []
    if run.returncode < 0:
        result = {"status": "crashed", "message": f"shears predict died of signal {-run.returncode}"}
    elif run.returncode != 0:
        lines = [line for line in run.stderr.splitlines() if line.strip()]
        result = {"status": "refused", "message": lines[-1] if lines else f"exit {run.returncode}"}
    else:
        header, rows = rows[0], rows[1:]
        first = header.index("logit_0")
        stems = sorted((f.split(".")[0] for f in os.listdir(os.path.join(data, "0"))), key=int)
        by_id = {r[0]: [float(v) for v in r[first:]] for r in rows}
        x = np.stack([images.pipeline(os.path.join(data, "0", stem + ".jpg"), side, side) for stem in stems])
        want = onnxruntime_file_session(model, 1)(x.astype(np.float32)).astype(np.float64)
        complete = all(len(by_id.get(stem, [])) == want.shape[1] for stem in stems)
        got = np.array([by_id[stem] for stem in stems]) if complete else None
        error = float(np.max(np.abs(got - want)) / max(np.max(np.abs(want)), 1e-30)) if complete else float("inf")
        result = {"status": "ok" if error <= TOLERANCE else "mismatch", "relative_error": error}
    with open(os.path.join(runs, name + ".check.json"), "w") as f:
        json.dump(result, f)
    if result["status"] != "ok":
        print(f"bench/zoo: {name}: {result['status'].upper()}: {result.get('message', result.get('relative_error'))}",
              file=sys.stderr)


def fastest(folder, name, side, batch):
    """The lowest median over the rounds of one side at one batch, or None (no round ran)."""
    import glob
    best = None
    for path in glob.glob(os.path.join(folder, f"{name}.{side}.*.{batch}.jsonl")):
        for line in open(path):
            if line.strip():
                record = json.loads(line)
                if record.get("variant", "dense") == "dense" and (best is None or record["latency_ms"] < best):
                    best = record["latency_ms"]
    return best


def section(folder, rounds, seconds, load):
    """docs/performance/zoo.md's text: the machine, the method, one row per model and batch."""
    import onnxruntime
    cpuinfo = open("/proc/cpuinfo").read()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")), "?")
    flags = set(next((line.split(":", 1)[1].split() for line in cpuinfo.splitlines() if line.startswith("flags")), []))
    vector = "AVX-512 (avx512f)" if "avx512f" in flags else "AVX2" if "avx2" in flags else "no AVX2"
    out = ["## The zoo against ONNX Runtime\n",
           f"Written by `bench/zoo` into docs/performance/zoo.md (do not edit by hand). {os.cpu_count()} cores, {model}, "
           f"{vector}: ONNX Runtime {onnxruntime.__version__} (CPU provider, {os.cpu_count()} intra-op threads) picks its "
           f"kernels for the machine{' and uses AVX-512 here' if 'avx512f' in flags else ''}; Shears' own CKernels have "
           "portable and AVX2 + FMA clones only (no AVX-512). "
           "Each model is built by PyTorch with random weights (seeded; the bundled teacher and student are trained) and "
           "exported once with `torch.onnx.export(dynamo=False)` with a dynamic batch axis; both engines time that same "
           "file on a seeded random batch: `shears bench FILE --methods ''` and an ONNX Runtime session, taking turns "
           f"model by model and batch by batch; each side's fastest of {rounds} round{'s' if rounds != 1 else ''} is kept (median of 20 runs at "
           "batch 1, 10 at batch 8, after 3 warm-up runs). Ratio = ONNX Runtime ms / Shears ms (above 1: Shears is "
           "faster). Logits: Shears' (`shears predict --logits`) against ONNX Runtime's on 8 photo-like JPEGs, largest "
           f"difference relative to ONNX Runtime's largest logit; above {TOLERANCE:g} the row says WRONG. "
           f"The whole run (zoo export where not cached, logits checks, timing) took {seconds // 60} min {seconds % 60} s; "
           f"load average {load:.1f} at its start, {os.getloadavg()[0]:.1f} at its end"
           f"{' (other tenants were busy: the ratios are indicative only)' if max(load, os.getloadavg()[0]) > os.cpu_count() / 2 else ''}.\n",
           "| model | input | batch | Shears ms | ONNX Runtime ms | ratio | logits |", "|---|---|---|---|---|---|---|"]
    notes, ratios, described = [], [], []
    for name, (what, side, _) in ZOO.items():
        path = os.path.join(folder, name + ".check.json")
        if not os.path.exists(path):
            continue
        checked = json.load(open(path))
        if checked["status"] in ("refused", "crashed"):
            logits = "refused" if checked["status"] == "refused" else "**CRASHED**"
            notes.append(f"- {name}: {checked['message']}")
        elif checked["status"] == "mismatch":
            logits = f"**WRONG: {checked['relative_error']:.1e}**"
        else:
            logits = f"{checked['relative_error']:.1e}"
        if not what.startswith("torchvision"):
            described.append(f"{name}: {what}")
        for batch in (1, 8):
            s, o = fastest(folder, name, "shears", batch), fastest(folder, name, "ort", batch)
            ratio = f"{o / s:.2f}" if s and o else "**no Shears time**" if s is None and checked["status"] in ("ok", "mismatch") else "—"
            ratios += [o / s] if s and o else []
            cells = " | ".join(f"{v:.3f}" if v is not None else "—" for v in (s, o))
            out.append(f"| {name} | 3x{side}x{side} | {batch} | {cells} | {ratio} | {logits} |")
    if ratios:
        mean = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        out.append(f"\nShears at least as fast as ONNX Runtime in {sum(r >= 1 for r in ratios)} of {len(ratios)} rows; "
                   f"geometric mean of the ratios {mean:.2f}.")
    if described:
        out.append("\nThe students: " + "; ".join(described) + ". The torchvision classifiers are torchvision's builders "
                   "with `weights=None` (1000 classes).")
    if notes:
        out += ["\nNot run by Shears:\n"] + notes
    return "\n".join(out) + "\n"


def report(folder, rounds, seconds, load):
    """Writes this run's section (`load`: the 1-minute load average when the run started) to
    docs/performance/zoo.md and refreshes the copies of docs/performance/*.md that end
    docs/PERFORMANCE.md (bench/run's part is kept as it is)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from performance_report import refresh_static_sections
    with open(os.path.join(ROOT, "docs", "performance", "zoo.md"), "w") as f:
        f.write(section(folder, rounds, seconds, load))
    refresh_static_sections()


def main():
    command, args = sys.argv[1], sys.argv[2:]
    if command == "list":
        for name in selected(args[0] if args else ""):
            print(name, f"3x{ZOO[name][1]}x{ZOO[name][1]}")
    elif command == "build":
        build(args[0], args[1] if len(args) > 1 else "")
    elif command == "ort":
        ort(args[0], args[1], int(args[2]), int(args[3]))
    elif command == "check":
        for name in args[3:]:
            check(args[0], args[1], args[2], name)
    elif command == "report":
        report(args[0], int(args[1]), int(args[2]), float(args[3]))
    else:
        sys.exit(f"bench/zoo.py: unknown command {command} (list, build, ort, check, report)")


if __name__ == "__main__":
    main()
