#!/usr/bin/python3
"""Checks the golden program convolution.graft's expected output against PyTorch in float64.

graph-dsl/src/test/resources/golden/convolution.json is what `graft eval` prints for the program
with the inputs of its .set file (GoldenProgramsTest holds the command line to it). This script
computes every output again with torch.nn.functional, each call written as PyTorch spells the
language's (padding "same", pairs, the stride of a pool left out, count_include_pad), so it checks
how the language reads its arguments as well as the ops. Run it from the root of the checkout with
Debian's python3 (apt-get install python3-torch) after rewriting the .json:

    /usr/bin/python3 scripts/golden/convolution_program.py

It exits 1 when an output differs by more than 1e-12 relative, is missing, or is not checked.
"""
import torch

import golden_program

torch.set_default_dtype(torch.float64)
F = torch.nn.functional
GOLDEN = "graph-dsl/src/test/resources/golden/convolution"

inputs = golden_program.inputs(GOLDEN)
x, W, V = inputs["x"], inputs["W"], inputs["V"]


def loss(x, W):
    return F.max_pool2d(torch.tanh(F.conv2d(x, W, padding=1)), 2).square().sum()


xg, Wg = x.clone().requires_grad_(True), W.clone().requires_grad_(True)
g_x, g_W = torch.autograd.grad(loss(xg, Wg), (xg, Wg), create_graph=True)
(curvature,) = torch.autograd.grad(g_W.square().sum(), xg)
strided = F.conv2d(x, W, stride=(2, 1), padding=(1, 0))

want = {
    "plain": F.conv2d(x, W),
    "strided": strided,
    "same": F.conv2d(x, W, padding="same", dilation=(2, 1)),
    "valid": F.conv2d(x, W, padding="valid"),
    "grouped": F.conv2d(x, V, groups=2, dilation=2),
    "back": F.conv_transpose2d(strided, W, stride=(2, 1), padding=(1, 0), output_padding=(1, 0)),
    "pooled": F.max_pool2d(x, 2),
    "windows": F.max_pool2d(x, (3, 2), stride=(1, 2), padding=1, dilation=(1, 2)),
    "means": F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False),
    "counted": F.avg_pool2d(x, (2, 3), padding=1),
    "g_x": g_x,
    "g_W": g_W,
    "curvature": curvature,
}

golden_program.check(GOLDEN, want)
