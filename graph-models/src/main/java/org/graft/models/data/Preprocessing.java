package org.graft.models.data;

import java.util.Arrays;
import java.util.stream.Collectors;

import org.graft.core.blas.Blas;
import org.graft.core.blas.SymmetricEigen;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * The preprocessing of the inputs that the lecture notes give for back-propagation to converge
 * (LeCun, Bottou, Orr and Müller, <i>Efficient BackProp</i>, 1998, section 4.3): inputs of
 * <b>mean zero</b>, <b>decorrelated</b>, and of equal variance (<b>variance equalization</b>).
 * Each is {@link #fit fitted} on the training examples alone and gives a {@link Transform} that
 * is then applied as it is to every split, so that validation and test examples are transformed
 * with what was learnt from the training examples.
 *
 * <p>Statistics are over the examples as a population, divided by their number (NumPy's default
 * {@code ddof = 0}, scikit-learn's): the transformed training examples have variance exactly 1,
 * or the identity as covariance, and not (n - 1)/n of it.
 *
 * <p>For sequences {@code [t, n, d]} the features are the last dim, as for rows: every step of
 * every sequence is an observation of the d features, the statistics are over all {@code t n}
 * of them, and each step is transformed alike, so that a step is preprocessed the same wherever
 * it stands in its sequence. The targets of a one-step prediction set, the next steps of the
 * same features, are transformed with them.
 */
public enum Preprocessing {
    /**
     * Mean zero and unit variance per feature: {@code x -> (x - mean) / std}, as scikit-learn's
     * {@code StandardScaler}. A feature of one value throughout the training examples (zero
     * variance: a pixel that is always 0) is centred and divided by 1, as scikit-learn does.
     * Matrix: the scale {@code 1 / std} per feature, {@code [d]}.
     */
    STANDARDIZE("standardize"),
    /**
     * PCA whitening, decorrelation and variance equalization:
     * {@code x -> (x - mean) U diag(1 / sqrt(lambda + eps))} for the covariance
     * {@code C = U diag(lambda) Uᵀ} of the training examples, its eigenvalues from the largest;
     * feature j of the result is the j-th principal component, scaled to variance
     * {@code lambda_j / (lambda_j + eps)}. Every component is kept (no reduction of the
     * dimension). Matrix: {@code U diag(1 / sqrt(lambda + eps))}, {@code [d, d]}.
     */
    PCA_WHITEN("pca-whiten"),
    /**
     * ZCA whitening: PCA whitening rotated back to the axes of the features,
     * {@code x -> (x - mean) U diag(1 / sqrt(lambda + eps)) Uᵀ}, the whitening closest to the
     * data (for images, an image again, its edges enhanced). Matrix:
     * {@code (C + eps I)^(-1/2)}, symmetric, {@code [d, d]}.
     */
    ZCA_WHITEN("zca-whiten");

    /**
     * The eps of a whitening when none is given: the value common for ZCA of images, in the units
     * of the features' variance (pixels in [0, 1] here). Directions of variance well above it are
     * whitened, those well below it damped rather than blown up to unit variance. MNIST's
     * covariance has its largest eigenvalue at 5.1, 69 above 0.1 and 662 above 1e-5: with 1e-5
     * (the UFLDL tutorial's "typical" value for data of order 1) the hundreds of directions of
     * almost no variance weigh as much as the strokes, and the bundled MLP fits them: after 3
     * epochs a validation accuracy of 0.887 and a training loss rising, against 0.945 with 0.1;
     * on the digits, a test accuracy of 0.972 after 20 epochs against 0.986.
     */
    public static final double DEFAULT_EPS = 0.1;

    private final String name;

    Preprocessing(String name) { this.name = name; }

    /** The name {@code --preprocess} takes, {@code zca-whiten}. */
    @Override
    public String toString() { return name; }

    /**
     * The preprocessing {@code --preprocess} names.
     *
     * @throws IllegalArgumentException if {@code name} is not one, listing those there are
     */
    public static Preprocessing named(String name) {
        for (Preprocessing p : values()) if (p.name.equals(name)) return p;
        throw new IllegalArgumentException("--preprocess: expected one of "
                + Arrays.stream(values()).map(Preprocessing::toString).collect(Collectors.joining(", ")) + ", found " + name);
    }

    /** Whether it whitens: decorrelates through the eigen-decomposition of the covariance, with an eps. */
    public boolean whitens() { return this != STANDARDIZE; }

    /**
     * A fitted preprocessing: {@code x -> (x - mean) * matrix} elementwise for a matrix {@code [d]}
     * (standardizing), {@code x -> (x - mean) @ matrix} for one {@code [d, d]} (whitening).
     */
    public record Transform(Preprocessing kind, Tensor mean, Tensor matrix) {
        public Transform {
            int d = mean.rank() == 1 ? mean.shape().dim(0) : -1;
            Shape expected = kind.whitens() ? Shape.of(d, d) : Shape.of(d);
            if (d < 0 || !matrix.shape().equals(expected)) {
                throw new IllegalArgumentException(kind + ": expected a mean [d] and a matrix " + (kind.whitens() ? "[d, d]" : "[d]")
                        + ", found " + mean.shape() + " and " + matrix.shape());
            }
        }

        /** The features {@code [n, d]}, or sequences {@code [t, n, d]}, transformed, in f64. */
        public Tensor apply(Tensor features) {
            Tensor centred = observations(features).sub(mean);
            return (kind.whitens() ? product(centred, false, matrix, false) : centred.mul(matrix)).reshape(features.shape());
        }

        /**
         * The examples with their features transformed, the targets as they are; but those of a
         * one-step prediction set, the features' next steps, transformed alike ({@link Dataset#transformed}).
         */
        public Dataset apply(Dataset examples) { return examples.transformed(this::apply); }
    }

    /**
     * Fits this preprocessing to {@code given}, the training examples {@code [n, d]} in f64, or
     * the training sequences {@code [t, n, d]}, every step of each an observation. {@code eps}
     * is added to each eigenvalue of the covariance before its square root is taken (whitening
     * only; standardizing ignores it): it keeps the directions of (nearly) no variance
     * from being blown up, and damps those of a variance not much above it. An eigenvalue that
     * rounding has made slightly negative is taken as 0.
     *
     * @throws IllegalArgumentException if there are no examples, if a feature is not finite, or
     *     if eps is 0 and the covariance is singular: an eigenvalue at most {@code d} ulps of the
     *     largest (NumPy's {@code matrix_rank} tolerance), which whitening would divide by
     */
    public Transform fit(Tensor given, double eps) {
        Tensor features = observations(given);
        int n = features.shape().dim(0), d = features.shape().dim(1);
        int sequences = given.rank() == 3 ? given.shape().dim(1) : 0;
        if (n == 0) throw new IllegalArgumentException(this + ": expected training examples to fit it on, found none");
        if (!(eps >= 0 && eps < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(this + ": expected an eps, a finite number >= 0, found " + eps);
        }
        double[] x = features.storage();
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i])) {
                int row = i / d;
                throw new IllegalArgumentException(this + ": expected finite features, found " + x[i] + " in "
                        + (sequences == 0 ? "example " + row : "sequence " + row % sequences + " at step " + row / sequences)
                        + ", feature " + i % d);
            }
        }
        Tensor mean = mean(x, n, d);
        Tensor centred = features.sub(mean);
        if (!whitens()) {
            Tensor variance = centred.mul(centred).sum(new int[] {0}, false).map(s -> s / n);
            // zero only for a feature of one value, whose centred values are then exactly 0 (mean() sees to it)
            return new Transform(this, mean, variance.map(v -> v == 0 ? 1 : 1 / Math.sqrt(v)));
        }
        // C = Xcᵀ Xc / n, made exactly symmetric for the decomposition (the product is, up to the summation order)
        double[] c = product(centred, true, centred, false).toArray();
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) c[i * d + j] = c[j * d + i] = (c[i * d + j] + c[j * d + i]) / 2 / n;
        }
        var eig = SymmetricEigen.of(c, d);
        double[] lambda = eig.values(), u = eig.vectors();
        if (eps == 0 && d > 0 && !(lambda[d - 1] > d * Math.ulp(1.0) * lambda[0])) {
            throw new IllegalArgumentException(this + " with eps 0: the covariance of the training examples is singular (its"
                    + " smallest eigenvalue is " + lambda[d - 1] + ", its largest " + lambda[0] + "): expected an eps above 0");
        }
        // B = U diag((lambda + eps)^(-1/2)), lambda at least 0; ZCA: B Uᵀ
        double[] b = new double[d * d];
        for (int j = 0; j < d; j++) {
            double scale = 1 / Math.sqrt(Math.max(lambda[j], 0) + eps);
            for (int i = 0; i < d; i++) b[i * d + j] = u[i * d + j] * scale;
        }
        Tensor pca = Tensor.of(b, d, d);
        if (this == PCA_WHITEN) return new Transform(this, mean, pca);
        // (C + eps I)^(-1/2) is symmetric; the product is, to rounding, and is made so exactly
        double[] w = product(pca, false, Tensor.of(u, d, d), true).toArray();
        for (int i = 0; i < d; i++) {
            for (int j = i + 1; j < d; j++) w[i * d + j] = w[j * d + i] = (w[i * d + j] + w[j * d + i]) / 2;
        }
        return new Transform(this, mean, Tensor.of(w, d, d));
    }

    /** Features {@code [n, d]} as they are, sequences {@code [t, n, d]} as the rows {@code [t n, d]} of their steps (a view). */
    private static Tensor observations(Tensor features) {
        if (features.rank() == 2) return features;
        if (features.rank() != 3) {
            throw new IllegalArgumentException("features of shape " + features.shape() + ": expected examples [n, d] or sequences [t, n, d]");
        }
        return features.reshape(Shape.of(features.shape().dim(0) * features.shape().dim(1), features.shape().dim(2)));
    }

    /**
     * {@code op(a) op(b)} of two f64 matrices in the runtime's matrix-product back end ({@link Blas#gemm}:
     * native OpenBLAS where it loads), as the training step's products are, rather than in the
     * reference semantics' EJML: the covariance of MNIST and its whitening are products of
     * 60,000 x 784 by 784 x 784, 37 billion multiply-adds each: about 20 s each in EJML on a busy
     * machine of 2 cores, 3 to 6 s in OpenBLAS.
     */
    private static Tensor product(Tensor a, boolean transA, Tensor b, boolean transB) {
        int m = a.shape().dim(transA ? 1 : 0), k = a.shape().dim(transA ? 0 : 1), n = b.shape().dim(transB ? 0 : 1);
        double[] c = new double[m * n];
        Blas.gemm(m, n, k).dgemm(transA, transB, m, n, k, 1, a.storage(), b.storage(), 0, c);
        return Tensor.of(c, m, n);
    }

    /**
     * The mean of each feature over the examples; a feature of one value has that value as its
     * mean exactly, which summing n copies and dividing by n need not give (3 x 0.1 / 3 is
     * 0.10000000000000002), so that it is centred to exactly 0 and has no variance at all.
     */
    private static Tensor mean(double[] x, int n, int d) {
        double[] sum = new double[d], first = Arrays.copyOf(x, d);
        boolean[] varies = new boolean[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double v = x[i * d + j];
                sum[j] += v;
                varies[j] |= v != first[j];
            }
        }
        double[] mean = new double[d];
        for (int j = 0; j < d; j++) mean[j] = varies[j] ? sum[j] / n : first[j];
        return Tensor.of(mean, d);
    }
}
