package org.graft.models.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.random.RandomGenerator;
import java.util.stream.IntStream;

import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * Examples with targets: row {@code i} of {@link #features()} is example {@code i}, and row
 * {@code i} of {@link #targets()} is what a model's output is compared to for it.
 *
 * <p>A <em>classification</em> set has a label in {@code [0, classes)} per example, and its
 * targets are the labels one-hot. A <em>regression</em> set has real targets of any width and
 * {@code classes() == 0}. Immutable; two data sets are equal when their features, targets and
 * labels are.
 */
public final class Dataset {
    private final Tensor features;   // [n, d]
    private final Tensor targets;    // [n, classes] one-hot, or [n, k] real
    private final int[] labels;      // null for a regression set
    private final int classes;

    private Dataset(Tensor features, Tensor targets, int[] labels, int classes) {
        this.features = features;
        this.targets = targets;
        this.labels = labels;
        this.classes = classes;
    }

    /** Examples of {@code classes} classes: row {@code i} of {@code features} has label {@code labels[i]}. */
    public static Dataset classification(Tensor features, int[] labels, int classes) {
        requireRows(features, "features", labels.length);
        if (classes < 1) throw new IllegalArgumentException("expected at least one class, found " + classes);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("label " + i + " is " + labels[i] + ", outside 0.." + (classes - 1));
            }
        }
        int[] copy = labels.clone();
        return new Dataset(features, oneHot(copy, classes), copy, classes);
    }

    /** Examples with real targets: row {@code i} of {@code targets} belongs to row {@code i} of {@code features}. */
    public static Dataset regression(Tensor features, Tensor targets) {
        if (targets.rank() != 2) {
            throw new IllegalArgumentException("targets of shape " + targets.shape() + ": expected a matrix [examples, outputs]");
        }
        requireRows(features, "features", targets.shape().dim(0));
        return new Dataset(features, targets, null, 0);
    }

    private static void requireRows(Tensor t, String what, int rows) {
        if (t.rank() != 2 || t.shape().dim(0) != rows) {
            throw new IllegalArgumentException(what + " of shape " + t.shape() + " for " + rows
                    + " examples: expected a matrix with one row per example");
        }
    }

    /** The inputs, [size, features]. */
    public Tensor features() { return features; }

    /** What a model's target input is fed: the labels one-hot [size, classes], or the real targets [size, k]. */
    public Tensor targets() { return targets; }

    /** The number of classes; 0 for a regression set. */
    public int classes() { return classes; }

    public boolean isClassification() { return classes > 0; }

    /** The number of examples. */
    public int size() { return features.shape().dim(0); }

    /** The label of every example, for a classification set. */
    public int[] labels() { return requireLabels("labels").clone(); }

    /** The label of example {@code i}, for a classification set. */
    public int label(int i) { return requireLabels("label")[i]; }

    /**
     * The labels as a vector [size] of whole numbers in f64, one class index per example: what a
     * model's target input of rank 1 is fed, for {@code cross_entropy} and {@code nll}.
     */
    public Tensor labelVector() {
        return Tensor.of(Arrays.stream(requireLabels("labelVector")).asDoubleStream().toArray(), labels.length);
    }

    /** The labels as rows of a [size, classes] matrix, 1 in the label's column and 0 elsewhere: {@link #targets()}. */
    public Tensor oneHot() {
        requireLabels("oneHot");
        return targets;
    }

    private int[] requireLabels(String what) {
        if (labels == null) {
            throw new IllegalStateException(what + "() of a regression set: it has real targets " + targets.shape()
                    + ", not class labels");
        }
        return labels;
    }

    private static Tensor oneHot(int[] labels, int classes) {
        double[] t = new double[labels.length * classes];
        for (int i = 0; i < labels.length; i++) t[i * classes + labels[i]] = 1.0;
        return Tensor.of(t, labels.length, classes);
    }

    /** The examples at these indices, in this order (an index may repeat). */
    public Dataset rows(int... indices) {
        int[] y = null;
        if (labels != null) {
            y = new int[indices.length];
            for (int k = 0; k < indices.length; k++) y[k] = labels[indices[k]];
        }
        return new Dataset(gather(features, indices), gather(targets, indices), y, classes);
    }

    /** The same examples with other features, {@code [size, d]} for any d: the targets and labels as they are. */
    public Dataset withFeatures(Tensor features) {
        requireRows(features, "features", size());
        return new Dataset(features, targets, labels, classes);
    }

    /** Rows {@code indices} of a matrix, copied in that order. */
    private static Tensor gather(Tensor t, int[] indices) {
        int n = t.shape().dim(0);
        int d = t.shape().dim(1);
        double[] x = new double[indices.length * d];
        for (int k = 0; k < indices.length; k++) {
            int from = indices[k];
            if (from < 0 || from >= n) throw new IndexOutOfBoundsException("row " + from + " of " + n + " examples");
            for (int j = 0; j < d; j++) x[k * d + j] = t.getFlat(from * d + j);
        }
        return Tensor.of(Shape.of(indices.length, d), x);
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

    /**
     * The last {@code count} examples held out (the split's {@code test}), the others kept in
     * their order: MNIST's last 10,000 training images are the validation set of the Theano
     * tutorials, and a set already shuffled (the digits, a CSV file) gives a random choice.
     */
    public Split holdOut(int count) {
        if (count < 1 || count >= size()) {
            throw new IllegalArgumentException("holding out " + count + " of " + size() + " examples: expected between 1 and "
                    + (size() - 1));
        }
        int kept = size() - count;
        return new Split(rows(IntStream.range(0, kept).toArray()), rows(IntStream.range(kept, size()).toArray()));
    }

    /** Every example once, in mini-batches of {@code size} (the last one may be smaller), in a random order. */
    public List<Dataset> batches(int size, RandomGenerator random) {
        if (size < 1) throw new IllegalArgumentException("expected a batch size of at least 1, found " + size);
        int[] order = permutation(size(), random);
        var batches = new ArrayList<Dataset>();
        for (int from = 0; from < order.length; from += size) {
            batches.add(rows(Arrays.copyOfRange(order, from, Math.min(from + size, order.length))));
        }
        return batches;
    }

    /** A uniformly random permutation of 0..n-1 (Fisher-Yates), drawn from {@code random}. */
    public static int[] permutation(int n, RandomGenerator random) {
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
                && features.equals(d.features) && targets.equals(d.targets);
    }

    @Override
    public int hashCode() { return 31 * features.hashCode() + targets.hashCode(); }

    @Override
    public String toString() {
        return "Dataset[" + size() + " examples, features " + features.shape() + ", "
                + (isClassification() ? classes + " classes]" : "targets " + targets.shape() + "]");
    }
}
