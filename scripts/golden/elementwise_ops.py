#!/usr/bin/python3
"""Expected values for ElementwiseGoldenTest: the elementwise ops and activations of issue 16
(and erf), each op's value and gradient computed by PyTorch in float64, at random points of its
domain and at its edges (0, -0, +-inf, NaN, the largest finite and the subnormal numbers, and
the op's own: the ends of its domain, its kinks, the points where a naive form loses digits).

Beside PyTorch's numbers each line has the same computed exactly, by mpmath with 50 digits and
rounded to double, where the op is a formula mpmath can evaluate (not for the piecewise-linear
and rounding ops, where PyTorch's float64 is exact): the test holds Graft to PyTorch, or to the
exact value where PyTorch's own float64 formula loses digits, and says for which ops that is.
At an infinite input the exact value is the formula's with mpmath's infinity (its limit), and
none where that is undefined, except the few limits Graft gives where PyTorch gives NaN
(LIMITS). Run it with Debian's python3 (apt-get install python3-torch python3-mpmath):

    /usr/bin/python3 scripts/golden/elementwise_ops.py > graph-ops/src/test/resources/torch/elementwise_ops.txt

Each line is `OP | INPUTS | TORCH | EXACT`: OP is the op's language name with its parameters
after colons as the language writes them (`leaky_relu:0.2`, `gelu:true` for approximate = true); INPUTS one number per operand; TORCH the value
then the gradient with respect to each operand; EXACT the same, `-` where there is none.
Numbers are printed with repr, so that they read back exactly, and NaN and the infinities as
Java writes them.
"""
import math
import random

import mpmath
import torch
import torch.nn.functional as F

mpmath.mp.dps = 50
mp = mpmath.mp
torch.set_default_dtype(torch.float64)

INF, NAN = math.inf, math.nan
BIG = 1.7976931348623157e308
TINY = 5e-324          # the smallest subnormal
NORMAL = 2.2250738585072014e-308
EDGES = [0.0, -0.0, INF, -INF, NAN, BIG, -BIG, TINY, -TINY, NORMAL]

rng = random.Random(20261216)


def uniform(lo, hi, k=14):
    return [rng.uniform(lo, hi) for _ in range(k)]


def log_uniform(lo, hi, k=14, signs=(1,)):
    return [rng.choice(signs) * math.exp(rng.uniform(math.log(lo), math.log(hi))) for _ in range(k)]


# ---- exact formulas (mpmath), each the value and the gradient with respect to each operand ----

def sigmoid(x):
    return 1 / (1 + mp.exp(-x))


def gelu_tanh_exact(x):
    k, c = mp.sqrt(2 / mp.pi), mp.mpf(0.044715)
    u = k * (x + c * x ** 3)
    t = mp.tanh(u)
    return [x * (1 + t) / 2, (1 + t) / 2 + x * (1 - t * t) * k * (1 + 3 * c * x * x) / 2]


def elu_exact(alpha, scale):
    alpha, scale = mp.mpf(alpha), mp.mpf(scale)
    return lambda x: [scale * x, scale] if x > 0 else [scale * alpha * mp.expm1(x), scale * alpha * mp.exp(x)]


def log1mexp_exact(x):
    d = -mp.expm1(x)                 # 1 - e^x without cancelling
    return [mp.log(d), -mp.exp(x) / d]


def xlog_exact(g, dg, lowest):
    """x g(y), 0 at x = 0; d/dx = g(y), 0 at x = 0 where g(y) is not finite (y <= lowest), as
    PyTorch's; d/dy = x g'(y), 0 at x = 0 (the limit along x = 0, where PyTorch's is NaN at the
    pole of g')."""
    def f(x, y):
        if mp.isnan(y):
            return [mp.nan, mp.nan, mp.nan]
        if x == 0:
            return [mp.zero, g(y) if y > lowest else mp.zero, mp.zero]
        return [x * g(y), g(y), x * dg(y)]
    return f


def remainder_exact(rounding):
    """a - b q with the whole quotient q of the exact a/b, and its gradients 1 and -q."""
    def f(a, b):
        if not (mp.isfinite(a) and mp.isfinite(b)) or b == 0:
            raise ValueError('no exact quotient')
        q = rounding(a / b)
        return [a - b * q, mp.one, -q]
    return f


SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946

EXACT = {
    'erf': lambda x: [mp.erf(x), 2 / mp.sqrt(mp.pi) * mp.exp(-x * x)],
    'erfc': lambda x: [mp.erfc(x), -2 / mp.sqrt(mp.pi) * mp.exp(-x * x)],
    'erfcx': lambda x: [mp.exp(x * x) * mp.erfc(x), 2 * x * mp.exp(x * x) * mp.erfc(x) - 2 / mp.sqrt(mp.pi)],
    'erfinv': lambda x: (lambda y: [y, mp.sqrt(mp.pi) / 2 * mp.exp(y * y)])(mp.erfinv(x)),
    'log2': lambda x: [mp.log(x, 2), 1 / (x * mp.log(2))],
    'log10': lambda x: [mp.log10(x), 1 / (x * mp.log(10))],
    'exp2': lambda x: [mp.power(2, x), mp.power(2, x) * mp.log(2)],
    'log1mexp': log1mexp_exact,
    'logit': lambda x: [mp.log(x / (1 - x)), 1 / (x * (1 - x))],
    'sinh': lambda x: [mp.sinh(x), mp.cosh(x)],
    'cosh': lambda x: [mp.cosh(x), mp.sinh(x)],
    'tan': lambda x: [mp.tan(x), 1 + mp.tan(x) ** 2],
    'asinh': lambda x: [mp.asinh(x), 1 / mp.sqrt(1 + x * x)],
    'acosh': lambda x: [mp.acosh(x), 1 / mp.sqrt((x - 1) * (x + 1))],
    'atanh': lambda x: [mp.atanh(x), 1 / ((1 - x) * (1 + x))],
    'atan': lambda x: [mp.atan(x), 1 / (1 + x * x)],
    'gammaln': lambda x: [mp.re(mp.loggamma(x)), mp.digamma(x)],
    'digamma': lambda x: [mp.digamma(x), mp.psi(1, x)],
    'polygamma': lambda n: lambda x: [mp.psi(n, x), mp.psi(n + 1, x)],
    'atan2': lambda y, x: [mp.atan2(y, x), x / (x * x + y * y), -y / (x * x + y * y)],
    'logaddexp': lambda a, b: [mp.log(mp.exp(a) + mp.exp(b)), sigmoid(a - b), sigmoid(b - a)],
    'xlogy': xlog_exact(mp.log, lambda y: 1 / y, 0),
    'xlog1py': xlog_exact(mp.log1p, lambda y: 1 / (1 + y), -1),
    'fmod': remainder_exact(lambda v: mp.floor(v) if v >= 0 else mp.ceil(v)),
    'mod': remainder_exact(mp.floor),
    'hard_sigmoid': lambda x: [min(max(x + 3, 0), 6) / 6, mp.mpf(1) / 6 if -3 < x < 3 else mp.zero],
    'elu': lambda alpha: elu_exact(alpha, 1),
    'selu': elu_exact(SELU_ALPHA, SELU_SCALE),
    'gelu': lambda x: [x * mp.erfc(-x / mp.sqrt(2)) / 2,
                       mp.erfc(-x / mp.sqrt(2)) / 2 + x * mp.exp(-x * x / 2) / mp.sqrt(2 * mp.pi)],
    'gelu:true': gelu_tanh_exact,
    'silu': lambda x: [x * sigmoid(x), sigmoid(x) * (1 + x * (1 - sigmoid(x)))],
    'softsign': lambda x: [x / (1 + abs(x)), 1 / (1 + abs(x)) ** 2],
    'mish': lambda x: (lambda t: [x * t, t + x * sigmoid(x) * (1 - t * t)])(mp.tanh(mp.log1p(mp.exp(x)))),
}

# The limits, value and gradient, at an infinity where the formula is undefined (∞ · 0, ∞/∞)
# and Graft gives the limit of the value: x f(x) with f -> 0 at -inf, and softsign's ±1 with
# slope 0 (PyTorch gives NaN for these values). None: no claim.
LIMITS = {
    ('silu', -INF): [-0.0, None], ('gelu', -INF): [-0.0, None], ('gelu:true', -INF): [-0.0, None],
    ('mish', -INF): [-0.0, None], ('softsign', INF): [1.0, 0.0], ('softsign', -INF): [-1.0, 0.0],
    ('log1mexp', 0.0): [-INF, -INF],    # -0.0 too: the limits from below, the domain's side
}

# ---- PyTorch ------------------------------------------------------------------------------

TORCH = {
    'erf': torch.erf, 'erfc': torch.erfc, 'erfcx': torch.special.erfcx, 'erfinv': torch.erfinv,
    'log2': torch.log2, 'log10': torch.log10, 'exp2': torch.exp2, 'logit': torch.logit,
    'sinh': torch.sinh, 'cosh': torch.cosh, 'tan': torch.tan, 'asinh': torch.asinh, 'acosh': torch.acosh,
    'atanh': torch.atanh, 'atan': torch.atan, 'gammaln': torch.lgamma, 'digamma': torch.digamma,
    'floor': torch.floor, 'ceil': torch.ceil, 'round': torch.round,
    'isnan': torch.isnan, 'isinf': torch.isinf, 'isfinite': torch.isfinite,
    'atan2': torch.atan2, 'logaddexp': torch.logaddexp, 'xlogy': torch.xlogy, 'xlog1py': torch.special.xlog1py,
    'fmod': torch.fmod, 'mod': torch.remainder,
    'selu': F.selu, 'gelu': F.gelu, 'gelu:true': lambda x: F.gelu(x, approximate='tanh'), 'silu': F.silu,
    'softsign': F.softsign, 'hard_sigmoid': F.hardsigmoid, 'mish': F.mish,
}


def log1mexp_torch(x):
    # PyTorch 1.13 has no log1mexp: Mächler's two forms, one per point, so that autograd goes
    # through the form that is used
    return torch.log(-torch.expm1(x)) if x.item() > -math.log(2) else torch.log1p(-torch.exp(x))


def torch_function(op):
    name, _, params = op.partition(':')
    p = [float(v) for v in params.split(':')] if params and name != 'gelu' else []
    if name == 'log1mexp':
        return log1mexp_torch
    if name == 'polygamma':
        return lambda x: torch.polygamma(int(p[0]), x)
    if name == 'leaky_relu':
        return lambda x: F.leaky_relu(x, *p)
    if name == 'elu':
        return lambda x: F.elu(x, *p)
    if name == 'hard_tanh':
        return lambda x: F.hardtanh(x, *p)
    if name == 'nan_to_num':
        return lambda x: torch.nan_to_num(x, *p)
    return TORCH[op]


def torch_values(op, args):
    xs = [torch.tensor(a, requires_grad=True) for a in args]
    y = torch_function(op)(*xs)
    if y.dtype == torch.bool:   # isnan, isinf, isfinite: no gradient in PyTorch
        return [float(y)] + [None] * len(args)
    grads = torch.autograd.grad(y, xs, allow_unused=True)
    return [y.item()] + [0.0 if g is None else g.item() for g in grads]


def exact_values(op, args):
    name, _, params = op.partition(':')
    if (op, args[0]) in LIMITS:
        return LIMITS[(op, args[0])]
    if name == 'polygamma':
        f = EXACT[name](int(params))
    elif name == 'elu':
        f = EXACT[name](float(params) if params else 1.0)
    else:
        f = EXACT.get(op)
    if name in ('isnan', 'isinf', 'isfinite', 'floor', 'ceil', 'round'):
        return [None] + [0.0] * len(args)     # piecewise constant: the derivative is 0 wherever it exists
    if name == 'polygamma' and args[0] <= 0 and (math.isinf(args[0]) or args[0] == math.floor(args[0])):
        # a pole (-inf too, beyond which every double is one): the limit from above, (-1)^(n+1) inf
        sign = 1 if int(params) % 2 == 1 else -1
        return [sign * INF, -sign * INF]
    # every double beyond 2^52 is a whole number: a pole of the gamma family, where mpmath's
    # reflection does not return
    pole = name in ('gammaln', 'digamma') and args[0] <= -2 ** 52
    if f is None or pole:
        return [None] * (len(args) + 1)
    try:
        out = [float(v) for v in f(*[mp.mpf(a) for a in args])]
    except (ValueError, ZeroDivisionError, OverflowError, TypeError, mpmath.libmp.NoConvergence):
        return [None] * (len(args) + 1)
    defined = any(math.isnan(a) for a in args) or not math.isnan(out[0])
    # an infinity in makes an undefined form (∞ - ∞, ∞ · 0) easily; no reference there
    return [v if defined and not (math.isnan(v) and any(math.isinf(a) for a in args)) else None for v in out]


# ---- the points -----------------------------------------------------------------------------

def unary(op, points, edges=()):
    return [(op, [float(x)]) for x in list(points) + EDGES + list(edges)]


def binary(op, pairs, edges=()):
    specials = [(a, b) for a in (0.0, 1.0, -2.5, INF, -INF, NAN, BIG) for b in (0.0, 1.5, -3.0, INF, -INF, NAN, TINY)]
    return [(op, [float(v) for v in p]) for p in list(pairs) + specials + list(edges)]


def pairs(a_lo, a_hi, b_lo, b_hi, k=16):
    return list(zip(uniform(a_lo, a_hi, k), uniform(b_lo, b_hi, k)))


CASES = []
CASES += unary('erf', uniform(-6, 6), [1e-10, -1e-300, 3.5, 6.5])
CASES += unary('erfc', uniform(-6, 28), [1e-10, 10, 26.5, 27.5, 30, -30])
CASES += unary('erfcx', uniform(-26, 100), [1e-10, 1e4, -27, -30, 30])
CASES += unary('erfinv', uniform(-1, 1), [1.0, -1.0, 1 - 2 ** -53, -(1 - 2 ** -53), 1 - 1e-10, 1e-10, 1.5, -1.5])
CASES += unary('log2', log_uniform(1e-300, 1e300), [1.0, 2.0, 8.0, 0.5, 2 ** -1074, 2 ** 1023, 1 + 2 ** -52, 1 - 2 ** -53, 3.0, -1.0])
CASES += unary('log10', log_uniform(1e-300, 1e300), [1.0, 10.0, 1e22, 1e-5, -1.0, 1 + 2 ** -52])
CASES += unary('exp2', uniform(-1070, 1023), [3.0, -1074.0, 1024.0, 0.5, -1.0, 1e-10, 1023.9])
CASES += unary('log1mexp', log_uniform(1e-300, 1e3, signs=(-1,)),
               [-math.log(2), -math.log(2) + 1e-12, -math.log(2) - 1e-12, -1e-20, -1e-300, -40.0, -800.0, 1.0])
CASES += unary('logit', uniform(0, 1), [0.5, 0.5 + 1e-7, 0.5 - 1e-9, 0.25, 0.75, 1e-300, 1 - 2 ** -53, 1.0, -1.0, 2.0])
CASES += unary('sinh', uniform(-20, 20) + uniform(-710, 710, 4), [1e-10, 710.0, 711.0])
CASES += unary('cosh', uniform(-20, 20) + uniform(-710, 710, 4), [1e-10, 710.0, 711.0])
CASES += unary('tan', uniform(-1.5, 1.5) + uniform(-100, 100, 4), [1e-10, math.pi / 2, 1e10])
CASES += unary('asinh', log_uniform(1e-300, 1e300, signs=(1, -1)), [1e-10, 1e-8, 0.5, 2.0, 3.0, 2 ** 28, 1e154, 1e155])
CASES += unary('acosh', [1 + v for v in log_uniform(1e-15, 1e3)] + log_uniform(1e3, 1e300, 4),
               [1.0, 1 + 2 ** -52, 1 + 1e-10, 2.0, 2 ** 28, 0.5, -1.0])
CASES += unary('atanh', uniform(-1, 1), [1.0, -1.0, 1 - 2 ** -53, -(1 - 2 ** -53), 1 - 1e-10, 0.5, 1e-10, 1.5])
CASES += unary('atan', log_uniform(1e-300, 1e300, signs=(1, -1)), [1e-10, 1.0, -1.0, 1e154])
CASES += unary('gammaln', uniform(0.01, 200) + uniform(-20, 0, 6), [1.0, 2.0, 0.5, -0.5, -1.0, -2.0, 1e-300, 1e300, 3.5])
CASES += unary('digamma', uniform(0.01, 200) + uniform(-20, 0, 6), [1.0, 2.0, -1.0, -2.0, -0.5, 1e-300, 1e300, -1e300])
for n in (1, 2, 3):
    CASES += unary('polygamma:%d' % n, uniform(0.01, 50) + uniform(-20, 0, 6), [1.0, -1.0, -0.5, 1e-8, 1e9, 1e300, -1e6 + 0.5])
CASES += unary('floor', uniform(-10, 10), [0.5, -0.5, 2.0, 1e300])
CASES += unary('ceil', uniform(-10, 10), [0.5, -0.5, 2.0, 1e300])
CASES += unary('round', uniform(-10, 10), [0.5, 1.5, 2.5, -0.5, -2.5, 0.49999999999999994, 2 ** 52 + 1])
CASES += unary('isnan', uniform(-10, 10, 3))
CASES += unary('isinf', uniform(-10, 10, 3))
CASES += unary('isfinite', uniform(-10, 10, 3))
CASES += unary('nan_to_num', uniform(-10, 10, 3))
CASES += unary('nan_to_num:1:2:-3', uniform(-10, 10, 3))

CASES += binary('atan2', pairs(-10, 10, -10, 10), [(1e300, 1e300), (1e-300, 1e-300), (-0.0, -1.0), (0.0, -1.0)])
CASES += binary('logaddexp', pairs(-1000, 1000, -1000, 1000) + pairs(-5, 5, -5, 5, 8), [(1000.0, 1000.0), (-1000.0, -1000.0), (800.0, -800.0)])
CASES += binary('xlogy', pairs(-3, 3, 1e-3, 10), [(0.0, 0.0), (0.0, -1.0), (1.0, 0.0), (2.0, -1.0)])
CASES += binary('xlog1py', pairs(-3, 3, -0.999, 10), [(0.0, -1.0), (0.0, -2.0), (1.0, -1.0), (3.0, 1e-20)])
CASES += binary('fmod', pairs(-20, 20, 0.1, 5) + pairs(-20, 20, -5, -0.1), [(5.0, 3.0), (-5.0, 3.0), (5.0, -3.0), (-4.0, 2.0), (1.0, 0.1)])
CASES += binary('mod', pairs(-20, 20, 0.1, 5) + pairs(-20, 20, -5, -0.1), [(5.0, 3.0), (-5.0, 3.0), (5.0, -3.0), (-4.0, 2.0), (1.0, 0.1)])

KINKS = [1e-300, -1e-300, 1e-10, -1e-10, 30.0, -30.0, 1000.0, -1000.0]
CASES += unary('leaky_relu', uniform(-10, 10), KINKS)
CASES += unary('leaky_relu:0.2', uniform(-10, 10), KINKS)
CASES += unary('elu', uniform(-10, 10), KINKS + [-40.0])
CASES += unary('elu:0.5', uniform(-10, 10), KINKS)
CASES += unary('selu', uniform(-10, 10), KINKS)
CASES += unary('gelu', uniform(-10, 10), KINKS + [-10.0, -40.0])
CASES += unary('gelu:true', uniform(-10, 10), KINKS + [-10.0, -40.0])
CASES += unary('silu', uniform(-10, 10), KINKS + [-800.0])
CASES += unary('softsign', uniform(-10, 10), KINKS)
CASES += unary('hard_sigmoid', uniform(-5, 5), KINKS + [3.0, -3.0, -3 + 1e-10])
CASES += unary('hard_tanh', uniform(-3, 3), KINKS + [1.0, -1.0])
CASES += unary('hard_tanh:-2:3', uniform(-5, 5), KINKS + [3.0, -2.0])
CASES += unary('mish', uniform(-10, 10), KINKS + [-800.0])


def number(v):
    if v is None:
        return '-'
    if math.isnan(v):
        return 'NaN'
    if math.isinf(v):
        return 'Infinity' if v > 0 else '-Infinity'
    return repr(v)


for op, args in CASES:
    line = [op, ' '.join(number(a) for a in args), ' '.join(number(v) for v in torch_values(op, args)),
            ' '.join(number(v) for v in exact_values(op, args))]
    print(' | '.join(line))
