package org.graft.ops.optim;

import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.param;
import static org.graft.ops.Ops.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
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
 * An optimizer's updates of a param and its state (Adam's m, v and the param; a velocity and
 * the param) run as one loop with several outputs, and give the bits the ops give one at a time:
 * the guard, which checks every value, fuses nothing, so a guarded step is the unfused
 * reference. The cost {@code sum(W * g)} has the input g as its gradient, so the steps see
 * any gradient the property draws; the shapes run from empty through one block of the fused
 * loop to several, odd sizes included.
 */
class FusedUpdatesTest {

    /** Optimizers whose state is elementwise in the param's shape, with their options. */
    private static final List<Optimizer> OPTIMIZERS = List.of(Optimizer.adam(0.01),
            new Optimizer.Adam(0.003, 0.8, 0.6, 1e-3, 0.01, true), new Optimizer.AdamW(0.01, 0.9, 0.999, 1e-8, 0.1, false),
            Optimizer.momentum(0.1, 0.9), new Optimizer.Nesterov(0.1, 0.9, 0.01), new Optimizer.RmsProp(0.01, 0.9, 1e-3, 0, 0.5, true));

    @Provide
    Arbitrary<Integer> rows() { return Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.of(0, 1)), Tuple.of(9, Arbitraries.integers().between(2, 45))); }

    @Provide
    Arbitrary<Integer> columns() { return Arbitraries.integers().between(1, 97); }

    @Property(tries = 120, edgeCases = EdgeCasesMode.NONE)
    void aFusedUpdateGivesTheBitsOfTheUnfusedOne(@ForAll @IntRange(max = 5) int optimizer, @ForAll("rows") int rows,
                                                 @ForAll("columns") int columns, @ForAll boolean f32, @ForAll long seed) {
        DType dtype = f32 ? DType.F32 : DType.F64;
        var random = Function.randomStream(seed);
        Tensor w0 = Tensor.normal(Shape.of(rows, columns), 0, 1, random).astype(dtype);
        var gradients = new ArrayList<Tensor>();
        for (int s = 0; s < 3; s++) gradients.add(Tensor.normal(Shape.of(rows, columns), 0, Math.exp(4 * random.nextGaussian()), random).astype(dtype));
        Step fused = new Step(OPTIMIZERS.get(optimizer), w0, false), unfused = new Step(OPTIMIZERS.get(optimizer), w0, true);
        for (Tensor g : gradients) {
            fused.run(g);
            unfused.run(g);
            for (int k = 0; k < fused.params.size(); k++) {
                assertEquals(unfused.params.get(k).value(), fused.params.get(k).value(), fused.params.get(k).label());
            }
        }
    }

    /** A step of {@code optimizer} on a param starting at {@code w0}, whose gradient is the input. */
    private static final class Step {
        final List<Param> params;
        final Function function;

        Step(Optimizer optimizer, Tensor w0, boolean guarded) {
            Param w = param("W", w0);
            Input g = new Input("g", Type.of(w0.dtype(), w0.shape()));
            Node cost = sum(mul(w, g));
            var updates = optimizer.updates(cost, List.of(w));
            params = new ArrayList<>(updates.keySet());
            function = Compiler.compile(List.of(g), List.of(cost), updates).guardNonFinite(guarded);
        }

        void run(Tensor g) { function.run(g); }
    }
}
