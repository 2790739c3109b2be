package org.graft.ops.optim;

import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.constant;
import static org.graft.ops.Ops.matmul;
import static org.graft.ops.Ops.mean;
import static org.graft.ops.Ops.param;
import static org.graft.ops.Ops.softmaxCrossEntropy;
import static org.graft.ops.Ops.tanh;
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
import java.util.function.DoubleFunction;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Function;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * Every optimizer takes the steps {@code torch.optim}'s takes: five steps on a small
 * classifier, with PyTorch's defaults and with every option set, leave the params where
 * PyTorch float64 leaves them, to 1e-12; and the short factories have PyTorch's defaults. The
 * expected values come from {@code scripts/golden/optimizers.py}, which writes
 * {@code src/test/resources/torch/optimizers.txt}.
 */
class OptimizerGoldenTest {
    private static final double TOLERANCE = 1e-12;
    private static final Shape[] SHAPES = {Shape.of(3, 2), Shape.of(2), Shape.of(2, 2)};
    private static final String[] PARAMS = {"W", "b", "V"};

    /** A block of the fixture: its first line, and the lines after it by their first word(s). */
    private record Block(String title, Map<String, String> lines) {
        double[] numbers(String key) { return Arrays.stream(lines.get(key).split(" ")).mapToDouble(Double::parseDouble).toArray(); }

        /** The {@code options} line, {@code name=value ...}. */
        Map<String, String> options() {
            var out = new LinkedHashMap<String, String>();
            for (String kv : lines.get("options").split(" ")) out.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            return out;
        }
    }

    @TestFactory
    Stream<DynamicTest> fiveStepsLeaveTheParamsWherePyTorchLeavesThem() throws IOException {
        List<Block> blocks = blocks();
        Block problem = blocks.get(0);
        var tests = new ArrayList<DynamicTest>();
        for (Block c : blocks) {
            if (!c.title().startsWith("case ")) continue;
            for (boolean lrNode : new boolean[] {false, true}) {
                for (Options options : List.of(Options.DEFAULT, Options.NONE)) {
                    String name = c.title() + (lrNode ? ", lr as a node" : "") + (options == Options.NONE ? ", not rewritten" : "");
                    tests.add(DynamicTest.dynamicTest(name, () -> takesPyTorchsSteps(problem, c, lrNode, options)));
                }
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> theShortFactoriesHavePyTorchsDefaults() throws IOException {
        return blocks().stream().filter(b -> b.title().startsWith("defaults ")).map(d -> DynamicTest.dynamicTest(d.title(), () -> {
            String name = d.title().substring("defaults ".length());
            Optimizer torch = optimizer(name, d.options());
            DoubleFunction<Optimizer> factory = switch (name) {
                case "adam" -> Optimizer::adam;
                case "adamw" -> Optimizer::adamw;
                case "rmsprop" -> Optimizer::rmsprop;
                case "adagrad" -> Optimizer::adagrad;
                case "adadelta" -> lr -> Optimizer.adadelta();
                default -> throw new AssertionError("no factory for " + name);
            };
            assertEquals(torch, factory.apply(torch.lr()));
        }));
    }

    private static void takesPyTorchsSteps(Block problem, Block c, boolean lrNode, Options options) {
        Node x = constant(Tensor.of(Shape.of(4, 3), problem.numbers("x")));
        Node t = constant(Tensor.of(Shape.of(4, 2), problem.numbers("t")));
        var params = new ArrayList<Param>();
        for (int i = 0; i < PARAMS.length; i++) params.add(param(PARAMS[i], Tensor.of(SHAPES[i], problem.numbers(PARAMS[i]))));
        // the same cost as the script's: mean(-sum(t * log_softmax(tanh(x W + b) V), -1))
        Node cost = mean(softmaxCrossEntropy(matmul(tanh(add(matmul(x, params.get(0)), params.get(1))), params.get(2)), t));

        Optimizer optimizer = optimizer(c.lines().get("optimizer"), c.options());
        Map<Param, Node> updates = lrNode
                ? optimizer.updates(cost, params, param("lr", Tensor.scalar(optimizer.lr())))
                : optimizer.updates(cost, params);
        Function step = Compiler.compile(List.of(), List.of(), updates, options);
        for (int s = 1; s <= 5; s++) {
            step.call();
            for (int i = 0; i < PARAMS.length; i++) {
                assertClose(c.numbers(PARAMS[i] + " " + s), params.get(i).value(), PARAMS[i] + " after step " + s);
            }
        }
    }

    /** The Graft optimizer of a fixture's name and options (every option is given). */
    private static Optimizer optimizer(String name, Map<String, String> o) {
        double lr = number(o, "lr");
        return switch (name) {
            case "sgd" -> new Optimizer.Sgd(lr, number(o, "weight_decay"));
            case "momentum" -> new Optimizer.Momentum(lr, number(o, "mu"), number(o, "weight_decay"));
            case "nesterov" -> new Optimizer.Nesterov(lr, number(o, "mu"), number(o, "weight_decay"));
            case "adam" -> new Optimizer.Adam(lr, number(o, "beta1"), number(o, "beta2"), number(o, "eps"), number(o, "weight_decay"),
                    bool(o, "amsgrad"));
            case "adamw" -> new Optimizer.AdamW(lr, number(o, "beta1"), number(o, "beta2"), number(o, "eps"), number(o, "weight_decay"),
                    bool(o, "amsgrad"));
            case "rmsprop" -> new Optimizer.RmsProp(lr, number(o, "alpha"), number(o, "eps"), number(o, "weight_decay"),
                    number(o, "momentum"), bool(o, "centered"));
            case "adagrad" -> new Optimizer.Adagrad(lr, number(o, "lr_decay"), number(o, "weight_decay"),
                    number(o, "initial_accumulator_value"), number(o, "eps"));
            case "adadelta" -> new Optimizer.Adadelta(lr, number(o, "rho"), number(o, "eps"), number(o, "weight_decay"));
            default -> throw new AssertionError("the fixture names an optimizer Graft does not have: " + name);
        };
    }

    private static double number(Map<String, String> options, String name) {
        String v = options.get(name);
        if (v == null) throw new AssertionError("the fixture gives no " + name + " in " + options);
        return Double.parseDouble(v);
    }

    private static boolean bool(Map<String, String> options, String name) {
        String v = options.get(name);
        if (!"true".equals(v) && !"false".equals(v)) throw new AssertionError("the fixture's " + name + " is not true or false: " + v);
        return Boolean.parseBoolean(v);
    }

    private static void assertClose(double[] want, Tensor got, String what) {
        assertEquals(want.length, got.size(), what);
        for (int i = 0; i < want.length; i++) {
            double e = want[i], a = got.getFlat(i);
            int at = i;
            assertTrue(Math.abs(e - a) <= TOLERANCE * Math.max(1, Math.abs(e)), () -> what + " at " + at + ": PyTorch " + e + ", Graft " + a);
        }
    }

    private static List<Block> blocks() throws IOException {
        String text;
        try (InputStream in = OptimizerGoldenTest.class.getResourceAsStream("/torch/optimizers.txt")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        var blocks = new ArrayList<Block>();
        for (String block : text.strip().split("\n\n")) {
            List<String> lines = List.of(block.split("\n"));
            var byKey = new LinkedHashMap<String, String>();
            for (String line : lines.subList(1, lines.size())) {
                // "W 3 0.1 0.2 ..." is keyed "W 3"; "options lr=0.1 ..." is keyed "options"
                String[] words = line.split(" ", 3);
                boolean stepped = words.length == 3 && words[1].chars().allMatch(Character::isDigit);
                String key = stepped ? words[0] + " " + words[1] : words[0];
                byKey.put(key, line.substring(key.length() + 1));
            }
            blocks.add(new Block(lines.get(0), byKey));
        }
        return blocks;
    }
}
