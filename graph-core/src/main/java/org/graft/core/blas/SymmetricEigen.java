package org.graft.core.blas;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * The eigen-decomposition of a real symmetric matrix, {@code a = V diag(values) Vᵀ}, by EJML's
 * symmetric QR algorithm (reduction to tridiagonal form, then implicit QR steps): the eigenvalues
 * are real and the eigenvectors orthonormal, to rounding. A covariance matrix is such a matrix:
 * its eigenvectors are the data's principal axes and its eigenvalues the variances along them,
 * what PCA and ZCA whitening are made of.
 *
 * <p>The eigenvalues come from the largest to the smallest (equal ones in EJML's order), and each
 * eigenvector has the sign that makes its entry of largest magnitude positive (the first such
 * entry on a tie), as scikit-learn's {@code svd_flip} fixes the signs of its principal axes: an
 * eigenvector's sign is arbitrary, and this choice makes the result depend on the matrix alone.
 */
public final class SymmetricEigen {
    private final int n;
    private final double[] values;    // [n], descending
    private final double[] vectors;   // [n, n] row-major, column j the eigenvector of values[j]

    private SymmetricEigen(int n, double[] values, double[] vectors) {
        this.n = n;
        this.values = values;
        this.vectors = vectors;
    }

    /**
     * Decomposes the symmetric {@code n x n} matrix {@code a}, row-major (it is not changed).
     *
     * @throws IllegalArgumentException if {@code a} is not {@code n x n}, holds a NaN or an
     *     infinity, or is not symmetric (exactly: {@code a[i, j] == a[j, i]})
     * @throws ArithmeticException if the QR iterations do not converge
     */
    public static SymmetricEigen of(double[] a, int n) {
        if (n < 0 || a.length != (long) n * n) {
            throw new IllegalArgumentException("expected the " + n + " x " + n + " numbers of a square matrix, found " + a.length);
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double v = a[i * n + j];
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("expected finite numbers, found " + v + " at [" + i + ", " + j + "]");
                }
                if (j > i && v != a[j * n + i]) {
                    throw new IllegalArgumentException("expected a symmetric matrix, found " + v + " at [" + i + ", " + j + "] and "
                            + a[j * n + i] + " at [" + j + ", " + i + "]");
                }
            }
        }
        if (n == 0) return new SymmetricEigen(0, new double[0], new double[0]);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, true, true);
        if (!eig.decompose(new DMatrixRMaj(n, n, true, a))) {   // a copy: the decomposition overwrites its input
            throw new ArithmeticException("the symmetric QR algorithm did not converge on a " + n + " x " + n + " matrix");
        }
        Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble((Integer j) -> eig.getEigenvalue(j).real).reversed());
        double[] values = new double[n];
        double[] vectors = new double[n * n];
        for (int j = 0; j < n; j++) {
            values[j] = eig.getEigenvalue(order[j]).real;
            double[] v = eig.getEigenVector(order[j]).data;
            int largest = 0;
            for (int i = 1; i < n; i++) if (Math.abs(v[i]) > Math.abs(v[largest])) largest = i;
            double sign = v[largest] < 0 ? -1 : 1;
            for (int i = 0; i < n; i++) vectors[i * n + j] = sign * v[i];
        }
        return new SymmetricEigen(n, values, vectors);
    }

    /** The order of the matrix. */
    public int size() { return n; }

    /** The eigenvalues, from the largest to the smallest. */
    public double[] values() { return values.clone(); }

    /** The eigenvectors as the columns of an {@code n x n} matrix, row-major: column {@code j} belongs to {@code values()[j]}. */
    public double[] vectors() { return vectors.clone(); }
}
