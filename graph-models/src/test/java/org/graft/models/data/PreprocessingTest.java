package org.graft.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import java.util.SplittableRandom;

import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import org.graft.core.blas.SymmetricEigen;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * The three preprocessings against what they promise: mean zero and unit variances; a whitened
 * covariance that is the identity; ZCA's matrix the symmetric inverse square root of the
 * covariance; and other examples transformed with the statistics of those fitted on.
 */
class PreprocessingTest {

    /**
     * n examples of d correlated features: independent standard normals scaled by factors from
     * 0.1 to 10, rotated by a random orthogonal matrix, and moved to means up to 100 away from 0.
     * The covariance has full rank and a condition number up to about 1e4 (times the sampling's).
     */
    private static Tensor correlated(int n, int d, long seed) {
        var random = new SplittableRandom(seed);
        double[] sym = new double[d * d];
        for (int i = 0; i < d; i++) for (int j = i; j < d; j++) sym[i * d + j] = sym[j * d + i] = random.nextDouble(-1, 1);
        double[] rotation = SymmetricEigen.of(sym, d).vectors();
        double[] scale = new double[d], offset = new double[d];
        for (int j = 0; j < d; j++) {
            scale[j] = Math.pow(10, random.nextDouble(-1, 1));
            offset[j] = random.nextDouble(-100, 100);
        }
        double[] x = new double[n * d];
        for (int i = 0; i < n; i++) {
            double[] z = new double[d];
            for (int k = 0; k < d; k++) z[k] = scale[k] * random.nextGaussian();
            for (int j = 0; j < d; j++) {
                double v = offset[j];
                for (int k = 0; k < d; k++) v += z[k] * rotation[j * d + k];
                x[i * d + j] = v;
            }
        }
        return Tensor.of(x, n, d);
    }

    /** The covariance of the rows of {@code x} about their own mean, over n: [d, d] row-major. */
    private static double[] covariance(Tensor x) {
        int n = x.shape().dim(0), d = x.shape().dim(1);
        double[] mean = means(x), c = new double[d * d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                for (int k = 0; k < d; k++) c[j * d + k] += (x.get(i, j) - mean[j]) * (x.get(i, k) - mean[k]) / n;
            }
        }
        return c;
    }

    private static double[] means(Tensor x) {
        int n = x.shape().dim(0), d = x.shape().dim(1);
        double[] mean = new double[d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) mean[j] += x.get(i, j) / n;
        return mean;
    }

    private static double[] identity(int d) {
        double[] id = new double[d * d];
        for (int j = 0; j < d; j++) id[j * d + j] = 1;
        return id;
    }

    /**
     * With eps = 0, the whitened training examples have mean zero and the identity as covariance,
     * to 1e-8: data whose covariance has full rank (at least 5 examples per feature), as whitening
     * without an eps needs.
     */
    @Property(tries = 40)
    void whitenedTrainingDataHaveTheIdentityAsCovariance(@ForAll @IntRange(min = 1, max = 12) int d, @ForAll long seed) {
        Tensor x = correlated(5 * d + 20, d, seed);
        for (Preprocessing whitening : new Preprocessing[] {Preprocessing.PCA_WHITEN, Preprocessing.ZCA_WHITEN}) {
            Tensor z = whitening.fit(x, 0).apply(x);
            assertArrayEquals(identity(d), covariance(z), 1e-8, whitening + ": the covariance");
            assertArrayEquals(new double[d], means(z), 1e-10, whitening + ": the means");
        }
    }

    /**
     * With an eps, on data of a singular covariance (the digits: pixels that are always 0), the
     * whitening matrix W satisfies Wᵀ (C + eps I) W = I: cov(z) = Wᵀ C W = I - eps Wᵀ W.
     */
    @Example
    void withAnEpsTheWhiteningMatrixWhitensTheCovariancePlusEps() throws IOException {
        Tensor x = DataSets.load("digits").train().features();
        int d = x.shape().dim(1);
        double eps = 1e-3;
        double[] c = covariance(x);
        assertTrue(SymmetricEigen.of(c, d).values()[d - 1] < 1e-12, "a singular covariance");
        for (Preprocessing whitening : new Preprocessing[] {Preprocessing.PCA_WHITEN, Preprocessing.ZCA_WHITEN}) {
            Tensor w = whitening.fit(x, eps).matrix();
            double[] whitened = new double[d * d];
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    double s = 0;
                    for (int k = 0; k < d; k++) {
                        for (int l = 0; l < d; l++) s += w.get(k, i) * (c[k * d + l] + (k == l ? eps : 0)) * w.get(l, j);
                    }
                    whitened[i * d + j] = s;
                }
            }
            assertArrayEquals(identity(d), whitened, 1e-8, whitening + ": Wᵀ (C + eps I) W");
        }
    }

    /**
     * ZCA's matrix is symmetric, and positive definite: with Wᵀ (C + eps I) W = I above, that
     * makes it the symmetric inverse square root (C + eps I)^(-1/2), which is unique.
     */
    @Property(tries = 20)
    void zcasMatrixIsSymmetricAndPositiveDefinite(@ForAll @IntRange(min = 1, max = 12) int d, @ForAll long seed) {
        Tensor w = Preprocessing.ZCA_WHITEN.fit(correlated(5 * d + 20, d, seed), 1e-5).matrix();
        assertEquals(w, w.transpose(), "exactly symmetric");
        double[] values = SymmetricEigen.of(w.toArray(), d).values();
        assertTrue(values[d - 1] > 0, "positive definite: smallest eigenvalue " + values[d - 1]);
    }

    /** PCA's components come by decreasing variance, each the variance of its principal axis shrunk by lambda / (lambda + eps). */
    @Example
    void pcaWhiteningsComponentsComeInTheOrderOfTheirVariance() throws IOException {
        Tensor x = DataSets.load("digits").train().features();
        int d = x.shape().dim(1);
        double eps = 0.01;
        double[] lambda = SymmetricEigen.of(covariance(x), d).values();
        double[] c = covariance(Preprocessing.PCA_WHITEN.fit(x, eps).apply(x));
        for (int j = 0; j < d; j++) {
            assertEquals(Math.max(lambda[j], 0) / (Math.max(lambda[j], 0) + eps), c[j * d + j], 1e-9, "component " + j);
            for (int k = 0; k < j; k++) assertEquals(0, c[j * d + k], 1e-9, "decorrelated: components " + j + " and " + k);
        }
    }

    @Property(tries = 40)
    void standardizedFeaturesHaveMeanZeroAndVarianceOne(@ForAll @IntRange(min = 1, max = 12) int d, @ForAll long seed) {
        Tensor x = correlated(30, d, seed);
        Tensor z = Preprocessing.STANDARDIZE.fit(x, 0).apply(x);
        double[] c = covariance(z), variances = new double[d];
        for (int j = 0; j < d; j++) variances[j] = c[j * d + j];
        assertArrayEquals(new double[d], means(z), 1e-12, "the means");
        double[] ones = new double[d];
        Arrays.fill(ones, 1);
        assertArrayEquals(ones, variances, 1e-12, "the variances");
    }

    /** A feature of one value is centred to exactly 0 and divided by 1, as scikit-learn's StandardScaler. */
    @Example
    void aFeatureOfOneValueIsCentredAndLeftUnscaled() {
        // 0.1 three times sums to 0.30000000000000004, whose third is not 0.1
        Tensor x = Tensor.matrix(new double[] {0.1, 1}, new double[] {0.1, 2}, new double[] {0.1, 6});
        var standardize = Preprocessing.STANDARDIZE.fit(x, 0);
        assertEquals(Tensor.vector(0.1, 3), standardize.mean());
        assertEquals(Tensor.vector(1, 1 / Math.sqrt(14.0 / 3)), standardize.matrix());
        Tensor z = standardize.apply(x);
        for (int i = 0; i < 3; i++) assertEquals(0.0, z.get(i, 0), "row " + i);
    }

    /** Other examples are transformed with the statistics of the examples fitted on, not their own. */
    @Example
    void otherExamplesAreTransformedWithTheFittedStatistics() {
        Tensor train = Tensor.matrix(new double[] {0}, new double[] {2});   // mean 1, standard deviation 1
        Tensor other = Tensor.matrix(new double[] {5}, new double[] {7});
        assertEquals(Tensor.matrix(new double[] {4}, new double[] {6}), Preprocessing.STANDARDIZE.fit(train, 0).apply(other));
        // one feature: the covariance is its variance, 1, and both whitenings divide by sqrt(1 + eps)
        for (Preprocessing whitening : new Preprocessing[] {Preprocessing.PCA_WHITEN, Preprocessing.ZCA_WHITEN}) {
            assertTrue(Tensor.matrix(new double[] {4 / Math.sqrt(1.25)}, new double[] {6 / Math.sqrt(1.25)})
                    .allClose(whitening.fit(train, 0.25).apply(other), 1e-15, 0), whitening.toString());
        }
    }

    /**
     * Sequences [t, n, d] are fitted and transformed as the t n rows [t n, d] of their steps, each
     * step an example of the d features, and keep their shape.
     */
    @Property(tries = 20)
    void sequencesArePreprocessedAsTheRowsOfTheirSteps(@ForAll @IntRange(min = 1, max = 6) int steps,
                                                       @ForAll @IntRange(min = 1, max = 5) int sequences, @ForAll long seed) {
        int d = 3;
        Tensor rows = correlated(steps * sequences, d, seed);
        Tensor series = rows.reshape(Shape.of(steps, sequences, d));
        for (Preprocessing kind : Preprocessing.values()) {
            var byRows = kind.fit(rows, 0.01);
            var bySteps = kind.fit(series, 0.01);
            assertEquals(byRows, bySteps, kind.toString());
            Tensor transformed = bySteps.apply(series);
            assertEquals(series.shape(), transformed.shape(), kind.toString());
            assertEquals(byRows.apply(rows).reshape(series.shape()), transformed, kind.toString());
        }
    }

    @Example
    void whatCannotBeFittedIsRefusedSayingWhy() {
        Tensor rankOne = Tensor.matrix(new double[] {1, 2}, new double[] {2, 4}, new double[] {3, 6});
        var singular = assertThrows(IllegalArgumentException.class, () -> Preprocessing.ZCA_WHITEN.fit(rankOne, 0));
        assertTrue(singular.getMessage().startsWith("zca-whiten with eps 0: the covariance of the training examples is singular"
                + " (its smallest eigenvalue is "), singular.getMessage());
        assertTrue(singular.getMessage().endsWith("): expected an eps above 0"), singular.getMessage());
        Tensor nan = Tensor.matrix(new double[] {1, 2}, new double[] {Double.NaN, 4});
        assertEquals("standardize: expected finite features, found NaN in example 1, feature 0",
                assertThrows(IllegalArgumentException.class, () -> Preprocessing.STANDARDIZE.fit(nan, 0)).getMessage());
        // [2 steps, 2 sequences, 1]: the NaN is step 1 of sequence 0
        Tensor nanStep = Tensor.of(new double[] {1, 2, Double.NaN, 4}, 2, 2, 1);
        assertEquals("standardize: expected finite features, found NaN in sequence 0 at step 1, feature 0",
                assertThrows(IllegalArgumentException.class, () -> Preprocessing.STANDARDIZE.fit(nanStep, 0)).getMessage());
        assertEquals("pca-whiten: expected an eps, a finite number >= 0, found -1.0",
                assertThrows(IllegalArgumentException.class, () -> Preprocessing.PCA_WHITEN.fit(rankOne, -1)).getMessage());
        assertEquals("--preprocess: expected one of standardize, pca-whiten, zca-whiten, found whiten",
                assertThrows(IllegalArgumentException.class, () -> Preprocessing.named("whiten")).getMessage());
    }
}
