#!/usr/bin/python3
"""Expected values for ScanGoldenTest: recurrent networks run by PyTorch in float64, against
which Graft's scan and its gradient (back-propagation through time) are checked.

Each case runs an Elman network (h' = tanh(x Wx + h Wh + b), a Python loop with autograd) or
an LSTM (torch.nn.LSTM, one layer, whose weights are given in its own layout) over a sequence
x [t, n, d] from h0 (and c0), and takes the gradient of L = sum(hs * G), where hs [t, n, k] are
the states after each step. The inputs x and the cotangent G are not written: both sides make
them from a formula of the element's row-major index i,

    x[i] = sin(0.3 i + 0.2),    G[i] = cos(0.05 i),

so a case of 1,000 steps needs no megabytes of fixture. A truncated case detaches the state
before every k-th step after the first (PyTorch's truncated BPTT); a reverse case runs the steps
from the last element to the first and stacks the states in the sequence's order; the second
order case differentiates sum((dL/dWh)^2) again with respect to Wh.

Run it with Debian's python3 (apt-get install python3-torch):

    /usr/bin/python3 scripts/golden/scan.py > graph-ops/src/test/resources/torch/scan.txt

Each case is a block: `case NAME`, then `key value...` lines (space-separated numbers, printed
with repr so they read back exactly, row-major), then a blank line. Weights and initial states
are given in full; of the results, `hs_first`/`hs_last` are the states after the first and the
last step, `dx_first`/`dx_last` the gradient of the first and last step's x, the rest in full.
"""
import math

import torch

torch.set_default_dtype(torch.float64)
N, D, K = 3, 4, 5


def formula(shape, f):
    size = math.prod(shape)
    return torch.tensor([f(i) for i in range(size)]).reshape(shape)


def inputs(t):
    return formula((t, N, D), lambda i: math.sin(0.3 * i + 0.2)), formula((t, N, K), lambda i: math.cos(0.05 * i))


def numbers(t):
    return " ".join(repr(v) for v in t.flatten().tolist())


def drawn(gen, *shape, scale):
    return ((torch.rand(*shape, generator=gen) * 2 - 1) * scale)


def elman(x, h0, wx, wh, b, reverse=False, truncate=0):
    t = x.shape[0]
    hs = [None] * t
    h = h0
    for run in range(t):
        i = t - 1 - run if reverse else run
        if truncate > 0 and run > 0 and run % truncate == 0:
            h = h.detach()
        h = torch.tanh(x[i] @ wx + h @ wh + b)
        hs[i] = h
    return torch.stack(hs) if t else torch.zeros(0, N, K)


def write(name, fields):
    print("case " + name)
    for key, value in fields:
        print(key + " " + (value if isinstance(value, str) else numbers(value)))
    print()


gen = torch.Generator().manual_seed(20261207)
H0 = drawn(gen, N, K, scale=0.5)
WX = drawn(gen, D, K, scale=0.5)
WH = drawn(gen, K, K, scale=0.4)
B = drawn(gen, K, scale=0.1)


def elman_case(name, t, reverse=False, truncate=0, second=False):
    x, g = inputs(t)
    x.requires_grad_(True)
    h0, wx, wh, b = (v.clone().requires_grad_(True) for v in (H0, WX, WH, B))
    hs = elman(x, h0, wx, wh, b, reverse, truncate)
    loss = (hs * g).sum()
    dx, dh0, dwx, dwh, db = torch.autograd.grad(loss, (x, h0, wx, wh, b), create_graph=second)
    fields = [("kind", "elman"), ("t", str(t)), ("reverse", str(reverse).lower()), ("truncate", str(truncate)),
              ("h0", H0), ("Wx", WX), ("Wh", WH), ("b", B),
              ("hs_first", hs[0]), ("hs_last", hs[-1]), ("loss", torch.tensor([loss.item()])),
              ("dx_first", dx[0]), ("dx_last", dx[-1]), ("dh0", dh0), ("dWx", dwx), ("dWh", dwh), ("db", db)]
    if second:
        (hh,) = torch.autograd.grad((dwh ** 2).sum(), wh)
        fields.append(("second_Wh", hh))
    write(name, fields)


for t in (1, 2, 50, 1000):
    elman_case("elman t=%d" % t, t)
elman_case("elman reverse t=50", 50, reverse=True)
elman_case("elman truncate=7 t=50", 50, truncate=7)
elman_case("elman reverse truncate=7 t=50", 50, reverse=True, truncate=7)
elman_case("elman second order t=20", 20, second=True)

# the LSTM: torch.nn.LSTM's gates in its order (input, forget, cell, output), its weights as it holds them
lstm = torch.nn.LSTM(D, K)
with torch.no_grad():
    lstm.weight_ih_l0.copy_(drawn(gen, 4 * K, D, scale=0.5))
    lstm.weight_hh_l0.copy_(drawn(gen, 4 * K, K, scale=0.4))
    lstm.bias_ih_l0.copy_(drawn(gen, 4 * K, scale=0.1))
    lstm.bias_hh_l0.copy_(drawn(gen, 4 * K, scale=0.1))
C0 = drawn(gen, N, K, scale=0.5)

for t in (1, 2, 50, 1000):
    x, g = inputs(t)
    x.requires_grad_(True)
    h0, c0 = H0.clone().requires_grad_(True), C0.clone().requires_grad_(True)
    hs, _ = lstm(x, (h0.unsqueeze(0), c0.unsqueeze(0)))
    loss = (hs * g).sum()
    params = (lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0, lstm.bias_hh_l0)
    dx, dh0, dc0, dwi, dwh, dbi, dbh = torch.autograd.grad(loss, (x, h0, c0) + params)
    write("lstm t=%d" % t, [
        ("kind", "lstm"), ("t", str(t)), ("reverse", "false"), ("truncate", "0"),
        ("h0", H0), ("c0", C0), ("W_ih", params[0]), ("W_hh", params[1]), ("b_ih", params[2]), ("b_hh", params[3]),
        ("hs_first", hs[0]), ("hs_last", hs[-1]), ("loss", torch.tensor([loss.item()])),
        ("dx_first", dx[0]), ("dx_last", dx[-1]), ("dh0", dh0), ("dc0", dc0),
        ("dW_ih", dwi), ("dW_hh", dwh), ("db_ih", dbi), ("db_hh", dbh)])
