package org.graft.core.blas;

import java.util.function.Supplier;

/**
 * The one place a product is routed by its size: fewer than {@link Blas#LOOPS_BELOW}
 * multiply-adds run as {@link Loops}, the rest in the library, which is asked for only then,
 * so a program of small products never loads native code.
 */
final class BySize implements Gemm {
    static final Gemm LOOPS = new Loops();

    private final Supplier<Gemm> library;

    BySize(Supplier<Gemm> library) { this.library = library; }

    /** The library's name: asking for it loads the library. */
    @Override
    public String name() { return library.get().name(); }

    @Override
    public void dgemm(boolean transA, boolean transB, int m, int n, int k,
                      double alpha, double[] a, double[] b, double beta, double[] c) {
        (small(m, n, k) ? LOOPS : library.get()).dgemm(transA, transB, m, n, k, alpha, a, b, beta, c);
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float alpha, float[] a, float[] b, float beta, float[] c) {
        (small(m, n, k) ? LOOPS : library.get()).sgemm(transA, transB, m, n, k, alpha, a, b, beta, c);
    }

    static boolean small(int m, int n, int k) { return (long) m * n * k < Blas.LOOPS_BELOW; }
}
