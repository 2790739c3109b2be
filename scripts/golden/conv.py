#!/usr/bin/python3
"""Expected values for ConvGoldenTest: conv2d, its two gradients, conv_transpose2d and the two
pools, computed by PyTorch in float64 on random shapes, strides, paddings, dilations and groups.

Run it with Debian's python3 (apt-get install python3-torch):

    /usr/bin/python3 scripts/golden/conv.py > graph-ops/src/test/resources/torch/conv.txt

One case per block, opened by `case KIND` (conv2d, conv_transpose2d, max_pool2d, avg_pool2d),
then one line per name: its values, space-separated, row-major, each printed with repr so that
it reads back exactly. Shapes and settings are whole numbers:
  conv2d:            spec = sh sw top bottom left right dh dw groups; x, W, g (the cotangent)
                     and their shapes; y = conv2d(x, W), gx and gW the gradients of <g, y>.
                     PyTorch pads both sides alike, so uneven paddings are F.pad's zeros first.
  conv_transpose2d:  spec = stride padding dilation groups output_padding; g, W; y.
  max_pool2d:        window = kh kw sh sw ph pw dh dw; x, g; y and gx.
  avg_pool2d:        window = kh kw sh sw ph pw; count_include_pad; x, g; y and gx.
"""
import random

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
rng = random.Random(20261206)
torch.manual_seed(20261206)


def emit(name, values):
    if isinstance(values, torch.Tensor):
        values = values.flatten().tolist()
    print(name, " ".join(repr(v) for v in values))


def tensor(*shape):
    return (torch.rand(*shape) * 2 - 1).requires_grad_(True)


def conv2d_case():
    groups = rng.choice([1, 1, 2, 3])
    cg, fg = rng.randint(1, 2), rng.randint(1, 2)
    kh, kw = rng.randint(1, 4), rng.randint(1, 4)
    dh, dw = rng.randint(1, 2), rng.randint(1, 2)
    sh, sw = rng.randint(1, 3), rng.randint(1, 3)
    top, bottom, left, right = (rng.randint(0, 2) for _ in range(4))
    h = max(1, dh * (kh - 1) + 1 - top - bottom) + rng.randint(0, 4)
    w = max(1, dw * (kw - 1) + 1 - left - right) + rng.randint(0, 4)
    n = rng.randint(1, 2)
    x, W = tensor(n, groups * cg, h, w), tensor(groups * fg, cg, kh, kw)
    y = F.conv2d(F.pad(x, (left, right, top, bottom)), W, stride=(sh, sw), dilation=(dh, dw), groups=groups)
    g = torch.rand(*y.shape) * 2 - 1
    gx, gW = torch.autograd.grad((y * g).sum(), (x, W))
    print("case conv2d")
    emit("spec", [sh, sw, top, bottom, left, right, dh, dw, groups])
    for name, t in [("x", x), ("W", W), ("g", g)]:
        emit(name + "_shape", list(t.shape))
        emit(name, t.detach())
    emit("y", y.detach())
    emit("gx", gx)
    emit("gW", gW)
    print()


def conv_transpose2d_case():
    groups = rng.choice([1, 2])
    fg, cg = rng.randint(1, 3), rng.randint(1, 3)
    k = rng.randint(1, 4)
    stride, dilation = rng.randint(1, 3), rng.randint(1, 2)
    padding = rng.randint(0, (dilation * (k - 1)) // 2)
    output_padding = rng.randint(0, stride - 1)   # below the stride: see ConvTranspose2d
    n, h, w = rng.randint(1, 2), rng.randint(1, 5), rng.randint(1, 5)
    g, W = tensor(n, groups * fg, h, w), tensor(groups * fg, cg, k, k)
    y = F.conv_transpose2d(g, W, stride=stride, padding=padding, output_padding=output_padding,
                           groups=groups, dilation=dilation)
    print("case conv_transpose2d")
    emit("spec", [stride, padding, dilation, groups, output_padding])
    for name, t in [("g", g), ("W", W)]:
        emit(name + "_shape", list(t.shape))
        emit(name, t.detach())
    emit("y_shape", list(y.shape))
    emit("y", y.detach())
    print()


def pool_case(kind):
    kh, kw = rng.randint(1, 3), rng.randint(1, 3)
    sh, sw = rng.randint(1, 3), rng.randint(1, 3)
    dh, dw = (rng.randint(1, 2), rng.randint(1, 2)) if kind == "max_pool2d" else (1, 1)
    ph, pw = rng.randint(0, kh // 2), rng.randint(0, kw // 2)
    while True:
        h, w = rng.randint(1, 7), rng.randint(1, 7)
        if h + 2 * ph >= dh * (kh - 1) + 1 and w + 2 * pw >= dw * (kw - 1) + 1:
            break
    x = tensor(rng.randint(1, 2), rng.randint(1, 3), h, w)
    if kind == "max_pool2d":
        y = F.max_pool2d(x, (kh, kw), (sh, sw), (ph, pw), (dh, dw))
        if torch.isinf(y).any():   # a dilated window wholly in the padding: Graft's -inf too, but no gradient to compare
            return pool_case(kind)
    else:
        include = rng.choice([True, False])
        y = F.avg_pool2d(x, (kh, kw), (sh, sw), (ph, pw), count_include_pad=include)
    g = torch.rand(*y.shape) * 2 - 1
    gx, = torch.autograd.grad((y * g).sum(), (x,))
    print("case " + kind)
    emit("window", [kh, kw, sh, sw, ph, pw, dh, dw])
    if kind == "avg_pool2d":
        emit("count_include_pad", [1 if include else 0])
    emit("x_shape", list(x.shape))
    emit("x", x.detach())
    emit("g", g)
    emit("y", y.detach())
    emit("gx", gx)
    print()


for _ in range(30):
    conv2d_case()
for _ in range(12):
    conv_transpose2d_case()
for _ in range(15):
    pool_case("max_pool2d")
for _ in range(15):
    pool_case("avg_pool2d")
