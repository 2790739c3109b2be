#!/usr/bin/python3
"""Expected values for ReductionsShapesGoldenTest: issue 16's reductions, scans, shapes and
constructors computed by PyTorch in float64, values and gradients, at random points and at the
edges (zeros for prod and cumprod, ddof equal to the count for var and std, ties and zeros for
the norms, rows of -inf and logits a thousand apart for softmax over every axis, empty axes).

Run it with Debian's python3 (apt-get install python3-torch):

    /usr/bin/python3 scripts/golden/reductions_shapes.py > graph-ops/src/test/resources/torch/reductions_shapes.txt

The output is one case per block: `case NAME`, `op NAME key=value ...` (the Graft op and its
arguments, which the test builds with the Java API), then tensors, one a line, as
`NAME DIMS : VALUES` (dims and row-major values space-separated, each value printed with repr
so that it reads back exactly, infinities and NaN as Java writes them): the inputs x (x0, x1, ... for several), the cotangent u, the
value y and the vector-Jacobian products gx (gx0, gx1, ...) of u with respect to each input.
A constructor has no inputs and no gradient.

Where Graft documents a choice that differs from PyTorch's, the case is left out and the Java
tests hold the documented value: the 2-norm of values whose squares overflow (Graft rescales),
prod's gradient at an infinite element (PyTorch divides by it), var's gradient for ddof above
the count (PyTorch divides by N - ddof < 0), the inf-norm over an empty axis and arange(3, 1)
(PyTorch refuses both; Graft gives 0 and, as NumPy, no numbers).
"""
import numpy as np
import torch

torch.set_default_dtype(torch.float64)
F = torch.nn.functional
GEN = torch.Generator().manual_seed(16)

INF = float("inf")


def rand(*shape, lo=-2.0, hi=2.0):
    return torch.rand(tuple(shape), generator=GEN) * (hi - lo) + lo


def number(v):
    """repr, which reads back exactly, with infinities and NaN as Java's Double.parseDouble reads them."""
    return {"inf": "Infinity", "-inf": "-Infinity", "nan": "NaN"}.get(repr(v), repr(v))


def numbers(t):
    return " ".join(number(float(v)) for v in t.flatten().tolist())


def tensor_line(name, t):
    dims = " ".join(str(d) for d in t.shape)
    return f"{name} {dims} : {numbers(t)}".replace("  :", " :")


def case(name, op, f, *xs):
    """f of the inputs xs, with the vector-Jacobian products of a random cotangent."""
    xs = [x.clone().requires_grad_(True) for x in xs]
    y = f(*xs)
    u = rand(*y.shape, lo=0.5, hi=1.5)
    grads = torch.autograd.grad(y, xs, u, allow_unused=True)
    print("case " + name)
    print("op " + op)
    for i, x in enumerate(xs):
        print(tensor_line("x" if len(xs) == 1 else f"x{i}", x.detach()))
    print(tensor_line("u", u))
    print(tensor_line("y", y.detach()))
    for i, g in enumerate(grads):
        g = torch.zeros_like(xs[i]) if g is None else g
        print(tensor_line("gx" if len(xs) == 1 else f"gx{i}", g))
    print()


def constant(name, op, y):
    print("case " + name)
    print("op " + op)
    print(tensor_line("y", y))
    print()


def with_zeros(t, positions):
    t = t.clone()
    t.view(-1)[list(positions)] = 0.0
    return t


def axes_arg(axes):
    return "none" if axes is None else ",".join(str(a) for a in axes)


def over(axes, x):
    return tuple(range(x.dim())) if axes is None else tuple(axes)


# ---- reductions ------------------------------------------------------------------------------------

for name, x, axes, keep in [
    ("random, every axis", rand(2, 3), None, False),
    ("random, axis 1", rand(3, 4), [1], False),
    ("random, axes 0 and 2 kept", rand(2, 3, 2), [0, 2], True),
    ("one zero in a row", with_zeros(rand(3, 4), [5]), [1], False),
    ("two zeros in a row", with_zeros(rand(3, 4), [4, 6]), [1], False),
    ("one zero, every axis", with_zeros(rand(2, 3), [3]), None, False),
    ("two zeros, every axis", with_zeros(rand(2, 3), [0, 4]), None, False),
    ("zeros over two axes", with_zeros(rand(2, 3, 2), [1, 8]), [-1, 0], False),
    ("an empty axis", rand(2, 0), [1], False),
]:
    # torch.prod takes one dim at a time: over several, one after the other, kept, then dropped unless keepdims
    def prod(v, a=axes, k=keep):
        reduced = [d % v.dim() for d in over(a, v)]
        out = v
        for d in reduced:
            out = torch.prod(out, d, keepdim=True)
        return out if k else out.reshape([n for i, n in enumerate(v.shape) if i not in reduced])
    case("prod " + name, f"prod axes={axes_arg(axes)} keepdims={str(keep).lower()}", prod, x)

for name, x, axes, keep, ddof in [
    ("random, every axis", rand(3, 4), None, False, 0),
    ("random, axis 0, ddof 1", rand(3, 4), [0], False, 1),
    ("random, axis -1 kept, ddof 2", rand(2, 5), [-1], True, 2),
    ("axes 0 and 2", rand(2, 3, 2), [0, 2], False, 1),
    ("ddof equal to the count", rand(2, 3), [1], False, 3),
    ("a constant row", torch.tensor([[2.0, 2.0, 2.0], [1.0, -1.0, 0.5]]), [1], False, 0),
]:
    for which, f in [("var", torch.var), ("std", torch.std)]:
        if which == "std" and name == "ddof equal to the count":
            continue  # std's gradient there is NaN * 0 in PyTorch too, but var's case shows the division by 0
        case(f"{which} {name}", f"{which} axes={axes_arg(axes)} keepdims={str(keep).lower()} ddof={ddof}",
             lambda v, f=f, a=axes, k=keep, d=ddof: f(v, dim=over(a, v), correction=d, keepdim=k), x)

for name, x, p, axes, keep in [
    ("2, every axis of a matrix (Frobenius)", rand(3, 4), 2, None, False),
    ("2, axis 1", rand(3, 4), 2, [1], False),
    ("1, axis 0 kept", rand(3, 4), 1, [0], True),
    ("inf, every axis", rand(3, 4), INF, None, False),
    ("inf, axis -1, ties", torch.tensor([[1.0, -3.0, 3.0, 2.0], [0.5, 0.25, -0.5, 0.5]]), INF, [-1], False),
    ("2 of zeros", torch.zeros(2, 3), 2, [1], False),
    ("1 with zeros", torch.tensor([[0.0, 2.0, -1.0], [0.0, 0.0, 0.0]]), 1, [1], False),
    ("inf of zeros", torch.zeros(2, 3), INF, [1], False),
    ("2 over an empty axis", rand(2, 0), 2, [1], False),
]:
    p_arg = "inf" if p == INF else str(p)
    case(f"norm {name}", f"norm p={p_arg} axes={axes_arg(axes)} keepdims={str(keep).lower()}",
         lambda v, p=p, a=axes, k=keep: torch.linalg.vector_norm(v, ord=p, dim=over(a, v), keepdim=k), x)

# ---- scans ------------------------------------------------------------------------------------------

for name, x, axis in [
    ("random, axis 1", rand(3, 4), 1),
    ("random, axis 0", rand(3, 4), 0),
    ("random, axis -1 of rank 3", rand(2, 2, 3), -1),
    ("flattened", rand(2, 3), None),
    ("an empty axis", rand(2, 0), 1),
]:
    for which, f in [("cumsum", torch.cumsum), ("cumprod", torch.cumprod)]:
        case(f"{which} {name}", f"{which} axis={'none' if axis is None else axis}",
             lambda v, f=f, a=axis: f(v.flatten(), 0) if a is None else f(v, a), x)

for name, x, axis in [
    ("one zero in a lane", with_zeros(rand(2, 5), [2]), 1),
    ("several zeros in a lane", with_zeros(rand(2, 5), [1, 3, 6]), 1),
    ("a zero first and last", with_zeros(rand(5), [0, 4]), 0),
    ("zeros along axis 0", with_zeros(rand(4, 2), [2, 3]), 0),
]:
    case(f"cumprod {name}", f"cumprod axis={axis}", lambda v, a=axis: torch.cumprod(v, a), x)

# ---- softmax and log_softmax over every axis ----------------------------------------------------------

for name, x in [
    ("random", rand(3, 4)),
    ("a thousand apart", torch.tensor([[1000.0, -1000.0], [999.0, 0.0]])),
    ("with -inf", torch.tensor([[1.0, -INF], [-INF, 2.0]])),
    ("rank 3", rand(2, 2, 2)),
]:
    for which, f in [("softmax", torch.softmax), ("log_softmax", torch.log_softmax)]:
        case(f"{which} over every axis, {name}", f"{which} axis=none", lambda v, f=f: f(v.flatten(), 0).reshape(v.shape), x)

# ---- shapes ---------------------------------------------------------------------------------------------

for name, xs, axis in [
    ("two vectors, axis 0", [rand(3), rand(3)], 0),
    ("two vectors, axis -1", [rand(3), rand(3)], -1),
    ("three matrices, axis 1", [rand(2, 3), rand(2, 3), rand(2, 3)], 1),
]:
    case(f"stack {name}", f"stack axis={axis}", lambda *vs, a=axis: torch.stack(vs, a), *xs)

for name, x, reps in [
    ("fewer reps than axes", rand(2, 3), [2]),
    ("as many", rand(2, 3), [2, 3]),
    ("more reps than axes", rand(3), [2, 1, 2]),
    ("zero reps", rand(2, 2), [0, 1]),
]:
    # NumPy's tile: reps padded with leading 1s to x's rank, then torch's repeat
    def tile(v, r=reps):
        full = [1] * (v.dim() - len(r)) + list(r)
        return v.repeat(*full)
    case(f"tile {name}", f"tile reps={','.join(map(str, reps))}", tile, x)

for name, x, repeats, axis in [
    ("axis 0", rand(2, 3), 2, 0),
    ("axis -1", rand(2, 3), 3, -1),
    ("flattened", rand(2, 2), 2, None),
    ("zero times", rand(2, 3), 0, 1),
]:
    case(f"repeat {name}", f"repeat repeats={repeats} axis={'none' if axis is None else axis}",
         lambda v, r=repeats, a=axis: torch.repeat_interleave(v.flatten() if a is None else v, r, 0 if a is None else a), x)

for name, x, axes in [("axis 1", rand(2, 3), [1]), ("every axis", rand(2, 3, 2), None), ("axes 0 and -1", rand(2, 3, 2), [0, -1])]:
    case(f"flip {name}", f"flip axes={axes_arg(axes)}", lambda v, a=axes: torch.flip(v, over(a, v)), x)


def torch_pad(widths):
    """NumPy's [before, after] per axis, in axis order, as F.pad's list: the last axis first."""
    out = []
    for before, after in reversed(widths):
        out += [before, after]
    return out


def widths_arg(widths):
    return ";".join(f"{b},{a}" for b, a in widths)


for name, x, widths, value in [
    ("a vector", rand(3), [[1, 2]], 0.0),
    ("a matrix, with a value", rand(2, 3), [[1, 0], [0, 2]], -1.5),
    ("rank 3", rand(2, 2, 2), [[0, 1], [1, 1], [2, 0]], 0.25),
]:
    case(f"pad {name}", f"pad widths={widths_arg(widths)} value={value!r}",
         lambda v, w=widths, c=value: F.pad(v, torch_pad(w), value=c), x)

for name, x, widths in [
    ("a vector", rand(4), [[2, 3]]),
    ("a matrix", rand(3, 4), [[2, 1], [1, 3]]),
]:
    # F.pad's reflect wants a batch and a channel in front of the padded axes
    def reflect(v, w=widths):
        lead = v.reshape((1, 1) + tuple(v.shape)) if v.dim() == 1 else v.reshape((1,) + tuple(v.shape))
        out = F.pad(lead, torch_pad(w), mode="reflect")
        return out.reshape(out.shape[-v.dim():])
    case(f"pad_reflect {name}", f"pad_reflect widths={widths_arg(widths)}", reflect, x)

case("expand_dims axis -1", "expand_dims axis=-1", lambda v: v.unsqueeze(-1), rand(2, 3))
case("expand_dims axis 0", "expand_dims axis=0", lambda v: v.unsqueeze(0), rand(3))
case("squeeze axis 1", "squeeze axis=1", lambda v: v.squeeze(1), rand(2, 1, 3))
case("squeeze every axis of size 1", "squeeze axis=none", lambda v: v.squeeze(), rand(1, 3, 1))

for k in [0, 1, -1, 3]:
    for which, f in [("tril", torch.tril), ("triu", torch.triu)]:
        case(f"{which} k {k}", f"{which} k={k}", lambda v, f=f, k=k: f(v, k), rand(3, 4))
case("tril of a batch", "tril k=0", lambda v: torch.tril(v), rand(2, 3, 3))
case("tril where x is not finite", "tril k=0", lambda v: torch.tril(v),
     torch.tensor([[1.0, float("nan")], [INF, -INF]]))

# ---- constructors -----------------------------------------------------------------------------------------

constant("eye 3", "eye n=3 m=3 k=0", torch.eye(3))
constant("eye 2 x 4", "eye n=2 m=4 k=0", torch.eye(2, 4))
constant("eye 4 x 3 below the diagonal", "eye n=4 m=3 k=-1", torch.tensor(np.eye(4, 3, k=-1)))
for start, stop, step in [(0, 5, 1), (1, 2, 0.25), (5, 1, -1.5), (0, 0.3, 0.1), (-1e3, 1e3, 37.5)]:
    constant(f"arange {start} {stop} {step}", f"arange start={start!r} stop={stop!r} step={step!r}",
             torch.arange(start, stop, step, dtype=torch.float64))
for start, stop, num in [(0, 1, 5), (-1, 1, 50), (0.1, 0.7, 7), (3, 7, 1), (1e-3, 1e3, 33), (2, 2, 4)]:
    constant(f"linspace {start} {stop} {num}", f"linspace start={start!r} stop={stop!r} num={num}",
             torch.linspace(start, stop, num, dtype=torch.float64))
