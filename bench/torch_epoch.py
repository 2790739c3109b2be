#!/usr/bin/env python3
"""One epoch of a bundled model in PyTorch, trained as `graft train` trains it, for bench/epochs.sh.

Each model is its .graft source (graph-models/src/main/resources/org/graft/models/sources/)
written with torch.nn.functional on plain tensors, with the same params and initialisation
(glorot_uniform is U(-a, a), a = sqrt(6 / (fan in + fan out)), the fans of filters counting
their taps; zeros; normal(0, 0.01)), the same objective, optimizer and learning rate
(torch.optim.SGD and torch.optim.Adam, whose updates Graft's OptimizerGoldenTest holds Graft's
to), and the same batch:

  mlp    784-500-10 ReLU, softmax cross-entropy + 1e-4 (|W1|^2 + |W2|^2), Adam 0.01, batch 100
         (mlp.graft with --set hidden=500; dropout 0, so F.dropout is the identity as in nn.Dropout)
  dae    784-500 tied sigmoid autoencoder, masking noise 0.3, SGD 0.1, batch 20
  cae    784-500 tied sigmoid autoencoder, contractive penalty 0.1, SGD 0.1, batch 20
  rbm    784-500 binary RBM, PCD-15 (the chain a [batch, 784] state), SGD 0.1, batch 20
  vae    784-500-20 Gaussian encoder, Bernoulli decoder on x > 0.5, Adam 0.001, batch 100
  lenet  two 5x5 convolutions (20, 50 filters) max-pooled by 2, 500 tanh, Adam 0.001, batch 100
  rnn    an Elman net 3-32-3 (torch.nn.RNN, tanh) over lorenz's [100, n, 3] sequences, x + h Wy + by
         predicting the next step, mean squared error, Adam 0.01, batch 32

MNIST pixels are the IDX bytes / 255, as Graft reads them; lorenz is scripts/golden/lorenz.py's
set, Graft's own. The batches are drawn in a new order each epoch, the last partial batch left
out, as graft train does. Only the training loop is timed (drawing the batch, the step,
loss.item()), not loading the data, which is what graft train's `seconds` column holds. The
result is one JSON object on standard output:

    {"model": "mlp", "torch": "1.13.1", "blas": "generic", "threads": 1, "dtype": "f64", "batch": 100, "steps": 600,
     "epochs": [{"epoch": 1, "train": 0.31, "seconds": 9.1}]}

`train` is the mean objective over the epoch's steps as graft train's `train` column has it
(the ELBO for the vae, which is maximized); `steps` are an epoch's. A reduced run reads the first
examples of MNIST that bench/mnist_head.py writes, as graft train does.

    /usr/bin/python3 bench/torch_epoch.py MODEL --data DIR [--dtype f64|f32] [--threads N] [--epochs N]
    /usr/bin/python3 bench/torch_epoch.py --settings  # a line per model: name, batch, data, graft train's --set
    /usr/bin/python3 bench/torch_epoch.py --describe  # the same with the optimizer and the params' shapes as JSON
"""

import argparse
import json
import math
import os
import re
import sys
import time

sys.dont_write_bytecode = True   # no __pycache__ beside the scripts it imports
import torch_threads  # noqa: E402  (bench/, this script's folder)

torch_threads.pin(torch_threads.threads_in(sys.argv))   # before numpy and torch load their BLAS

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts", "golden"))
import lorenz  # noqa: E402  (Graft's lorenz set, made again in NumPy)
import mnist_head  # noqa: E402  (bench/, this script's folder)

SEED = 20261207


def idx(path):
    """An IDX file's array, as unsigned bytes in its shape."""
    data = mnist_head.read(path)
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def mnist(directory, dtype):
    """The training images [60000, 784] / 255 and their labels."""
    x = idx(mnist_head.find(directory, "train-images-idx3-ubyte"))
    y = idx(mnist_head.find(directory, "train-labels-idx1-ubyte"))
    return torch.tensor(x.reshape(len(x), -1), dtype=dtype) / 255, torch.tensor(y, dtype=torch.long)


def glorot(*shape, dtype):
    taps = shape[2] * shape[3] if len(shape) == 4 else 1
    bound = math.sqrt(6.0 / ((shape[0] + shape[1]) * taps))
    return ((torch.rand(shape, dtype=dtype) * 2 - 1) * bound).requires_grad_()


def zeros(*shape, dtype):
    return torch.zeros(shape, dtype=dtype, requires_grad=True)


def summed_bce(logits, x):
    """mean_n sum_i bce_with_logits(logits, x): [n, d] -> scalar"""
    return F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(-1).mean()


class Model:
    """A model's params, its optimizer, its batch, and its objective on a batch (what is minimized).

    The class attributes are the benchmark's settings, which bench/epochs.sh reads (--settings)
    for graft train too: the batch, the data set, and the consts set on the .graft (--set)."""
    batch, data, graft_set = 100, "mnist", {}
    sign = 1   # -1 when the .graft maximizes: the objective graft train reports is -loss

    def __init__(self, dtype):
        self.dtype = dtype
        self.params = self.make(dtype)
        self.optimizer = self.make_optimizer(self.params)

    def graft_shapes(self):
        """The trained params' shapes, as the .graft declares them."""
        return [list(p.shape) for p in self.params]

    def step(self, x, y):
        """One training step; returns the objective graft train's `train` column sums."""
        loss = self.loss(x, y)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        return self.sign * loss.item()


class Mlp(Model):
    hidden, l2, dropout = 500, 1e-4, 0.0
    graft_set = {"hidden": hidden}   # mlp.graft's default is 128

    def make(self, dtype):
        return [glorot(784, self.hidden, dtype=dtype), zeros(self.hidden, dtype=dtype),
                glorot(self.hidden, 10, dtype=dtype), zeros(10, dtype=dtype)]

    def make_optimizer(self, params):
        return torch.optim.Adam(params, lr=0.01)

    def loss(self, x, y):
        w1, b1, w2, b2 = self.params
        h = F.dropout(torch.relu(torch.addmm(b1, x, w1)), self.dropout, training=True)
        return F.cross_entropy(torch.addmm(b2, h, w2), y) + self.l2 * (w1.pow(2).sum() + w2.pow(2).sum())


class Dae(Model):
    batch, hidden, corruption = 20, 500, 0.3

    def make(self, dtype):
        return [glorot(784, self.hidden, dtype=dtype), zeros(self.hidden, dtype=dtype), zeros(784, dtype=dtype)]

    def make_optimizer(self, params):
        return torch.optim.SGD(params, lr=0.1)

    def loss(self, x, y):
        w, bh, br = self.params
        noisy = x * torch.bernoulli(torch.full_like(x, 1 - self.corruption))
        return summed_bce(torch.addmm(br, torch.sigmoid(torch.addmm(bh, noisy, w)), w.t()), x)


class Cae(Dae):
    penalty = 0.1

    def loss(self, x, y):
        w, bh, br = self.params
        h = torch.sigmoid(torch.addmm(bh, x, w))
        # |dh/dx|_F^2 per row: sum_j (h_j (1 - h_j))^2 sum_i W_ij^2
        jacobian = ((h * (1 - h)).square() * w.square().sum(0)).sum(-1).mean()
        return summed_bce(torch.addmm(br, h, w.t()), x) + self.penalty * jacobian


class Rbm(Model):
    batch, hidden, k = 20, 500, 15

    def make(self, dtype):
        self.chain = torch.zeros(self.batch, 784, dtype=dtype)   # the persistent chain, state not trained
        return [glorot(784, self.hidden, dtype=dtype), zeros(784, dtype=dtype), zeros(self.hidden, dtype=dtype)]

    def make_optimizer(self, params):
        return torch.optim.SGD(params, lr=0.1)

    def free_energy(self, v):
        w, bv, bh = self.params
        return -(v @ bv) - F.softplus(torch.addmm(bh, v, w)).sum(-1)

    def loss(self, x, y):
        w, bv, bh = self.params
        with torch.no_grad():   # vk is held constant: the cost's gradient is CD-k's
            v = self.chain
            for _ in range(self.k):
                h = torch.bernoulli(torch.sigmoid(torch.addmm(bh, v, w)))
                v = torch.bernoulli(torch.sigmoid(torch.addmm(bv, h, w.t())))
            self.chain = v
        return self.free_energy(x).mean() - self.free_energy(v).mean()


class Vae(Model):
    hidden, latent, sign = 500, 20, -1

    def make(self, dtype):
        h, z = self.hidden, self.latent
        return [glorot(784, h, dtype=dtype), zeros(h, dtype=dtype), glorot(h, z, dtype=dtype), zeros(z, dtype=dtype),
                glorot(h, z, dtype=dtype), zeros(z, dtype=dtype), glorot(z, h, dtype=dtype), zeros(h, dtype=dtype),
                glorot(h, 784, dtype=dtype), zeros(784, dtype=dtype)]

    def make_optimizer(self, params):
        return torch.optim.Adam(params, lr=0.001)

    def loss(self, x, y):
        we, be, wmu, bmu, wlv, blv, wd, bd, wx, bx = self.params
        v = (x > 0.5).to(x.dtype)
        h = torch.relu(torch.addmm(be, v, we))
        mu, logvar = torch.addmm(bmu, h, wmu), torch.addmm(blv, h, wlv)
        z = mu + torch.exp(logvar / 2) * torch.randn_like(mu)
        logits = torch.addmm(bx, torch.relu(torch.addmm(bd, z, wd)), wx)
        kl = -0.5 * (1 + logvar - mu.square() - logvar.exp()).sum(-1)
        return summed_bce(logits, v) + kl.mean()   # -ELBO


class Lenet(Model):
    def make(self, dtype):
        return [glorot(20, 1, 5, 5, dtype=dtype), zeros(20, 1, 1, dtype=dtype),
                glorot(50, 20, 5, 5, dtype=dtype), zeros(50, 1, 1, dtype=dtype),
                glorot(800, 500, dtype=dtype), zeros(500, dtype=dtype), zeros(500, 10, dtype=dtype), zeros(10, dtype=dtype)]

    def make_optimizer(self, params):
        return torch.optim.Adam(params, lr=0.001)

    def loss(self, x, y):
        w0, b0, w1, b1, w2, b2, w3, b3 = self.params
        h0 = torch.tanh(F.max_pool2d(F.conv2d(x.view(-1, 1, 28, 28), w0), 2) + b0)
        h1 = torch.tanh(F.max_pool2d(F.conv2d(h0, w1), 2) + b1)
        h2 = torch.tanh(torch.addmm(b2, h1.reshape(-1, 800), w2))
        return F.cross_entropy(torch.addmm(b3, h2, w3), y)


class Rnn(Model):
    """rnn.graft's Elman net as torch.nn.RNN: its input-to-hidden bias is bh, the hidden-to-hidden one held at 0."""
    batch, hidden, data = 32, 32, "lorenz"

    def make(self, dtype):
        self.rnn = torch.nn.RNN(3, self.hidden, nonlinearity="tanh").to(dtype)
        with torch.no_grad():   # nn.RNN keeps its weights [out, in]: Wx and Wh transposed
            self.rnn.weight_ih_l0.copy_(glorot(3, self.hidden, dtype=dtype).t())
            self.rnn.weight_hh_l0.copy_(glorot(self.hidden, self.hidden, dtype=dtype).t())
            self.rnn.bias_ih_l0.zero_()
            self.rnn.bias_hh_l0.zero_()
        self.rnn.bias_hh_l0.requires_grad_(False)
        wy = (torch.randn(self.hidden, 3, dtype=dtype) * 0.01).requires_grad_()
        return [self.rnn.weight_ih_l0, self.rnn.weight_hh_l0, self.rnn.bias_ih_l0, wy, zeros(3, dtype=dtype)]

    def make_optimizer(self, params):
        return torch.optim.Adam(params, lr=0.01)

    def graft_shapes(self):
        shapes = super().graft_shapes()
        return [shapes[0][::-1], shapes[1][::-1]] + shapes[2:]   # Wx and Wh as [in, out]

    def loss(self, x, y):
        wy, by = self.params[3:]
        hs, _ = self.rnn(x)    # [t, n, hidden], h[-1] = 0
        return F.mse_loss(x + hs @ wy + by, y)


MODELS = {"mlp": Mlp, "dae": Dae, "cae": Cae, "rbm": Rbm, "vae": Vae, "lenet": Lenet, "rnn": Rnn}


def blas():
    """The BLAS this torch was built with (BLAS_INFO): mkl for PyPI's wheels, generic for Debian's, which
    runs its products in whatever libblas.so.3 the system provides (libblas3, the reference BLAS, unless
    an optimized one is installed)."""
    found = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
    return found.group(1) if found else "unknown"


def settings():
    """A line per model for bench/epochs.sh: its name, batch, data set, and graft train's --set arguments."""
    return "\n".join(" ".join([name, str(cls.batch), cls.data] + [f"--set {k}={v}" for k, v in cls.graft_set.items()])
                     for name, cls in MODELS.items())


def describe():
    """Every model's settings, optimizer, learning rate and trained params' shapes (in the order the .graft declares them)."""
    out = {}
    for name, cls in MODELS.items():
        model = cls(torch.float64)
        out[name] = {"batch": cls.batch, "data": cls.data, "set": cls.graft_set,
                     "maximize": cls.sign < 0, "optimizer": type(model.optimizer).__name__.lower(),
                     "lr": model.optimizer.param_groups[0]["lr"],
                     "params": model.graft_shapes()}
    return out


def training_set(name, data, dtype):
    """x and y of the training split, examples along axis `along`."""
    if MODELS[name].data == "lorenz":
        _, x, y = next(lorenz.splits())
        return torch.tensor(x, dtype=dtype), torch.tensor(y, dtype=dtype), 1
    if data is None:
        sys.exit(f"torch_epoch.py: {name} trains on MNIST: give --data DIR")
    x, y = mnist(data, dtype)
    return x, y, 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", choices=sorted(MODELS))
    parser.add_argument("--data", help="a directory of MNIST's IDX files, gzipped or not (not for rnn, which trains on lorenz)")
    parser.add_argument("--dtype", choices=["f32", "f64"], default="f64", help="f64 by default, as graft train")
    parser.add_argument("--threads", type=int, default=1, help="threads for PyTorch and its BLAS (default 1; bench/torch_threads.py)")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--settings", action="store_true", help="print each model's batch, data set and graft train --set arguments")
    parser.add_argument("--describe", action="store_true",
                        help="print each model's settings, optimizer and params' shapes as JSON (EpochModelsTest's fixture)")
    args = parser.parse_args()
    if args.settings or args.describe:
        print(settings() if args.settings else json.dumps(describe(), indent=1))
        return
    if args.model is None:
        parser.error("a model is needed, or --settings or --describe")
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    dtype = torch.float32 if args.dtype == "f32" else torch.float64
    x, y, along = training_set(args.model, args.data, dtype)
    model = MODELS[args.model](dtype)
    batch = model.batch
    steps = x.shape[along] // batch
    epochs = []
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        order = torch.randperm(x.shape[along])
        total = 0.0
        for s in range(steps):
            rows = order[s * batch:(s + 1) * batch]
            total += model.step(x.index_select(along, rows), y.index_select(along, rows))
        seconds = time.perf_counter() - start
        epochs.append({"epoch": epoch, "train": total / steps, "seconds": seconds})
        print(f"torch_epoch.py: {args.model} {args.dtype} {args.threads} thread(s), epoch {epoch}: "
              f"train {total / steps:.4f}, {steps} steps in {seconds:.2f} s", file=sys.stderr)
    json.dump({"model": args.model, "torch": torch.__version__, "blas": blas(), "threads": torch.get_num_threads(), "dtype": args.dtype,
               "batch": batch, "steps": steps, "epochs": epochs}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
