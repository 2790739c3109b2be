package org.graft.core.blas;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_dgemm;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * The native back end: OpenBLAS as the JavaCPP presets ship it, one jar per platform, so no
 * system install is needed. JavaCPP extracts the library from that jar into its cache
 * ({@code ~/.javacpp/cache}) and loads it from there.
 *
 * <p>The arrays go to {@code cblas_?gemm} as Java arrays, not as native pointers, so that
 * every buffer of the runtime stays an ordinary Java array that EJML and our own loops can
 * use as well. The price: JNI copies each whole array (its length, not the {@code m x k} the
 * product reads) into native memory and back on every call, about 8% at 128 x 784 x 256 (999
 * against 922 us on one thread; copying the three arrays alone takes 62 us) and 170 ns for a
 * product of single numbers. So a buffer much longer than its matrix pays for its whole length.
 */
final class OpenBlas implements Gemm {
    private final String version;
    private final int threads;

    private OpenBlas(String version, int threads) {
        this.version = version;
        this.threads = threads;
    }

    /**
     * Loads the native library (100-250 ms the first time in a JVM) and gives it {@code threads}
     * threads. Throws whatever the loading throws: {@link UnsatisfiedLinkError} when there is
     * no library for this platform, {@link NoClassDefFoundError} when JavaCPP is not on the
     * class path.
     */
    static OpenBlas load(int threads) {
        Loader.load(openblas_nolapack.class);
        // the thread count is global to the library: the last one set wins for every caller.
        // OpenBLAS may cap it at the count it was built for, so ask what it took
        org.bytedeco.openblas.presets.openblas_nolapack.blas_set_num_threads(threads);
        int took = org.bytedeco.openblas.presets.openblas_nolapack.blas_get_num_threads();
        String v = openblas_nolapack.OPENBLAS_VERSION.strip(); // " OpenBLAS 0.3.30 "
        return new OpenBlas(v.startsWith("OpenBLAS ") ? v.substring("OpenBLAS ".length()) : v, took > 0 ? took : threads);
    }

    @Override
    public String name() { return "openblas"; }

    /** OpenBLAS's version, e.g. {@code 0.3.30}. */
    String version() { return version; }

    /** The threads the library runs a product on. */
    int threads() { return threads; }

    /** The JavaCPP platform whose library was loaded, e.g. {@code linux-x86_64}. */
    static String platform() { return Loader.getPlatform(); }

    @Override
    public void dgemm(boolean transA, boolean transB, int m, int n, int k,
                      double alpha, double[] a, double[] b, double beta, double[] c) {
        if (Trivial.done(transA, transB, m, n, k, alpha, a, b, beta, c)) return;
        // row-major leading dimensions: the stored row length of each operand
        cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                m, n, k, alpha, a, transA ? m : k, b, transB ? k : n, beta, c, n);
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float alpha, float[] a, float[] b, float beta, float[] c) {
        if (Trivial.done(transA, transB, m, n, k, alpha, a, b, beta, c)) return;
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                m, n, k, alpha, a, transA ? m : k, b, transB ? k : n, beta, c, n);
    }
}
