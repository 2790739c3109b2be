#!/usr/bin/python3
"""Expected values for PreprocessingGoldenTest: graft train's --preprocess computed by NumPy in
float64 (numpy.linalg.eigh for the covariance's eigen-decomposition), as scikit-learn defines
standardizing (StandardScaler: population variance, a feature of zero variance, up to rounding,
divided by 1)
and as the UFLDL tutorial defines PCA and ZCA whitening with an epsilon.

Each case fits a preprocessing on `x` and applies it to `x` and to `other`, examples it was not
fitted on. The data: n examples of d features, independent normals scaled by factors 0.2 to 5,
mixed by a random matrix and moved by offsets up to 50, with a column of one value (0.1, which
summed n times is not n * 0.1) where the case says so.

Run it from the checkout with Debian's python3 (apt-get install python3-numpy):

    /usr/bin/python3 scripts/golden/preprocessing.py > graph-models/src/test/resources/numpy/preprocessing.txt

The output is one case per block: `case NAME`, `kind KIND` (the --preprocess name), `eps EPS`,
then `set NAME DIMS VALUES` for x and other, and `want NAME DIMS VALUES` for the fitted `mean`
and `matrix` (the scale 1/std per feature for standardize, the d x d matrix for a whitening)
and the transformed `x` and `other`; DIMS comma-separated, VALUES space-separated, row-major,
each printed with repr so that it reads back exactly.
"""
import numpy as np

RNG = np.random.default_rng(20270601)


def numbers(a):
    return " ".join(repr(float(v)) for v in np.asarray(a).ravel())


def data(n, d, constant):
    scales = np.exp(RNG.uniform(np.log(0.2), np.log(5), d))
    mix = RNG.uniform(-1, 1, (d, d)) + np.eye(d)
    offsets = RNG.uniform(-50, 50, d)
    x = (RNG.standard_normal((n, d)) * scales) @ mix + offsets
    if constant:
        x[:, 1] = 0.1
    return x


def standardize(x):
    mean = x.mean(axis=0)
    var = x.var(axis=0)   # ddof = 0, StandardScaler's
    # scikit-learn's _is_constant_feature: a variance within rounding of 0 is a constant feature,
    # scaled by 1 (NumPy's mean of sixty 0.1s is 0.09999999999999991, leaving a variance of 2e-33)
    eps = np.finfo(np.float64).eps
    constant = var <= len(x) * eps * var + (len(x) * mean * eps) ** 2
    return mean, np.where(constant, 1.0, 1.0 / np.sqrt(np.where(constant, 1.0, var)))


def whitening(x, eps, zca):
    mean = x.mean(axis=0)
    xc = x - mean
    c = xc.T @ xc / len(x)
    values, vectors = np.linalg.eigh(c)
    order = np.argsort(values)[::-1]
    values, vectors = values[order], vectors[:, order]
    # each eigenvector's largest entry positive, scikit-learn's svd_flip
    signs = np.sign(vectors[np.argmax(np.abs(vectors), axis=0), np.arange(len(values))])
    vectors = vectors * signs
    pca = vectors / np.sqrt(np.maximum(values, 0) + eps)
    return mean, pca @ vectors.T if zca else pca


def case(name, kind, x, other, eps=0.0):
    if kind == "standardize":
        mean, scale = standardize(x)
        apply = lambda a: (a - mean) * scale
        matrix = scale
    else:
        mean, matrix = whitening(x, eps, kind == "zca-whiten")
        apply = lambda a: (a - mean) @ matrix
    print("case " + name)
    print("kind " + kind)
    print("eps " + repr(eps))
    for key, value in (("x", x), ("other", other)):
        print("set %s %s %s" % (key, ",".join(map(str, value.shape)), numbers(value)))
    for key, value in (("mean", mean), ("matrix", matrix), ("x", apply(x)), ("other", apply(other))):
        print("want %s %s %s" % (key, ",".join(map(str, value.shape)), numbers(value)))
    print()


x, other = data(60, 5, constant=True), data(7, 5, constant=False)
case("standardize, with a feature of one value", "standardize", x, other)
x, other = data(80, 6, constant=False), data(7, 6, constant=False)
case("pca-whiten, eps 0.01", "pca-whiten", x, other, eps=0.01)
case("zca-whiten, eps 0.01", "zca-whiten", x, other, eps=0.01)
case("zca-whiten, eps 0", "zca-whiten", x, other, eps=0.0)
x, other = data(50, 4, constant=True), data(5, 4, constant=False)
case("zca-whiten of a singular covariance, eps 0.1", "zca-whiten", x, other, eps=0.1)
