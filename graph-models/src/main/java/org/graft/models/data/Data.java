package org.graft.models.data;

import org.graft.core.SourcePos;

/**
 * A named data set split into training and test examples, as {@link DataSets#load} gives it.
 * The two parts agree on the number of features, the width of the targets and the classes, and
 * are both rows or both sequences ({@link Dataset#isSequences()}).
 * The examples of an image set are its pixels row-major, {@code height * width} features;
 * for any other set {@code height} and {@code width} are 0.
 *
 * @param notClasses for a regression set read from a file, why its targets are not class
 *     labels, so that a model that needs classes can say so (null for other sets)
 */
public record Data(String name, Dataset train, Dataset test, int height, int width, NotClasses notClasses) {

    /**
     * Why a file's targets are not class labels, whole numbers 0..k-1 with an example of every
     * class: where the target that breaks the rule is, and what was found there, as
     * {@code "7, and no example of the classes 2 to 6 (classes seen: 0, 1, 7)"}.
     */
    public record NotClasses(SourcePos pos, String found) {}

    /** A data set with nothing to say about classes: of classes, or generated. */
    public Data(String name, Dataset train, Dataset test, int height, int width) {
        this(name, train, test, height, width, null);
    }

    public Data {
        if (train.featureWidth() != test.featureWidth() || train.targetWidth() != test.targetWidth()
                || train.classes() != test.classes() || train.isSequences() != test.isSequences()) {
            throw new IllegalArgumentException(name + ": the training set " + train + " and the test set " + test
                    + " differ in their features, targets, classes or kind");
        }
        boolean images = height > 0 || width > 0;
        if (images && (height < 1 || width < 1 || height * width != train.featureWidth() || train.isSequences())) {
            throw new IllegalArgumentException(name + ": images of " + height + "x" + width + " for "
                    + train.featureWidth() + " features");
        }
    }

    /** Whether the examples are images of {@code height} by {@code width} pixels. */
    public boolean isImages() { return height > 0; }

    /** The training and test sets as a {@link Dataset.Split}. */
    public Dataset.Split split() { return new Dataset.Split(train, test); }
}
