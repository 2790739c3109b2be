#!/usr/bin/env python3
"""LeNet trained on MNIST in PyTorch as `graft train lenet` trains it, for bench/lenet_epoch.sh.

The bundled lenet.graft in torch.nn.functional: two 5x5 convolutions of 20 and 50 filters, each
max-pooled by 2 before its bias and tanh, 500 tanh units, F.cross_entropy of the logits against
the labels; Glorot-uniform weights (the fans of filters counting their taps), zero biases and a
zero last layer, as the .graft declares them; Adam (lr 0.001) over batches of 100 drawn in a new
order each epoch. Pixels are the IDX bytes / 255, as Graft reads them. For each epoch it prints
the mean training loss, the test accuracy, and the seconds of training alone (the batches, the
steps; not the test), which is what graft train's `seconds` column holds:

    {"torch": "1.13.1", "threads": 1, "dtype": "f32",
     "epochs": [{"epoch": 1, "train_loss": 0.19, "test_accuracy": 0.983, "seconds": 41.2}]}

    python3 bench/torch_lenet.py MNIST_DIR [--epochs N] [--threads N] [--dtype f32|f64]
"""

import argparse
import gzip
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

BATCH, LR = 100, 0.001


def idx(path):
    """An IDX file's array (gzipped or not), as unsigned bytes in its shape."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def find(directory, stem):
    for name in (stem, stem + ".gz"):
        if os.path.exists(os.path.join(directory, name)):
            return os.path.join(directory, name)
    sys.exit(f"torch_lenet.py: no {stem}[.gz] in {directory}")


def mnist(directory, part, dtype):
    x = idx(find(directory, f"{part}-images-idx3-ubyte")).reshape(-1, 784)
    y = idx(find(directory, f"{part}-labels-idx1-ubyte"))
    return torch.tensor(x, dtype=dtype) / 255, torch.tensor(y, dtype=torch.long)


def glorot(shape, dtype):
    taps = shape[2] * shape[3] if len(shape) == 4 else 1
    bound = math.sqrt(6.0 / ((shape[0] + shape[1]) * taps))
    return ((torch.rand(shape, dtype=dtype) * 2 - 1) * bound).requires_grad_()


def logits(params, x):
    w0, b0, w1, b1, w2, b2, w3, b3 = params
    h0 = torch.tanh(F.max_pool2d(F.conv2d(x.view(-1, 1, 28, 28), w0), 2) + b0)
    h1 = torch.tanh(F.max_pool2d(F.conv2d(h0, w1), 2) + b1)
    h2 = torch.tanh(h1.reshape(-1, 800) @ w2 + b2)
    return h2 @ w3 + b3


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mnist", help="a directory of the four MNIST IDX files, gzipped or not")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    parser.add_argument("--dtype", choices=["f32", "f64"], default="f64", help="f64 by default, as graft train")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(20261207)
    dtype = torch.float32 if args.dtype == "f32" else torch.float64
    x, y = mnist(args.mnist, "train", dtype)
    test_x, test_y = mnist(args.mnist, "t10k", dtype)
    zeros = lambda *shape: torch.zeros(shape, dtype=dtype, requires_grad=True)
    params = [glorot((20, 1, 5, 5), dtype), zeros(20, 1, 1), glorot((50, 20, 5, 5), dtype), zeros(50, 1, 1),
              glorot((800, 500), dtype), zeros(500), zeros(500, 10), zeros(10)]
    optimizer = torch.optim.Adam(params, lr=LR)
    epochs = []
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        order = torch.randperm(len(x))
        total, steps = 0.0, 0
        for i in range(0, len(x) - BATCH + 1, BATCH):
            rows = order[i:i + BATCH]
            loss = F.cross_entropy(logits(params, x[rows]), y[rows])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total, steps = total + loss.item(), steps + 1
        seconds = time.perf_counter() - start
        with torch.no_grad():
            right = sum((logits(params, test_x[i:i + 1000]).argmax(1) == test_y[i:i + 1000]).sum().item()
                        for i in range(0, len(test_x), 1000))
        epochs.append({"epoch": epoch, "train_loss": total / steps, "test_accuracy": right / len(test_x), "seconds": seconds})
        print(f"torch_lenet.py: epoch {epoch}: train loss {total / steps:.4f}, test accuracy {right / len(test_x):.4f}, "
              f"{seconds:.1f} s", file=sys.stderr)
    json.dump({"torch": torch.__version__, "threads": torch.get_num_threads(), "dtype": args.dtype, "epochs": epochs}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
