#!/usr/bin/env python3
"""Read a Shears quantized blob (.pkl) with plain Python: no numpy, no torch needed.

A blob is a pickle of a dict (layout: docs/BLOB_FORMAT.md). Each uint8 tensor holds
b-bit min-max codes packed as a little-endian bit stream; dequantizing computes

    w' = q / levels * (max - min) + min        levels = 2**bits - 1

rounding to float32 after every operation, which gives exactly the float32 values Shears
(and numpy on float32 arrays) computes. Per-channel tensors use one min/max per slice of
dim 0 ("min_per_channel", "max_per_channel"). float32 and int64 tensors are raw
little-endian values.

As a library:
    import dequantize_blob as db
    blob = db.load("model.pkl")          # the raw dict
    tensors = db.dequantize(blob)        # {name: nested lists of floats / ints}
    sd = db.state_dict(blob)             # {name: torch.Tensor}, needs torch

From the shell:
    dequantize_blob.py model.pkl                 # one line per tensor
    dequantize_blob.py model.pkl --json          # {name: {"shape", "dtype", "values" (flat)}}
    dequantize_blob.py model.pkl --save-pt sd.pt # torch.save(state_dict), needs torch
"""

import argparse
import json
import pickle
import sys
from array import array
from collections import OrderedDict

FORMAT = "shears-quantized"


def load(path):
    """The blob dict, after checking its format and version."""
    with open(path, "rb") as f:
        blob = pickle.load(f)
    if not isinstance(blob, dict) or blob.get("format") != FORMAT:
        raise ValueError(f"{path}: not a Shears blob")
    if blob.get("version") != 1:
        raise ValueError(f"{path}: blob version {blob.get('version')} is not supported")
    return blob


def f32(values):
    """Each Python float rounded to the nearest float32."""
    return array("f", values).tolist()


def unpack_codes(data, bits, count):
    """`count` codes of `bits` bits from a little-endian bit stream (first code in the low bits)."""
    if bits == 8:
        return list(data[:count])
    mask = (1 << bits) - 1
    codes, acc, filled = [], 0, 0
    for byte in data:
        acc |= byte << filled
        filled += 8
        while filled >= bits and len(codes) < count:
            codes.append(acc & mask)
            acc >>= bits
            filled -= bits
    return codes


def dequantize_range(codes, bits, lo, hi):
    """float32 `q / levels * (hi - lo) + lo` for codes sharing one range; exactly `lo` if constant."""
    if lo == hi:
        return [lo] * len(codes)
    levels = float((1 << bits) - 1)
    spread = f32([hi - lo])[0]
    scaled = f32([q / levels for q in codes])
    scaled = f32([x * spread for x in scaled])
    return f32([x + lo for x in scaled])


def flat_values(entry):
    """A tensor entry's values as a flat row-major list."""
    shape, dtype, data = tuple(entry["shape"]), entry["dtype"], entry["data"]
    count = 1
    for size in shape:
        count *= size
    if dtype == "float32":
        values = array("f")
        values.frombytes(data)
    elif dtype == "int64":
        values = array("q")
        values.frombytes(data)
    elif dtype == "uint8":
        codes = unpack_codes(data, entry["bits"], count)
        if "min_per_channel" in entry:
            channels = shape[0]
            size = count // channels if channels else 0
            values = []
            for c in range(channels):
                values += dequantize_range(codes[c * size:(c + 1) * size], entry["bits"],
                                           entry["min_per_channel"][c], entry["max_per_channel"][c])
            return values
        return dequantize_range(codes, entry["bits"], entry["min"], entry["max"])
    else:
        raise ValueError(f"unknown dtype {dtype!r}")
    if sys.byteorder != "little":
        values.byteswap()
    if len(values) != count:
        raise ValueError(f"{len(values)} values for shape {shape}")
    return values.tolist()


def nest(flat, shape):
    """A flat row-major list as nested lists of `shape` (a scalar for shape ())."""
    if not shape:
        return flat[0]
    if len(shape) == 1:
        return list(flat)
    step = len(flat) // shape[0] if shape[0] else 0
    return [nest(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def dequantize(blob):
    """{name: nested lists}, in the blob's (state dict) order."""
    return OrderedDict((name, nest(flat_values(e), tuple(e["shape"]))) for name, e in blob["tensors"].items())


def state_dict(blob):
    """{name: torch.Tensor} (float32, or int64 for integer buffers). Needs torch."""
    import torch
    out = OrderedDict()
    for name, entry in blob["tensors"].items():
        dtype = torch.int64 if entry["dtype"] == "int64" else torch.float32
        out[name] = torch.tensor(flat_values(entry), dtype=dtype).reshape(tuple(entry["shape"]))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description="Dequantize a Shears quantized blob.")
    parser.add_argument("blob", help="the .pkl blob written by Shears")
    parser.add_argument("--json", action="store_true", help="print every tensor's flat values as JSON")
    parser.add_argument("--save-pt", metavar="OUT", help="save a torch state_dict (needs torch)")
    args = parser.parse_args(argv)
    blob = load(args.blob)
    if args.save_pt:
        import torch
        torch.save(state_dict(blob), args.save_pt)
    if args.json:
        out = OrderedDict((name, {"shape": list(e["shape"]), "dtype": e["dtype"], "values": flat_values(e)})
                          for name, e in blob["tensors"].items())
        json.dump(out, sys.stdout)
        sys.stdout.write("\n")
    elif not args.save_pt:
        print(f"{args.blob}: {blob['architecture'] or 'unknown architecture'} from {blob['source']}, "
              f"{blob['bits']} bits, per channel: {blob['per_channel']}")
        for name, e in blob["tensors"].items():
            print(f"  {name}: {e['dtype']} {tuple(e['shape'])} {e['bits']} bits, {len(e['data'])} bytes")


if __name__ == "__main__":
    main()
