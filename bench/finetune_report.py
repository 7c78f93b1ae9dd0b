#!/usr/bin/env python3
"""bench/finetune's report: reads the runs' JSON files (RUNS/<name>.<kind>.json, kinds
eval, prune, shears.ft, shears.kd, torch.ft, torch.kd) and writes

  DOC      the tables between `<!-- BEGIN bench/finetune -->` and `<!-- END bench/finetune -->`
           (the rest of the file is kept; a missing file gets just the markers and tables)
  CHARTS/  recovery-<model>-<method>.{dat,gp,png,svg} (accuracy against ratio: pruned,
           fine-tuned and distilled, Shears and PyTorch) and slimming.{dat,gp,png,svg}
           (student accuracy against remaining parameters: iterative network slimming at each
           rate, fine-tuned between rounds, beside the one-shot points)

    finetune_report.py out/finetune/runs docs/FINETUNE.md docs/finetune --epochs 3 --recipe "..." --kd "..."
"""
import argparse
import glob
import json
import os
import re
import subprocess

BEGIN, END = "<!-- BEGIN bench/finetune -->", "<!-- END bench/finetune -->"
COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"]


def load(runs, name, kind):
    path = os.path.join(runs, f"{name}.{kind}.json")
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return None
    with open(path) as f:
        return json.load(f)


def seeds(runs, name, kind):
    """The records of every seed's run (seed 0: NAME.KIND.json, seed k: NAME.KIND.sk.json)."""
    found = [load(runs, name, kind)]
    found += [load(runs, name, f"{kind}.s{k}") for k in sorted(
        int(m[1]) for m in (re.fullmatch(rf"{re.escape(name)}\.{re.escape(kind)}\.s([0-9]+)\.json", os.path.basename(p))
                            for p in glob.glob(os.path.join(runs, f"{name}.{kind}.s*.json"))) if m)]
    return [r for r in found if r is not None]


def mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def pct(value):
    return "—" if value is None else f"{100 * value:.1f}"


def pct_range(values):
    """The mean in %, with the range when there are several values."""
    values = [v for v in values if v is not None]
    if len(values) < 2:
        return pct(mean(values))
    return f"{pct(mean(values))} ({pct(min(values))}–{pct(max(values))})"


def delta(a, b):
    if a is None or b is None:
        return "—"
    text = f"{100 * (a - b):+.1f}"
    return "+0.0" if text == "-0.0" else text


def points(runs):
    """{model: [(method, ratio)]} from the prune files of the grid, in ratio order."""
    found = {}
    for path in glob.glob(os.path.join(runs, "*.prune.json")):
        match = re.fullmatch(r"(teacher|student)-(channel|global-l1)-([0-9.]+)\.prune\.json", os.path.basename(path))
        if match:
            found.setdefault(match[1], []).append((match[2], match[3]))
    order = {"channel": 0, "global-l1": 1}
    return {m: sorted(p, key=lambda x: (order[x[0]], float(x[1]))) for m, p in found.items()}


def accuracy(record, key="validation_accuracy"):
    return None if record is None else record.get(key)


def grid_table(runs, model, grid):
    dense = load(runs, f"{model}-dense", "eval")
    lines = [f"**{model}** (dense: {pct(accuracy(dense, 'accuracy'))}%)", "",
             "| pruning | parameters left | pruned Shears | pruned PyTorch | fine-tuned Shears | fine-tuned PyTorch | Δ | distilled Shears | distilled PyTorch | Δ |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    rows = []
    for method, ratio in grid:
        name = f"{model}-{method}-{ratio}"
        prune = load(runs, name, "prune") or {}
        runs_of = {k: seeds(runs, name, k) for k in ("shears.ft", "torch.ft", "shears.kd", "torch.kd")}
        before = {e: accuracy((runs_of[f"{e}.ft"] or runs_of[f"{e}.kd"] or [None])[0], "validation_accuracy_before") for e in ("shears", "torch")}
        each = {f"{e}.{m}": [accuracy(r) for r in runs_of[f"{e}.{m}"]] for e in ("shears", "torch") for m in ("ft", "kd")}
        ft = {e: mean(each[f"{e}.ft"]) for e in ("shears", "torch")}
        kd = {e: mean(each[f"{e}.kd"]) for e in ("shears", "torch")}
        left = prune.get("nonzero")
        label = "channels" if method == "channel" else "global L1"
        lines.append(f"| {label} {100 * float(ratio):.0f}% | {left if left is not None else '—'} of {prune.get('parameters_before', '—')} "
                     f"| {pct(before['shears'])} | {pct(before['torch'])} | {pct_range(each['shears.ft'])} | {pct_range(each['torch.ft'])} | {delta(ft['shears'], ft['torch'])} "
                     f"| {pct_range(each['shears.kd'])} | {pct_range(each['torch.kd'])} | {delta(kd['shears'], kd['torch'])} |")
        rows.append((method, float(ratio), left, before, ft, kd))
    return lines, rows, accuracy(dense, "accuracy")


def slimming(runs):
    """{rate: [(round, nonzero parameters, pruned accuracy, fine-tuned accuracy)]}, one-shot list."""
    curves = {}
    for path in glob.glob(os.path.join(runs, "slim-*.prune.json")):
        match = re.fullmatch(r"slim-([0-9.]+)-([0-9]+)\.prune\.json", os.path.basename(path))
        ft = load(runs, f"slim-{match[1]}-{match[2]}", "shears.ft")
        with open(path) as f:
            prune = json.load(f)
        curves.setdefault(match[1], []).append((int(match[2]), prune["nonzero"], accuracy(ft, "validation_accuracy_before"), accuracy(ft)))
    oneshot = []
    for path in glob.glob(os.path.join(runs, "oneshot-*.prune.json")):
        ratio = re.fullmatch(r"oneshot-([0-9.]+)\.prune\.json", os.path.basename(path))[1]
        ft = load(runs, f"oneshot-{ratio}", "shears.ft")
        with open(path) as f:
            prune = json.load(f)
        oneshot.append((float(ratio), prune["nonzero"], accuracy(ft, "validation_accuracy_before"), accuracy(ft),
                        len(ft["epochs"]) if ft else None))
    return {r: sorted(c) for r, c in curves.items()}, sorted(oneshot)


def gnuplot(folder, stem, title, xlabel, series, dat_blocks, key="bottom left"):
    """Writes stem.dat (blocks separated by two blank lines), stem.gp, and runs gnuplot."""
    with open(os.path.join(folder, f"{stem}.dat"), "w") as f:
        f.write("\n\n\n".join("\n".join(f"{x} {y}" for x, y in block) for block in dat_blocks) + "\n")
    plots = []
    for i, (label, style) in enumerate(series):
        plots.append(f"'{stem}.dat' index {i} using 1:2 with linespoints ls {style} title \"{label}\"")
    styles = [f"set style line {i + 1} lc rgb '{COLORS[i // 2 % len(COLORS)]}' lw 2 dt {1 if i % 2 == 0 else 2} pt {i + 1} ps 1.2"
              for i in range(max(s for _, s in series))]
    text = "\n".join([
        f"# {title}: edit and run `gnuplot {stem}.gp` in this folder.",
        f'set title "{title}"', f'set xlabel "{xlabel}"', 'set ylabel "top-1 validation accuracy"',
        "set grid lc rgb '#d0d0d0'", f"set key {key} box opaque", "set border lw 1.5",
        "set offsets graph 0.03, graph 0.03, graph 0.03, graph 0.03", "set yrange [0:1]",
        *styles,
        "set terminal pngcairo size 800,600 font 'Sans,12' enhanced", f"set output '{stem}.png'",
        "plot " + ", \\\n     ".join(plots),
        "set terminal svg size 800,600 font 'Sans,12' enhanced", f"set output '{stem}.svg'", "replot", "unset output", ""])
    with open(os.path.join(folder, f"{stem}.gp"), "w") as f:
        f.write(text)
    subprocess.run(["gnuplot", f"{stem}.gp"], cwd=folder, check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs")
    parser.add_argument("doc")
    parser.add_argument("charts")
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--recipe", required=True)
    parser.add_argument("--kd", required=True)
    args = parser.parse_args()
    os.makedirs(args.charts, exist_ok=True)
    rel = os.path.relpath(args.charts, os.path.dirname(args.doc) or ".")

    body = [BEGIN, "", f"Recipe (both engines): `{args.recipe}`, {args.epochs} epochs; distillation adds `{args.kd}`. "
            "Where a point ran with several seeds (`--seed 0, 1, …`: the shuffles and flips), the cell gives the mean "
            "and, in brackets, the range; Δ compares the means.", ""]
    worst = 0.0
    for model, grid in sorted(points(args.runs).items(), reverse=True):
        lines, rows, dense = grid_table(args.runs, model, grid)
        body += lines + [""]
        for _, _, _, _, ft, kd in rows:
            for pair in (ft, kd):
                if pair["shears"] is not None and pair["torch"] is not None:
                    worst = max(worst, abs(pair["shears"] - pair["torch"]))
        for method in ("channel", "global-l1"):
            chosen = [r for r in rows if r[0] == method]
            if not chosen:
                continue
            blocks, series = [], []
            for label, pick in (("pruned", lambda r: r[3]), ("fine-tuned", lambda r: r[4]), ("distilled", lambda r: r[5])):
                for engine, name in (("shears", "Shears"), ("torch", "PyTorch")):
                    block = [(0, dense)] if dense is not None else []
                    block += [(r[1], pick(r)[engine]) for r in chosen if pick(r)[engine] is not None]
                    blocks.append(block)
                    series.append((f"{label}, {name}", len(series) + 1))
            stem = f"recovery-{model}-{method}"
            what = "channels removed (L1 ranking)" if method == "channel" else "weights removed (global L1)"
            gnuplot(args.charts, stem, f"{model}: {method} pruning, then {args.epochs} epochs of recovery", f"fraction of {what}",
                    series, blocks)
            body += [f"![{model}, {method}]({rel}/{stem}.png)", ""]
    if worst:
        body += [f"Largest |Shears − PyTorch| over the fine-tuned and distilled points (means over the seeds run): {100 * worst:.1f} points.", ""]

    curves, oneshot = slimming(args.runs)
    if curves or oneshot:
        body += ["**Network slimming** (student; `--method channel-bn-scale`; one epoch of fine-tuning after each round, Shears):", "",
                 "| curve | round | parameters left | pruned | fine-tuned |", "|---|---|---|---|---|"]
        for rate, curve in sorted(curves.items(), key=lambda x: float(x[0])):
            for k, left, before, after in curve:
                body.append(f"| {100 * float(rate):.0f}% per round | {k} (≈{100 * (1 - (1 - float(rate)) ** k):.0f}% of channels) | {left} | {pct(before)} | {pct(after)} |")
        for ratio, left, before, after, epochs in oneshot:
            body.append(f"| one shot {100 * ratio:.0f}% | {epochs} epochs | {left} | {pct(before)} | {pct(after)} |")
        body.append("")
        blocks, series = [], []
        for rate, curve in sorted(curves.items(), key=lambda x: float(x[0])):
            blocks.append([(left, after) for _, left, _, after in curve if after is not None])
            series.append((f"iterative {100 * float(rate):.0f}% per round, fine-tuned", len(series) + 1))
        if oneshot:
            blocks.append([(left, after) for _, left, _, after, _ in oneshot if after is not None])
            series.append(("one shot, fine-tuned as long", len(series) + 1))
            blocks.append([(left, before) for _, left, before, _, _ in oneshot if before is not None])
            series.append(("one shot, not fine-tuned", len(series) + 1))
        gnuplot(args.charts, "slimming", "student: network slimming (BatchNorm |gamma|)", "parameters left", series, blocks, key="right center")
        body += [f"![network slimming]({rel}/slimming.png)", ""]
    body.append(END)

    text = open(args.doc).read() if os.path.exists(args.doc) else f"{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text:
        text += f"\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    with open(args.doc + ".tmp", "w") as f:
        f.write(head + "\n".join(body) + tail)
    os.replace(args.doc + ".tmp", args.doc)


if __name__ == "__main__":
    main()
