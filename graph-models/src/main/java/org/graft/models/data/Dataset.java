package org.graft.models.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.random.RandomGenerator;

import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * Labelled examples: row {@code i} of {@code features} is example {@code i}, of class
 * {@code labels[i]} in {@code [0, classes)}. Immutable: the labels are copied in and out, and
 * two data sets are equal when their features and labels are.
 */
public record Dataset(Tensor features, int[] labels, int classes) {

    public Dataset {
        if (features.rank() != 2 || features.shape().dim(0) != labels.length) {
            throw new IllegalArgumentException("features of shape " + features.shape() + " for "
                    + labels.length + " labels: expected one row per label");
        }
        labels = labels.clone();
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("label " + i + " is " + labels[i] + ", outside 0.." + (classes - 1));
            }
        }
    }

    /** The number of examples. */
    public int size() { return labels.length; }

    @Override
    public int[] labels() { return labels.clone(); }

    public int label(int i) { return labels[i]; }

    /** The labels as rows of a [size, classes] matrix, 1 in the label's column and 0 elsewhere. */
    public Tensor oneHot() {
        double[] t = new double[labels.length * classes];
        for (int i = 0; i < labels.length; i++) t[i * classes + labels[i]] = 1.0;
        return Tensor.of(t, labels.length, classes);
    }

    /** The examples at these indices, in this order. */
    public Dataset rows(int... indices) {
        int d = features.shape().dim(1);
        double[] x = new double[indices.length * d];
        int[] y = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            for (int j = 0; j < d; j++) x[k * d + j] = features.getFlat(indices[k] * d + j);
            y[k] = labels[indices[k]];
        }
        return new Dataset(Tensor.of(Shape.of(indices.length, d), x), y, classes);
    }

    /** A training and a test set that together hold every example once. */
    public record Split(Dataset train, Dataset test) {}

    /** A random split, the same for the same seed: {@code testFraction} of the examples are for testing. */
    public Split split(double testFraction, long seed) {
        int test = (int) Math.round(testFraction * size());
        if (test <= 0 || test >= size()) {
            throw new IllegalArgumentException("a test fraction of " + testFraction + " of " + size()
                    + " examples leaves " + test + " for testing; expected between 1 and " + (size() - 1));
        }
        int[] order = permutation(size(), new Random(seed));
        return new Split(rows(Arrays.copyOfRange(order, test, size())), rows(Arrays.copyOf(order, test)));
    }

    /** Every example once, in mini-batches of {@code size} (the last one may be smaller), in a random order. */
    public List<Dataset> batches(int size, RandomGenerator random) {
        int[] order = permutation(size(), random);
        var batches = new ArrayList<Dataset>();
        for (int from = 0; from < order.length; from += size) {
            batches.add(rows(Arrays.copyOfRange(order, from, Math.min(from + size, order.length))));
        }
        return batches;
    }

    /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
    private static int[] permutation(int n, RandomGenerator random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = p[i];
            p[i] = p[j];
            p[j] = swap;
        }
        return p;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Dataset d && classes == d.classes && Arrays.equals(labels, d.labels)
                && features.equals(d.features);
    }

    @Override
    public int hashCode() { return 31 * features.hashCode() + Arrays.hashCode(labels); }

    @Override
    public String toString() { return "Dataset[" + size() + " examples, features " + features.shape() + ", " + classes + " classes]"; }
}
