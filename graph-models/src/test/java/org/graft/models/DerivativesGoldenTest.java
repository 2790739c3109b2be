package org.graft.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import org.graft.core.Input;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.Tensor;
import org.graft.dsl.Graft;
import org.graft.dsl.Program;

/**
 * The derivative built-ins agree with PyTorch's {@code torch.autograd.functional} in float64 to
 * 1e-10: {@code hessian} and {@code hvp} of the bundled mlp's loss at a small size (its dims made
 * consts, so the types are concrete), {@code jacobian} and {@code jvp} of a 3-layer tanh net, and
 * every output of the golden program {@code derivatives.graft}, whose {@code .json} is so PyTorch's
 * too. The expected values come from {@code scripts/golden/derivatives.py}, which writes
 * {@code src/test/resources/torch/derivatives.txt}, programs included.
 */
class DerivativesGoldenTest {

    /** One case of the fixture: its program, the values fed and the outputs wanted, by name. */
    private record Case(String name, String program, Map<String, Tensor> set, Map<String, Tensor> want) {}

    @TestFactory
    Stream<DynamicTest> theDerivativesAgreeWithPyTorch() throws IOException {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Program program = Graft.compile("derivatives.graft", c.program(), c.set());
            program.initialize(0);
            List<Input> inputs = program.inputs();
            Tensor[] fed = inputs.stream().map(i -> program.inputValues().get(i)).toArray(Tensor[]::new);
            var names = new ArrayList<>(program.outputs().keySet());
            assertTrue(names.containsAll(c.want().keySet()), () -> "outputs " + names + ", wanted " + c.want().keySet());
            for (Options options : List.of(Options.DEFAULT, Options.NONE)) { // rewritten, and as written
                List<Tensor> out = Compiler.compile(inputs, List.copyOf(program.outputs().values()), options).call(fed);
                for (var want : c.want().entrySet()) {
                    assertClose(want.getValue(), out.get(names.indexOf(want.getKey())), c.name() + ": " + want.getKey());
                }
            }
        }));
    }

    private static void assertClose(Tensor want, Tensor got, String what) {
        assertEquals(want.shape(), got.shape(), what);
        for (int i = 0; i < want.size(); i++) {
            double e = want.getFlat(i), a = got.getFlat(i);
            int at = i;
            assertTrue(Math.abs(e - a) <= 1e-10 * Math.max(1, Math.abs(e)), () -> what + " at " + at + ": PyTorch " + e + ", Graft " + a);
        }
    }

    private static List<Case> cases() throws IOException {
        var cases = new ArrayList<Case>();
        for (List<GoldenFixture.Line> block : GoldenFixture.blocks("/torch/derivatives.txt")) {
            String name = null, bundled = null, prefix = "", program = null;
            var set = new LinkedHashMap<String, Tensor>();
            var want = new LinkedHashMap<String, Tensor>();
            for (GoldenFixture.Line line : block) {
                String value = line.value();
                switch (line.key()) {
                    case "case" -> name = value;
                    case "bundled" -> bundled = GoldenFixture.resource("/org/graft/models/sources/" + value + ".graft");
                    case "prefix" -> prefix = value.replace("\\n", "\n");
                    case "program" -> program = value.replace("\\n", "\n");
                    case "set" -> GoldenFixture.put(set, value);
                    case "want" -> GoldenFixture.put(want, value);
                    default -> throw new IllegalStateException("unknown field " + line.key() + " in derivatives.txt");
                }
            }
            cases.add(new Case(name, bundled == null ? program : prefix + bundled + "\n" + program, set, want));
        }
        return cases;
    }
}
