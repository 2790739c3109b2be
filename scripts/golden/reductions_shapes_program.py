#!/usr/bin/python3
"""Checks the golden program reductions_shapes.graft's expected output against PyTorch in float64.

graph-dsl/src/test/resources/golden/reductions_shapes.json is what `graft eval` prints for the
program with the inputs of its .set file; GoldenProgramsTest holds the command line to it. This
script computes every output of the program again with PyTorch (and NumPy's eye for a band), from
the same inputs, and says which outputs of the .json differ by more than 1e-12 relative, so the
.json is not merely Graft's word for itself. Run it from the root of the checkout with Debian's
python3 (apt-get install python3-torch) after rewriting the .json:

    /usr/bin/python3 scripts/golden/reductions_shapes_program.py

It exits 1 when an output differs, is missing, or is not checked.
"""
import numpy as np
import torch

import golden_program

torch.set_default_dtype(torch.float64)
F = torch.nn.functional
GOLDEN = "graph-dsl/src/test/resources/golden/reductions_shapes"

inputs = golden_program.inputs(GOLDEN)
x, v = inputs["x"], inputs["v"]


def gradient(f, at):
    at = at.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(f(at), at)
    return g


def reflect(t):
    return F.pad(t.view(1, 1, -1), (2, 1), mode="reflect").view(-1)


want = {
    "tiled": v.repeat(2, 1),
    "repeated": torch.repeat_interleave(x, 2, dim=0),
    "flat": torch.repeat_interleave(v, 2),
    "flipped": torch.flip(x, [1]),
    "mirrored": torch.flip(x, [0, 1]),
    "padded": F.pad(x, (0, 2, 1, 0), value=-1),
    "reflected": reflect(v),
    "lower": torch.tril(x),
    "upper": torch.triu(x, 1),
    "g_v": gradient(lambda t: (reflect(t) ** 2).sum(), v),
    "column": v.unsqueeze(-1),
    "pairs": torch.stack([v, v], dim=1),
    "running": torch.cumsum(x, 1),
    "products": torch.cumprod(x, 0),
    "everyone": torch.cumsum(x.flatten(), 0),
    "g_x": gradient(lambda t: torch.cumprod(t, 0).sum(), v),
    "products_of_rows": torch.prod(x, 1),
    "g_prod": gradient(lambda t: torch.prod(t, 1).sum(), x),
    "spread": torch.var(x, 0, correction=1),
    "deviation": torch.std(x, dim=(0, 1), correction=0, keepdim=True),
    "everywhere": torch.softmax(x.flatten(), 0).reshape(x.shape),
    "log_every": torch.log_softmax(x.flatten(), 0).reshape(x.shape),
    "total": x.sum(),
    "clipped": torch.clamp(x, max=1),
    "holes": torch.where(x == 0, torch.tensor(float("nan")), x),
    "length": torch.linalg.vector_norm(v),
    "taxicab": torch.linalg.vector_norm(x, ord=1, dim=1),
    "largest": torch.linalg.vector_norm(x, ord=float("inf"), dim=0, keepdim=True),
    "frobenius": torch.linalg.matrix_norm(x),
    "g_inf": gradient(lambda t: torch.linalg.vector_norm(t, ord=float("inf")), v),
    "identity": torch.eye(4),
    "band": x @ torch.tensor(np.eye(4, 2, k=-1)),
    "steps": torch.arange(1, 2, 0.25),
    "grid": torch.linspace(-1, 1, 5),
    "ramp": v * torch.arange(4),
}

golden_program.check(GOLDEN, want)
