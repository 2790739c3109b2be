package org.graft.core.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;
import net.jqwik.api.statistics.StatisticsReport.StatisticsReportMode;

import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

class TensorsTest {

    @Property(tries = 300, seed = "701")
    void positiveTensorsHaveOnlyPositiveElements(@ForAll("positive") Tensor t) {
        for (double v : t.toArray()) assertTrue(v >= 0.1 && v <= 10, () -> v + " is outside [0.1, 10]");
    }

    @Property(tries = 300, seed = "702")
    @StatisticsReport(StatisticsReportMode.OFF)
    void awayFromZeroKeepsTheMagnitudeInRangeWithEitherSign(@ForAll("awayFromZero") Tensor t) {
        for (double v : t.toArray()) assertTrue(Math.abs(v) >= 0.1 && Math.abs(v) <= 5, () -> v + " is too close to 0 or too large");
        Statistics.label("negative").collect(Arrays.stream(t.toArray()).anyMatch(v -> v < 0))
                .coverage(c -> c.check(true).percentage(p -> p > 30));
        Statistics.label("positive").collect(Arrays.stream(t.toArray()).anyMatch(v -> v > 0))
                .coverage(c -> c.check(true).percentage(p -> p > 30));
    }

    @Property(tries = 300, seed = "703")
    void anyStaysWithinFive(@ForAll("any") Tensor t) {
        for (double v : t.toArray()) assertTrue(Math.abs(v) <= 5, () -> v + " is outside [-5, 5]");
    }

    @Property(tries = 300, seed = "704")
    void shapesRespectTheirRankAndDimBounds(@ForAll("rank4dims2to6") Shape s) {
        assertTrue(s.rank() <= 4, s::toString);
        for (int d : s.dims()) assertTrue(d >= 2 && d <= 6, s::toString);
    }

    @Property(tries = 300, seed = "705")
    @StatisticsReport(StatisticsReportMode.OFF)
    void smallShapesAreSmallAndSometimesScalars(@ForAll("small") Tensor t) {
        assertTrue(t.rank() <= 3, t.shape()::toString);
        for (int d : t.shape().dims()) assertTrue(d >= 1 && d <= 4, t.shape()::toString);
        Statistics.collect(t.rank() == 0);
        Statistics.coverage(c -> c.check(true).percentage(p -> p > 5));
    }

    @Property(tries = 300, seed = "706")
    @StatisticsReport(StatisticsReportMode.OFF)
    void smallShapesWithEmptySometimesAreEmpty(@ForAll("smallWithEmpty") Tensor t) {
        assertTrue(t.rank() <= 3, t.shape()::toString);
        for (int d : t.shape().dims()) assertTrue(d >= 0 && d <= 4, t.shape()::toString);
        assertEquals(t.shape().size(), t.toArray().length);
        Statistics.collect(t.size() == 0);
        Statistics.coverage(c -> c.check(true).percentage(p -> p > 5));
    }

    @Property(tries = 300, seed = "707")
    @StatisticsReport(StatisticsReportMode.OFF)
    void broadcastablePairsAlwaysBroadcast(@ForAll("pairs") List<Shape> pair) {
        assertEquals(2, pair.size());
        Shape out = Shape.broadcast(pair.get(0), pair.get(1)); // throws if they do not
        assertTrue(out.rank() <= 3, out::toString);
        Statistics.collect(!pair.get(0).equals(pair.get(1)));
        Statistics.coverage(c -> c.check(true).percentage(p -> p > 30)); // mostly a real broadcast
    }

    @Property(tries = 50, seed = "708")
    void withShapeGivesExactlyThatShape(@ForAll("twoByThree") Tensor t) {
        assertEquals(Shape.of(2, 3), t.shape());
    }

    @Provide Arbitrary<Tensor> positive() { return Tensors.smallShapes().positive(); }

    @Provide Arbitrary<Tensor> awayFromZero() { return Tensors.smallShapes().awayFromZero(0.1, 5); }

    @Provide Arbitrary<Tensor> any() { return Tensors.smallShapesWithEmpty().any(); }

    @Provide Arbitrary<Shape> rank4dims2to6() { return Tensors.shapes(4, 2, 6); }

    @Provide Arbitrary<Tensor> small() { return Tensors.smallShapes().between(-1, 1); }

    @Provide Arbitrary<Tensor> smallWithEmpty() { return Tensors.smallShapesWithEmpty().awayFromZero(); }

    @Provide Arbitrary<List<Shape>> pairs() { return Tensors.broadcastablePairs(); }

    @Provide Arbitrary<Tensor> twoByThree() { return Tensors.withShape(Shape.of(2, 3)).any(); }
}
