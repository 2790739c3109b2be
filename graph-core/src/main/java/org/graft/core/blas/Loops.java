package org.graft.core.blas;

/**
 * The product as plain loops, i-k-j order so the innermost loop runs along rows of {@code b}
 * and {@code c}: for small matrices it beats any library call, whose set-up costs more than
 * the whole product.
 */
final class Loops implements Gemm {
    @Override
    public String name() { return "loops"; }

    @Override
    public void dgemm(boolean transA, boolean transB, int m, int n, int k,
                      double alpha, double[] a, double[] b, double beta, double[] c) {
        if (beta == 0) java.util.Arrays.fill(c, 0, m * n, 0.0);
        else if (beta != 1) for (int i = 0; i < m * n; i++) c[i] *= beta;
        for (int i = 0; i < m; i++) {
            int ci = i * n;
            for (int p = 0; p < k; p++) {
                double av = alpha * (transA ? a[p * m + i] : a[i * k + p]);
                if (transB) for (int j = 0; j < n; j++) c[ci + j] += av * b[j * k + p];
                else {
                    int bp = p * n;
                    for (int j = 0; j < n; j++) c[ci + j] += av * b[bp + j];
                }
            }
        }
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float alpha, float[] a, float[] b, float beta, float[] c) {
        if (beta == 0) java.util.Arrays.fill(c, 0, m * n, 0f);
        else if (beta != 1) for (int i = 0; i < m * n; i++) c[i] *= beta;
        for (int i = 0; i < m; i++) {
            int ci = i * n;
            for (int p = 0; p < k; p++) {
                float av = alpha * (transA ? a[p * m + i] : a[i * k + p]);
                if (transB) for (int j = 0; j < n; j++) c[ci + j] += av * b[j * k + p];
                else {
                    int bp = p * n;
                    for (int j = 0; j < n; j++) c[ci + j] += av * b[bp + j];
                }
            }
        }
    }
}
