package org.graft.dsl;

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

import org.graft.core.Input;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * Class labels as indices agree with PyTorch in float64 to 1e-12 relative, values and gradients:
 * {@code cross_entropy} (F.cross_entropy, with label_smoothing, ignore_index, per row and the
 * mean), {@code nll} (F.nll_loss), {@code take} (torch.take, index_select), {@code take_along_axis}
 * (torch.gather) and index arrays, with repeated indices, at random points and at the edges
 * (logits 2000 apart, a -inf logit, every row ignored). The expected values come from
 * {@code scripts/golden/cross_entropy.py}, which writes {@code src/test/resources/torch/cross_entropy.txt},
 * programs included.
 */
class CrossEntropyGoldenTest {

    /** One case of the fixture: its program, its inputs and its expected outputs, by name. */
    private record Case(String name, String program, Map<String, Tensor> inputs, Map<String, Tensor> outputs) {}

    @TestFactory
    Stream<DynamicTest> labelsAndGatheringAgreeWithPyTorch() throws IOException {
        List<Case> cases = cases();
        assertTrue(cases.size() >= 20, "the fixture has " + cases.size() + " cases");
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Program program = Graft.compile("cross_entropy.graft", c.program());
            List<Input> inputs = program.inputs();
            List<Tensor> fed = inputs.stream().map(i -> c.inputs().get(i.label())).toList();
            assertEquals(List.copyOf(c.outputs().keySet()), List.copyOf(program.outputs().keySet()), c.name());
            for (Options options : List.of(Options.DEFAULT, Options.NONE)) { // rewritten, and as written
                List<Tensor> out = Compiler.compile(inputs, List.copyOf(program.outputs().values()), options).call(fed);
                int k = 0;
                for (var want : c.outputs().entrySet()) assertClose(want.getValue(), out.get(k++), c.name() + ": " + want.getKey());
            }
        }));
    }

    /** Equal to 1e-12 relative (absolute below 1); non-finite numbers exactly, NaN as NaN. */
    private static void assertClose(Tensor want, Tensor got, String what) {
        assertEquals(want.shape(), got.shape(), what);
        for (int i = 0; i < want.size(); i++) {
            double e = want.getFlat(i), a = got.getFlat(i);
            int at = i;
            boolean same = Double.isFinite(e) ? Math.abs(e - a) <= 1e-12 * Math.max(1, Math.abs(e)) : Double.compare(e, a) == 0;
            assertTrue(same, () -> what + " at " + at + ": PyTorch " + e + ", Graft " + a);
        }
    }

    private static List<Case> cases() throws IOException {
        String text;
        try (InputStream in = CrossEntropyGoldenTest.class.getResourceAsStream("/torch/cross_entropy.txt")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        var cases = new ArrayList<Case>();
        for (String block : text.strip().split("\n\n")) {
            String name = null, program = null;
            var inputs = new LinkedHashMap<String, Tensor>();
            var outputs = new LinkedHashMap<String, Tensor>();
            for (String line : block.split("\n")) {
                String key = line.substring(0, line.indexOf(' ')), value = line.substring(line.indexOf(' ') + 1);
                switch (key) {
                    case "case" -> name = value;
                    case "program" -> program = value.replace("\\n", "\n");
                    default -> {
                        // NAME DIMS... : NUMBERS
                        String[] head = value.substring(0, value.indexOf(" :")).split(" ");
                        String numbers = value.substring(value.indexOf(" :") + 2).strip();
                        int[] dims = Arrays.stream(head).skip(1).mapToInt(Integer::parseInt).toArray();
                        double[] data = Arrays.stream(numbers.split(" ")).mapToDouble(Double::parseDouble).toArray();
                        (key.equals("input") ? inputs : outputs).put(head[0], Tensor.of(Shape.of(dims), data));
                    }
                }
            }
            cases.add(new Case(name, program, inputs, outputs));
        }
        return cases;
    }
}
