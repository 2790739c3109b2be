package org.graft.core.blas;

/** The matrix-product back end the runtime uses. */
public final class Blas {
    private Blas() {}

    private static final Gemm GEMM = new Loops();

    /** The back end in use. */
    public static Gemm gemm() { return GEMM; }
}
