package org.graft.ops;

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
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import org.graft.core.Constant;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Type;
import org.graft.core.grad.GradTable;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * Issue 16's reductions, scans, shapes and constructors agree with PyTorch in float64: the value
 * and the vector-Jacobian product of a random cotangent with respect to every input, at random
 * points and at the edges, compiled as written and rewritten. The expected values come from
 * {@code scripts/golden/reductions_shapes.py}, which writes
 * {@code src/test/resources/torch/reductions_shapes.txt}; its header lists the cases left out
 * where Graft documents another choice than PyTorch's, which the ops' own tests hold.
 *
 * <p>Agreement is to {@value #TOLERANCE} of the largest magnitude in the expected tensor (an
 * element that is the small difference of large terms is held to the terms' size); infinities
 * and NaN must be the same.
 */
class ReductionsShapesGoldenTest {
    static final double TOLERANCE = 1e-12;

    /** One case of the fixture: the op and its arguments, and its tensors by name. */
    private record Case(String name, String op, Map<String, String> args, Map<String, Tensor> tensors) {
        String arg(String key) { return args.get(key); }

        int integer(String key) { return Integer.parseInt(args.get(key)); }

        double number(String key) { return Double.parseDouble(args.get(key).replace("inf", "Infinity")); }

        boolean bool(String key) { return Boolean.parseBoolean(args.get(key)); }

        /** The integers of a comma-separated argument, or null for none. */
        int[] integers(String key) {
            return args.get(key).equals("none") ? null : Arrays.stream(args.get(key).split(",")).mapToInt(Integer::parseInt).toArray();
        }

        List<Tensor> inputs() {
            if (tensors.containsKey("x")) return List.of(tensors.get("x"));
            var out = new ArrayList<Tensor>();
            for (int i = 0; tensors.containsKey("x" + i); i++) out.add(tensors.get("x" + i));
            return out;
        }

        Tensor gradient(int i) { return tensors.get(tensors.containsKey("gx") ? "gx" : "gx" + i); }
    }

    @TestFactory
    Stream<DynamicTest> eachCaseAgreesWithPyTorch() throws IOException {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            List<Tensor> at = c.inputs();
            var inputs = new ArrayList<Input>();
            for (int i = 0; i < at.size(); i++) inputs.add(new Input("x" + i, Type.of(at.get(i))));
            Node y = build(c, List.copyOf(inputs));
            if (inputs.isEmpty()) {
                assertAgrees(c.tensors().get("y"), ((Constant) y).value(), c.name() + ": y");
                return;
            }
            var roots = new ArrayList<Node>(List.of(y));
            roots.addAll(GradTable.vjp(y, Constant.of(c.tensors().get("u")), inputs, GradTable.Disconnected.ZEROS));
            for (Options options : List.of(Options.NONE, Options.DEFAULT)) { // as written, and rewritten
                List<Tensor> out = Compiler.compile(inputs, roots, options).call(at);
                assertAgrees(c.tensors().get("y"), out.get(0), c.name() + ": y");
                for (int i = 0; i < inputs.size(); i++) assertAgrees(c.gradient(i), out.get(i + 1), c.name() + ": gx" + i);
            }
        }));
    }

    /** The graph of a case, built with the Java API from the op's name and arguments. */
    private static Node build(Case c, List<Node> in) {
        Node x = in.isEmpty() ? null : in.get(0);
        int[] axes = c.args().containsKey("axes") ? c.integers("axes") : null;
        Integer axis = !c.args().containsKey("axis") || c.arg("axis").equals("none") ? null : c.integer("axis");
        int[] every = x == null ? null : java.util.stream.IntStream.range(0, x.type().rank()).toArray();
        return switch (c.op()) {
            case "prod" -> Ops.prod(x, axes == null ? every : axes, c.bool("keepdims"));
            case "var" -> Ops.var(x, axes == null ? every : axes, c.bool("keepdims"), c.integer("ddof"));
            case "std" -> Ops.std(x, axes == null ? every : axes, c.bool("keepdims"), c.integer("ddof"));
            case "norm" -> Ops.norm(x, c.number("p"), axes == null ? every : axes, c.bool("keepdims"));
            case "cumsum" -> axis == null ? Ops.cumsum(x) : Ops.cumsum(x, axis);
            case "cumprod" -> axis == null ? Ops.cumprod(x) : Ops.cumprod(x, axis);
            case "softmax" -> Ops.softmax(x, axis);
            case "log_softmax" -> Ops.logSoftmax(x, axis);
            case "stack" -> Ops.stack(in, axis);
            case "tile" -> Ops.tile(x, c.integers("reps"));
            case "repeat" -> axis == null ? Ops.repeat(x, c.integer("repeats")) : Ops.repeat(x, c.integer("repeats"), axis);
            case "flip" -> axes == null ? Ops.flip(x) : Ops.flip(x, axes);
            case "pad" -> Ops.pad(x, widths(c.arg("widths")), c.number("value"));
            case "pad_reflect" -> Ops.padReflect(x, widths(c.arg("widths")));
            case "expand_dims" -> Ops.expandDims(x, axis);
            case "squeeze" -> axis == null ? Ops.squeeze(x) : Ops.squeeze(x, axis);
            case "tril" -> Ops.tril(x, c.integer("k"));
            case "triu" -> Ops.triu(x, c.integer("k"));
            case "eye" -> Ops.eye(c.integer("n"), c.integer("m"), c.integer("k"));
            case "arange" -> Ops.arange(c.number("start"), c.number("stop"), c.number("step"));
            case "linspace" -> Ops.linspace(c.number("start"), c.number("stop"), c.integer("num"));
            default -> throw new IllegalArgumentException("no builder for " + c.op());
        };
    }

    /** {@code 1,2;0,0}: a [before, after] pair per axis. */
    private static int[][] widths(String text) {
        return Arrays.stream(text.split(";")).map(p -> Arrays.stream(p.split(",")).mapToInt(Integer::parseInt).toArray()).toArray(int[][]::new);
    }

    private static void assertAgrees(Tensor want, Tensor got, String what) {
        assertEquals(want.shape(), got.shape(), what);
        double scale = 0;
        for (int i = 0; i < want.size(); i++) if (Double.isFinite(want.getFlat(i))) scale = Math.max(scale, Math.abs(want.getFlat(i)));
        for (int i = 0; i < want.size(); i++) {
            double e = want.getFlat(i), a = got.getFlat(i);
            int at = i;
            boolean same = Double.isFinite(e) ? Math.abs(e - a) <= TOLERANCE * scale : Double.compare(e, a) == 0;
            assertTrue(same, () -> what + " at " + Arrays.toString(want.shape().unravel(at)) + ": PyTorch " + e + ", Graft " + a);
        }
    }

    private static List<Case> cases() throws IOException {
        String text;
        try (InputStream in = ReductionsShapesGoldenTest.class.getResourceAsStream("/torch/reductions_shapes.txt")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        var cases = new ArrayList<Case>();
        for (String block : text.strip().split("\n\n")) {
            String name = null, op = null;
            var args = new LinkedHashMap<String, String>();
            var tensors = new LinkedHashMap<String, Tensor>();
            for (String line : block.split("\n")) {
                String key = line.substring(0, line.indexOf(' ')), rest = line.substring(line.indexOf(' ') + 1);
                switch (key) {
                    case "case" -> name = rest;
                    case "op" -> {
                        String[] words = rest.split(" ");
                        op = words[0];
                        for (String w : Arrays.asList(words).subList(1, words.length)) args.put(w.substring(0, w.indexOf('=')), w.substring(w.indexOf('=') + 1));
                    }
                    default -> tensors.put(key, tensor(rest));
                }
            }
            cases.add(new Case(name, op, args, tensors));
        }
        assertTrue(cases.size() >= 90, "the fixture holds " + cases.size() + " cases");
        return cases;
    }

    /** {@code 2 3 : 1.0 2.0 ...}: the dims, then the values row-major. */
    private static Tensor tensor(String text) {
        String dims = text.substring(0, text.indexOf(':')).strip(), values = text.substring(text.indexOf(':') + 1).strip();
        int[] shape = dims.isEmpty() ? new int[0] : Arrays.stream(dims.split(" ")).mapToInt(Integer::parseInt).toArray();
        double[] data = values.isEmpty() ? new double[0] : Arrays.stream(values.split(" ")).mapToDouble(Double::parseDouble).toArray();
        return Tensor.of(Shape.of(shape), data);
    }
}
