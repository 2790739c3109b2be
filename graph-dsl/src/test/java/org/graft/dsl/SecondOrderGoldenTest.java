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
 * A second-order gradient through softmax cross-entropy (issue 13's program, and the same with
 * a cos around the logits and a sigmoid branch) agrees with PyTorch in float64 to 1e-10. The
 * expected values come from {@code scripts/golden/second_order.py}, which writes
 * {@code src/test/resources/torch/second_order.txt}, programs included.
 */
class SecondOrderGoldenTest {

    /** One case of the fixture: its Graft program and the fields that follow it. */
    private record Case(String name, String program, Map<String, double[]> numbers) {}

    @TestFactory
    Stream<DynamicTest> theSecondOrderGradientAgreesWithPyTorch() throws IOException {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Tensor x = Tensor.of(Shape.of(2, 3), c.numbers().get("x"));
            Tensor w = Tensor.of(Shape.of(3, 4), c.numbers().get("W"));
            Program program = Graft.compile("second_order.graft", c.program(), Map.of("W", w));
            program.initialize(0, Map.of());
            List<Input> inputs = program.inputs();
            for (Options options : List.of(Options.DEFAULT, Options.NONE)) { // rewritten, and as written
                List<Tensor> out = Compiler.compile(inputs, List.copyOf(program.outputs().values()), options).call(x);
                assertClose(c.numbers().get("f"), out.get(0), c.name() + ": f");
                assertClose(c.numbers().get("h"), out.get(1), c.name() + ": h");
            }
        }));
    }

    private static void assertClose(double[] want, Tensor got, String what) {
        assertEquals(want.length, got.size(), what);
        for (int i = 0; i < want.length; i++) {
            double e = want[i], a = got.getFlat(i);
            int at = i;
            assertTrue(Math.abs(e - a) <= 1e-10 * Math.max(1, Math.abs(e)), () -> what + " at " + at + ": PyTorch " + e + ", Graft " + a);
        }
    }

    private static List<Case> cases() throws IOException {
        String text;
        try (InputStream in = SecondOrderGoldenTest.class.getResourceAsStream("/torch/second_order.txt")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        var cases = new ArrayList<Case>();
        for (String block : text.strip().split("\n\n")) {
            String name = null, program = null;
            var numbers = new LinkedHashMap<String, double[]>();
            for (String line : block.split("\n")) {
                String key = line.substring(0, line.indexOf(' ')), value = line.substring(line.indexOf(' ') + 1);
                switch (key) {
                    case "case" -> name = value;
                    case "program" -> program = value.replace("\\n", "\n");
                    default -> numbers.put(key, Arrays.stream(value.split(" ")).mapToDouble(Double::parseDouble).toArray());
                }
            }
            cases.add(new Case(name, program, numbers));
        }
        return cases;
    }
}
