package org.graft.models.data;

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

import org.graft.core.tensor.Tensor;
import org.graft.models.GoldenFixture;

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
        var cases = new ArrayList<Case>();
        for (List<GoldenFixture.Line> block : GoldenFixture.blocks("/numpy/preprocessing.txt")) {
            String name = null;
            Preprocessing kind = null;
            double eps = Double.NaN;
            var set = new LinkedHashMap<String, Tensor>();
            var want = new LinkedHashMap<String, Tensor>();
            for (GoldenFixture.Line line : block) {
                switch (line.key()) {
                    case "case" -> name = line.value();
                    case "kind" -> kind = Preprocessing.named(line.value());
                    case "eps" -> eps = Double.parseDouble(line.value());
                    case "set" -> GoldenFixture.put(set, line.value());
                    case "want" -> GoldenFixture.put(want, line.value());
                    default -> throw new IllegalStateException("unknown field " + line.key() + " in preprocessing.txt");
                }
            }
            cases.add(new Case(name, kind, eps, set, want));
        }
        return cases;
    }
}
