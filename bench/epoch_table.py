#!/usr/bin/env python3
"""The table of bench/epochs.sh: training seconds per epoch, Graft and PyTorch, and their ratios.

    python3 bench/epoch_table.py --record MODEL DTYPE THREADS STEPS EPOCH_STEPS METRICS_CSV TORCH_JSON [BEFORE_METRICS_CSV]
    python3 bench/epoch_table.py RUNS_JSONL

--record prints one JSON line for a run pair: graft train's metrics.csv (its `seconds` column, the
epoch's steps and not its test, and its first `train_` column, the mean objective) and
torch_epoch.py's output, with the steps each epoch made and those of a whole epoch, and with
BEFORE_METRICS_CSV the same run of another build of Graft (epochs.sh --baseline). Given the
lines, it prints the table: for each model and dtype, the time of an epoch on each thread count
in both, Graft/PyTorch at each, and each framework's time on more threads over its time on the
first; with a baseline, its time too and Graft's over it. A run of several epochs gives the median of its last half
(the epochs before warm the JIT and the caches up: on two threads the JIT's compiler threads
take the second core from Graft's worker for some hundreds of steps); a run of one gives that epoch. A run of fewer steps than an epoch
is scaled to a whole one (seconds x EPOCH_STEPS / STEPS), and the table says so.
Standard library only.
"""

import csv
import json
import statistics
import sys


def figure(seconds):
    """The seconds of an epoch a run stands for: the median of its last half, or its only epoch."""
    return statistics.median(seconds[len(seconds) // 2:])


def graft_run(metrics):
    """Seconds and mean training objective of each epoch in a graft train run's metrics.csv."""
    with open(metrics, newline="") as f:
        rows = list(csv.DictReader(f))
    objective = next(c for c in rows[0] if c.startswith("train_"))
    return {"seconds": [float(r["seconds"]) for r in rows], "train": [float(r[objective]) for r in rows]}


def record(model, dtype, threads, steps, epoch_steps, metrics, torch_json, before=None):
    with open(torch_json) as f:
        torch = json.load(f)
    if torch["steps"] != int(steps):
        sys.exit(f"epoch_table.py: {torch_json} made {torch['steps']} steps an epoch, graft {steps}")
    run = {"model": model, "dtype": dtype, "threads": int(threads), "steps": int(steps), "epoch_steps": int(epoch_steps),
           "torch_version": torch["torch"], "torch_blas": torch.get("blas", "unknown"),
           "graft": graft_run(metrics),
           "torch": {"seconds": [e["seconds"] for e in torch["epochs"]], "train": [e["train"] for e in torch["epochs"]]}}
    if before is not None:
        run["before"] = graft_run(before)
    return run


def seconds(run, framework):
    """The seconds of a whole epoch: the run's figure, scaled up when it made fewer steps."""
    return figure(run[framework]["seconds"]) * run["epoch_steps"] / run["steps"]


def table(runs):
    threads = sorted({r["threads"] for r in runs})
    baseline = any("before" in r for r in runs)
    rows = {}
    for r in runs:
        rows.setdefault((r["model"], r["dtype"]), {})[r["threads"]] = r
    header = ["model", "dtype"]
    for t in threads:
        header += [f"Graft {t}t", f"PyTorch {t}t", f"G/P {t}t"]
        if baseline:
            header += [f"before {t}t", f"G/before {t}t"]
    for t in threads[1:]:
        header += [f"Graft {t}t/{threads[0]}t", f"PyTorch {t}t/{threads[0]}t"]
    header += ["objective Graft", "PyTorch"]
    lines = []
    for (model, dtype), by_threads in rows.items():
        line = [model, dtype]
        for t in threads:
            r = by_threads.get(t)
            if r is None:
                line += ["—"] * (5 if baseline else 3)
                continue
            g, p = seconds(r, "graft"), seconds(r, "torch")
            line += [f"{g:.2f}", f"{p:.2f}", f"{g / p:.2f}"]
            if baseline:
                b = seconds(r, "before") if "before" in r else None
                line += [f"{b:.2f}", f"{g / b:.2f}"] if b else ["—"] * 2
        first = by_threads.get(threads[0])
        for t in threads[1:]:
            r = by_threads.get(t)
            if r is None or first is None:
                line += ["—"] * 2
                continue
            line += [f"{seconds(r, f) / seconds(first, f):.2f}" for f in ("graft", "torch")]
        last = by_threads[min(by_threads)]
        line += [f"{last['graft']['train'][-1]:.4g}", f"{last['torch']['train'][-1]:.4g}"]
        lines.append(line)
    widths = [max(len(row[i]) for row in [header] + lines) for i in range(len(header))]
    text = [" ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
            for row in [header] + lines]
    any_run = runs[0]
    epochs = len(any_run["graft"]["seconds"])
    reduced = sorted({f"{r['model']} {r['steps']} of {r['epoch_steps']}" for r in runs if r["steps"] < r["epoch_steps"]})
    notes = ["Seconds of training per epoch (the steps, not the test), "
             + ("the median of the last half of each run's epochs" if epochs > 1 else "each run's one epoch")
             + f"; PyTorch {any_run['torch_version']} (BLAS_INFO={any_run.get('torch_blas', 'unknown')}).",
             "G/P: Graft over PyTorch, below 1 Graft is faster; Nt/1t: the same framework on N threads over 1"
             + ("; before: the baseline build of Graft, run just before this one, G/before: this one over it." if baseline else "."),
             "objective: the mean training objective of the last epoch on the fewest threads (the rnn's loss, the vae's ELBO).",
             "Timed over the first steps of an epoch and scaled to a whole one: " + ", ".join(reduced) + "."
             if reduced else "Whole epochs."]
    return "\n".join(notes + [""] + text)


def main():
    if len(sys.argv) in (9, 10) and sys.argv[1] == "--record":
        print(json.dumps(record(*sys.argv[2:])))
    elif len(sys.argv) == 2:
        with open(sys.argv[1]) as f:
            runs = [json.loads(line) for line in f if line.strip()]
        if not runs:
            sys.exit(f"epoch_table.py: no runs in {sys.argv[1]}")
        print(table(runs))
    else:
        sys.exit(__doc__.strip().splitlines()[2].strip() + "\n" + __doc__.strip().splitlines()[3].strip())


if __name__ == "__main__":
    main()
