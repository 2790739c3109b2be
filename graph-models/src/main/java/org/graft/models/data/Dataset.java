package org.graft.models.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;
import java.util.stream.IntStream;

import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * Examples with targets: row {@code i} of {@link #features()} is example {@code i}, and row
 * {@code i} of {@link #targets()} is what a model's output is compared to for it.
 *
 * <p>A <em>classification</em> set has a label in {@code [0, classes)} per example, and its
 * targets are the labels one-hot. A <em>regression</em> set has real targets of any width and
 * {@code classes() == 0}. A set of <em>sequences</em> is a regression set whose examples are
 * whole sequences, time first as in Theano's {@code scan} and {@code torch.nn.RNN}: features
 * {@code [t, n, d]} and targets {@code [t, n, k]}, sequence {@code i} being
 * {@code features[:, i, :]}; its examples are taken along that axis, {@link #exampleAxis()}
 * 1, by {@link #rows}, the splits and the batches alike. Immutable; two data sets are equal
 * when their features, targets, labels and kind are.
 */
public final class Dataset {
    private final Tensor features;   // [n, d], or [t, n, d] for sequences
    private final Tensor targets;    // [n, classes] one-hot, or [n, k] real, or [t, n, k] for sequences
    private final int[] labels;      // null for a regression set
    private final int classes;
    private final boolean nextStep;  // sequences whose target at step t is what the features observe at t + 1

    private Dataset(Tensor features, Tensor targets, int[] labels, int classes, boolean nextStep) {
        this.features = features;
        this.targets = targets;
        this.labels = labels;
        this.classes = classes;
        this.nextStep = nextStep;
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
        return new Dataset(features, oneHot(copy, classes), copy, classes, false);
    }

    /** Examples with real targets: row {@code i} of {@code targets} belongs to row {@code i} of {@code features}. */
    public static Dataset regression(Tensor features, Tensor targets) {
        if (targets.rank() != 2) {
            throw new IllegalArgumentException("targets of shape " + targets.shape() + ": expected a matrix [examples, outputs]");
        }
        requireRows(features, "features", targets.shape().dim(0));
        return new Dataset(features, targets, null, 0, false);
    }

    /**
     * Sequences with real targets at every step: {@code features} {@code [t, n, d]} and
     * {@code targets} {@code [t, n, k]}, {@code targets[s, i]} belonging to {@code features[s, i]}.
     */
    public static Dataset sequences(Tensor features, Tensor targets) {
        if (features.rank() != 3 || targets.rank() != 3 || features.shape().dim(0) != targets.shape().dim(0)
                || features.shape().dim(1) != targets.shape().dim(1)) {
            throw new IllegalArgumentException("sequences of features " + features.shape() + " and targets " + targets.shape()
                    + ": expected [steps, sequences, d] and [steps, sequences, k] with the same steps and sequences");
        }
        return new Dataset(features, targets, null, 0, false);
    }

    /**
     * The one-step prediction task on series of {@code T + 1} steps, {@code [T + 1, n, d]}: the
     * features are the series at steps {@code 0..T-1} and the targets at steps {@code 1..T}, so
     * that {@code y[t] = x[t + 1]}.
     */
    public static Dataset nextStep(Tensor series) { return nextStep(series, series); }

    /**
     * The same with the features read from {@code observed} and the targets from {@code truth},
     * both {@code [T + 1, n, d]}: the features are {@code observed} at steps {@code 0..T-1} and
     * the targets {@code truth} at steps {@code 1..T}, the next step of what is observed, as
     * noisy readings of a clean signal.
     */
    public static Dataset nextStep(Tensor observed, Tensor truth) {
        if (observed.rank() != 3 || observed.shape().dim(0) < 2 || !observed.shape().equals(truth.shape())) {
            throw new IllegalArgumentException("series of shapes " + observed.shape() + " and " + truth.shape()
                    + ": expected two of one shape [steps, sequences, width] with at least 2 steps");
        }
        int steps = observed.shape().dim(0) - 1;
        return new Dataset(stepsOf(observed, 0, steps), stepsOf(truth, 1, steps), null, 0, true);
    }

    /** Steps {@code from..from+count-1} of series {@code [T, n, d]}: a slice of the leading axis, contiguous in row-major order. */
    private static Tensor stepsOf(Tensor series, int from, int count) {
        int step = series.size() / series.shape().dim(0);
        double[] all = series.toArray();
        return Tensor.of(Arrays.copyOfRange(all, from * step, (from + count) * step), count, series.shape().dim(1),
                series.shape().dim(2));
    }

    private static void requireRows(Tensor t, String what, int rows) {
        if (t.rank() != 2 || t.shape().dim(0) != rows) {
            throw new IllegalArgumentException(what + " of shape " + t.shape() + " for " + rows
                    + " examples: expected a matrix with one row per example");
        }
    }

    /** The inputs, [size, features], or [steps, size, features] for sequences. */
    public Tensor features() { return features; }

    /**
     * What a model's target input is fed: the labels one-hot [size, classes], or the real targets
     * [size, k], or [steps, size, k] for sequences.
     */
    public Tensor targets() { return targets; }

    /** The number of classes; 0 for a regression set. */
    public int classes() { return classes; }

    public boolean isClassification() { return classes > 0; }

    /** Whether the examples are sequences, features {@code [t, n, d]}. */
    public boolean isSequences() { return features.rank() == 3; }

    /** The axis of the features and targets that counts the examples: 0 for rows, 1 for sequences (time is axis 0). */
    public int exampleAxis() { return isSequences() ? 1 : 0; }

    /** The steps of every sequence, {@code t}, for a set of sequences. */
    public int steps() {
        if (!isSequences()) throw new IllegalStateException("steps() of a set of rows " + features.shape() + ", not of sequences");
        return features.shape().dim(0);
    }

    /** The number of examples: rows, or sequences. */
    public int size() { return features.shape().dim(exampleAxis()); }

    /** The width of a feature and of a target, {@code d} and {@code k}: the last dim of each. */
    public int featureWidth() { return features.shape().dim(-1); }

    public int targetWidth() { return targets.shape().dim(-1); }

    /**
     * Whether this is a one-step prediction set ({@link #nextStep}): the target at step t is the
     * next step of the series the features at t observe, so that the features are themselves a
     * prediction, the persistence forecast {@code x[t+1] = x[t]}.
     */
    public boolean isNextStep() { return nextStep; }

    /**
     * The mean squared error of the persistence forecast {@code x[t+1] = x[t]} of a one-step
     * prediction set: the mean of {@code (y - x)²} over every step, sequence and component,
     * which is what {@code mean(square(predicted - y))} gives for {@code predicted = x}.
     */
    public double persistenceMse() {
        if (!nextStep) throw new IllegalStateException("persistenceMse() of a set that is not of one-step prediction: " + this);
        double sum = 0;
        for (int i = 0; i < features.size(); i++) {
            double e = targets.getFlat(i) - features.getFlat(i);
            sum += e * e;
        }
        return sum / features.size();
    }

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

    /** The examples at these indices, in this order (an index may repeat): rows, or whole sequences. */
    public Dataset rows(int... indices) {
        int[] y = null;
        if (labels != null) {
            y = new int[indices.length];
            for (int k = 0; k < indices.length; k++) y[k] = labels[indices[k]];
        }
        return new Dataset(gather(features, indices), gather(targets, indices), y, classes, nextStep);
    }

    /**
     * Batches of {@code size} examples of this set gathered into arrays kept from batch to batch:
     * what {@code rows(indices)}'s features and targets (or {@link #labelVector()}, with
     * {@code labels}) hold, converted to {@code featureType} and {@code targetType} as
     * {@link Tensor#astype} converts them, without new arrays per batch. A null
     * {@code targetType} gathers no targets.
     */
    public Batches batches(int size, DType featureType, DType targetType, boolean labels) {
        if (labels && targetType != null) requireLabels("labelVector");
        return new Batches(size, featureType, targetType, labels);
    }

    /**
     * A batch's features and targets, refilled by each {@link #gather}: the tensors
     * {@link #features()} and {@link #targets()} are over the same arrays at every batch
     * ({@link Tensor#sharing}), so they hold the last batch gathered and are for feeding one
     * call at a time, not for keeping.
     */
    public final class Batches {
        private final int size;
        private final DType featureType, targetType;
        private final boolean labels;
        private final double[] x, y;
        private final Tensor features, targets;

        private Batches(int size, DType featureType, DType targetType, boolean labels) {
            this.size = size;
            this.featureType = featureType;
            this.targetType = targetType;
            this.labels = labels;
            Shape xs = inBatch(Dataset.this.features, size);
            Shape ys = targetType == null ? null : labels ? Shape.of(size) : inBatch(Dataset.this.targets, size);
            x = new double[xs.size()];
            features = Tensor.sharing(featureType, xs, x);
            y = ys == null ? null : new double[ys.size()];
            targets = ys == null ? null : Tensor.sharing(targetType, ys, y);
        }

        /** Gathers the examples {@code order[from, from + size)}, in that order, into the batch. */
        public void gather(int[] order, int from) {
            gatherInto(Dataset.this.features, order, from, size, x, featureType);
            if (y == null) return;
            if (labels) for (int k = 0; k < size; k++) y[k] = Dataset.this.labels[order[from + k]];
            else gatherInto(Dataset.this.targets, order, from, size, y, targetType);
        }

        /** The batch's features, over the array each gather refills. */
        public Tensor features() { return features; }

        /** The batch's targets, or its label vector, over the array each gather refills; null when it gathers none. */
        public Tensor targets() { return targets; }
    }

    /**
     * The same examples with their features transformed by {@code transform}, to rows
     * {@code [size, d]} of any d, or for sequences to {@code [steps, size, d]}; the labels as they
     * are. The targets are as they are too, but those of a one-step prediction set
     * ({@link #isNextStep()}): they are the next steps of what its features observe, the same
     * quantities, and are transformed alike, so that the set stays one, in the new units.
     */
    public Dataset transformed(UnaryOperator<Tensor> transform) {
        Tensor x = transform.apply(features);
        if (!isSequences()) {
            requireRows(x, "features", size());
        } else if (x.rank() != 3 || x.shape().dim(0) != steps() || x.shape().dim(1) != size()) {
            throw new IllegalArgumentException("features of shape " + x.shape() + " for " + size() + " sequences of " + steps()
                    + " steps: expected [" + steps() + ", " + size() + ", d]");
        }
        return new Dataset(x, nextStep ? transform.apply(targets) : targets, labels, classes, nextStep);
    }

    /**
     * The examples {@code indices} of features or targets, copied in that order: rows of a
     * matrix [n, d], or for sequences [t, n, d] the same columns of every step.
     */
    private Tensor gather(Tensor t, int[] indices) {
        Shape shape = inBatch(t, indices.length);
        double[] x = new double[shape.size()];
        gatherInto(t, indices, 0, indices.length, x, DType.F64);
        return Tensor.sharing(DType.F64, shape, x); // x is new and no one else's
    }

    /** The shape of {@code count} examples of t, features or targets. */
    private Shape inBatch(Tensor t, int count) {
        int[] dims = t.shape().dims();
        dims[exampleAxis()] = count;
        return Shape.of(dims);
    }

    /** The examples {@code indices[from, from + count)} of t, copied in that order into {@code x}, rounded to {@code dtype}. */
    private void gatherInto(Tensor t, int[] indices, int from, int count, double[] x, DType dtype) {
        int axis = exampleAxis();
        int n = t.shape().dim(axis);
        int steps = axis == 0 ? 1 : t.shape().dim(0);
        int d = t.shape().dim(-1);
        for (int k = from; k < from + count; k++) {
            int i = indices[k];
            if (i < 0 || i >= n) throw new IndexOutOfBoundsException((axis == 0 ? "row " : "sequence ") + i + " of " + n);
        }
        double[] v = t.storage();
        boolean f32 = dtype == DType.F32;
        for (int s = 0; s < steps; s++) {
            for (int k = 0; k < count; k++) {
                int to = (s * count + k) * d, at = (s * n + indices[from + k]) * d;
                if (f32) for (int j = 0; j < d; j++) x[to + j] = (float) v[at + j];
                else System.arraycopy(v, at, x, to, d);
            }
        }
    }

    /** A training and a test set that together hold every example once. */
    public record Split(Dataset train, Dataset test) {}

    /** A random split, the same for the same seed: {@code testFraction} of the examples are for testing. */
    public Split split(double testFraction, long seed) {
        int test = (int) Math.round(testFraction * size());
        if (test <= 0 || test >= size()) {
            throw new IllegalArgumentException("a test fraction of " + testFraction + " of " + size()
                    + " " + unit() + " leaves " + test + " for testing; expected between 1 and " + (size() - 1));
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
            throw new IllegalArgumentException("holding out " + count + " of " + size() + " " + unit() + ": expected between 1 and "
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

    /** What the examples are, in messages: {@code examples}, or {@code sequences}. */
    public String unit() { return isSequences() ? "sequences" : "examples"; }

    @Override
    public boolean equals(Object o) {
        return o instanceof Dataset d && classes == d.classes && nextStep == d.nextStep && Arrays.equals(labels, d.labels)
                && features.equals(d.features) && targets.equals(d.targets);
    }

    @Override
    public int hashCode() { return 31 * features.hashCode() + targets.hashCode(); }

    @Override
    public String toString() {
        return "Dataset[" + size() + " " + unit() + (isSequences() ? " of " + steps() + " steps" : "") + ", features "
                + features.shape() + ", " + (isClassification() ? classes + " classes]" : "targets " + targets.shape() + "]");
    }
}
