package org.graft.models.data;

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

import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * Standardizing and PCA and ZCA whitening agree with NumPy in float64 to 1e-10: the fitted mean
 * and matrix, the training examples transformed, and examples the preprocessing was not fitted
 * on transformed with the fitted statistics. The expected values come from
 * {@code scripts/golden/preprocessing.py}, which writes {@code src/test/resources/numpy/preprocessing.txt}.
 */
class PreprocessingGoldenTest {

    /** One case of the fixture: the preprocessing and its eps, the values fed and those wanted, by name. */
    private record Case(String name, Preprocessing kind, double eps, Map<String, Tensor> set, Map<String, Tensor> want) {}

    @TestFactory
    Stream<DynamicTest> thePreprocessingsAgreeWithNumPy() throws IOException {
        List<Case> cases = cases();
        assertEquals(5, cases.size(), "the cases of the fixture");
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Preprocessing.Transform t = c.kind().fit(c.set().get("x"), c.eps());
            assertClose(c.want().get("mean"), t.mean(), c.name() + ": the mean");
            assertClose(c.want().get("matrix"), t.matrix(), c.name() + ": the matrix");
            assertClose(c.want().get("x"), t.apply(c.set().get("x")), c.name() + ": x transformed");
            assertClose(c.want().get("other"), t.apply(c.set().get("other")), c.name() + ": other examples transformed");
        }));
    }

    /**
     * Equal to 1e-10 relative, or 1e-12 absolute: NumPy centres a feature of one value to about
     * 1e-16 where Graft centres it to exactly 0.
     */
    private static void assertClose(Tensor want, Tensor got, String what) {
        assertEquals(want.shape(), got.shape(), what);
        for (int i = 0; i < want.size(); i++) {
            double e = want.getFlat(i), a = got.getFlat(i);
            int at = i;
            assertTrue(Math.abs(e - a) <= Math.max(1e-12, 1e-10 * Math.abs(e)), () -> what + " at " + at + ": NumPy " + e + ", Graft " + a);
        }
    }

    private static List<Case> cases() throws IOException {
        String text;
        try (InputStream in = PreprocessingGoldenTest.class.getResourceAsStream("/numpy/preprocessing.txt")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        var cases = new ArrayList<Case>();
        for (String block : text.strip().split("\n\n")) {
            String name = null;
            Preprocessing kind = null;
            double eps = Double.NaN;
            var set = new LinkedHashMap<String, Tensor>();
            var want = new LinkedHashMap<String, Tensor>();
            for (String line : block.split("\n")) {
                String key = line.substring(0, line.indexOf(' ')), value = line.substring(line.indexOf(' ') + 1);
                switch (key) {
                    case "case" -> name = value;
                    case "kind" -> kind = Preprocessing.named(value);
                    case "eps" -> eps = Double.parseDouble(value);
                    case "set" -> put(set, value);
                    case "want" -> put(want, value);
                    default -> throw new IllegalStateException("preprocessing.txt: unknown line " + line);
                }
            }
            cases.add(new Case(name, kind, eps, set, want));
        }
        return cases;
    }

    /** {@code NAME DIMS VALUES} into {@code into}. */
    private static void put(Map<String, Tensor> into, String line) {
        String[] parts = line.split(" ", 3);
        int[] dims = Arrays.stream(parts[1].split(",")).mapToInt(Integer::parseInt).toArray();
        double[] values = Arrays.stream(parts[2].split(" ")).mapToDouble(Double::parseDouble).toArray();
        into.put(parts[0], Tensor.of(Shape.of(dims), values));
    }
}
