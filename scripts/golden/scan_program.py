#!/usr/bin/python3
"""Checks the golden program scan.graft's expected output against PyTorch in float64.

graph-dsl/src/test/resources/golden/scan.json is what `graft eval` prints for the program with
the inputs of its .set file (GoldenProgramsTest holds the command line to it). This script
computes every output again with Python loops and torch.autograd: scan as the loop it stands for,
reverse as the loop from the last element (stacked in the sequence's order), truncate = 2 as
PyTorch's detach of the state before every second step after the first, and a gradient of a
gradient. Run it from the root of the checkout with Debian's python3 (apt-get install
python3-torch) after rewriting the .json:

    /usr/bin/python3 scripts/golden/scan_program.py

It exits 1 when an output differs by more than 1e-12 relative, is missing, or is not checked.
"""
import torch

import golden_program

torch.set_default_dtype(torch.float64)
GOLDEN = "graph-dsl/src/test/resources/golden/scan"

given = golden_program.inputs(GOLDEN)
xs, h0, c0, Wx, Wh, b = (given[k].clone().requires_grad_(True) for k in ("xs", "h0", "c0", "Wx", "Wh", "b"))


def elman(h, x):
    return torch.tanh(x @ Wx + h @ Wh + b)


def scan(f, h, steps, reverse=False, truncate=0):
    out = [None] * steps
    for run in range(steps):
        t = steps - 1 - run if reverse else run
        if truncate and run > 0 and run % truncate == 0:
            h = h.detach()
        h = f(h, xs[t])
        out[t] = h
    return torch.stack(out)


T = xs.shape[0]
hs = scan(elman, h0, T)
back = scan(elman, h0, T, reverse=True)
(g_Wh,) = torch.autograd.grad((hs ** 2).sum(), Wh, create_graph=True)
(g_xs,) = torch.autograd.grad((hs ** 2).sum(), xs, retain_graph=True)
(g_h0,) = torch.autograd.grad((back ** 2).sum(), h0)
(cut,) = torch.autograd.grad((scan(elman, h0, T, truncate=2) ** 2).sum(), Wh)
(curv,) = torch.autograd.grad((g_Wh ** 2).sum(), Wx)

h, c, hs2, cs, sums = h0, c0, [], [], []
for t in range(T):
    n = torch.tanh(xs[t] @ Wx + h @ Wh) * torch.sigmoid(c)
    h, c = n, c + n
    hs2.append(h)
    cs.append(c)
    sums.append(n.sum(-1))
hs2, cs, sums = torch.stack(hs2), torch.stack(cs), torch.stack(sums)
(g_c0,) = torch.autograd.grad(cs.sum() + (sums ** 2).sum(), c0)

v, halves = h0.detach(), []
for _ in range(3):
    v = 0.5 * v + 1
    halves.append(v)

golden_program.check(GOLDEN, {
    "hs": hs, "back": back, "g_Wh": g_Wh, "g_xs": g_xs, "g_h0": g_h0, "cut": cut, "curv": curv,
    "hs2": hs2, "cs": cs, "sums": sums, "g_c0": g_c0, "halves": torch.stack(halves),
})
