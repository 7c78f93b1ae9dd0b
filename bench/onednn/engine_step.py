"""engine_step: what one conv step costs in Shears' engine (the "Shears step ms" column of
docs/performance/onednn.md), on the layer shapes of conv_bench.c. Not part of the Swift package.

`shears bench` times whole models, and a one-conv model's run also copies its input and output
(several ms at 112x112). So per shape this exports (torch, random weights, dynamic batch) four
ONNX models and takes differences of their CPU time per iteration with `--threads 1`:
  d1 = GAP(act(conv(x))),  d2 = GAP(act(conv1(x))) + GAP(act(conv2(x)))   (input shape)
  g1 = GAP(y),             g2 = GAP(y) + GAP(y) (kept as two nodes)       (the conv's output shape)
  step = (d2 − d1) − (g2 − g1)
CPU time per iteration of a model = (CPU of a run with K + 1 iterations − CPU of a run with 1) / K,
the fastest of 2 long runs and 3 short ones, so that other processes on a shared machine count little.
Still noisy (±15%).

Run with the venv's python (torch), a release `shears`:
  .venv-torch/bin/python bench/onednn/engine_step.py .build/release/shears [SHAPE,SHAPE...]
(OPENBLAS_CORETYPE=Haswell in the environment: OpenBLAS's AVX2 kernels on an AVX-512 machine.)
Prints: shape, batch, step ms, d2 − d1 ms, g2 − g1 ms.
"""
import os
import resource
import subprocess
import sys

import torch
import torch.nn as nn

# name, in channels, out channels, input size, kernel, stride, padding, groups, activation
# (conv_bench.c's list, with its post-ops as the activations Shears fuses).
SHAPES = [
    ("mnv2_pw_16_96_112", 16, 96, 112, 1, 1, 0, 1, "relu6"),
    ("mnv2_pw_24_144_56", 24, 144, 56, 1, 1, 0, 1, "relu6"),
    ("mnv2_pw_144_24_56", 144, 24, 56, 1, 1, 0, 1, "none"),
    ("mnv2_pw_192_64_14", 192, 64, 14, 1, 1, 0, 1, "none"),
    ("mnv2_pw_960_320_7", 960, 320, 7, 1, 1, 0, 1, "none"),
    ("mnv2_pw_320_1280_7", 320, 1280, 7, 1, 1, 0, 1, "relu6"),
    ("mnv2_dw_32_112_s1", 32, 32, 112, 3, 1, 1, 32, "relu6"),
    ("mnv2_dw_96_112_s2", 96, 96, 112, 3, 2, 1, 96, "relu6"),
    ("mnv2_dw_144_56_s1", 144, 144, 56, 3, 1, 1, 144, "relu6"),
    ("mnv2_dw_576_14_s1", 576, 576, 14, 3, 1, 1, 576, "relu6"),
    ("mnv2_dw_960_7_s1", 960, 960, 7, 3, 1, 1, 960, "relu6"),
    ("r50_pw_64_256_56", 64, 256, 56, 1, 1, 0, 1, "none"),
    ("r50_pw_256_64_56", 256, 64, 56, 1, 1, 0, 1, "relu"),
    ("r50_3x3_64_56", 64, 64, 56, 3, 1, 1, 1, "relu"),
    ("r50_3x3_256_14", 256, 256, 14, 3, 1, 1, 1, "relu"),
    ("r50_3x3_512_7", 512, 512, 7, 3, 1, 1, 1, "relu"),
    ("r50_stem_7x7s2", 3, 64, 224, 7, 2, 3, 1, "relu"),
    ("rx50_g32_128_56", 128, 128, 56, 3, 1, 1, 32, "relu"),
    ("dn121_pw_256_128_56", 256, 128, 56, 1, 1, 0, 1, "none"),
    ("dn121_3x3_128_32_56", 128, 32, 56, 3, 1, 1, 1, "none"),
]
FOLDER = "/tmp/zoo-onednn-step"


class Convs(nn.Module):
    """Sum over `copies` convs of GAP(act(conv(x)))."""

    def __init__(self, ic, oc, k, stride, pad, groups, act, copies):
        super().__init__()
        self.convs = nn.ModuleList([nn.Conv2d(ic, oc, k, stride, pad, groups=groups) for _ in range(copies)])
        self.act = act

    def forward(self, x):
        out = 0
        for conv in self.convs:
            y = conv(x)
            if self.act == "relu":
                y = torch.relu(y)
            if self.act == "relu6":
                y = torch.clamp(y, 0, 6)
            out = out + y.mean((2, 3))
        return out


class Pools(nn.Module):
    """GAP(y), or GAP(y) + GAP(y) as two distinct nodes (keepdim differs, so the export keeps both)."""

    def __init__(self, copies):
        super().__init__()
        self.copies = copies

    def forward(self, y):
        out = y.mean((2, 3))
        return out + y.mean((2, 3), keepdim=True).flatten(1) if self.copies == 2 else out


def export(model, shape, path):
    torch.onnx.export(model.eval(), torch.randn(1, *shape), path, dynamo=False, input_names=["x"],
                      output_names=["y"], dynamic_axes={"x": {0: "n"}, "y": {0: "n"}})


def cpu_seconds(shears, model, shape, batch, iterations):
    """CPU time (user + system) of one `shears bench` run of `iterations` timed iterations."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([shears, "bench", model, "--input", "x".join(map(str, shape)), "--batch", str(batch),
                    "--methods", "", "--warmup", "1", "--iterations", str(iterations), "--threads", "1"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def per_iteration(shears, model, shape, batch, estimate):
    """CPU seconds per iteration: long runs of about 1.5 s minus the fastest 1-iteration run."""
    count = int(min(6000, max(20, 1.5 / estimate)))
    base = min(cpu_seconds(shears, model, shape, batch, 1) for _ in range(3))
    return min(cpu_seconds(shears, model, shape, batch, count + 1) - base for _ in range(2)) / count


def main():
    shears = sys.argv[1]
    only = sys.argv[2].split(",") if len(sys.argv) > 2 else None
    os.makedirs(FOLDER, exist_ok=True)
    torch.manual_seed(0)
    for name, ic, oc, size, k, stride, pad, groups, act in SHAPES:
        if only and name not in only:
            continue
        out_size = (size + 2 * pad - k) // stride + 1
        x_shape, y_shape = (ic, size, size), (oc, out_size, out_size)
        mflop = 2e-6 * oc * out_size * out_size * ic // groups * k * k
        paths = {}
        for copies in (1, 2):
            paths["d", copies] = f"{FOLDER}/d{copies}_{name}.onnx"
            paths["g", copies] = f"{FOLDER}/g{copies}_{name}.onnx"
            export(Convs(ic, oc, k, stride, pad, groups, act, copies), x_shape, paths["d", copies])
            export(Pools(copies), y_shape, paths["g", copies])
        for batch in (1, 8):
            conv_estimate = batch * (mflop / 8e3 + 2e-4)  # seconds at ~8 GFLOP/s
            pool_estimate = batch * (oc * out_size * out_size * 3e-9 + 1e-4)
            d = {c: per_iteration(shears, paths["d", c], x_shape, batch, c * conv_estimate) for c in (1, 2)}
            g = {c: per_iteration(shears, paths["g", c], y_shape, batch, c * pool_estimate) for c in (1, 2)}
            conv, pool = d[2] - d[1], g[2] - g[1]
            print(f"{name}\t{batch}\t{(conv - pool) * 1e3:.4f}\t{conv * 1e3:.4f}\t{pool * 1e3:.4f}", flush=True)


if __name__ == "__main__":
    main()
