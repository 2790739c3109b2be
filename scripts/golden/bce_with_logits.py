#!/usr/bin/python3
"""Exact values of the binary cross-entropy of sigmoid(z) against t, for BceAccuracyTest.

-(t log sigmoid(z) + (1 - t) log(1 - sigmoid(z))) computed by mpmath with 60 digits, then
rounded to the nearest double: the reference both bce_with_logits and the naive
binary_cross_entropy(sigmoid(z), t) are measured against. The grid holds the confident right
and wrong answers (|z| up to 800) where the naive forms lose digits. Run it with Debian's
python3 (apt-get install python3-mpmath):

    /usr/bin/python3 scripts/golden/bce_with_logits.py > graph-ops/src/test/resources/mpmath/bce_with_logits.txt

Each line is `z t exact`, every number printed with repr so that it reads back exactly.
"""
import mpmath

mpmath.mp.dps = 60

Z = [-800, -40, -30, -20, -5, -1, -1e-3, 0, 1e-3, 1, 5, 20, 30, 40, 800]
T = [0, 0.1, 0.3, 0.5, 0.9, 1]

for z in Z:
    for t in T:
        s = 1 / (1 + mpmath.exp(-mpmath.mpf(z)))
        # log(1 - s) written as log(sigmoid(-z)), which mpmath evaluates without cancelling
        exact = -(t * mpmath.log(s) + (1 - mpmath.mpf(t)) * mpmath.log(1 / (1 + mpmath.exp(mpmath.mpf(z)))))
        print(repr(float(z)), repr(float(t)), repr(float(exact)))
