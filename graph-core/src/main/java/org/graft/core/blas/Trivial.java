package org.graft.core.blas;

import java.util.Arrays;

/**
 * What every back end does before its product: checks the operands' sizes, and finishes the
 * cases BLAS defines without a product. With {@code k = 0} or {@code alpha = 0} the product
 * term is zero, so {@code c = beta c} and {@code a} and {@code b} are not read (as in the
 * reference BLAS: an infinity in {@code a} times {@code alpha = 0} adds nothing, not NaN).
 */
final class Trivial {
    private Trivial() {}

    /** Whether {@code c} is already the result; throws if an array is too short for its shape. */
    static boolean done(boolean transA, boolean transB, int m, int n, int k,
                        double alpha, double[] a, double[] b, double beta, double[] c) {
        check(transA, transB, m, n, k, a.length, b.length, c.length);
        if (m == 0 || n == 0) return true;
        if (k != 0 && alpha != 0) return false;
        scale(beta, c, m * n);
        return true;
    }

    static boolean done(boolean transA, boolean transB, int m, int n, int k,
                        float alpha, float[] a, float[] b, float beta, float[] c) {
        check(transA, transB, m, n, k, a.length, b.length, c.length);
        if (m == 0 || n == 0) return true;
        if (k != 0 && alpha != 0) return false;
        scale(beta, c, m * n);
        return true;
    }

    /** {@code c = beta c} on the first {@code size} values; with {@code beta = 0}, zeros whatever c held. */
    static void scale(double beta, double[] c, int size) {
        if (beta == 0) Arrays.fill(c, 0, size, 0.0);
        else if (beta != 1) for (int i = 0; i < size; i++) c[i] *= beta;
    }

    static void scale(float beta, float[] c, int size) {
        if (beta == 0) Arrays.fill(c, 0, size, 0f);
        else if (beta != 1) for (int i = 0; i < size; i++) c[i] *= beta;
    }

    // a native library reading past the end of an array crashes the JVM or returns garbage,
    // so the sizes are checked here, once, for every back end
    private static void check(boolean transA, boolean transB, int m, int n, int k, int aLength, int bLength, int cLength) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("gemm: negative dimension in m = " + m + ", n = " + n + ", k = " + k);
        }
        if ((long) m * k > aLength || (long) k * n > bLength || (long) m * n > cLength) {
            throw new IllegalArgumentException("gemm: " + (transA ? "[" + k + ", " + m + "].T" : "[" + m + ", " + k + "]")
                    + " @ " + (transB ? "[" + n + ", " + k + "].T" : "[" + k + ", " + n + "]") + " -> [" + m + ", " + n
                    + "] needs arrays of at least " + (long) m * k + ", " + (long) k * n + " and " + (long) m * n
                    + " values, found " + aLength + ", " + bLength + " and " + cLength);
        }
    }
}
