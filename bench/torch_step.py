#!/usr/bin/env python3
"""The benchmarked training steps in PyTorch, for bench/compare.sh: the MLP's, LeNet's, and conv2d alone.

The same steps as graph-bench's (bench/README.md defines them): the MLP on plain tensors, ReLU
hidden layers, F.cross_entropy of the logits against one-hot targets averaged over the batch,
backward, and plain SGD with learning rate 0.01 under torch.no_grad(); LeNet's step (LenetStep)
with F.conv2d and F.max_pool2d; and F.conv2d alone at LeNet's layers and a 3x3 64-channel one,
forward, or backward to both gradients. One thread unless --threads says otherwise. Each call is
timed on its own, after a warm-up, for a fixed time per case; the medians are printed as JSON:

    {"torch": "1.13.1", "threads": 1,
     "steps": [{"config": "tiny", "dtype": "f64", "median_us": 258.0, "samples": 7712}, ...],
     "conv": [{"layer": "lenet1", "dtype": "f64", "pass": "forward", "median_us": ..., "samples": ...}, ...],
     "lenet": [{"dtype": "f64", "median_us": ..., "samples": ...}, ...]}

    python3 bench/torch_step.py [--quick] [--threads N] [--config NAME ...]
"""

import argparse
import json
import math
import statistics
import sys
import time

sys.dont_write_bytecode = True   # no __pycache__ beside the script it imports
import torch_threads  # noqa: E402  (bench/, this script's folder)

torch_threads.pin(torch_threads.threads_in(sys.argv))   # before torch loads its BLAS

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

CONV_LAYERS = {  # batch, channels, size, filters, taps, padding: graph-bench's ConvLayer
    "lenet1": (100, 1, 28, 20, 5, 0),
    "lenet2": (100, 20, 12, 50, 5, 0),
    "conv3x3": (32, 64, 32, 64, 3, 1),
}
LENET_BATCH, LENET_LR = 100, 0.1
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


def median_time(run, warmup_s, measure_s, min_samples):
    """The median time of one call of run in microseconds, and how many calls it is the median of."""
    end = time.perf_counter() + warmup_s
    while time.perf_counter() < end:
        run()
    times = []
    end = time.perf_counter() + measure_s
    while time.perf_counter() < end or len(times) < min_samples:
        start = time.perf_counter_ns()
        run()
        times.append(time.perf_counter_ns() - start)
    return statistics.median(times) / 1000, len(times)


def conv_pass(layer, dtype, direction):
    """conv2d alone: the forward pass, or both gradients of <g, y> (graph-bench's ConvBenchmark)."""
    n, c, size, f, k, padding = CONV_LAYERS[layer]
    g = torch.Generator().manual_seed(SEED)
    x = (torch.rand(n, c, size, size, generator=g, dtype=dtype) * 2 - 1).requires_grad_(direction == "backward")
    w = ((torch.rand(f, c, k, k, generator=g, dtype=dtype) * 2 - 1) * 0.1).requires_grad_(direction == "backward")
    if direction == "forward":
        def run():
            with torch.no_grad():
                return F.conv2d(x, w, padding=padding)
        return run
    y = F.conv2d(x, w, padding=padding)
    cotangent = torch.rand(y.shape, generator=g, dtype=dtype) * 2 - 1
    return lambda: torch.autograd.grad(F.conv2d(x, w, padding=padding), (x, w), cotangent)


def lenet_step(dtype):
    """One LeNet training step, graph-bench's LenetStep: forward, backward, SGD with lr 0.1."""
    g = torch.Generator().manual_seed(SEED)
    shapes = [(20, 1, 5, 5), (20, 1, 1), (50, 20, 5, 5), (50, 1, 1), (800, 500), (500,), (500, 10), (10,)]
    params = []
    for i, shape in enumerate(shapes):
        if i % 2:
            params.append(torch.zeros(shape, dtype=dtype, requires_grad=True))
            continue
        taps = shape[2] * shape[3] if len(shape) == 4 else 1
        bound = math.sqrt(6.0 / ((shape[0] + shape[1]) * taps))
        params.append(((torch.rand(shape, generator=g, dtype=dtype) * 2 - 1) * bound).requires_grad_())
    x = torch.rand(LENET_BATCH, 784, generator=g, dtype=dtype)
    t = F.one_hot(torch.randint(10, (LENET_BATCH,), generator=g), 10).to(dtype)
    w0, b0, w1, b1, w2, b2, w3, b3 = params

    def run():
        h0 = torch.tanh(F.max_pool2d(F.conv2d(x.view(-1, 1, 28, 28), w0), 2) + b0)
        h1 = torch.tanh(F.max_pool2d(F.conv2d(h0, w1), 2) + b1)
        h2 = torch.tanh(h1.reshape(-1, 800) @ w2 + b2)
        loss = F.cross_entropy(h2 @ w3 + b3, t)
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p.sub_(p.grad, alpha=LENET_LR)
        return loss.item()
    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="time each configuration briefly, to try the script")
    parser.add_argument("--threads", type=int, default=1, help="threads for PyTorch and its BLAS (default 1; bench/torch_threads.py)")
    parser.add_argument("--config", action="append", choices=sorted(CONFIGS),
                        help="only this MLP configuration (repeatable), and no convolutions")
    args = parser.parse_args()
    warmup_s, measure_s, min_samples = (0.5, 1.0, 3) if args.quick else (2.0, 5.0, 10)

    torch.set_num_threads(args.threads)
    steps = []
    for name in args.config or CONFIGS:
        widths, batch = CONFIGS[name]
        for dtype_name, dtype in DTYPES.items():
            x, t, params = problem(widths, batch, dtype)
            median_us, samples = median_time(lambda: step(x, t, params), warmup_s, measure_s, min_samples)
            steps.append({"config": name, "dtype": dtype_name, "median_us": median_us, "samples": samples})
            print(f"torch_step.py: {name} {dtype_name}: {median_us:.1f} us ({samples} steps)", file=sys.stderr)
    convs = []
    for layer in [] if args.config else CONV_LAYERS:
        for dtype_name, dtype in DTYPES.items():
            for direction in ("forward", "backward"):
                median_us, samples = median_time(conv_pass(layer, dtype, direction), warmup_s, measure_s, min_samples)
                convs.append({"layer": layer, "dtype": dtype_name, "pass": direction, "median_us": median_us, "samples": samples})
                print(f"torch_step.py: conv2d {layer} {dtype_name} {direction}: {median_us:.1f} us ({samples} calls)", file=sys.stderr)
    lenet = []
    for dtype_name, dtype in [] if args.config else DTYPES.items():
        median_us, samples = median_time(lenet_step(dtype), warmup_s, measure_s, min_samples)
        lenet.append({"dtype": dtype_name, "median_us": median_us, "samples": samples})
        print(f"torch_step.py: lenet {dtype_name}: {median_us:.1f} us ({samples} steps)", file=sys.stderr)
    json.dump({"torch": torch.__version__, "threads": torch.get_num_threads(), "steps": steps, "conv": convs, "lenet": lenet},
              sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
