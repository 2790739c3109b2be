package org.graft.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.graft.models.GoldenFixture;

/**
 * The lorenz set and its persistence baseline agree with the same set made again in NumPy
 * float64, by {@code scripts/golden/lorenz.py} (which writes
 * {@code src/test/resources/numpy/lorenz.txt}): java.util.Random's generator written out in
 * Python draws the same initial points, and NumPy's Runge-Kutta steps, all sequences at once,
 * give the same trajectories, so the figure a run prints as its baseline is NumPy's too.
 */
class LorenzGoldenTest {

    @Test
    void theLorenzSetAndItsPersistenceBaselineAreNumPys() throws IOException {
        Map<String, double[]> want = fixture();
        Data lorenz = DataSets.load("lorenz");
        for (var part : List.of(Map.entry("train", lorenz.train()), Map.entry("test", lorenz.test()))) {
            String split = part.getKey();
            Dataset set = part.getValue();
            double persistence = want.get(split + " persistence_mse")[0];
            assertEquals(persistence, set.persistenceMse(), 1e-12 * persistence, split);
            assertArrayEquals(want.get(split + " x_mean"), means(set.features()), 1e-12, split);
            assertArrayEquals(want.get(split + " y_mean"), means(set.targets()), 1e-12, split);
            int n = set.size();
            double[] first = new double[3], last = new double[3];
            for (int c = 0; c < 3; c++) {
                first[c] = set.features().get(0, 0, c);
                last[c] = set.targets().get(99, n - 1, c);
            }
            assertArrayEquals(want.get(split + " x_first"), first, 1e-13, split);
            assertArrayEquals(want.get(split + " y_last"), last, 1e-13, split);
        }
    }

    /** The mean of each component of [t, n, 3] over t and n. */
    private static double[] means(org.graft.core.tensor.Tensor t) {
        double[] sums = new double[3];
        for (int i = 0; i < t.size(); i++) sums[i % 3] += t.getFlat(i);
        return Arrays.stream(sums).map(s -> s / (t.size() / 3)).toArray();
    }

    /** The fixture's figures by their split and name, {@code "test persistence_mse"}: lines {@code SPLIT NAME VALUES}. */
    private static Map<String, double[]> fixture() throws IOException {
        var figures = new HashMap<String, double[]>();
        for (GoldenFixture.Line line : GoldenFixture.blocks("/numpy/lorenz.txt").get(0)) {
            String[] name = line.value().split(" ", 2);
            figures.put(line.key() + " " + name[0], GoldenFixture.numbers(name[1]));
        }
        return figures;
    }
}
