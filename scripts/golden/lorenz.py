#!/usr/bin/python3
"""Expected values for LorenzGoldenTest: the lorenz data set made again in NumPy float64, and its
persistence baseline, the mean squared error of predicting each step by the one before.

graft's lorenz set draws its initial points from java.util.Random(1), whose generator its
Javadoc fixes (a 48-bit linear congruential generator; nextDouble takes 26 then 27 bits), so
this script draws the same numbers with that generator written out here. It then integrates the
Lorenz system (sigma 10, rho 28, beta 8/3) with the classical Runge-Kutta method, a step of
0.01, 1,000 steps of burn-in and 100 more recorded, all sequences at once as NumPy arrays,
divides the points by 20 and forms one-step prediction: x the points at steps 0..99, y at
1..100. The training set's 256 sequences are drawn first, then the test set's 64.

Run it from the checkout with Debian's python3 (apt-get install python3-numpy):

    /usr/bin/python3 scripts/golden/lorenz.py > graph-models/src/test/resources/numpy/lorenz.txt

The output is one figure a line, `NAME VALUES`, VALUES space-separated, each printed with repr so
that it reads back exactly:
  - `SPLIT persistence_mse`: mean over steps, sequences and components of (y - x)^2;
  - `SPLIT x_mean`, `SPLIT y_mean`: the mean of each component of x and of y;
  - `SPLIT x_first`, `SPLIT y_last`: x[0, 0, :] and y[99, n-1, :], a first and a last point.
"""
import numpy as np

MASK = (1 << 48) - 1
MULTIPLIER = 0x5DEECE66D


class JavaRandom:
    """java.util.Random's nextDouble, as its Javadoc specifies it."""

    def __init__(self, seed):
        self.seed = (seed ^ MULTIPLIER) & MASK

    def next(self, bits):
        self.seed = (self.seed * MULTIPLIER + 0xB) & MASK
        return self.seed >> (48 - bits)

    def next_double(self):
        return ((self.next(26) << 27) + self.next(27)) * 2.0 ** -53


SIGMA, RHO, BETA = 10.0, 28.0, 8.0 / 3
DT, BURN_IN, STEPS, SCALE = 0.01, 1000, 100, 20.0


def field(p):
    x, y, z = p
    return np.array([SIGMA * (y - x), x * (RHO - z) - y, x * y - BETA * z])


def rk4(p):
    k1 = field(p)
    k2 = field(p + DT / 2 * k1)
    k3 = field(p + DT / 2 * k2)
    k4 = field(p + DT * k3)
    return p + DT / 6 * (k1 + 2 * k2 + 2 * k3 + k4)


def sequences(count, random):
    starts = [[40 * random.next_double() - 20, 40 * random.next_double() - 20, 50 * random.next_double()]
              for _ in range(count)]
    p = np.array(starts).T           # [3, count]: one column per sequence
    for _ in range(BURN_IN):
        p = rk4(p)
    points = [p]
    for _ in range(STEPS):
        p = rk4(p)
        points.append(p)
    series = np.stack(points).transpose(0, 2, 1) / SCALE    # [101, count, 3]
    return series[:-1], series[1:]


def numbers(a):
    return " ".join(repr(float(v)) for v in np.ravel(a))


def splits():
    """The training set's sequences, then the test set's: (split, x, y), x and y [100, count, 3]."""
    random = JavaRandom(1)
    for split, count in (("train", 256), ("test", 64)):
        x, y = sequences(count, random)
        yield split, x, y


if __name__ == "__main__":   # bench/torch_epoch.py imports the set from here
    for split, x, y in splits():
        print(split, "persistence_mse", repr(float(np.mean((y - x) ** 2))))
        print(split, "x_mean", numbers(x.mean(axis=(0, 1))))
        print(split, "y_mean", numbers(y.mean(axis=(0, 1))))
        print(split, "x_first", numbers(x[0, 0]))
        print(split, "y_last", numbers(y[-1, -1]))
