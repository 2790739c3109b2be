package org.graft.core.blas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** The symmetric eigen-decomposition against its definition: A V = V Λ, Vᵀ V = I, the values in order, the signs fixed. */
class SymmetricEigenTest {

    /** A symmetric matrix of numbers in [-1, 1]. */
    private static double[] symmetric(int n, long seed) {
        var random = new SplittableRandom(seed);
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) a[i * n + j] = a[j * n + i] = random.nextDouble(-1, 1);
        }
        return a;
    }

    @Property(tries = 50)
    void theEigenvectorsAreOrthonormalAndScaledByTheirValues(@ForAll @IntRange(min = 1, max = 40) int n, @ForAll long seed) {
        double[] a = symmetric(n, seed);
        var eig = SymmetricEigen.of(a, n);
        double[] values = eig.values(), v = eig.vectors();
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < n; i++) {
                double av = 0;
                for (int k = 0; k < n; k++) av += a[i * n + k] * v[k * n + j];
                assertEquals(values[j] * v[i * n + j], av, 1e-12 * n, "(A v - lambda v)[" + i + "] of eigenvector " + j);
            }
            for (int l = 0; l < n; l++) {
                double dot = 0;
                for (int k = 0; k < n; k++) dot += v[k * n + j] * v[k * n + l];
                assertEquals(j == l ? 1 : 0, dot, 1e-13 * n, "v" + j + " . v" + l);
            }
            if (j > 0) assertTrue(values[j - 1] >= values[j], "descending: " + values[j - 1] + " then " + values[j]);
        }
    }

    @Property(tries = 50)
    void eachEigenvectorsLargestEntryIsPositive(@ForAll @IntRange(min = 1, max = 20) int n, @ForAll long seed) {
        var eig = SymmetricEigen.of(symmetric(n, seed), n);
        double[] v = eig.vectors();
        for (int j = 0; j < n; j++) {
            int largest = 0;
            for (int i = 1; i < n; i++) if (Math.abs(v[i * n + j]) > Math.abs(v[largest * n + j])) largest = i;
            assertTrue(v[largest * n + j] > 0, "eigenvector " + j + "'s largest entry " + v[largest * n + j]);
        }
    }

    @Example
    void aDiagonalMatrixHasItsDiagonalAsValuesAndTheAxesAsVectors() {
        var eig = SymmetricEigen.of(new double[] {1, 0, 0, 0, 3, 0, 0, 0, 2}, 3);
        assertArrayEquals(new double[] {3, 2, 1}, eig.values());
        assertArrayEquals(new double[] {0, 0, 1, 1, 0, 0, 0, 1, 0}, eig.vectors());
    }

    @Example
    void twoByTwoAgainstItsClosedForm() {
        // [[2, 1], [1, 2]]: 3 along (1, 1)/sqrt 2, 1 along (1, -1)/sqrt 2, whose largest entry is the first on the tie
        var eig = SymmetricEigen.of(new double[] {2, 1, 1, 2}, 2);
        assertArrayEquals(new double[] {3, 1}, eig.values(), 1e-15);
        double r = Math.sqrt(0.5);
        assertArrayEquals(new double[] {r, r, r, -r}, eig.vectors(), 1e-15);
    }

    @Example
    void aMatrixThatIsNotSymmetricOrNotFiniteIsRefused() {
        var skew = assertThrows(IllegalArgumentException.class, () -> SymmetricEigen.of(new double[] {1, 2, 3, 4}, 2));
        assertEquals("expected a symmetric matrix, found 2.0 at [0, 1] and 3.0 at [1, 0]", skew.getMessage());
        var nan = assertThrows(IllegalArgumentException.class, () -> SymmetricEigen.of(new double[] {1, Double.NaN, Double.NaN, 1}, 2));
        assertEquals("expected finite numbers, found NaN at [0, 1]", nan.getMessage());
        var size = assertThrows(IllegalArgumentException.class, () -> SymmetricEigen.of(new double[3], 2));
        assertEquals("expected the 2 x 2 numbers of a square matrix, found 3", size.getMessage());
        assertEquals(0, SymmetricEigen.of(new double[0], 0).size());
    }
}
