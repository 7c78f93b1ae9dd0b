"""Checks that torch reads a checkpoint written by Shears' TorchCheckpointWriter.

Loads WRITTEN with `torch.load(weights_only=True)` (and again with mmap=True) and compares
it with REFERENCE (a torch.save file, loaded the same way): the same keys in the same order,
floating tensors as float32 and integer/bool ones as int64, values equal to the reference's
`.float()` / `.long()` bit for bit, contiguous. Also checks the zip itself with Python's
zipfile (CRC-32s, stored entries, 64-byte aligned data, `<basename>/` prefix). Exit status 0
when everything matches. Usage:

    SHEARS_WRITE_SAMPLE=/tmp/sample.pt swift test --disable-swift-testing \
        --filter NNTorchIOTests.TorchCheckpointWriterTests/testWritesASampleForTorchWhenAsked
    .venv-torch/bin/python scripts/verify/torch_load_written.py /tmp/sample.pt \
        [Tests/Fixtures/checkpoints/dtypes.pt]
"""
import argparse
import os
import struct
import sys
import zipfile

import torch

torch.set_num_threads(1)


def check_zip(path):
    """Returns a list of problems with the archive layout."""
    problems = []
    prefix = os.path.splitext(os.path.basename(path))[0] + "/"
    with zipfile.ZipFile(path) as archive:
        bad = archive.testzip()
        if bad is not None:
            problems.append(f"CRC mismatch in {bad}")
        raw = open(path, "rb").read()
        for info in archive.infolist():
            if not info.filename.startswith(prefix):
                problems.append(f"{info.filename} is not under {prefix}")
            if info.compress_type != zipfile.ZIP_STORED:
                problems.append(f"{info.filename} is compressed")
            name_len, extra_len = struct.unpack_from("<HH", raw, info.header_offset + 26)
            data_offset = info.header_offset + 30 + name_len + extra_len
            if data_offset % 64:
                problems.append(f"{info.filename} data at offset {data_offset}, not 64-byte aligned")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("written")
    parser.add_argument("reference", nargs="?", default="Tests/Fixtures/checkpoints/dtypes.pt")
    args = parser.parse_args()

    problems = check_zip(args.written)
    reference = torch.load(args.reference, weights_only=True)
    for mmap in (False, True):
        written = torch.load(args.written, weights_only=True, mmap=mmap)
        if list(written) != list(reference):
            problems.append(f"keys differ (mmap={mmap}): {list(written)} vs {list(reference)}")
            continue
        for key, ref in reference.items():
            got = written[key]
            want = ref.resolve_neg().float() if ref.is_floating_point() else ref.resolve_neg().long()
            if got.dtype != want.dtype or got.shape != want.shape or not got.is_contiguous():
                problems.append(f"{key}: {got.dtype} {tuple(got.shape)} vs {want.dtype} {tuple(want.shape)}")
            elif not torch.equal(got.view(torch.int32) if got.is_floating_point() else got,
                                 want.contiguous().view(torch.int32) if want.is_floating_point() else want):
                problems.append(f"{key}: values differ (mmap={mmap})")
    count = len(reference)
    if problems:
        print(f"FAIL {args.written}: " + "; ".join(problems))
        sys.exit(1)
    print(f"OK {args.written}: torch.load(weights_only=True), also with mmap=True, reads {count} tensors "
          f"bit-identical to {args.reference} (float32/int64); zip CRCs, stored entries, 64-byte alignment OK")


if __name__ == "__main__":
    main()
