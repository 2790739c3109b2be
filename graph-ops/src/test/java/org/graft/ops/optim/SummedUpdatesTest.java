package org.graft.ops.optim;

import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.mean;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.param;
import static org.graft.ops.Ops.sub;
import static org.graft.ops.Ops.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.Type;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Function;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * A sum read only by a loop of its shape (a bias's gradient, summed over the batch, read by the
 * bias's update) is computed block by block inside that loop, and gives the bits of the sum's
 * own kernel: the guard, which checks every value, fuses nothing, so a guarded function is the
 * unfused reference. Biases of every layout a sum reads (a row over the batch, a column, a
 * scalar), batches from empty through one block of the loop to several, odd sizes included.
 */
class SummedUpdatesTest {

    private static final List<Optimizer> OPTIMIZERS = List.of(Optimizer.sgd(0.1), Optimizer.momentum(0.1, 0.9), Optimizer.adam(0.01));

    @Provide
    Arbitrary<Integer> rows() { return Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.of(0, 1)), Tuple.of(9, Arbitraries.integers().between(2, 45))); }

    @Provide
    Arbitrary<Integer> columns() {
        return Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.integers().between(1, 40)), Tuple.of(1, Arbitraries.integers().between(1000, 2600)));
    }

    /** The bias's shape for a batch of {@code rows x columns}: a row, a row of rank 2, a column, a scalar. */
    private static Shape bias(int layout, int rows, int columns) {
        return switch (layout) {
            case 0 -> Shape.of(columns);
            case 1 -> Shape.of(1, columns);
            case 2 -> Shape.of(rows, 1);
            default -> Shape.of();
        };
    }

    @Property(tries = 150, edgeCases = EdgeCasesMode.NONE)
    void aBiasUpdateThatSumsItsGradientInItsLoopGivesTheBitsOfTheUnfusedOne(
            @ForAll @IntRange(max = 3) int layout, @ForAll @IntRange(max = 2) int optimizer, @ForAll("rows") int rows,
            @ForAll("columns") int columns, @ForAll boolean f32, @ForAll long seed) {
        assertStepsAgree(OPTIMIZERS.get(optimizer), bias(layout, rows, columns), rows, columns, f32 ? DType.F32 : DType.F64, seed);
    }

    @Example
    void aBiasLoopSplitAcrossThreadsSumsEachBlockAsOneThreadDoes() {
        assertStepsAgree(Optimizer.sgd(0.1), Shape.of(70_001), 3, 70_001, DType.F64, 7);
        assertStepsAgree(Optimizer.adam(0.01), Shape.of(70_001), 3, 70_001, DType.F32, 8);
    }

    @Property(tries = 100, edgeCases = EdgeCasesMode.NONE)
    void aMeanOrARowSumReadByALoopGivesTheBitsOfItsOwnKernel(@ForAll boolean rowSums, @ForAll("rows") int rows,
                                                             @ForAll("columns") int columns, @ForAll boolean f32, @ForAll long seed) {
        DType dtype = f32 ? DType.F32 : DType.F64;
        var random = Function.randomStream(seed);
        Tensor x = Tensor.normal(Shape.of(rows, columns), 0, 1, random).astype(dtype);
        Tensor y = Tensor.normal(Shape.of(rowSums ? rows : columns), 0, 1, random).astype(dtype);
        Input xs = new Input("x", Type.of(dtype, x.shape())), ys = new Input("y", Type.of(dtype, y.shape()));
        // the mean over an empty batch is 0/0: the guard would stop it, so it is only taken of rows
        Node reduced = rowSums ? sum(xs, 1) : rows == 0 ? sum(xs, 0) : mean(xs, 0);
        Node out = mul(sub(ys, reduced), 3.0);
        Tensor fused = Compiler.compile(List.of(xs, ys), List.of(out)).call(x, y).get(0);
        Tensor unfused = Compiler.compile(List.of(xs, ys), List.of(out)).guardNonFinite(true).call(x, y).get(0);
        assertEquals(unfused, fused);
    }

    private static void assertStepsAgree(Optimizer optimizer, Shape bias, int rows, int columns, DType dtype, long seed) {
        var random = Function.randomStream(seed);
        Tensor b0 = Tensor.normal(bias, 0, 1, random).astype(dtype);
        Step fused = new Step(optimizer, b0, rows, columns, false), unfused = new Step(optimizer, b0, rows, columns, true);
        for (int s = 0; s < 3; s++) {
            Tensor x = Tensor.normal(Shape.of(rows, columns), 0, 1, random).astype(dtype);
            Tensor g = Tensor.normal(Shape.of(rows, columns), 0, Math.exp(4 * random.nextGaussian()), random).astype(dtype);
            fused.function.run(x, g);
            unfused.function.run(x, g);
            for (int k = 0; k < fused.params.size(); k++) {
                assertEquals(unfused.params.get(k).value(), fused.params.get(k).value(), fused.params.get(k).label());
            }
        }
    }

    /** A step of {@code optimizer} on a bias starting at {@code b0}, added to a batch x; the cost's gradient by {@code x + b} is the input g. */
    private static final class Step {
        final List<Param> params;
        final Function function;

        Step(Optimizer optimizer, Tensor b0, int rows, int columns, boolean guarded) {
            Param b = param("b", b0);
            Input x = new Input("x", Type.of(b0.dtype(), rows, columns)), g = new Input("g", Type.of(b0.dtype(), rows, columns));
            Node cost = sum(mul(add(x, b), g));   // d cost / db = g summed to b's shape
            var updates = optimizer.updates(cost, List.of(b));
            params = new ArrayList<>(updates.keySet());
            function = Compiler.compile(List.of(x, g), List.of(cost), updates).guardNonFinite(guarded);
        }
    }
}
