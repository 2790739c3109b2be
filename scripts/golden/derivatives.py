#!/usr/bin/python3
"""Expected values for DerivativesGoldenTest: Jacobians, Hessians, Hessian-vector products and
Jacobian-vector products computed by PyTorch in float64 with torch.autograd.functional.

Three cases:
  - the bundled mlp's loss (graph-models' mlp.graft, dropout 0) at a small size: its Hessians
    with respect to each param, and Hessian-vector products, against hessian and hvp;
  - a 3-layer tanh net: the Jacobians of its output with respect to its input and its first
    weights, against jacobian, and a tangent, against jvp;
  - the golden program graph-dsl/src/test/resources/golden/derivatives.graft with the values of
    its .set file, every output, so that its .json (graft eval's output) is PyTorch's too.

Run it from the checkout with Debian's python3 (apt-get install python3-torch):

    /usr/bin/python3 scripts/golden/derivatives.py > graph-models/src/test/resources/torch/derivatives.txt

The output is one case per block: `case NAME`; `bundled MODEL` when the program is a bundled
model with lines added, `prefix` (lines put before the model) and `program` (the Graft source, or
the lines after the model), newlines as \\n; then `set NAME DIMS VALUES` for each value fed
and `want NAME DIMS VALUES` for each output, DIMS comma-separated (`-` for a scalar) and
VALUES space-separated, row-major, each printed with repr so that it reads back exactly.
"""
import json
import os

import torch
from torch.autograd.functional import hessian, hvp, jacobian, jvp, vjp

torch.set_default_dtype(torch.float64)
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
GEN = torch.Generator().manual_seed(20270116)


def draw(*dims, lo=-1.0, hi=1.0):
    return lo + (hi - lo) * torch.rand(*dims, generator=GEN)


def numbers(t):
    return " ".join(repr(v) for v in t.flatten().tolist())


def dims(t):
    return ",".join(str(d) for d in t.shape) if t.dim() > 0 else "-"


def block(name, program, sets, wants, bundled=None, prefix=None):
    print("case " + name)
    if bundled:
        print("bundled " + bundled)
    if prefix:
        print("prefix " + prefix.replace("\n", "\\n"))
    print("program " + program.replace("\n", "\\n"))
    for key, value in sets.items():
        print("set %s %s %s" % (key, dims(value), numbers(value)))
    for key, value in wants.items():
        print("want %s %s %s" % (key, dims(value), numbers(value)))
    print()


# ---- the bundled mlp's loss ------------------------------------------------------------------
# mlp.graft: h = relu(x W1 + b1); dropped = (h * bernoulli(keep) / keep) W2 + b2 with keep = 1 - dropout,
# so with dropout 0 it is h W2 + b2; loss = mean(softmax_cross_entropy(dropped, y)) + l2 (|W1|^2 + |W2|^2)
N, D, HIDDEN, K, L2 = 4, 3, 3, 2, 1e-4
x = draw(N, D)
y = torch.nn.functional.one_hot(torch.tensor([0, 1, 1, 0]), K).to(torch.float64)
W1, b1, W2, b2 = draw(D, HIDDEN), draw(HIDDEN, lo=-0.5, hi=0.5), draw(HIDDEN, K), draw(K, lo=-0.5, hi=0.5)
V1, V2 = draw(D, HIDDEN), draw(HIDDEN, K)
assert (x @ W1 + b1).abs().min() > 0.05, "a ReLU input too near its kink for a Hessian to mean much"


def mlp_loss(W1, b1, W2, b2):
    logits = torch.relu(x @ W1 + b1) @ W2 + b2
    return -(y * torch.log_softmax(logits, -1)).sum(-1).mean() + L2 * ((W1 ** 2).sum() + (W2 ** 2).sum())


params = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
wants = {}
for name in params:
    def loss_of(p, name=name):
        return mlp_loss(**{k: (p if k == name else v) for k, v in params.items()})
    wants["H_" + name] = hessian(loss_of, params[name])
wants["Hv_W1"] = hvp(lambda p: mlp_loss(p, b1, W2, b2), W1, V1)[1]
wants["Hv_W2"] = hvp(lambda p: mlp_loss(W1, b1, p, b2), W2, V2)[1]
wants["loss"] = mlp_loss(W1, b1, W2, b2)
block("the bundled mlp's loss: Hessians and Hessian-vector products",
      "input V1: [d, hidden]\ninput V2: [hidden, k]\n"
      "H_W1 = hessian(loss, W1)\nH_b1 = hessian(loss, b1)\nH_W2 = hessian(loss, W2)\nH_b2 = hessian(loss, b2)\n"
      "Hv_W1 = hvp(loss, W1, V1)\nHv_W2 = hvp(loss, W2, V2)\n"
      "output H_W1, H_b1, H_W2, H_b2, Hv_W1, Hv_W2\n",
      {"x": x, "y": y, "hidden": torch.tensor(float(HIDDEN)), "W1": W1, "b1": b1, "W2": W2, "b2": b2, "V1": V1, "V2": V2},
      wants, bundled="mlp", prefix="const n = %d\nconst d = %d\nconst k = %d\n" % (N, D, K))

# ---- a 3-layer tanh net ------------------------------------------------------------------------
X = draw(2, 3, lo=-2, hi=2)
U1, C1, U2, C2, U3, C3 = draw(3, 4), draw(4), draw(4, 4), draw(4), draw(4, 2), draw(2)
V = draw(4, 4)


def net(x, w1, w2):
    return torch.tanh(torch.tanh(x @ w1 + C1) @ w2 + C2) @ U3 + C3


block("a 3-layer tanh net: Jacobians and a tangent",
      "input x: [2, 3]\ninput V: [4, 4]\n"
      "param W1: [3, 4] = zeros\nparam b1: [4] = zeros\nparam W2: [4, 4] = zeros\nparam b2: [4] = zeros\n"
      "param W3: [4, 2] = zeros\nparam b3: [2] = zeros\n"
      "out = tanh(tanh(x @ W1 + b1) @ W2 + b2) @ W3 + b3\n"
      "J_x = jacobian(out, x)\nJ_W1 = jacobian(out, W1)\nJv_W2 = jvp(out, W2, V)\n"
      "output out, J_x, J_W1, Jv_W2\n",
      {"x": X, "V": V, "W1": U1, "b1": C1, "W2": U2, "b2": C2, "W3": U3, "b3": C3},
      {"out": net(X, U1, U2),
       "J_x": jacobian(lambda x: net(x, U1, U2), X),
       "J_W1": jacobian(lambda w: net(X, w, U2), U1),
       "Jv_W2": jvp(lambda w: net(X, U1, w), U2, V)[1]})


# ---- the golden program derivatives.graft ---------------------------------------------------------
class GradClip(torch.autograd.Function):
    """Theano's grad_clip: the identity, its gradient clipped."""

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.bounds = (lo, hi)
        return x.clone()

    @staticmethod
    def backward(ctx, g):
        return g.clamp(*ctx.bounds), None, None


class GradScale(torch.autograd.Function):
    """Theano's grad_scale: the identity, its gradient scaled."""

    @staticmethod
    def forward(ctx, x, s):
        ctx.s = s
        return x.clone()

    @staticmethod
    def backward(ctx, g):
        return g * ctx.s, None


golden = os.path.join(ROOT, "graph-dsl", "src", "test", "resources", "golden", "derivatives")
with open(golden + ".graft") as f:
    source = f.read()
given = {}
with open(golden + ".set") as f:
    for line in f:
        if line.strip():
            key, value = line.strip().split("=", 1)
            given[key] = torch.tensor(json.loads(value), dtype=torch.float64)
gx, gv, gW = given["x"], given["v"], given["W"]


def gy(x):
    return torch.tanh(gW @ x)


def gf(x):
    return torch.exp(x).sum() + (gy(x) ** 2).sum()


def of_x(f):
    x = gx.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(f(x), x)
    return g


H = hessian(gf, gx)
g = of_x(gf)
block("the golden program derivatives.graft", source, given, {
    "J": jacobian(gy, gx),
    "Jw": jacobian(lambda w: torch.tanh(w @ gx), gW),
    "Jd": jacobian(lambda x: torch.sin(x) * x, gx),
    "H": H,
    "Hv": hvp(gf, gx, gv)[1],
    "Jv": jvp(gy, gx, gv)[1],
    "uJ": vjp(gy, gx, torch.tensor([1.0, -1.0]))[1],
    "both": vjp(lambda x: (gy(x), x ** 2), gx, (torch.tensor([1.0, -1.0]), gv))[1],
    "held": of_x(lambda x: torch.exp(x).sum() + (gy(x).detach() ** 2).sum()),
    "clip": of_x(lambda x: (4 * GradClip.apply(x ** 3, -1.0, 1.0)).sum()),
    "half": of_x(lambda x: GradScale.apply(x ** 3, -0.5).sum()),
    "step": gx - torch.linalg.solve(H, g),
})
