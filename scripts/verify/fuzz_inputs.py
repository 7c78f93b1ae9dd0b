"""Mutation fuzzing of everything Shears reads from untrusted files: no input may crash it.

Each case mutates a committed file (bytes overwritten, cut out, or the file truncated) and
runs the release `shears` on it; a case fails when the process dies of a signal, exits with a
status other than 0 (read fine), 1 (error reported) or 64 (usage), or runs over 30 s. Kinds:

    checkpoint  any committed checkpoint fixture, read by `shears summary`
    pickle      a torch zip rebuilt with a mutated data.pkl or storage record (valid CRCs, so
                the unpickler and tensor rebuilder see the damage), read by `shears summary`
    jpeg        three mutated JPEG fixtures in a food-11 folder, `shears eval --skip-bad`
    blob        a mutated Shears quantized blob, read by `shears summary`

Needs only the standard library. Usage (failing inputs are kept in OUT):

    python3 scripts/verify/fuzz_inputs.py --cases 500 --seed 1 --out /tmp/shears-fuzz
"""
import argparse
import glob
import io
import os
import random
import shutil
import subprocess
import zipfile

OK_STATUS = (0, 1, 64)


def mutate(data, rng):
    data = bytearray(data)
    for _ in range(rng.choice([1, 2, 4, 16])):
        if not data:
            break
        i, kind = rng.randrange(len(data)), rng.random()
        if kind < 0.6:
            data[i] = rng.randrange(256)
        elif kind < 0.85:
            del data[i:i + rng.randrange(1, 32)]
        else:
            del data[i:]
    return bytes(data)


def mutated_zip(path, rng):
    """The torch zip at path with one .pkl or storage record mutated, CRCs recomputed."""
    source = zipfile.ZipFile(path)
    names = [i.filename for i in source.infolist() if i.filename.endswith(".pkl") or "/data/" in i.filename]
    target = rng.choice(names)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            archive.writestr(info.filename, mutate(data, rng) if info.filename == target else data)
    return out.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="/tmp/shears-fuzz")
    parser.add_argument("--shears", default=".build/release/shears")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    checkpoints = sorted(glob.glob("Tests/Fixtures/checkpoints/*.pt*") + glob.glob("Tests/Fixtures/checkpoints/*.safetensors"))
    zips = [p for p in checkpoints if zipfile.is_zipfile(p)]
    jpegs = sorted(glob.glob("Tests/Fixtures/images/*.jpg"))
    blob = os.path.join(args.out, "reference.pkl")
    subprocess.run([args.shears, "quantize", "examples/models/student.pt", "-o", blob], check=True, capture_output=True)
    failures = 0
    for case in range(args.cases):
        kind = ["checkpoint", "pickle", "jpeg", "blob"][case % 4]
        work = os.path.join(args.out, f"case-{case}")
        os.makedirs(work)
        if kind == "jpeg":
            folder = os.path.join(work, "validation")
            os.makedirs(folder)
            for j in range(3):
                with open(os.path.join(folder, f"{j}_{case}.jpg"), "wb") as f:
                    f.write(mutate(open(rng.choice(jpegs), "rb").read(), rng))
            command = [args.shears, "eval", "examples/models/student.pt", "--data", work,
                       "--resize", "36", "--crop", "32", "--skip-bad"]
        else:
            data = {"checkpoint": lambda: mutate(open(rng.choice(checkpoints), "rb").read(), rng),
                    "pickle": lambda: mutated_zip(rng.choice(zips), rng),
                    "blob": lambda: mutate(open(blob, "rb").read(), rng)}[kind]()
            path = os.path.join(work, "input.pkl" if kind == "blob" else "input.pt")
            with open(path, "wb") as f:
                f.write(data)
            command = [args.shears, "summary", path, "--input", "3x32x32"]
        try:
            status = subprocess.run(command, capture_output=True, timeout=30).returncode
        except subprocess.TimeoutExpired:
            status = "timeout"
        if status in OK_STATUS:
            shutil.rmtree(work)
        else:
            failures += 1
            print(f"FAIL {kind} case {case}: status {status}; input kept in {work}")
    print(f"{args.cases} cases, {failures} failures")
    raise SystemExit(1 if failures else 0)


if __name__ == "__main__":
    main()
