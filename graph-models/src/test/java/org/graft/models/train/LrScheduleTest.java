package org.graft.models.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import org.graft.models.GoldenFixture;

/**
 * {@code --lr-schedule}: every form gives PyTorch 1.13's rates epoch for epoch, read from
 * {@code src/test/resources/torch/lr_schedules.txt}, which {@code scripts/golden/lr_schedules.py}
 * writes; and a spec that is not one of the forms is refused, saying what was expected.
 */
class LrScheduleTest {

    /** One case of the fixture: a spec, a base rate, plateau's mode and watched values, and PyTorch's rates. */
    private record Case(String spec, double base, boolean maximize, double[] watched, double[] want) {}

    /**
     * Exactly PyTorch's rates, bit for bit, but where a cosine is computed: {@link Math#cos} may
     * be a unit in the last place from the correctly rounded value (its contract), and CPython's
     * is the C library's, so on another JVM or C library the two may round an angle differently
     * and the cosine's recursion carries that on. Here (HotSpot 17, glibc) they agree on every
     * angle and the rates are equal to the bit; fdlibm's cos ({@link StrictMath}) differs on 3 of
     * the angles, which put rates up to 3 ulps off, hence {@value #COSINE_ULPS}.
     */
    static final int COSINE_ULPS = 4;

    @TestFactory
    Stream<DynamicTest> everyScheduleGivesPyTorchsRatesEpochForEpoch() throws IOException {
        List<Case> cases = cases();
        assertTrue(cases.size() >= 20, "the fixture's cases: " + cases.size());
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.spec() + " from " + c.base() + (c.maximize() ? ", maximized" : ""), () -> {
            LrSchedule schedule = LrSchedule.parse(c.spec());
            double[] got = schedule.rates(c.base(), c.want().length, c.watched(), c.maximize());
            int ulps = c.spec().contains("cosine") ? COSINE_ULPS : 0;
            for (int e = 0; e < got.length; e++) {
                double want = c.want()[e], difference = Math.abs(got[e] - want);
                int epoch = e + 1;
                assertTrue(difference <= ulps * Math.ulp(want),
                        () -> c.spec() + ", epoch " + epoch + ": PyTorch " + want + ", Graft " + got[epoch - 1]
                                + ", " + difference / Math.ulp(want) + " ulps apart");
            }
        }));
    }

    @Test
    void theRatesOfTheFirstEpochsAreThoseOfALongerRun() {
        // what a resumed run relies on: epoch e's rate does not depend on how many epochs are asked for
        double[] watched = {3, 2, 2, 2, 2, 1, 1, 1, 1};
        for (String spec : List.of("warmup:3,plateau:1:0.5", "cosine:4:0.01", "step:2:0.5")) {
            LrSchedule schedule = LrSchedule.parse(spec);
            double[] all = schedule.rates(0.1, 10, watched, false);
            for (int n = 1; n <= 10; n++) {
                assertEquals(Arrays.toString(Arrays.copyOf(all, n)), Arrays.toString(schedule.rates(0.1, n, watched, false)), spec);
            }
        }
    }

    @Test
    void aSpecIsWrittenBackWithEveryNumberGiven() {
        assertEquals("step:3:0.1", LrSchedule.parse("step:3").spec());
        assertEquals("cosine:10:0", LrSchedule.parse("cosine:10").spec());
        assertEquals("plateau:10:0.1", LrSchedule.parse("plateau").spec());
        assertEquals("warmup:5,cosine:25:0.0001", LrSchedule.parse("warmup:5,cosine:25:1e-4").spec());
        assertEquals(new LrSchedule.Warmup(2, Optional.of(new LrSchedule.Exponential(0.9))), LrSchedule.parse("warmup:2,exponential:0.9"));
    }

    @Test
    void aSpecThatIsNoScheduleIsRefusedSayingWhatWasExpected() {
        String forms = "step:S[:G], exponential:G, cosine:T_MAX[:ETA_MIN], plateau[:PATIENCE[:FACTOR]], warmup:E[,SCHEDULE]";
        var refusals = List.of(
                new String[] {"linear:3", "expected one of " + forms + ", found linear:3"},
                new String[] {"", "expected one of " + forms + ", found "},
                new String[] {"step", "expected step:S[:G], found step"},
                new String[] {"step:0", "expected a step size S of at least 1 epoch, a whole number, found 0"},
                new String[] {"step:2.5", "expected a step size S of at least 1 epoch, a whole number, found 2.5"},
                new String[] {"step:3:1.5", "expected a factor G in (0, 1], found 1.5"},
                new String[] {"exponential:0", "expected a factor G in (0, 1], found 0"},
                new String[] {"exponential:nan", "expected a factor G in (0, 1], found nan"},
                new String[] {"exponential:0.9:2", "expected exponential:G, found exponential:0.9:2"},
                new String[] {"cosine:10:-1", "expected a least rate ETA_MIN, a finite number >= 0, found -1"},
                new String[] {"plateau:-1", "expected a patience of at least 0, a whole number, found -1"},
                new String[] {"plateau:2:1", "expected a factor FACTOR in (0, 1), found 1"},
                new String[] {"warmup:0", "expected a warm-up of E epochs of at least 1 epoch, a whole number, found 0"},
                new String[] {"cosine:10,warmup:2", "expected a warm-up before the comma, warmup:E, found cosine:10"},
                new String[] {"warmup:2,warmup:3", "expected one of step, exponential, cosine or plateau after the warm-up, found a "
                        + "second warm-up"},
                new String[] {"warmup:2,step:3,cosine:4", "expected warmup:E,SCHEDULE, a warm-up then one schedule, found 3 schedules"});
        for (String[] bad : refusals) {
            var e = assertThrows(IllegalArgumentException.class, () -> LrSchedule.parse(bad[0]), bad[0]);
            assertEquals("--lr-schedule " + bad[0] + ": " + bad[1], e.getMessage());
        }
    }

    private static List<Case> cases() throws IOException {
        var cases = new ArrayList<Case>();
        for (List<GoldenFixture.Line> block : GoldenFixture.blocks("/torch/lr_schedules.txt")) {
            String spec = null;
            double base = Double.NaN;
            boolean maximize = false;
            double[] watched = null, want = null;
            for (GoldenFixture.Line line : block) {
                switch (line.key()) {
                    case "schedule" -> spec = line.value();
                    case "base" -> base = Double.parseDouble(line.value());
                    case "objective" -> maximize = line.value().equals("max");
                    case "watched" -> watched = GoldenFixture.numbers(line.value());
                    case "lr" -> want = GoldenFixture.numbers(line.value());
                    default -> throw new IllegalStateException("lr_schedules.txt: unknown line " + line.key() + " " + line.value());
                }
            }
            cases.add(new Case(spec, base, maximize, watched, want));
        }
        return cases;
    }
}
