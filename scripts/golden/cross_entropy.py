#!/usr/bin/python3
"""Expected values for CrossEntropyGoldenTest: class labels as indices, computed by PyTorch in
float64. F.cross_entropy with and without label_smoothing and ignore_index (reductions 'mean'
and 'none'), F.nll_loss, torch.take / index_select, torch.gather (NumPy's take_along_axis) and
integer-array indexing, each with the gradient of a weighted sum of its output, at random points
with repeated indices, and at the edges (logits 2000 apart, a -inf logit, every row ignored).
Run it with Debian's python3 (apt-get install python3-torch):

    /usr/bin/python3 scripts/golden/cross_entropy.py > graph-dsl/src/test/resources/torch/cross_entropy.txt

The output is one case per block: `case NAME`, `program` (the Graft source, newlines as \\n),
then `input NAME DIMS... : NUMBERS` for each input the program declares, in order, and
`output NAME DIMS... : NUMBERS` for each of its outputs, in order: numbers row-major, printed
with repr so that they read back exactly (non-finite ones as Java writes them).
"""
import math

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
generator = torch.Generator().manual_seed(20261206)


def normal(*dims, scale=1.0):
    return torch.randn(*dims, generator=generator) * scale


def integers(low, high, *dims):
    return torch.randint(low, high, dims, generator=generator)


def number(v):
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return repr(v)


def field(kind, name, t):
    dims = " ".join(str(d) for d in t.shape)
    values = " ".join(number(v) for v in t.detach().flatten().tolist())
    return f"{kind} {name} {dims} : {values}".replace("  :", " :")


def case(name, program, inputs, outputs):
    print("case " + name)
    print("program " + program.replace("\n", "\\n"))
    for key, value in inputs.items():
        print(field("input", key, value.double()))
    for key, value in outputs.items():
        print(field("output", key, value))
    print()


def gradient(f, x, w):
    """f(x), and the gradient of sum(f(x) * w) with respect to x."""
    x = x.clone().requires_grad_(True)
    y = f(x)
    (g,) = torch.autograd.grad((y * w).sum(), x)
    return y, g


# ---- cross_entropy ---------------------------------------------------------------------------

CROSS_ENTROPY = """input z: [{n}, {k}]
input y: [{n}]
input w: [{w}]
f = cross_entropy(z, y{args})
g = grad(sum(f * w), z)
output f, g
"""


def cross_entropy_case(name, z, y, smoothing=0.0, ignore=-100, reduce=True):
    args = ""
    if smoothing:
        args += f", label_smoothing = {smoothing}"
    if ignore != -100:
        args += f", ignore_index = {ignore}"
    if not reduce:
        args += ", reduce = false"
    n, k = z.shape
    w = torch.tensor(1.5) if reduce else normal(n)
    program = CROSS_ENTROPY.format(n=n, k=k, w="" if reduce else n, args=args)
    reduction = "mean" if reduce else "none"
    f, g = gradient(lambda v: F.cross_entropy(v, y, label_smoothing=smoothing, ignore_index=ignore, reduction=reduction), z, w)
    case(name, program, {"z": z, "y": y, "w": w}, {"f": f, "g": g})


z = normal(6, 5, scale=3)
y = torch.tensor([4, 0, 0, 2, 4, 1])
cross_entropy_case("cross_entropy, the mean", z, y)
cross_entropy_case("cross_entropy, label_smoothing 0.2", z, y, smoothing=0.2)
cross_entropy_case("cross_entropy, ignore_index -100 on two rows", z, torch.tensor([4, -100, 0, 2, -100, 1]))
cross_entropy_case("cross_entropy, ignore_index 0, a class", z, y, ignore=0)
cross_entropy_case("cross_entropy, ignore_index and smoothing, per row", z, torch.tensor([4, 7, 0, 2, 7, 1]),
                   smoothing=0.3, ignore=7, reduce=False)
cross_entropy_case("cross_entropy, smoothing 1, per row", z, y, smoothing=1.0, reduce=False)
edges = torch.tensor([[1000.0, -1000.0, 0.0], [-math.inf, 2.0, 1.0], [1e-300, -1e-300, 0.0], [30.0, -30.0, 30.0]])
cross_entropy_case("cross_entropy at the edges, per row", edges, torch.tensor([0, 1, 2, 1]), reduce=False)
cross_entropy_case("cross_entropy at the edges, smoothed, per row", edges, torch.tensor([0, 1, 2, 1]), smoothing=0.1,
                   reduce=False)
cross_entropy_case("cross_entropy, every row ignored", normal(3, 4), torch.tensor([-100, -100, -100]))

# ---- nll -------------------------------------------------------------------------------------

NLL = """input z: [{n}, {k}]
input y: [{n}]
input w: [{w}]
f = nll(log_softmax(z), y{args})
g = grad(sum(f * w), z)
output f, g
"""


def nll_case(name, z, y, ignore=-100, reduce=True):
    args = ("" if ignore == -100 else f", ignore_index = {ignore}") + ("" if reduce else ", reduce = false")
    n, k = z.shape
    w = torch.tensor(0.7) if reduce else normal(n)
    program = NLL.format(n=n, k=k, w="" if reduce else n, args=args)
    reduction = "mean" if reduce else "none"
    f, g = gradient(lambda v: F.nll_loss(torch.log_softmax(v, -1), y, ignore_index=ignore, reduction=reduction), z, w)
    case(name, program, {"z": z, "y": y, "w": w}, {"f": f, "g": g})


nll_case("nll, the mean", z, y)
nll_case("nll, ignore_index 2, per row", z, torch.tensor([2, 3, 2, 0, 1, 1]), ignore=2, reduce=False)
nll_case("nll, ignore_index -100, the mean", z, torch.tensor([-100, 3, 3, 3, -100, 1]))

# ---- take, take_along_axis and index arrays --------------------------------------------------

READ = """input x: [{x}]
input w: [{w}]
f = {read}
g = grad(sum(f * w), x)
output f, g
"""


def read_case(name, x, read, torch_read, extra=None):
    """read: the Graft expression of x; torch_read: the same in PyTorch; extra: index inputs."""
    extra = extra or {}
    f = torch_read(x)
    w = normal(*f.shape)
    f, g = gradient(torch_read, x, w)
    decls = "".join(f"input {k}: [{', '.join(str(d) for d in v.shape)}]\n" for k, v in extra.items())
    program = decls + READ.format(x=", ".join(str(d) for d in x.shape), w=", ".join(str(d) for d in f.shape), read=read)
    inputs = dict(extra)
    inputs.update({"x": x, "w": w})
    # the program declares the index inputs first, then x and w
    case(name, program, inputs, {"f": f, "g": g})


x = normal(4, 5)
read_case("take along axis 1, repeated and negative indices", x, "take(x, [3, 3, -1, 0, 3], axis = 1)",
          lambda v: v[:, torch.tensor([3, 3, -1, 0, 3])])
read_case("take flattened, a matrix of indices", x, "take(x, [[19, 0], [7, 7], [-20, 12]])",
          lambda v: torch.take(v, torch.tensor([[19, 0], [7, 7], [0, 12]])))
read_case("take along axis 0, index_select", x, "take(x, [2, 2, 2], axis = 0)",
          lambda v: torch.index_select(v, 0, torch.tensor([2, 2, 2])))
along = integers(0, 5, 4, 3)
read_case("take_along_axis, gather along axis 1", x, "take_along_axis(x, i, axis = 1)",
          lambda v: torch.gather(v, 1, along), {"i": along})
along0 = integers(0, 4, 6, 5)
read_case("take_along_axis along axis 0, more rows than x", x, "take_along_axis(x, i, axis = 0)",
          lambda v: torch.gather(v, 0, along0), {"i": along0})
rows, labels = torch.tensor([0, 1, 2, 3, 3, 0]), torch.tensor([4, 0, 0, 2, 2, 4])
read_case("index arrays x[rows, labels], repeated pairs", x, "x[rows, labels]",
          lambda v: v[rows, labels], {"rows": rows, "labels": labels})
read_case("index arrays x[:, idx] and x[idx]", x, "x[:, [1, 1, 4]][[3, 0, 3]]",
          lambda v: v[:, [1, 1, 4]][[3, 0, 3]])
cube = normal(3, 4, 5)
read_case("index arrays separated by a slice go first", cube, "x[[2, 0, 2], :, [4, 4, 1]]",
          lambda v: v[[2, 0, 2], :, [4, 4, 1]])
read_case("index arrays broadcast together", cube, "x[[[0], [2]], [3, 1, 1]]",
          lambda v: v[[[0], [2]], [3, 1, 1]])
