#!/usr/bin/python3
"""Expected values for SecondOrderGoldenTest: the second-order gradient that issue 13 found
out of reach, computed by PyTorch in float64.

For each case, a Graft program, the values fed to it, and what PyTorch computes for the same
math: f, and h = d(sum((df/dW)^2))/dW, with torch.autograd.grad(..., create_graph=True).
Run it with Debian's python3 (apt-get install python3-torch):

    /usr/bin/python3 scripts/golden/second_order.py > graph-dsl/src/test/resources/torch/second_order.txt

The output is one case per block: `case NAME`, `program` (the Graft source, newlines as \\n),
then `x`, `W`, `f` and `h` as space-separated numbers (row-major), each printed with repr so
that it reads back exactly.
"""
import torch

torch.set_default_dtype(torch.float64)

PLAIN = """input x: [2, 3]
param W: [3, 4] = ones
f = mean(softmax_cross_entropy(x @ W, one_hot([2, 0], 4)))
g_W = grad(f, W)
h = grad(sum(g_W ^ 2), W)
output f, h
"""

# the same with a cos around the logits and a sigmoid branch
COS = """input x: [2, 3]
param W: [3, 4] = ones
z = x @ W
f = mean(softmax_cross_entropy(cos(z), one_hot([2, 0], 4))) + mean(sigmoid(z))
g_W = grad(f, W)
h = grad(sum(g_W ^ 2), W)
output f, h
"""

TARGETS = torch.tensor([2, 0])


def plain(x, w):
    return torch.nn.functional.cross_entropy(x @ w, TARGETS)


def with_cos(x, w):
    z = x @ w
    return torch.nn.functional.cross_entropy(torch.cos(z), TARGETS) + torch.sigmoid(z).mean()


X = torch.tensor([[0.5, -1.2, 2.0], [1.5, 0.3, -0.7]])
W_ONES = torch.ones(3, 4)
W_DRAWN = torch.tensor([[0.3, -0.8, 1.1, 0.05], [-0.4, 0.9, 0.2, -1.3], [0.7, 0.15, -0.6, 0.45]])

CASES = [
    ("plain, W = ones", PLAIN, plain, W_ONES),
    ("plain, W drawn", PLAIN, plain, W_DRAWN),
    ("cos and sigmoid, W = ones", COS, with_cos, W_ONES),
    ("cos and sigmoid, W drawn", COS, with_cos, W_DRAWN),
]


def numbers(t):
    return " ".join(repr(v) for v in t.flatten().tolist())


for name, program, f, w0 in CASES:
    w = w0.clone().requires_grad_(True)
    value = f(X, w)
    (g,) = torch.autograd.grad(value, w, create_graph=True)
    (h,) = torch.autograd.grad((g ** 2).sum(), w)
    print("case " + name)
    print("program " + program.replace("\n", "\\n"))
    print("x " + numbers(X))
    print("W " + numbers(w0))
    print("f " + repr(value.item()))
    print("h " + numbers(h))
    print()
