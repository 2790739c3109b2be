#!/usr/bin/env python3
"""The benchmarked MLP training step in PyTorch, for bench/compare.sh.

The same step as graph-bench's Graft and hand-written ones (bench/README.md defines it): the
MLP on plain tensors, ReLU hidden layers, F.cross_entropy of the logits against one-hot
targets averaged over the batch, backward, and plain SGD with learning rate 0.01 under
torch.no_grad(). One thread unless --threads says otherwise. Each step is timed on its own, after a warm-up, for a fixed time
per configuration; the median of those times is printed, with the other figures, as JSON:

    {"torch": "1.13.1", "threads": 1,
     "steps": [{"config": "tiny", "dtype": "f64", "median_us": 258.0, "samples": 7712}, ...]}

    python3 bench/torch_step.py [--quick] [--threads N] [--config NAME ...]
"""

import argparse
import json
import math
import statistics
import sys
import time

import torch
import torch.nn.functional as F

CONFIGS = {  # layer widths, input first, classes last; batch size
    "tiny": ([2, 5, 1], 4),
    "small": ([64, 32, 10], 32),
    "medium": ([784, 256, 10], 128),
    "large": ([784, 1024, 1024, 10], 256),
}
DTYPES = {"f64": torch.float64, "f32": torch.float32}
LEARNING_RATE = 0.01
SEED = 20250707


def problem(widths, batch, dtype):
    """A standard normal batch, one-hot targets, He-initialised weights [fan in, fan out], zero biases."""
    g = torch.Generator().manual_seed(SEED)
    x = torch.randn(batch, widths[0], generator=g, dtype=dtype)
    labels = torch.randint(widths[-1], (batch,), generator=g)
    t = F.one_hot(labels, widths[-1]).to(dtype)
    params = []
    for fan_in, fan_out in zip(widths, widths[1:]):
        w = torch.randn(fan_in, fan_out, generator=g, dtype=dtype) * math.sqrt(2.0 / fan_in)
        params.append(w.requires_grad_())
        params.append(torch.zeros(fan_out, dtype=dtype, requires_grad=True))
    return x, t, params


def step(x, t, params):
    """Forward, backward and the SGD update; returns the cost, computed before the update."""
    h = x
    layers = len(params) // 2
    for l in range(layers):
        z = torch.addmm(params[2 * l + 1], h, params[2 * l])  # h W + b, as nn.Linear computes it
        h = torch.relu(z) if l < layers - 1 else z
    loss = F.cross_entropy(h, t)  # probabilities as targets (PyTorch 1.10+), mean over the batch
    for p in params:
        p.grad = None
    loss.backward()
    with torch.no_grad():
        for p in params:
            p.sub_(p.grad, alpha=LEARNING_RATE)
    return loss.item()


def median_step(x, t, params, warmup_s, measure_s, min_samples):
    """The median time of one step in microseconds, and how many steps it is the median of."""
    end = time.perf_counter() + warmup_s
    while time.perf_counter() < end:
        step(x, t, params)
    times = []
    end = time.perf_counter() + measure_s
    while time.perf_counter() < end or len(times) < min_samples:
        start = time.perf_counter_ns()
        step(x, t, params)
        times.append(time.perf_counter_ns() - start)
    return statistics.median(times) / 1000, len(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="time each configuration briefly, to try the script")
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    parser.add_argument("--config", action="append", choices=sorted(CONFIGS), help="only this configuration (repeatable)")
    args = parser.parse_args()
    warmup_s, measure_s, min_samples = (0.5, 1.0, 3) if args.quick else (2.0, 5.0, 10)

    torch.set_num_threads(args.threads)
    steps = []
    for name in args.config or CONFIGS:
        widths, batch = CONFIGS[name]
        for dtype_name, dtype in DTYPES.items():
            x, t, params = problem(widths, batch, dtype)
            median_us, samples = median_step(x, t, params, warmup_s, measure_s, min_samples)
            steps.append({"config": name, "dtype": dtype_name, "median_us": median_us, "samples": samples})
            print(f"torch_step.py: {name} {dtype_name}: {median_us:.1f} us ({samples} steps)", file=sys.stderr)
    json.dump({"torch": torch.__version__, "threads": torch.get_num_threads(), "steps": steps}, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
