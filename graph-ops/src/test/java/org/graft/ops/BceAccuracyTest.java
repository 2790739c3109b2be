package org.graft.ops;

import static org.graft.ops.Ops.bceWithLogits;
import static org.graft.ops.Ops.binaryCrossEntropy;
import static org.graft.ops.Ops.constant;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.sigmoid;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.Tensor;

/**
 * bce_with_logits against the exact binary cross-entropy of sigmoid(z), computed by mpmath with
 * 60 digits ({@code scripts/golden/bce_with_logits.py}): within two ulps everywhere on a grid
 * that holds confident right and wrong answers, and the rewrite that turns the naive
 * {@code binary_cross_entropy(sigmoid(z), t)} into it never makes a value less accurate than
 * the naive form computed as written.
 */
class BceAccuracyTest {

    /** One line of the fixture: logit, target, and the exact cost rounded to a double. */
    private record Point(double z, double t, double exact) {}

    @Test
    void bceWithLogitsIsWithinTwoUlpsOfTheExactValue() throws IOException {
        for (Point p : points()) {
            double got = compute(z -> bceWithLogits(z, constant(p.t())), p, Options.NONE);
            assertTrue(Math.abs(got - p.exact()) <= 2 * Math.ulp(p.exact()),
                    () -> "bce_with_logits(" + p.z() + ", " + p.t() + ") = " + got + ", exactly " + p.exact());
        }
    }

    @Test
    void theRewrittenNaiveFormIsNeverLessAccurateThanAsWritten() throws IOException {
        for (Point p : points()) {
            UnaryOperator<Node> naive = z -> binaryCrossEntropy(sigmoid(z), constant(p.t()));
            double written = compute(naive, p, Options.NONE), rewritten = compute(naive, p, Options.DEFAULT);
            double before = Double.isNaN(written) ? Double.POSITIVE_INFINITY : Math.abs(written - p.exact());
            double after = Math.abs(rewritten - p.exact());
            assertTrue(after <= Math.max(before, 2 * Math.ulp(p.exact())), () -> "at z = " + p.z() + ", t = " + p.t()
                    + ": as written " + written + ", rewritten " + rewritten + ", exactly " + p.exact());
        }
    }

    private static double compute(UnaryOperator<Node> cost, Point p, Options options) {
        Input z = input("z");
        return Compiler.compile(List.of(z), List.of(cost.apply(z)), options).call(Tensor.scalar(p.z())).get(0).item();
    }

    private static List<Point> points() throws IOException {
        try (InputStream in = BceAccuracyTest.class.getResourceAsStream("/mpmath/bce_with_logits.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(line -> {
                String[] f = line.split(" ");
                return new Point(Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]));
            }).toList();
        }
    }
}
