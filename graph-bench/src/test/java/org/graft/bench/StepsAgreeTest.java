package org.graft.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.graft.core.tensor.DType;
import org.junit.jupiter.api.Test;

/**
 * The steps the benchmark times compute the same numbers, so their ratio compares equal work:
 * from the same params and batch, Graft's step and the hand-written one give the same costs
 * and the same updated params, to rounding.
 */
class StepsAgreeTest {
    /** Two hidden layers, like the large configuration, at a size that costs nothing. */
    static final Mlp DEEP = new Mlp("deep", List.of(5, 7, 6, 3), 4);

    // products summed in another order differ by a few ulps of the largest term
    static final double F64_TOLERANCE = 1e-12;

    @Test
    void graftAndHandWrittenStepsAgreeOnTheSmallMlp() { assertStepsAgree(Mlp.SMALL); }

    @Test
    void graftAndHandWrittenStepsAgreeOnTheMediumMlp() { assertStepsAgree(Mlp.MEDIUM); }

    @Test
    void graftAndHandWrittenStepsAgreeWithTwoHiddenLayers() { assertStepsAgree(DEEP); }

    @Test
    void theTinyMlpHasZeroCostAndKeepsItsParams() {
        // softmax over one class is 1, so the cross-entropy and its gradient are 0
        var problem = Problem.of(Mlp.TINY, 3);
        var hand = new HandStep64(problem);
        var graft = new GraftStep(problem, DType.F64);
        assertEquals(0.0, hand.step());
        assertEquals(0.0, graft.step());
        for (int l = 0; l < Mlp.TINY.layers(); l++) {
            assertArrayEquals(problem.weights(l), hand.weights(l));
            assertArrayEquals(problem.weights(l), graft.weights(l));
        }
    }

    @Test
    void theFloat32StepsFollowTheFloat64Step() {
        for (Mlp mlp : List.of(Mlp.SMALL, DEEP)) {
            var problem = Problem.of(mlp, 11).withRandomBiases(0.1, 12);
            var f64 = new HandStep64(problem);
            var f32 = new HandStep32(problem);
            var graft32 = new GraftStep(problem, DType.F32);
            for (int s = 0; s < 2; s++) {
                double expected = f64.step();
                assertEquals(expected, f32.step(), 1e-5 * Math.abs(expected), mlp + ": cost of step " + (s + 1));
                assertEquals(expected, graft32.step(), 1e-5 * Math.abs(expected), mlp + ": Graft's f32 cost of step " + (s + 1));
            }
            for (int l = 0; l < mlp.layers(); l++) {
                assertUpdateClose(problem.weights(l), f64.weights(l), toDouble(f32.weights(l)), 1e-4, mlp + ": W" + l);
                assertUpdateClose(problem.biases(l), f64.biases(l), toDouble(f32.biases(l)), 1e-4, mlp + ": b" + l);
                assertUpdateClose(problem.weights(l), f64.weights(l), graft32.weights(l), 1e-4, mlp + ": Graft's f32 W" + l);
                assertUpdateClose(problem.biases(l), f64.biases(l), graft32.biases(l), 1e-4, mlp + ": Graft's f32 b" + l);
            }
        }
    }

    @Test
    void resetPutsBackTheInitialParams() {
        var problem = Problem.of(Mlp.SMALL, 5);
        for (TrainingStep step : List.of(new HandStep64(problem), new HandStep32(problem), new GraftStep(problem, DType.F64))) {
            double first = step.step();
            double second = step.step();
            assertTrue(second < first, step.getClass().getSimpleName() + ": a step of SGD lowers the cost on its own batch");
            step.reset();
            assertEquals(first, step.step(), step.getClass().getSimpleName());
        }
    }

    @Test
    void anUnknownConfigurationNamesTheKnownOnes() {
        var e = assertThrows(IllegalArgumentException.class, () -> Mlp.named("huge"));
        assertEquals("there is no configuration huge; the configurations are tiny, small, medium, large", e.getMessage());
    }

    /**
     * Two steps of each from the same start, biases random so that the forward pass reads them
     * from the first step on: the costs agree, and so do the params and the updates that moved
     * them (the update, lr times the gradient, is small beside the param, so it is checked on
     * its own scale).
     */
    private static void assertStepsAgree(Mlp mlp) {
        var problem = Problem.of(mlp, 1).withRandomBiases(0.1, 2);
        var hand = new HandStep64(problem);
        var graft = new GraftStep(problem, DType.F64);
        for (int s = 0; s < 2; s++) {
            double expected = hand.step();
            assertEquals(expected, graft.step(), F64_TOLERANCE * Math.abs(expected), mlp + ": cost of step " + (s + 1));
        }
        for (int l = 0; l < mlp.layers(); l++) {
            assertUpdateClose(problem.weights(l), hand.weights(l), graft.weights(l), 1e-10, mlp + ": W" + l);
            assertUpdateClose(problem.biases(l), hand.biases(l), graft.biases(l), 1e-10, mlp + ": b" + l);
            assertClose(hand.weights(l), graft.weights(l), F64_TOLERANCE, mlp + ": W" + l);
            assertClose(hand.biases(l), graft.biases(l), F64_TOLERANCE, mlp + ": b" + l);
        }
    }

    /** {@code actual - start} is within {@code rtol} of {@code expected - start}, relative to its largest element. */
    private static void assertUpdateClose(double[] start, double[] expected, double[] actual, double rtol, String what) {
        var expectedUpdate = new double[start.length];
        var actualUpdate = new double[start.length];
        for (int i = 0; i < start.length; i++) {
            expectedUpdate[i] = expected[i] - start[i];
            actualUpdate[i] = actual[i] - start[i];
        }
        assertTrue(maxAbs(expectedUpdate) > 0, what + ": the step changed nothing");
        assertClose(expectedUpdate, actualUpdate, rtol, what + " update");
    }

    /** The largest difference is within {@code rtol} of the largest element of {@code expected}. */
    private static void assertClose(double[] expected, double[] actual, double rtol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double worst = 0;
        for (int i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        double scale = maxAbs(expected);
        assertTrue(worst <= rtol * scale, what + ": differs by " + worst + ", more than " + rtol + " times " + scale);
    }

    private static double maxAbs(double[] values) {
        double m = 0;
        for (double v : values) m = Math.max(m, Math.abs(v));
        return m;
    }

    private static double[] toDouble(float[] values) {
        var out = new double[values.length];
        for (int i = 0; i < values.length; i++) out[i] = values[i];
        return out;
    }
}
