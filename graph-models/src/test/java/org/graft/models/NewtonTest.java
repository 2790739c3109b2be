package org.graft.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;

import org.graft.core.Graph;
import org.graft.core.Node;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.Tensor;
import org.graft.dsl.Graft;
import org.graft.dsl.Program;

/**
 * The bundled {@code newton.graft} converges as the math says Newton's method does: one step
 * on a quadratic, which is its own second-order Taylor expansion; and on Boyd and
 * Vandenberghe's strictly convex f, once close to the minimizer, an error that squares at each
 * step, {@code e' <= C e²} with C the constant of f at x* (9/4), so that it reaches rounding in
 * the number of steps that bound predicts.
 */
class NewtonTest {

    /** C = max over unit u of |H⁻¹ T(u, u)| / 2 at x*, with T the third derivative of f: the local constant of e' <= C e². */
    private static final double C = quadraticConstant();

    /** Where the error is small enough that e' <= C e² holds: e < 1/C would do, this leaves the higher terms room. */
    private static final double CLOSE = 0.1;

    @Example
    void fromBoydsStartTheErrorSquaresOnceCloseAndReachesRoundingInThePredictedSteps() throws IOException {
        assertEquals(2.25, C, 1e-9);
        double[] e = errors(evaluate(Map.of()));
        assertConvergesQuadratically(e);
        // Boyd's start is far: three damped steps first (1.19, 0.46, 0.26), then 0.038, 1.6e-3, 1.6e-6, 2.7e-12
        assertEquals(3, firstBelow(e, CLOSE), () -> "the fourth iterate is the first close one: " + Arrays.toString(e));
    }

    @Property(tries = 20)
    void fromAnyStartNearTheMinimizerTheErrorSquaresAtEachStep(@ForAll @DoubleRange(min = -0.3, max = 0.3) double dx,
                                                               @ForAll @DoubleRange(min = -0.15, max = 0.15) double dy) throws IOException {
        Tensor x0 = Tensor.vector(-Math.log(2) / 2 + dx, dy);
        assertConvergesQuadratically(errors(evaluate(Map.of("x0", x0))));
    }

    @Example
    void oneStepLandsOnTheMinimizerOfAQuadratic() throws IOException {
        for (Tensor x0 : List.of(Tensor.vector(-1, 1), Tensor.vector(2, -0.5), Tensor.vector(0, 0))) {
            double q = evaluate(Map.of("x0", x0)).get(3).item();
            assertTrue(q < 1e-13 * (1 + x0.map(Math::abs).sum()), () -> "one step from " + x0 + " is " + q + " from the minimizer");
        }
    }

    @Example
    void theMinimumIsTwoRootTwoTimesEToTheMinusOneTenth() throws IOException {
        List<Tensor> out = evaluate(Map.of());
        assertEquals(2 * Math.sqrt(2) * Math.exp(-0.1), out.get(2).item(), 1e-15);
        assertEquals(-Math.log(2) / 2, out.get(1).getFlat(0), 1e-15);
        assertEquals(0, out.get(1).getFlat(1), 1e-15);
    }

    @Example
    void everyNodeOfTheExampleKnowsWhereTheSourceWroteIt() throws IOException {
        Program program = Graft.compile("newton.graft", source());
        for (Node n : Graph.topologicalOrder(new ArrayList<>(program.outputs().values()))) {
            assertTrue(n.pos().isKnown(), () -> n + " has no position");
        }
    }

    /**
     * Once an iterate is close, each next error is at most C e² down to 1e-13, below which
     * rounding sets the error, and the iterates get below 1e-13 in no more steps than iterating
     * the bound from the first close error predicts.
     */
    private static void assertConvergesQuadratically(double[] e) {
        int first = firstBelow(e, CLOSE), reached = firstBelow(e, 1e-13);
        String all = Arrays.toString(e);
        assertTrue(first < e.length - 1, () -> "no iterate came close: " + all);
        int predicted = 0;
        for (double bound = e[first]; bound >= 1e-13; bound = C * bound * bound) predicted++;
        int steps = reached - first, limit = predicted;
        assertTrue(reached < e.length && steps <= limit, () -> "from " + e[first] + ": " + steps + " steps to 1e-13, the bound predicts "
                + limit + ": " + all);
        for (int k = first; k + 1 < reached; k++) {
            int at = k;
            assertTrue(e[k + 1] <= C * e[k] * e[k], () -> "step " + at + ": " + e[at] + " -> " + e[at + 1] + ", more than C e²");
        }
    }

    /** The index of the first error below {@code level}, or the number of errors when none is. */
    private static int firstBelow(double[] e, double level) {
        int k = 0;
        while (k < e.length && e[k] >= level) k++;
        return k;
    }

    /** The outputs errors, x7, fmin and q_error of the bundled example, with {@code --set} values. */
    private static List<Tensor> evaluate(Map<String, Tensor> set) throws IOException {
        Program program = Graft.compile("newton.graft", source(), set);
        return Compiler.compile(List.of(), List.copyOf(program.outputs().values()), Options.DEFAULT).call();
    }

    private static double[] errors(List<Tensor> out) { return out.get(0).toArray(); }

    private static String source() throws IOException {
        try (InputStream in = NewtonTest.class.getResourceAsStream("/org/graft/models/sources/newton.graft")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * For f(x) = Σ_i e^(a_i·x - 0.1) with rows a_i of A: at x*, with w_i = e^(a_i·x* - 0.1),
     * H = Aᵀ diag(w) A and T(u, u) = Aᵀ (w ⊙ (A u)²). A Newton step from x* + e leaves
     * H⁻¹ T(e, e) / 2 plus terms of order e³, so C is the largest |H⁻¹ T(u, u)| / 2 over unit u.
     */
    private static double quadraticConstant() {
        double[][] a = {{1, 3}, {1, -3}, {-1, 0}};
        double[] star = {-Math.log(2) / 2, 0};
        double[] w = new double[3];
        for (int i = 0; i < 3; i++) w[i] = Math.exp(a[i][0] * star[0] + a[i][1] * star[1] - 0.1);
        double h00 = 0, h01 = 0, h11 = 0;
        for (int i = 0; i < 3; i++) {
            h00 += w[i] * a[i][0] * a[i][0];
            h01 += w[i] * a[i][0] * a[i][1];
            h11 += w[i] * a[i][1] * a[i][1];
        }
        double det = h00 * h11 - h01 * h01, best = 0;
        for (int step = 0; step < 100_000; step++) {
            double t = Math.PI * step / 100_000, u0 = Math.cos(t), u1 = Math.sin(t);
            double t0 = 0, t1 = 0;
            for (int i = 0; i < 3; i++) {
                double au = a[i][0] * u0 + a[i][1] * u1;
                t0 += w[i] * au * au * a[i][0];
                t1 += w[i] * au * au * a[i][1];
            }
            double s0 = (h11 * t0 - h01 * t1) / det, s1 = (h00 * t1 - h01 * t0) / det;
            best = Math.max(best, Math.hypot(s0, s1) / 2);
        }
        return best;
    }
}
