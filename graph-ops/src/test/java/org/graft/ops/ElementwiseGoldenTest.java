package org.graft.ops;

import static org.graft.ops.Ops.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.SourcePos;
import org.graft.core.Type;
import org.graft.core.grad.GradTable;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * The elementwise ops and activations agree with PyTorch in float64, value and gradient, at
 * random points of their domains and at their edges (0, -0, ±inf, NaN, the largest finite and
 * the subnormal numbers, the ends of each domain, its kinks, the points where a naive form loses
 * digits), to {@value #TOLERANCE} relative. The expected values come from
 * {@code scripts/golden/elementwise_ops.py}, which writes {@code src/test/resources/torch/elementwise_ops.txt}:
 * PyTorch's, and beside them the same computed exactly (mpmath, 50 digits) where the op is a
 * formula. Where PyTorch's own float64 formula loses digits that Graft keeps, or gives NaN where
 * Graft gives the limit, Graft is held to the exact value instead: {@link #PYTORCH_DIFFERS} names
 * those ops and says why, and the test fails if the list is not exactly the ops where that
 * happens. Each op is built from its registration, as the language builds it, and run compiled
 * as written and rewritten; its f32 kernel is run too, at the points that are floats, and gives
 * the f64 value rounded once, so within half an f32 ulp of PyTorch's.
 *
 * <p>Gradients are compared where the value is a number: where it is NaN (outside the op's
 * domain) Graft promises nothing of the gradient.
 */
class ElementwiseGoldenTest {
    /** The relative agreement of every value and gradient, unless {@link #tolerance} says otherwise. */
    static final double TOLERANCE = 1e-12;

    /**
     * Below the normal numbers a value carries fewer digits than 1e-12 can ask of it, and an op
     * that rounds twice there (erfc's gradient at x = 27) is off by a few of the smallest
     * subnormals: agreement within 1e-12 of the smallest normal number suffices there.
     */
    static final double FLOOR = TOLERANCE * Double.MIN_NORMAL;

    /** The ops where Graft's value or gradient differs from PyTorch's somewhere, and matches the exact one. */
    static final Map<String, String> PYTORCH_DIFFERS = new TreeMap<>(Map.ofEntries(
            Map.entry("acosh", "its gradient 1/√(x² - 1) cancels near 1 and underflows to 0 beyond 1e154"),
            Map.entry("asinh", "its gradient 1/√(x² + 1) underflows to 0 beyond 1e154"),
            Map.entry("atanh", "its gradient 1/(1 - x²) cancels near ±1"),
            Map.entry("digamma", "its gradient, PyTorch's trigamma, is off by up to 1e-9"),
            Map.entry("elu", "e^x - 1 loses the digits of tiny x (elu(-1e-300) is 0)"),
            Map.entry("erfinv", "its value is off by 6e-5 at 1 - 2^-53"),
            Map.entry("fmod", "its gradient in b, -trunc(a/b), truncates the rounded a/b: -10 at a = 1, b = 0.1, where the whole "
                    + "quotient is 9 (0.1 is a little more than 1/10)"),
            Map.entry("gelu", "1 + erf(x/√2) and 1 + tanh(u) cancel to 0 for x < -5, and x · 0 is NaN at -inf"),
            Map.entry("hard_sigmoid", "its gradient 1/6 is a float's, 0.1666666716337204"),
            Map.entry("log1mexp", "PyTorch has none; its log(-expm1 x) has the gradient +inf at 0, where the limit from below is -inf"),
            Map.entry("logit", "log(x/(1-x)) keeps only the rounding of the ratio near ½"),
            Map.entry("mish", "x · 0 is NaN at -inf"),
            Map.entry("polygamma", "its trigamma is off by up to 1e-9 and gives 6.6e32 at the pole -1 and NaN at -inf; the "
                    + "higher orders lose every digit at -1e6 + ½, and ψ⁽ⁿ⁾(+inf) is NaN"),
            Map.entry("selu", "e^x - 1 loses the digits of tiny x"),
            Map.entry("silu", "x · 0 is NaN at -inf"),
            Map.entry("softsign", "inf/inf is NaN at ±inf"),
            Map.entry("xlogy", "its gradient in y is NaN at x = y = 0, where Graft's is 0"),
            Map.entry("xlog1py", "its gradient in y is NaN at x = 0, y = -1, where Graft's is 0")));

    /** One line of the fixture: the op as the language writes it, its operands, and the values with their gradients. */
    private record Point(String op, double[] in, Double[] torch, Double[] exact) {}

    @TestFactory
    Stream<DynamicTest> eachOpAgreesWithPyTorchOrTheExactValue() throws IOException {
        return byOp().entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> check(e.getKey(), e.getValue())));
    }

    /** PyTorch differs, where Graft matches the exact value, at some point of exactly the ops {@link #PYTORCH_DIFFERS} names. */
    @Test
    void pyTorchDiffersOnlyWhereTheListSays() throws IOException {
        var differs = new TreeSet<String>();
        for (var e : byOp().entrySet()) {
            if (!differences(e.getKey(), e.getValue()).isEmpty()) differs.add(baseName(e.getKey()));
        }
        assertEquals(PYTORCH_DIFFERS.keySet(), differs);
    }

    /** The fixture covers every elementwise op and activation that issue 16 added (and erf, the first of them). */
    @Test
    void theFixtureCoversEveryNewElementwiseOp() throws IOException {
        var names = new TreeSet<String>();
        for (Point p : points()) names.add(baseName(p.op()));
        var missing = new TreeSet<String>();
        for (Registry.Entry e : Registry.all()) {
            boolean elementwise = e.section() == Registry.Section.ELEMENTWISE_ONE || e.section() == Registry.Section.ELEMENTWISE_MORE
                    || e.section() == Registry.Section.ACTIVATIONS;
            String name = e.builtin().name();
            if (elementwise && name != null && !BEFORE_ISSUE_16.contains(name) && !names.contains(name)) missing.add(name);
        }
        assertEquals(new TreeSet<>(), missing);
    }

    /** The elementwise ops Graft had before issue 16, which the fixture leaves out. */
    private static final List<String> BEFORE_ISSUE_16 = List.of("exp", "log", "log1p", "expm1", "sqrt", "square", "reciprocal",
            "abs", "sign", "sigmoid", "softplus", "tanh", "relu", "sin", "cos", "pow", "maximum", "minimum", "where", "clip");

    private static void check(String op, List<Point> points) {
        List<String> differences = differences(op, points);
        boolean listed = PYTORCH_DIFFERS.containsKey(baseName(op));
        assertTrue(differences.isEmpty() || listed, () -> op + " differs from PyTorch, and matches the exact value, at points "
                + "PYTORCH_DIFFERS does not account for:\n" + String.join("\n", differences));
        checkF32(op, points);
    }

    /**
     * Compares the op's compiled values and gradients, as written and rewritten, with the
     * fixture's; fails where they match neither reference, and returns the points where they
     * match only the exact one.
     */
    private static List<String> differences(String op, List<Point> points) {
        var differences = new ArrayList<String>();
        for (Options options : List.of(Options.NONE, Options.DEFAULT)) {
            List<Tensor> got = run(op, points, DType.F64, true, options);
            for (int i = 0; i < points.size(); i++) {
                Point p = points.get(i);
                Double reference = p.exact()[0] != null ? p.exact()[0] : p.torch()[0];
                for (int k = 0; k < got.size(); k++) {
                    if (k > 0 && reference != null && reference.isNaN()) continue;
                    double g = got.get(k).getFlat(i);
                    Double t = p.torch()[k], e = p.exact()[k];
                    double tol = tolerance(op, k, p.in());
                    boolean byTorch = t != null && close(g, t, tol), byExact = e != null && close(g, e, tol);
                    String what = (k == 0 ? "value" : "gradient " + k) + " at " + Arrays.toString(p.in()) + " ("
                            + (options == Options.NONE ? "as written" : "rewritten") + "): Graft " + g + ", PyTorch " + t
                            + ", exact " + e;
                    assertTrue(byTorch || byExact, () -> op + " " + what);
                    if (t != null && !byTorch) differences.add(what);
                }
            }
        }
        return differences;
    }

    /** At the points whose operands are floats, the f32 kernel gives the f64 kernel's value rounded once. */
    private static void checkF32(String op, List<Point> points) {
        List<Tensor> f64 = run(op, points, DType.F64, false, Options.NONE), f32 = run(op, points, DType.F32, false, Options.NONE);
        for (int i = 0; i < points.size(); i++) {
            double[] in = points.get(i).in();
            // nan_to_num's default for ±inf is the dtype's own largest number (UnaryTest checks f32's)
            boolean dtypeDependent = op.equals("nan_to_num") && Double.isInfinite(in[0]);
            if (!Arrays.stream(in).allMatch(v -> Double.isNaN(v) || (double) (float) v == v) || dtypeDependent) continue;
            float want = (float) f64.get(0).getFlat(i), got = (float) f32.get(0).getFlat(i);
            int at = i;
            assertEquals(want, got, () -> op + " in f32 at " + Arrays.toString(points.get(at).in()));
        }
    }

    /**
     * The tolerance of component k (0 the value, then the gradients) at this point. erfcx's
     * gradient 2x erfcx(x) - 2/√π cancels for large x, as PyTorch's does: a relative error of
     * about x² ulps, so 4 x² ulps are allowed.
     */
    private static double tolerance(String op, int k, double[] in) {
        if (op.equals("erfcx") && k == 1) return Math.max(TOLERANCE, 4 * Math.ulp(1.0) * in[0] * in[0]);
        return TOLERANCE;
    }

    private static boolean close(double got, double want, double tolerance) {
        if (Double.isNaN(want) || Double.isInfinite(want)) return Double.compare(got, want) == 0 || (Double.isNaN(got) && Double.isNaN(want));
        return Math.abs(got - want) <= tolerance * Math.abs(want) + FLOOR;
    }

    /** The op's value and (when asked) its gradient with respect to each operand, at every point at once, compiled. */
    private static List<Tensor> run(String op, List<Point> points, DType dtype, boolean gradients, Options options) {
        int arity = points.get(0).in().length, n = points.size();
        var inputs = new ArrayList<Input>();
        var values = new ArrayList<Tensor>();
        for (int j = 0; j < arity; j++) {
            int operand = j;
            inputs.add(new Input("x" + j, Type.of(dtype, n)));
            values.add(Tensor.of(Shape.of(n), points.stream().mapToDouble(p -> p.in()[operand]).toArray()).astype(dtype));
        }
        Node y = build(op, List.copyOf(inputs));
        var outputs = new ArrayList<Node>(List.of(y));
        if (gradients) outputs.addAll(GradTable.grad(sum(y), inputs));
        return Compiler.compile(inputs, outputs, options).call(values);
    }

    /** The op's node, built from its registration as the language builds it: the op token's parameters in order after the operands. */
    private static Node build(String op, List<Node> operands) {
        String[] parts = op.split(":");
        Builtin builtin = Registry.functions().get(parts[0]);
        var given = new LinkedHashMap<String, Object>();
        int nextOperand = 0, nextParam = 1;
        for (Builtin.Param p : builtin.params()) {
            if (p.kind() == Builtin.Kind.OPERAND) given.put(p.name(), operands.get(nextOperand++));
            else if (nextParam < parts.length) given.put(p.name(), parts[nextParam++]);
            else given.put(p.name(), p.defaultValue());
        }
        return builtin.build().apply(new Builtin.Args() {
            public Node operand(String name) { return (Node) given.get(name); }
            public List<Node> operands(String name) { throw new UnsupportedOperationException(name); }
            public Integer axis(String name) { throw new UnsupportedOperationException(name); }
            public int integer(String name) { return Integer.parseInt(given.get(name).toString()); }
            public int[] integers(String name) { throw new UnsupportedOperationException(name); }
            public int[][] integerPairs(String name) { throw new UnsupportedOperationException(name); }
            public int[] pair(String name) { throw new UnsupportedOperationException(name); }
            public String word(String name) { throw new UnsupportedOperationException(name); }
            public double number(String name) { return Double.parseDouble(given.get(name).toString()); }
            public Double optionalNumber(String name) { return given.get(name) == null ? null : number(name); }
            public boolean bool(String name) { return Boolean.parseBoolean(given.get(name).toString()); }
            public SourcePos pos(String name) { return SourcePos.NONE; }
        });
    }

    private static String baseName(String op) { return op.split(":")[0]; }

    /** The fixture's points by op, in its order. */
    private static Map<String, List<Point>> byOp() throws IOException {
        var byOp = new LinkedHashMap<String, List<Point>>();
        for (Point p : points()) byOp.computeIfAbsent(p.op(), k -> new ArrayList<>()).add(p);
        return byOp;
    }

    private static List<Point> points() throws IOException {
        String text;
        try (InputStream in = ElementwiseGoldenTest.class.getResourceAsStream("/torch/elementwise_ops.txt")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        var points = new ArrayList<Point>();
        for (String line : text.strip().split("\n")) {
            String[] fields = line.split(" \\| ");
            double[] in = Arrays.stream(fields[1].split(" ")).mapToDouble(Double::parseDouble).toArray();
            points.add(new Point(fields[0], in, numbers(fields[2]), numbers(fields[3])));
        }
        return points;
    }

    /** Space-separated numbers, {@code -} for none. */
    private static Double[] numbers(String field) {
        return Arrays.stream(field.split(" ")).map(v -> v.equals("-") ? null : Double.valueOf(v)).toArray(Double[]::new);
    }
}
