package org.graft.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalDouble;

import com.google.gson.JsonParseException;

import org.junit.jupiter.api.Test;

class TableTest {
    /** The fields of JMH 1.37's JSON that the table reads, for three runs and the compile benchmark. */
    static final String JMH = """
            [
              {"benchmark": "org.graft.bench.GraftStepBenchmark.step", "mode": "sample", "params": {"config": "small", "dtype": "f64"},
               "primaryMetric": {"score": 31.0, "scorePercentiles": {"0.0": 18.0, "50.0": 20.0, "100.0": 900.0}, "scoreUnit": "us/op"},
               "secondaryMetrics": {"gc.alloc.rate.norm": {"score": 15000.0, "scoreUnit": "B/op"}, "step.alloc.norm": {"score": 1234.4, "scoreUnit": "B/op"},
                                    "p0.50": {"score": 20.0, "scoreUnit": "us/op"}}},
              {"benchmark": "org.graft.bench.HandStepBenchmark.step", "mode": "sample", "params": {"config": "small", "dtype": "f64"},
               "primaryMetric": {"score": 12.0, "scorePercentiles": {"50.0": 8.0}, "scoreUnit": "us/op"},
               "secondaryMetrics": {"step.alloc.norm": {"score": 0.0, "scoreUnit": "B/op"}}},
              {"benchmark": "org.graft.bench.HandStepBenchmark.step", "mode": "sample", "params": {"config": "large", "dtype": "f32"},
               "primaryMetric": {"score": 70.0, "scorePercentiles": {"50.0": 61.5}, "scoreUnit": "ms/op"}, "secondaryMetrics": {}},
              {"benchmark": "org.graft.bench.CompileBenchmark.compileMediumTrainingStep", "mode": "avgt", "params": {},
               "primaryMetric": {"score": 42.25, "scoreUnit": "ms/op"}, "secondaryMetrics": {}}
            ]
            """;

    static final String TORCH = """
            {"torch": "1.13.1", "threads": 1, "steps": [{"config": "small", "dtype": "f64", "median_us": 250.0, "samples": 4000}]}
            """;

    @Test
    void rowsTakeTheMedianAndTheBytesCountedOnTheBenchmarkThread() {
        Table.Row small = row(Table.parse(JMH, null), "small", "f64");
        assertEquals(OptionalDouble.of(20.0), small.graft());
        assertEquals(OptionalDouble.of(8.0), small.hand());
        assertEquals(OptionalDouble.of(1234.4), small.graftBytes());
        assertEquals(OptionalDouble.empty(), small.torch());
    }

    @Test
    void timesInOtherUnitsBecomeMicroseconds() {
        Table table = Table.parse(JMH, null);
        assertEquals(OptionalDouble.of(61_500.0), row(table, "large", "f32").hand());
        assertEquals(OptionalDouble.of(42.25), table.compileMillis());
    }

    @Test
    void pyTorchMediansJoinTheirRowAndTheRatiosFollow() {
        String text = Table.parse(JMH, TORCH).format("loops", "1");
        String small = text.lines().filter(l -> l.startsWith("small") && l.contains("f64")).findFirst().orElseThrow();
        assertEquals(List.of("small", "64-32-10,", "batch", "32", "f64", "20.0", "µs", "8.00", "µs", "250", "µs", "2.50", "0.08", "1,234"),
                List.of(small.trim().split("\\s+")));
        assertTrue(text.startsWith("One MLP training step (forward, backward, SGD with lr 0.01), median time; GEMM back end: loops, graft.threads=1; PyTorch 1.13.1\n"), text);
        assertTrue(text.endsWith("warm JVM, mean): 42.3 ms\n"), text);
    }

    /** Single-shot runs of the scaling benchmark, with percentiles as JMH 1.37 writes them. */
    static final String SCALING = """
            [
              {"benchmark": "org.graft.bench.ScalingBenchmark.prepare", "mode": "ss", "params": {"program": "sum:16384"},
               "primaryMetric": {"score": 90.0, "scorePercentiles": {"50.0": 80.0}, "scoreUnit": "ms/op"}},
              {"benchmark": "org.graft.bench.ScalingBenchmark.prepare", "mode": "ss", "params": {"program": "sum:32768"},
               "primaryMetric": {"score": 200.0, "scorePercentiles": {"50.0": 168.0}, "scoreUnit": "ms/op"}},
              {"benchmark": "org.graft.bench.ScalingBenchmark.prepare", "mode": "ss", "params": {"program": "chain:4096"},
               "primaryMetric": {"score": 1.5, "scorePercentiles": {"50.0": 1.25}, "scoreUnit": "s/op"}}
            ]
            """;

    @Test
    void scalingRowsGiveTheMedianAndTheGrowthOverHalfTheSize() {
        String text = Table.parse(SCALING, null).format("loops", "1");
        List<String> lines = text.lines().toList();
        int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("program")).findFirst().orElseThrow());
        assertEquals(List.of("(c)", "one", "line", "adding", "N", "terms", "16,384", "terms", "80.0", "ms", "—"),
                List.of(lines.get(header + 2).trim().split("\\s+")));
        assertEquals(List.of("32,768", "terms", "168", "ms", "2.10"), List.of(lines.get(header + 3).trim().split("\\s+")));
        assertEquals(List.of("(d)", "a", "chain", "of", "N", "bindings,", "trained", "4,096", "bindings", "1.25", "s", "—"),
                List.of(lines.get(header + 4).trim().split("\\s+")));
    }

    @Test
    void aCellWithoutAMeasurementShowsADash() {
        String text = Table.parse(JMH, null).format("loops", null);
        String tinyF32 = text.lines().filter(l -> l.startsWith("tiny") && l.contains("f32")).findFirst().orElseThrow();
        assertEquals(6, tinyF32.chars().filter(c -> c == '—').count(), tinyF32);
        assertTrue(text.contains("graft.threads=unset; PyTorch not run"), text);
    }

    @Test
    void aStepRunWithoutPercentilesIsRefused() {
        String averageTime = JMH.replace("\"scorePercentiles\": {\"50.0\": 8.0}, ", "");
        var e = assertThrows(JsonParseException.class, () -> Table.parse(averageTime, null));
        assertEquals("org.graft.bench.HandStepBenchmark.step has no median: run it in sample-time mode (-bm sample)", e.getMessage());
    }

    /** A convolution and a LeNet step from JMH, and PyTorch's for one of each. */
    static final String CONV_JMH = """
            [
              {"benchmark": "org.graft.bench.ConvBenchmark.run", "mode": "sample", "params": {"layer": "lenet2", "dtype": "f32", "pass": "backward"},
               "primaryMetric": {"score": 9.0, "scorePercentiles": {"50.0": 8.5}, "scoreUnit": "ms/op"}, "secondaryMetrics": {}},
              {"benchmark": "org.graft.bench.LenetStepBenchmark.step", "mode": "sample", "params": {"dtype": "f64"},
               "primaryMetric": {"score": 50.0, "scorePercentiles": {"50.0": 48.0}, "scoreUnit": "ms/op"}, "secondaryMetrics": {}}
            ]
            """;
    static final String CONV_TORCH = """
            {"torch": "1.13.1", "threads": 1, "steps": [],
             "conv": [{"layer": "lenet2", "dtype": "f32", "pass": "backward", "median_us": 17000.0, "samples": 50}],
             "lenet": [{"dtype": "f64", "median_us": 360000.0, "samples": 3}]}
            """;

    @Test
    void convolutionRowsJoinGraftsAndPyTorchsMediansByLayerDtypeAndPass() {
        Table table = Table.parse(CONV_JMH, CONV_TORCH);
        assertEquals(List.of(new Table.ConvRow("LeNet step, batch 100", "f64", null, OptionalDouble.of(48_000), OptionalDouble.of(360_000)),
                new Table.ConvRow(ConvLayer.named("lenet2").toString(), "f32", "backward", OptionalDouble.of(8_500), OptionalDouble.of(17_000))),
                table.convRows());
        String line = table.format("loops", "1").lines().filter(l -> l.startsWith("lenet2")).findFirst().orElseThrow();
        assertTrue(line.endsWith("f32   backward     8.50 ms    17.0 ms          0.50"), line);
    }

    @Test
    void timesKeepThreeSignificantDigits() {
        assertEquals("0.28 µs", Table.time(OptionalDouble.of(0.281)));
        assertEquals("15.3 µs", Table.time(OptionalDouble.of(15.26)));
        assertEquals("2.90 ms", Table.time(OptionalDouble.of(2_901)));
        assertEquals("770 ms", Table.time(OptionalDouble.of(770_400)));
        assertEquals("1.20 s", Table.time(OptionalDouble.of(1_200_000)));
    }

    private static Table.Row row(Table table, String config, String dtype) {
        return table.rows().stream().filter(r -> r.mlp().name().equals(config) && r.dtype().equals(dtype)).findFirst().orElseThrow();
    }
}
