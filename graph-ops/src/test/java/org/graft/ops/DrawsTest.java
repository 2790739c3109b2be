package org.graft.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

import net.jqwik.api.Example;

import org.graft.core.GraftException;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Stochastic;
import org.graft.core.Type;
import org.graft.core.blas.Blas;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Function;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * The random ops' draws split over the pool ({@link Draws}) are the draws of one thread of the
 * JDK's {@code L64X128MixRandom}, to the bit, and leave the stream where one thread would.
 * graph-ops's tests run on two threads (its pom), and the shape here is above
 * {@link Draws#PARALLEL_FROM}, so every call is cut into two runs. Its size is odd, so an f32
 * bernoulli's last draw has a half no element uses, as on one thread.
 */
class DrawsTest {
    private static final long SEED = 31_337;
    private static final Shape LARGE = Shape.of(21, 1001);

    private static RandomGenerator jdk(long seed) { return RandomGeneratorFactory.of("L64X128MixRandom").create(seed); }

    private static Tensor filled(DType dtype, double lo, double hi, long seed) {
        var random = new SplittableRandom(seed);
        double[] values = new double[LARGE.size()];
        for (int i = 0; i < values.length; i++) values[i] = lo + (hi - lo) * random.nextDouble();
        return Tensor.of(dtype, LARGE, values);
    }

    private static Function drawing(DType dtype, UnaryOperator<Node> op) {
        Input in = new Input("x", dtype == DType.F32 ? Type.f32(21, 1001) : Type.f64(21, 1001));
        return Compiler.compile(List.of(in), List.of(op.apply(in))).seed(SEED);
    }

    private static void drawsAsOneThread(DType dtype, Stochastic op, UnaryOperator<Node> node, Tensor operand) {
        Function f = drawing(dtype, node);
        RandomGenerator expected = jdk(SEED);
        for (int call = 0; call < 3; call++) {
            assertEquals(op.sample(List.of(operand), expected), f.call(operand).get(0), dtype + " " + op + ", call " + call);
        }
    }

    @Example
    void splitDrawsAreOneThreadsDrawsToTheBit() {
        assertEquals(2, Blas.threads(), "graph-ops's surefire runs set graft.threads=2");
        assertTrue(LARGE.size() >= Draws.PARALLEL_FROM);
        for (DType dtype : DType.values()) {
            drawsAsOneThread(dtype, new Random.UniformLike(-1, 2), x -> Ops.uniformLike(x, -1, 2), filled(dtype, 0, 0, 1));
            drawsAsOneThread(dtype, new Random.Bernoulli(), Ops::bernoulli, filled(dtype, 0, 1, 2));
            drawsAsOneThread(dtype, new Random.BernoulliLogits(), Ops::bernoulliLogits, filled(dtype, -6, 6, 3));
        }
    }

    /** Refused elements in both runs: the error names the first, and the stream has not moved. */
    @Example
    void aRefusedProbabilityInEitherRunNamesTheFirstAndDrawsNothing() {
        for (DType dtype : DType.values()) {
            Tensor good = filled(dtype, 0, 1, 4);
            double[] values = new double[LARGE.size()];
            for (int i = 0; i < values.length; i++) values[i] = good.getFlat(i);
            values[20_000] = Double.NaN;    // in the second run
            values[15_000] = 1.5;           // in the second run too, and before it
            values[3] = -0.25;              // in the first: the first of all
            Function f = drawing(dtype, Ops::bernoulli);
            var e = assertThrows(GraftException.class, () -> f.call(Tensor.of(dtype, LARGE, values)));
            assertEquals("bernoulli(x): probability -0.25 at [0, 3] is outside [0, 1]", e.getMessage());
            values[3] = 0.5;
            e = assertThrows(GraftException.class, () -> f.call(Tensor.of(dtype, LARGE, values)));
            assertEquals("bernoulli(x): probability 1.5 at [14, 986] is outside [0, 1]", e.getMessage());
            assertEquals(new Random.Bernoulli().sample(List.of(good), jdk(SEED)), f.call(good).get(0), dtype + ": the refused calls drew nothing");
        }
    }
}
