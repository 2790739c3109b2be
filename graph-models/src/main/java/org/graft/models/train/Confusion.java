package org.graft.models.train;

import java.util.Arrays;

/**
 * A confusion matrix: how many examples of each true class a model predicted as each class, and
 * from it the accuracy on each class, its recall (the share of its examples predicted as it).
 * Rows are the true classes and columns the predicted ones, as scikit-learn's
 * {@code confusion_matrix(y_true, y_pred)}.
 */
public final class Confusion {
    /** The files a run writes it to. */
    static final String CSV = "confusion.csv", PER_CLASS = "per_class.csv";

    private final long[][] counts;   // [true class][predicted class]

    private Confusion(long[][] counts) { this.counts = counts; }

    /**
     * The matrix of {@code classes} classes for examples of the classes {@code truth} predicted as
     * {@code predicted}, one each.
     *
     * @throws IllegalArgumentException if the two differ in length or a class is not in 0..classes-1
     */
    public static Confusion of(int[] truth, int[] predicted, int classes) {
        if (truth.length != predicted.length) {
            throw new IllegalArgumentException("confusion: expected a prediction per example, " + truth.length + ", found "
                    + predicted.length);
        }
        long[][] counts = new long[classes][classes];
        for (int i = 0; i < truth.length; i++) {
            if (truth[i] < 0 || truth[i] >= classes || predicted[i] < 0 || predicted[i] >= classes) {
                throw new IllegalArgumentException("confusion: expected classes 0.." + (classes - 1) + ", found " + truth[i]
                        + " predicted as " + predicted[i] + " at example " + i);
            }
            counts[truth[i]][predicted[i]]++;
        }
        return new Confusion(counts);
    }

    /**
     * The class each row of {@code scores} (logits or probabilities, {@code classes} a row,
     * row-major) predicts: the position of its largest, the first of equal ones, and the first
     * NaN if there is one, as {@code argmax} (NumPy's).
     */
    static int[] predicted(double[] scores, int classes) {
        int[] predicted = new int[scores.length / classes];
        for (int i = 0; i < predicted.length; i++) {
            int best = 0;
            for (int c = 0; c < classes; c++) {
                double v = scores[i * classes + c];
                if (Double.isNaN(v)) {
                    best = c;
                    break;
                }
                if (v > scores[i * classes + best]) best = c;
            }
            predicted[i] = best;
        }
        return predicted;
    }

    public int classes() { return counts.length; }

    /** The examples of class {@code truth} predicted as {@code predicted}. */
    public long count(int truth, int predicted) { return counts[truth][predicted]; }

    /** The examples of class {@code truth}: its row's sum. */
    public long examples(int truth) { return Arrays.stream(counts[truth]).sum(); }

    /** Every example counted. */
    public long examples() { return Arrays.stream(counts).flatMapToLong(Arrays::stream).sum(); }

    /** The accuracy on class {@code c}, its recall: the share of its examples predicted as it; NaN for a class without examples. */
    public double recall(int c) { return (double) counts[c][c] / examples(c); }

    /** The matrix as CSV: a header {@code true/predicted,0,1,...}, then a row per true class, its counts. */
    String csv() {
        var text = new StringBuilder("true/predicted");
        for (int c = 0; c < classes(); c++) text.append(',').append(c);
        text.append('\n');
        for (int t = 0; t < classes(); t++) {
            text.append(t);
            for (long n : counts[t]) text.append(',').append(n);
            text.append('\n');
        }
        return text.toString();
    }

    /** Each class's figures as CSV: {@code class,examples,correct,recall}, the recall as Java writes a double. */
    String perClassCsv() {
        var text = new StringBuilder("class,examples,correct,recall\n");
        for (int c = 0; c < classes(); c++) {
            text.append(c).append(',').append(examples(c)).append(',').append(counts[c][c]).append(',').append(recall(c)).append('\n');
        }
        return text.toString();
    }

    /** The counts, a copy: rows the true classes, columns the predicted ones. */
    public long[][] counts() {
        long[][] copy = new long[counts.length][];
        for (int t = 0; t < counts.length; t++) copy[t] = counts[t].clone();
        return copy;
    }
}
