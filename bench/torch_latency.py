"""PyTorch and ONNX Runtime side of the benchmark: latency of the same checkpoint on the
same machine.

Loads a checkpoint with the example model classes (teacher/student, widths from the
shapes, or full torchvision resnet18 with --resnet18), runs `warmup` untimed and
`iterations` timed forward passes of a seeded random batch under torch.no_grad() in eval
mode, and prints one JSON line per batch size: {"batch", "latency_ms", "latency_p90_ms",
"images_per_second", "threads"}. Same statistics as `shears bench` (median, nearest-rank p90).
With --onnxruntime the model is exported as a user would (`torch.onnx.export`, the default
exporter, one file per batch size) and run by ONNX Runtime's CPU provider with `threads`
intra-op threads instead. bench/zoo.py reuses `latency` and `onnxruntime_file_session` (torch
is imported in main only, so they run without it).
"""
import argparse
import json
import math
import os
import sys
import time


def onnxruntime_file_session(path, threads):
    """A callable running the ONNX file `path` in ONNX Runtime's CPU provider with `threads`
    intra-op threads: forward(x) -> the first output (x a numpy array)."""
    import onnxruntime
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return lambda x: session.run(None, {name: x})[0]


def onnxruntime_session(model, x, threads):
    """A callable running `model` exported for `x`'s shape in ONNX Runtime."""
    import tempfile
    import contextlib
    import io
    import torch
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "model.onnx")
    with contextlib.redirect_stdout(io.StringIO()):
        torch.onnx.export(model, (x,), path)
    forward = onnxruntime_file_session(path, threads)
    feed = x.numpy()
    return lambda _: forward(feed)


def latency(forward, x, batch, warmup, iterations, threads):
    """Runs `warmup` untimed and `iterations` timed `forward(x)`; the record `shears bench`
    prints: {"batch", "latency_ms" (median), "latency_p90_ms" (nearest rank),
    "images_per_second", "threads"}."""
    times = []
    for _ in range(warmup):
        forward(x)
    for _ in range(iterations):
        start = time.perf_counter()
        forward(x)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    n = len(times)
    median = times[n // 2] if n % 2 else (times[n // 2 - 1] + times[n // 2]) / 2
    p90 = times[min(n - 1, math.ceil(0.9 * n) - 1)]
    return {"batch": batch, "latency_ms": median, "latency_p90_ms": p90,
            "images_per_second": batch * 1000 / median, "threads": threads}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint", nargs="?")
    parser.add_argument("--resnet18", action="store_true", help="torchvision resnet18 with random weights")
    parser.add_argument("--classes", type=int, default=11)
    parser.add_argument("--input", default="3x32x32")
    parser.add_argument("--batch", default="1,32")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--onnxruntime", action="store_true", help="time ONNX Runtime on the exported model")
    args = parser.parse_args()
    import torch
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts", "example"))
    import models
    torch.set_num_threads(args.threads)
    if args.resnet18:
        import torchvision
        torch.manual_seed(0)
        model = torchvision.models.resnet18(num_classes=args.classes).eval()
    else:
        model = models.from_state_dict(torch.load(args.checkpoint, weights_only=True))
    shape = [int(v) for v in args.input.split("x")]
    generator = torch.Generator().manual_seed(42)
    for batch in [int(b) for b in args.batch.split(",")]:
        x = torch.rand(batch, *shape, generator=generator) * 2 - 1
        forward = onnxruntime_session(model, x, args.threads) if args.onnxruntime else model
        with torch.no_grad():
            record = latency(forward, x, batch, args.warmup, args.iterations, args.threads)
        print(json.dumps(record))


if __name__ == "__main__":
    main()
