package org.graft.core.blas;

/**
 * The product as plain loops, for small matrices, where a library call's set-up costs more
 * than the whole product. The innermost loop runs along stored rows: i-k-j order (rows of
 * {@code b} and {@code c}), except with {@code b} transposed, where a row of {@code b} is a
 * column of {@code op(b)} and i-j-k order makes each element of {@code c} one dot product of
 * two stored rows (i-k-j strides through {@code b}: 5.9 us against 2.4 at 16 x 16 x 16).
 */
final class Loops implements Gemm {
    @Override
    public String name() { return "loops"; }

    @Override
    public void dgemm(boolean transA, boolean transB, int m, int n, int k,
                      double alpha, double[] a, double[] b, double beta, double[] c) {
        if (Trivial.done(transA, transB, m, n, k, alpha, a, b, beta, c)) return;
        Trivial.scale(beta, c, m * n);
        if (transB) {
            // a(i, p) is a[i k + p], or a[p m + i] when a is transposed
            int rowStep = transA ? 1 : k, colStep = transA ? m : 1;
            for (int i = 0; i < m; i++) {
                int ai = i * rowStep, ci = i * n;
                for (int j = 0; j < n; j++) {
                    int bj = j * k;
                    double s = 0;
                    for (int p = 0; p < k; p++) s += a[ai + p * colStep] * b[bj + p];
                    c[ci + j] += alpha * s;
                }
            }
            return;
        }
        for (int i = 0; i < m; i++) {
            int ci = i * n;
            for (int p = 0; p < k; p++) {
                double av = alpha * (transA ? a[p * m + i] : a[i * k + p]);
                int bp = p * n;
                for (int j = 0; j < n; j++) c[ci + j] += av * b[bp + j];
            }
        }
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float alpha, float[] a, float[] b, float beta, float[] c) {
        if (Trivial.done(transA, transB, m, n, k, alpha, a, b, beta, c)) return;
        Trivial.scale(beta, c, m * n);
        if (transB) {
            int rowStep = transA ? 1 : k, colStep = transA ? m : 1;
            for (int i = 0; i < m; i++) {
                int ai = i * rowStep, ci = i * n;
                for (int j = 0; j < n; j++) {
                    int bj = j * k;
                    float s = 0;
                    for (int p = 0; p < k; p++) s += a[ai + p * colStep] * b[bj + p];
                    c[ci + j] += alpha * s;
                }
            }
            return;
        }
        for (int i = 0; i < m; i++) {
            int ci = i * n;
            for (int p = 0; p < k; p++) {
                float av = alpha * (transA ? a[p * m + i] : a[i * k + p]);
                int bp = p * n;
                for (int j = 0; j < n; j++) c[ci + j] += av * b[bp + j];
            }
        }
    }
}
