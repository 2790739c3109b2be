package org.graft.core.blas;

import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.CommonOps_FDRM;

/**
 * The pure-Java back end: EJML's single-threaded products on our own arrays, wrapped, not
 * copied. The one copy is a transposed {@code b}: EJML's {@code multTransB} runs at about
 * 2.5 GFLOP/s where {@code mult} runs at 5, so from {@link #TRANSPOSE_B_FROM_ROWS} rows on
 * {@code b} is transposed into a scratch array of the calling thread, kept for its next call,
 * and multiplied as stored.
 */
final class Ejml implements Gemm {

    /**
     * Below this many rows of the product, {@code multTransB} reading {@code b} as stored beats
     * transposing it first, which costs about as much as ten rows of the product (EJML 0.46 at
     * k = n = 512).
     */
    static final int TRANSPOSE_B_FROM_ROWS = 10;

    // one per thread, so concurrent products never share one; grown, never shrunk
    private static final ThreadLocal<double[]> D_SCRATCH = ThreadLocal.withInitial(() -> new double[0]);
    private static final ThreadLocal<float[]> S_SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    @Override
    public String name() { return "ejml"; }

    /** EJML's version, e.g. {@code 0.46.1}. */
    static String version() { return org.ejml.EjmlVersion.VERSION; }

    @Override
    public void dgemm(boolean transA, boolean transB, int m, int n, int k,
                      double alpha, double[] a, double[] b, double beta, double[] c) {
        if (Trivial.done(transA, transB, m, n, k, alpha, a, b, beta, c)) return;
        var am = transA ? DMatrixRMaj.wrap(k, m, a) : DMatrixRMaj.wrap(m, k, a);
        var bm = transB ? DMatrixRMaj.wrap(n, k, b) : DMatrixRMaj.wrap(k, n, b);
        var cm = DMatrixRMaj.wrap(m, n, c);
        boolean readBTransposed = transB && m < TRANSPOSE_B_FROM_ROWS;
        if (transB && !readBTransposed) {
            double[] scratch = D_SCRATCH.get();
            if (scratch.length < k * n) D_SCRATCH.set(scratch = new double[k * n]);
            bm = CommonOps_DDRM.transpose(bm, DMatrixRMaj.wrap(k, n, scratch));
        }
        // beta = 0: the mult forms overwrite c without reading it; otherwise c = beta c, then c += alpha ab
        if (beta == 0) {
            if (transA && readBTransposed) CommonOps_DDRM.multTransAB(alpha, am, bm, cm);
            else if (transA) CommonOps_DDRM.multTransA(alpha, am, bm, cm);
            else if (readBTransposed) CommonOps_DDRM.multTransB(alpha, am, bm, cm);
            else CommonOps_DDRM.mult(alpha, am, bm, cm);
        } else {
            Trivial.scale(beta, c, m * n);
            if (transA && readBTransposed) CommonOps_DDRM.multAddTransAB(alpha, am, bm, cm);
            else if (transA) CommonOps_DDRM.multAddTransA(alpha, am, bm, cm);
            else if (readBTransposed) CommonOps_DDRM.multAddTransB(alpha, am, bm, cm);
            else CommonOps_DDRM.multAdd(alpha, am, bm, cm);
        }
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float alpha, float[] a, float[] b, float beta, float[] c) {
        if (Trivial.done(transA, transB, m, n, k, alpha, a, b, beta, c)) return;
        var am = transA ? FMatrixRMaj.wrap(k, m, a) : FMatrixRMaj.wrap(m, k, a);
        var bm = transB ? FMatrixRMaj.wrap(n, k, b) : FMatrixRMaj.wrap(k, n, b);
        var cm = FMatrixRMaj.wrap(m, n, c);
        boolean readBTransposed = transB && m < TRANSPOSE_B_FROM_ROWS;
        if (transB && !readBTransposed) {
            float[] scratch = S_SCRATCH.get();
            if (scratch.length < k * n) S_SCRATCH.set(scratch = new float[k * n]);
            bm = CommonOps_FDRM.transpose(bm, FMatrixRMaj.wrap(k, n, scratch));
        }
        if (beta == 0) {
            if (transA && readBTransposed) CommonOps_FDRM.multTransAB(alpha, am, bm, cm);
            else if (transA) CommonOps_FDRM.multTransA(alpha, am, bm, cm);
            else if (readBTransposed) CommonOps_FDRM.multTransB(alpha, am, bm, cm);
            else CommonOps_FDRM.mult(alpha, am, bm, cm);
        } else {
            Trivial.scale(beta, c, m * n);
            if (transA && readBTransposed) CommonOps_FDRM.multAddTransAB(alpha, am, bm, cm);
            else if (transA) CommonOps_FDRM.multAddTransA(alpha, am, bm, cm);
            else if (readBTransposed) CommonOps_FDRM.multAddTransB(alpha, am, bm, cm);
            else CommonOps_FDRM.multAdd(alpha, am, bm, cm);
        }
    }
}
