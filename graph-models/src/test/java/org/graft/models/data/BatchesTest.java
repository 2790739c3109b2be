package org.graft.models.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.SplittableRandom;

import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * A batch gathered into the arrays kept from batch to batch holds what {@link Dataset#rows}
 * holds, converted as {@link Tensor#astype} converts it, batch after batch: the trainer's steps
 * see the examples they saw when each batch was a new data set.
 */
class BatchesTest {

    @Property(tries = 200, edgeCases = EdgeCasesMode.NONE)
    void eachBatchHoldsTheRowsOfItsIndicesConverted(@ForAll @IntRange(min = 1, max = 30) int size, @ForAll @IntRange(min = 1, max = 9) int width,
                                                    @ForAll @IntRange(min = 1, max = 6) int batch, @ForAll boolean f32,
                                                    @ForAll boolean labels, @ForAll long seed) {
        var random = new SplittableRandom(seed);
        Tensor x = Tensor.normal(Shape.of(size, width), 0, 1, random);
        int classes = 4;
        int[] y = random.ints(size, 0, classes).toArray();
        Dataset data = labels ? Dataset.classification(x, y, classes) : Dataset.regression(x, Tensor.normal(Shape.of(size, 3), 0, 1, random));
        DType dtype = f32 ? DType.F32 : DType.F64;
        assertBatchesMatchRows(data, Math.min(batch, size), dtype, labels, random);
    }

    @Property(tries = 100, edgeCases = EdgeCasesMode.NONE)
    void batchesOfSequencesHoldTheWholeSequencesAtEveryStep(@ForAll @IntRange(min = 2, max = 12) int length,
                                                            @ForAll @IntRange(min = 1, max = 5) int batch, @ForAll boolean f32,
                                                            @ForAll long seed) {
        var random = new SplittableRandom(seed);
        Dataset data = Dataset.nextStep(Tensor.normal(Shape.of(length, 7, 2), 0, 1, random));
        assertBatchesMatchRows(data, batch, f32 ? DType.F32 : DType.F64, false, random);
    }

    private static void assertBatchesMatchRows(Dataset data, int batch, DType dtype, boolean labels, SplittableRandom random) {
        Dataset.Batches batches = data.batches(batch, dtype, dtype, labels);
        Tensor features = batches.features(), targets = batches.targets();
        for (int epoch = 0; epoch < 3; epoch++) {
            int[] order = Dataset.permutation(data.size(), random);
            for (int from = 0; from + batch <= order.length; from += batch) {
                batches.gather(order, from);
                Dataset rows = data.rows(java.util.Arrays.copyOfRange(order, from, from + batch));
                assertEquals(rows.features().astype(dtype), batches.features());
                assertEquals((labels ? rows.labelVector() : rows.targets()).astype(dtype), batches.targets());
                assertSame(features, batches.features());    // the same tensors, refilled
                assertSame(targets, batches.targets());
            }
        }
    }
}
