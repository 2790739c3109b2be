#!/usr/bin/env python3
"""How much of a PyTorch epoch of a bundled model its products take: the floor a framework on the same BLAS cannot go under.

Trains the model as bench/torch_epoch.py does (same params, optimizer, batch and data), for
--epochs epochs untimed but the last, which runs under torch.profiler. It prints the epoch's
time without the profiler (the one before the last) and, from the profiled one, the self time of
the ops that are one BLAS product each (mm, addmm, bmm, ...; each is a single gemm call, so
its self time is the library's) and of the convolutions (im2col and gemm in f64, oneDNN in
f32), with the busiest shapes. The profiler adds time around every op, never inside one, so the
products' share of the profiled epoch is if anything too low.

    /usr/bin/python3 bench/torch_products.py MODEL --data DIR [--dtype f64|f32] [--threads N] [--epochs N]

Used for issue 20's question: can `graft train` run an epoch in 0.6x PyTorch's time? Not when
the products PyTorch runs, in a library at least as fast as Graft's, take more than 0.6x of
PyTorch's epoch on their own (bench/README.md, "Where the epoch table stops").
"""

import argparse
import collections
import sys
import time

sys.dont_write_bytecode = True   # no __pycache__ beside the scripts it imports
import torch_threads  # noqa: E402  (bench/, this script's folder)

torch_threads.pin(torch_threads.threads_in(sys.argv))   # before numpy and torch load their BLAS

import torch  # noqa: E402
import torch_epoch  # noqa: E402  (bench/, this script's folder)

PRODUCTS = {"aten::mm", "aten::addmm", "aten::bmm", "aten::baddbmm", "aten::addbmm", "aten::mv", "aten::addmv", "aten::dot"}
CONVOLUTIONS = ("conv", "mkldnn")


def epoch(model, x, y, along):
    """One epoch as bench/torch_epoch.py runs it; its seconds."""
    start = time.perf_counter()
    order = torch.randperm(x.shape[along])
    batch = model.batch
    for s in range(x.shape[along] // batch):
        rows = order[s * batch:(s + 1) * batch]
        model.step(x.index_select(along, rows), y.index_select(along, rows))
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", choices=sorted(torch_epoch.MODELS))
    parser.add_argument("--data", help="a directory of MNIST's IDX files (not for rnn)")
    parser.add_argument("--dtype", choices=["f32", "f64"], default="f64")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=3, help="epochs in all, the last profiled (at least 2)")
    args = parser.parse_args()
    if args.epochs < 2:
        parser.error("--epochs must be at least 2: one to time without the profiler, one to profile")
    torch.set_num_threads(args.threads)
    torch.manual_seed(torch_epoch.SEED)
    dtype = torch.float32 if args.dtype == "f32" else torch.float64
    x, y, along = torch_epoch.training_set(args.model, args.data, dtype)
    model = torch_epoch.MODELS[args.model](dtype)
    plain = [epoch(model, x, y, along) for _ in range(args.epochs - 1)]
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU], record_shapes=True) as prof:
        profiled = epoch(model, x, y, along)
    products, convolutions = 0.0, 0.0
    shapes = collections.Counter()
    for e in prof.key_averages(group_by_input_shape=True):
        seconds = e.self_cpu_time_total / 1e6
        if e.key in PRODUCTS:
            products += seconds
            shapes[f"{e.key} {e.input_shapes} x{e.count}"] += seconds
        elif any(c in e.key for c in CONVOLUTIONS):
            convolutions += seconds
            shapes[f"{e.key} {e.input_shapes} x{e.count}"] += seconds
    print(f"{args.model} {args.dtype} {args.threads} thread(s): epoch {plain[-1]:.3f} s without the profiler, {profiled:.3f} s with it; "
          f"products {products:.3f} s ({products / plain[-1]:.2f} of the plain epoch), convolutions {convolutions:.3f} s "
          f"({convolutions / plain[-1]:.2f})")
    for what, seconds in shapes.most_common(8):
        print(f"  {seconds:8.3f} s  {what}")


if __name__ == "__main__":
    main()
