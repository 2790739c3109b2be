package org.graft.core.blas;

/**
 * The general matrix product of BLAS on dense row-major arrays that start at offset 0:
 * {@code c = alpha op(a) op(b) + beta c}, where {@code op} transposes an operand whose flag is
 * set. {@code a} holds {@code m x k} values ({@code k x m} when transposed), {@code b}
 * {@code k x n} ({@code n x k}), {@code c} {@code m x n}. A transposed operand is read as it is
 * stored, never copied; with {@code beta = 0} the old contents of {@code c} are not read, so
 * they may be anything, NaN included. With {@code k = 0} or {@code alpha = 0}, {@code c = beta c}
 * and {@code a} and {@code b} are not read, as in the reference BLAS. An array may be longer
 * than its matrix: the values past it are neither read nor written; one that is shorter is an
 * {@link IllegalArgumentException}. {@code c} must not share an array with {@code a} or {@code b}.
 */
public interface Gemm {

    /** A short name for reports: {@code openblas}, {@code ejml}, {@code loops}. */
    String name();

    /** {@code c = alpha op(a) op(b) + beta c} in f64. */
    void dgemm(boolean transA, boolean transB, int m, int n, int k,
               double alpha, double[] a, double[] b, double beta, double[] c);

    /** {@code c = alpha op(a) op(b) + beta c} in f32. */
    void sgemm(boolean transA, boolean transB, int m, int n, int k,
               float alpha, float[] a, float[] b, float beta, float[] c);
}
