#!/usr/bin/env python3
"""Times one OpenBLAS library's short products in each way of calling them.

    python3 bench/openblas_builds.py LIBRARY [--rows 10,20,32] [--dtypes f32,f64]

LIBRARY is a libopenblas shared object: the one the JavaCPP presets extract into
~/.javacpp/cache (Graft's), or a system one (Debian's is
/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0). OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE reach it from the environment as they reach Graft. It runs on one thread.

The product is the one of an RBM's or an autoencoder's layer, ROWS x 784 by 784 x 500, written
row-major as a c = a W and as its transpose c^T = W^T a^T, with W stored as it is (784 x 500)
or transposed (500 x 784), so that each of OpenBLAS's packing routines gets the large operand
once. Each figure is the median of 7 rounds of 200 calls, in microseconds. bench/README.md
("The presets' OpenBLAS and held weights") says what the figures showed.
"""
import argparse
import ctypes
import time

import numpy as np

ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("library")
    parser.add_argument("--rows", default="10,20,32")
    parser.add_argument("--dtypes", default="f32,f64")
    args = parser.parse_args()
    lib = ctypes.CDLL(args.library)
    lib.openblas_set_num_threads(1)
    lib.openblas_get_config.restype = ctypes.c_char_p
    lib.openblas_get_corename.restype = ctypes.c_char_p
    print(f"{lib.openblas_get_config().decode()}; kernels: {lib.openblas_get_corename().decode()}")
    k, n = 784, 500
    for dtype in args.dtypes.split(","):
        np_type, gemm, scalar = ((np.float32, lib.cblas_sgemm, ctypes.c_float) if dtype == "f32"
                                 else (np.float64, lib.cblas_dgemm, ctypes.c_double))
        for m in (int(r) for r in args.rows.split(",")):
            rng = np.random.default_rng(m)
            a = rng.random((m, k)).astype(np_type)
            w = rng.random((k, n)).astype(np_type)
            wt = np.ascontiguousarray(w.T)
            c, ct = np.zeros((m, n), np_type), np.zeros((n, m), np_type)

            def timed(trans_a, trans_b, rows, columns, x, y, out):
                call = (ROW_MAJOR, TRANS if trans_a else NO_TRANS, TRANS if trans_b else NO_TRANS, rows, columns, k,
                        scalar(1), x.ctypes.data_as(ctypes.c_void_p), x.shape[1],
                        y.ctypes.data_as(ctypes.c_void_p), y.shape[1], scalar(0),
                        out.ctypes.data_as(ctypes.c_void_p), out.shape[1])
                for _ in range(50):
                    gemm(*call)
                rounds = []
                for _ in range(7):
                    start = time.perf_counter()
                    for _ in range(200):
                        gemm(*call)
                    rounds.append((time.perf_counter() - start) / 200 * 1e6)
                return sorted(rounds)[3]

            figures = [
                ("a W", timed(False, False, m, n, a, w, c)),
                ("a (W^T)^T", timed(False, True, m, n, a, wt, c)),
                ("(W^T a^T)^T", timed(True, True, n, m, w, a, ct)),
                ("(W^T a^T)^T from W^T", timed(False, True, n, m, wt, a, ct)),
            ]
            print(f"{dtype} {m:>3} rows: " + "  ".join(f"{name} {us:.0f}" for name, us in figures))


if __name__ == "__main__":
    main()
