#!/usr/bin/env python3
"""Where a `graft train` run's CPU time went, from `perf script` of a `perf record -g` of it, for bench/epochs.sh --profile.

    perf script -i RUN.perf.data | python3 bench/perf_summary.py

Only the samples between the first and the last one of the training thread that runs a plan
(a Plan or Fused frame on its stack) count: the JVM's start, loading the data and
compiling the model fall before that window. (The test split's evaluation after each epoch falls
inside it; bench/epochs.sh keeps that split to 1,000 examples.) It prints the samples of each
thread in the window, then the training thread's samples by what they were doing, then its
hottest functions.

Java frames are named when the JVM wrote a perf map (-XX:+UnlockDiagnosticVMOptions
-XX:+DumpPerfMapAtExit) and walked when it keeps frame pointers (-XX:+PreserveFramePointer);
a method inlined into another counts as that other. Interpreted frames are "Interpreter".
OpenBLAS keeps no frame pointers, so a sample in it shows no caller: its leaf says which
routine. Standard library only.
"""

import collections
import re
import sys

HEADER = re.compile(r"^(?P<comm>.+?)\s+(?P<tid>\d+)\s+(?P<time>\d+\.\d+):\s+(?P<period>\d+)\s+\S+:")
FRAME = re.compile(r"^\s*[0-9a-f]+\s+(?P<sym>.*?)(?:\+0x[0-9a-f]+)?\s+\((?P<dso>[^)]*)\)$")

# a Java frame that only runs while a plan runs: the training steps and the evaluation. Not
# OpenBLAS: its threads spin in it between products, and its stacks name no caller
RUNNING = ("org.graft.core.runtime.Plan", "org.graft.core.runtime.Fused")


def samples(lines):
    """(comm, tid, time, period in ns, [(symbol, dso), ...] leaf first) for each sample of perf script's output."""
    head, frames = None, []
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            if head:
                yield head + (frames,)
            head, frames = None, []
            continue
        m = HEADER.match(line)
        if m and not line[0].isspace():
            head, frames = (m["comm"], int(m["tid"]), float(m["time"]), int(m["period"])), []
            continue
        f = FRAME.match(line)
        if f and head:
            frames.append((f["sym"], f["dso"].rsplit("/", 1)[-1]))
    if head:
        yield head + (frames,)


def runs_plan(frames):
    return any(any(r in s for r in RUNNING) for s, _ in frames)


def activity(frames):
    """What a sample was doing: a category from its leaf and its callers."""
    if not frames:
        return "other"
    sym, dso = frames[0]
    caller = frames[1][0] if len(frames) > 1 else ""
    text = " ".join(s for s, _ in frames)
    if "libopenblas" in dso:
        if "kernel" in sym:
            return "GEMM: OpenBLAS compute kernels"
        if "copy" in sym:
            return "GEMM: OpenBLAS packing (its own copies)"
        # unnamed addresses are its static functions: the idle loop of blas_thread_server, which
        # spins on rdtsc before it sleeps, and the level-3 driver's waits for the other threads
        return "GEMM: OpenBLAS waiting (spin loops, exec_blas, unnamed)"
    if "cblas_" in text or "Java_org_bytedeco_openblas" in text:
        return "GEMM: JNI array copies (Get/Release<T>ArrayElements)"
    if "org.graft.ops.Random" in text or "SplittableRandom" in text:
        return "random draws"
    # a stub called by the loop itself is System.arraycopy; one called by an op is a math intrinsic (exp, log)
    if sym.startswith("StubRoutines") and ("Fused.runBlocks" in caller or "Fused.loadBlock" in caller):
        return "elementwise: Fused block copies (arraycopy)"
    if sym.startswith("StubRoutines") and "Loops.copy" in caller:
        return "scan: copies of states and slices (arraycopy)"
    if re.search(r"runtime\.Plan\.(bind|run)\(", sym):
        # a call's own work: an f32 input is narrowed from its f64 array here, at every call (a scan's at every step)
        return "plan: binding inputs and running its kernels (Plan.run, Plan.bind)"
    if "StrictMath" in text or dso == "libjava.so":
        return "elementwise: StrictMath's native tanh, expm1, log1p"
    if "Fused" in text:
        return "elementwise: Fused chains and their ops"
    if re.search(r"org\.graft\.(ops|core\.ops)\.\w+\$?\w*\.apply", sym):
        return "elementwise: ops outside a chain"
    if "Reduce" in text or "SumTo" in text or "Linalg$Dot" in text:
        return "reductions, dot products"
    if "org.graft.ops.Conv" in text or "org.graft.ops.Pool" in text:
        return "convolution, pooling"
    if "org.graft.ops.Loops" in text or "runtime.Loop" in text:
        return "scan: its loop and the step's other kernels"
    if "org.graft.models.data" in text:
        return "gathering the batch (Dataset.rows)"
    if dso == "[kernel.kallsyms]":
        return "OS kernel (page faults, scheduling, syscalls)"
    if sym == "Interpreter":
        return "Java interpreter"
    if "org.graft.core.runtime" in text or "org.graft.ops" in text:
        return "other plan kernels and dispatch"
    return "other"


def breakdown(title, frame_lists):
    """The samples by activity, then the hottest functions (self time)."""
    by_activity = collections.Counter(activity(f) for f in frame_lists)
    print(f"\n{title} ({len(frame_lists)} samples) by activity:")
    for name, n in by_activity.most_common():
        print(f"  {100 * n / len(frame_lists):5.1f}%  {name}")
    leaves = collections.Counter(f"{f[0][0]}  [{f[0][1]}]" if f else "?" for f in frame_lists)
    print("  hottest functions (self time):")
    for name, n in leaves.most_common(12):
        print(f"  {100 * n / len(frame_lists):5.1f}%  {name[:150]}")


def main():
    every = list(samples(sys.stdin))
    running = [(tid, t) for comm, tid, t, _, frames in every if runs_plan(frames) and comm == "java"]
    if not running:
        sys.exit("perf_summary.py: no sample runs a plan (was the run recorded with -g and a perf map?)")
    main_tid = collections.Counter(tid for tid, _ in running).most_common(1)[0][0]
    times = [t for tid, t in running if tid == main_tid]
    start, end = min(times), max(times)
    window = [x for x in every if start <= x[2] <= end]

    def thread(comm, tid, frames):
        if tid == main_tid:
            return "training thread"
        if comm.startswith("graft-kernel"):
            return "graft-kernel workers (elementwise pool)"
        if any("libopenblas" in d for _, d in frames):
            return "OpenBLAS threads"
        if "CompilerThre" in comm:
            return "JIT compilers"
        if comm.startswith("GC Thread") or comm.startswith("G1"):
            return "garbage collector"
        return "other threads"

    groups = collections.defaultdict(list)
    for comm, tid, _, _, frames in window:
        groups[thread(comm, tid, frames)].append(frames)
    total = len(window)
    cores = sum(x[3] for x in window) / 1e9 / (end - start)
    print(f"window: {end - start:.1f} s from the first to the last sample of the training thread running a plan; "
          f"{total} samples, {cores:.2f} cores busy on average")
    print("\nsamples by thread:")
    for name, frame_lists in sorted(groups.items(), key=lambda g: -len(g[1])):
        print(f"  {100 * len(frame_lists) / total:5.1f}%  {len(frame_lists):6d}  {name}")
    breakdown("the training thread", groups["training thread"])
    for name in ("OpenBLAS threads", "graft-kernel workers (elementwise pool)"):
        if len(groups[name]) >= 0.02 * total:
            breakdown("the " + name, groups[name])


if __name__ == "__main__":
    main()
