package org.graft.spark;

import java.io.Serializable;

import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.graft.models.data.Dataset;

/**
 * A partition's training examples, the rows {@code first .. first + count - 1} of the training
 * split, as one block of row-major numbers: {@code features} {@code [count, featureWidth]}, and
 * {@code targets} {@code [count, targetWidth]}, or for a set of {@code classes} classes (0 for
 * real targets) the class label of each row, which the feed makes one-hot rows or a vector of
 * labels, as the model's y takes them.
 */
record Examples(long first, int count, int featureWidth, int targetWidth, int classes, double[] features, double[] targets)
        implements Serializable {

    /** The rows {@code from .. to - 1} of {@code split}. */
    static Examples of(Dataset split, int from, int to) {
        int d = split.featureWidth(), k = split.isClassification() ? 1 : split.targetWidth();
        double[] x = new double[(to - from) * d], y = new double[(to - from) * k];
        System.arraycopy(split.features().storage(), from * d, x, 0, x.length);
        if (split.isClassification()) {
            for (int i = from; i < to; i++) y[i - from] = split.label(i);
        } else {
            System.arraycopy(split.targets().storage(), from * k, y, 0, y.length);
        }
        return new Examples(from, to - from, d, k, split.classes(), x, y);
    }

    /** Whether row {@code row} of the training split is here. */
    boolean holds(int row) { return row >= first && row < first + count; }

    /** The features of the training split's {@code rows} (each held here), in their order, {@code [rows, d]}. */
    Tensor features(int[] rows, DType dtype) {
        double[] out = new double[rows.length * featureWidth];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(features, (int) (rows[i] - first) * featureWidth, out, i * featureWidth, featureWidth);
        }
        return Tensor.of(dtype, Shape.of(rows.length, featureWidth), out);
    }

    /** Their targets: {@code [rows, k]} (one-hot rows for classes), or with {@code labels} the class labels {@code [rows]}. */
    Tensor targets(int[] rows, DType dtype, boolean labels) {
        if (classes == 0) {
            double[] out = new double[rows.length * targetWidth];
            for (int i = 0; i < rows.length; i++) {
                System.arraycopy(targets, (int) (rows[i] - first) * targetWidth, out, i * targetWidth, targetWidth);
            }
            return Tensor.of(dtype, Shape.of(rows.length, targetWidth), out);
        }
        double[] out = new double[labels ? rows.length : rows.length * classes];
        for (int i = 0; i < rows.length; i++) {
            int label = (int) targets[(int) (rows[i] - first)];
            if (labels) out[i] = label;
            else out[i * classes + label] = 1;
        }
        return Tensor.of(dtype, labels ? Shape.of(rows.length) : Shape.of(rows.length, classes), out);
    }
}
