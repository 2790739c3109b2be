package org.graft.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import org.graft.core.blas.Blas;

/**
 * The one table of {@code bench/compare.sh}: for each configuration and dtype, the median
 * step time of Graft, of the hand-written step and of PyTorch, their ratios, and the bytes
 * Graft allocates per step; then the compile time and the GEMM back end. It reads JMH's JSON
 * results ({@code -rf json}, with {@code -prof org.graft.bench.StepAllocation} for the bytes)
 * and, when there is one, the PyTorch script's JSON:
 *
 * <pre>
 *   java -cp graph-bench/target/benchmarks.jar org.graft.bench.Table jmh.json [torch.json]
 * </pre>
 *
 * A cell with no measurement shows {@code —}.
 */
public final class Table {
    static final String GRAFT_STEP = GraftStepBenchmark.class.getName() + ".step";
    static final String HAND_STEP = HandStepBenchmark.class.getName() + ".step";
    static final String COMPILE = CompileBenchmark.class.getName() + ".compileMediumTrainingStep";
    static final String SCALING = ScalingBenchmark.class.getName() + ".prepare";
    static final String CONV = ConvBenchmark.class.getName() + ".run";
    static final String LENET = LenetStepBenchmark.class.getName() + ".step";
    static final List<String> PASSES = List.of("forward", "backward");
    static final List<String> DTYPES = List.of("f64", "f32");
    static final String NONE = "—";

    /** What was measured for one configuration and dtype: times in microseconds, allocation in bytes. */
    record Row(Mlp mlp, String dtype, OptionalDouble graft, OptionalDouble hand, OptionalDouble torch, OptionalDouble graftBytes) {}

    /** conv2d alone, one pass, or with {@code pass} null one LeNet training step: median times in microseconds. */
    record ConvRow(String what, String dtype, String pass, OptionalDouble graft, OptionalDouble torch) {}

    /** The median time from source to a planned function of one program of {@link ScalingPrograms}, in milliseconds. */
    record Scaling(ScalingPrograms kind, int size, double millis) {}

    private final List<Row> rows;
    private final List<ConvRow> convRows;
    private final OptionalDouble compileMillis;
    private final List<Scaling> scaling;
    private final String torchVersion;

    Table(List<Row> rows, List<ConvRow> convRows, OptionalDouble compileMillis, List<Scaling> scaling, String torchVersion) {
        this.rows = List.copyOf(rows);
        this.convRows = List.copyOf(convRows);
        this.compileMillis = compileMillis;
        this.scaling = List.copyOf(scaling);
        this.torchVersion = torchVersion;
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: Table JMH_JSON [TORCH_JSON]");
            System.exit(2);
        }
        String torch = args.length == 2 ? Files.readString(Path.of(args[1])) : null;
        System.out.print(parse(Files.readString(Path.of(args[0])), torch).format(backEnd(), System.getProperty("graft.threads")));
    }

    /** The GEMM back end this JVM picks with the same {@code -Dgraft.blas} as the benchmarks' forks. */
    static String backEnd() { return Blas.gemm().name(); }

    /** The table of JMH's results and, if not null, the PyTorch script's. */
    static Table parse(String jmhJson, String torchJson) {
        var medians = new HashMap<String, Double>();   // benchmark|config|dtype -> median µs
        var bytes = new HashMap<String, Double>();
        OptionalDouble compile = OptionalDouble.empty();
        var scaling = new ArrayList<Scaling>();
        for (JsonElement e : JsonParser.parseString(jmhJson).getAsJsonArray()) {
            JsonObject run = e.getAsJsonObject();
            String benchmark = run.get("benchmark").getAsString();
            JsonObject primary = run.getAsJsonObject("primaryMetric");
            if (benchmark.equals(COMPILE)) {
                compile = OptionalDouble.of(primary.get("score").getAsDouble() * micros(primary.get("scoreUnit").getAsString()) / 1000);
                continue;
            }
            if (benchmark.equals(SCALING)) {
                String[] program = run.getAsJsonObject("params").get("program").getAsString().split(":");
                JsonElement p50 = primary.getAsJsonObject("scorePercentiles").get("50.0");
                scaling.add(new Scaling(ScalingPrograms.valueOf(program[0].toUpperCase(Locale.ROOT)), Integer.parseInt(program[1]),
                        p50.getAsDouble() * micros(primary.get("scoreUnit").getAsString()) / 1000));
                continue;
            }
            JsonObject params = run.getAsJsonObject("params");
            String key;
            if (benchmark.equals(CONV)) {
                key = CONV + "|" + params.get("layer").getAsString() + "|" + params.get("dtype").getAsString() + "|" + params.get("pass").getAsString();
            } else if (benchmark.equals(LENET)) {
                key = LENET + "|" + params.get("dtype").getAsString();
            } else if (benchmark.equals(GRAFT_STEP) || benchmark.equals(HAND_STEP)) {
                key = benchmark + "|" + params.get("config").getAsString() + "|" + params.get("dtype").getAsString();
            } else {
                continue;
            }
            JsonElement p50 = primary.has("scorePercentiles") ? primary.getAsJsonObject("scorePercentiles").get("50.0") : null;
            if (p50 == null) throw new JsonParseException(benchmark + " has no median: run it in sample-time mode (-bm sample)");
            medians.put(key, p50.getAsDouble() * micros(primary.get("scoreUnit").getAsString()));
            JsonObject secondary = run.getAsJsonObject("secondaryMetrics");
            if (secondary != null && secondary.has(StepAllocation.METRIC)) {
                bytes.put(key, secondary.getAsJsonObject(StepAllocation.METRIC).get("score").getAsDouble());
            }
        }
        var torch = new HashMap<String, Double>();
        String torchVersion = null;
        if (torchJson != null) {
            JsonObject doc = JsonParser.parseString(torchJson).getAsJsonObject();
            torchVersion = doc.get("torch").getAsString();
            for (JsonElement e : doc.getAsJsonArray("steps")) {
                JsonObject s = e.getAsJsonObject();
                torch.put(s.get("config").getAsString() + "|" + s.get("dtype").getAsString(), s.get("median_us").getAsDouble());
            }
            for (JsonElement e : doc.has("conv") ? doc.getAsJsonArray("conv") : new JsonArray()) {
                JsonObject s = e.getAsJsonObject();
                torch.put(CONV + "|" + s.get("layer").getAsString() + "|" + s.get("dtype").getAsString() + "|" + s.get("pass").getAsString(),
                        s.get("median_us").getAsDouble());
            }
            for (JsonElement e : doc.has("lenet") ? doc.getAsJsonArray("lenet") : new JsonArray()) {
                JsonObject s = e.getAsJsonObject();
                torch.put(LENET + "|" + s.get("dtype").getAsString(), s.get("median_us").getAsDouble());
            }
        }
        var rows = new ArrayList<Row>();
        for (Mlp mlp : Mlp.ALL) {
            for (String dtype : DTYPES) {
                String at = "|" + mlp.name() + "|" + dtype;
                rows.add(new Row(mlp, dtype, get(medians, GRAFT_STEP + at), get(medians, HAND_STEP + at),
                        get(torch, mlp.name() + "|" + dtype), get(bytes, GRAFT_STEP + at)));
            }
        }
        var convRows = new ArrayList<ConvRow>();
        for (String dtype : DTYPES) {
            String key = LENET + "|" + dtype;
            if (medians.containsKey(key) || torch.containsKey(key)) {
                convRows.add(new ConvRow("LeNet step, batch " + LenetStep.BATCH, dtype, null, get(medians, key), get(torch, key)));
            }
        }
        for (ConvLayer layer : ConvLayer.ALL) {
            for (String dtype : DTYPES) {
                for (String pass : PASSES) {
                    String key = CONV + "|" + layer.name() + "|" + dtype + "|" + pass;
                    if (medians.containsKey(key) || torch.containsKey(key)) {
                        convRows.add(new ConvRow(layer.toString(), dtype, pass, get(medians, key), get(torch, key)));
                    }
                }
            }
        }
        return new Table(rows, convRows, compile, scaling, torchVersion);
    }

    List<ConvRow> convRows() { return convRows; }

    List<Row> rows() { return rows; }

    OptionalDouble compileMillis() { return compileMillis; }

    /** The table as text, saying which back end and how many threads ({@code null}: not set) the run used. */
    String format(String backEnd, String threads) {
        var out = new StringBuilder();
        out.append("One MLP training step (forward, backward, SGD with lr ").append(Problem.LEARNING_RATE)
                .append("), median time; GEMM back end: ").append(backEnd)
                .append(", graft.threads=").append(threads == null ? "unset" : threads);
        out.append(torchVersion == null ? "; PyTorch not run" : "; PyTorch " + torchVersion).append('\n');
        String header = String.format(Locale.ROOT, "%-34s %-5s %10s %10s %10s %10s %13s %13s",
                "config", "dtype", "Graft", "by hand", "PyTorch", "Graft/hand", "Graft/PyTorch", "Graft B/step");
        out.append(header).append('\n').append("-".repeat(header.length())).append('\n');
        for (Row r : rows) {
            out.append(String.format(Locale.ROOT, "%-34s %-5s %10s %10s %10s %10s %13s %13s%n",
                    r.mlp(), r.dtype(), time(r.graft()), time(r.hand()), time(r.torch()),
                    ratio(r.graft(), r.hand()), ratio(r.graft(), r.torch()),
                    r.graftBytes().isPresent() ? String.format(Locale.ROOT, "%,.0f", r.graftBytes().getAsDouble()) : NONE));
        }
        if (!convRows.isEmpty()) out.append('\n').append(formatConv());
        out.append("\nCompile of the medium MLP's training graph (build, differentiate, rewrite, compile, plan; warm JVM, mean): ")
                .append(compileMillis.isPresent() ? String.format(Locale.ROOT, "%.1f ms", compileMillis.getAsDouble()) : NONE)
                .append('\n');
        if (!scaling.isEmpty()) out.append('\n').append(formatScaling());
        return out.toString();
    }

    /** One LeNet training step (SGD, lr 0.1) and conv2d alone, forward or backward to both gradients: median times. */
    String formatConv() {
        var out = new StringBuilder("LeNet's training step (forward, backward, SGD with lr " + LenetStep.LEARNING_RATE
                + ") and conv2d alone (backward: both gradients), median time\n");
        String header = String.format(Locale.ROOT, "%-52s %-5s %-9s %10s %10s %13s", "what", "dtype", "pass", "Graft", "PyTorch",
                "Graft/PyTorch");
        out.append(header).append('\n').append("-".repeat(header.length())).append('\n');
        for (ConvRow r : convRows) {
            out.append(String.format(Locale.ROOT, "%-52s %-5s %-9s %10s %10s %13s%n", r.what(), r.dtype(), r.pass() == null ? "step" : r.pass(),
                    time(r.graft()), time(r.torch()), ratio(r.graft(), r.torch())));
        }
        return out.toString();
    }

    /**
     * The compile times of the scaling programs, each with its growth: its time over the time of
     * the same kind at half the size, where that was measured (about 2 when the cost is linear).
     */
    String formatScaling() {
        var out = new StringBuilder("From source to a planned function (parse, build with gradients, rewrite, compile, plan;"
                + " warm JVM, median of single shots)\n");
        String header = String.format(Locale.ROOT, "%-62s %16s %10s %8s", "program", "size", "time", "growth");
        out.append(header).append('\n').append("-".repeat(header.length())).append('\n');
        var sorted = new ArrayList<>(scaling);
        sorted.sort(java.util.Comparator.comparing(Scaling::kind).thenComparingInt(Scaling::size));
        ScalingPrograms previous = null;
        for (Scaling s : sorted) {
            OptionalDouble half = OptionalDouble.empty();
            for (Scaling h : scaling) if (h.kind() == s.kind() && 2 * h.size() == s.size()) half = OptionalDouble.of(h.millis());
            out.append(String.format(Locale.ROOT, "%-62s %16s %10s %8s%n", s.kind() == previous ? "" : s.kind().what,
                    String.format(Locale.ROOT, "%,d %s", s.size(), s.kind().unit), time(OptionalDouble.of(1000 * s.millis())),
                    ratio(OptionalDouble.of(s.millis()), half)));
            previous = s.kind();
        }
        return out.toString();
    }

    /** A time given in microseconds, with three significant digits in the unit that fits. */
    static String time(OptionalDouble micros) {
        if (micros.isEmpty()) return NONE;
        double us = micros.getAsDouble();
        if (us < 1000) return significant(us) + " µs";
        if (us < 1_000_000) return significant(us / 1000) + " ms";
        return significant(us / 1_000_000) + " s";
    }

    private static String significant(double v) {
        return String.format(Locale.ROOT, v < 10 ? "%.2f" : v < 100 ? "%.1f" : "%.0f", v);
    }

    private static String ratio(OptionalDouble a, OptionalDouble b) {
        return a.isPresent() && b.isPresent() ? String.format(Locale.ROOT, "%.2f", a.getAsDouble() / b.getAsDouble()) : NONE;
    }

    private static OptionalDouble get(Map<String, Double> values, String key) {
        Double v = values.get(key);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /** Microseconds per unit of JMH's {@code ns/op}, {@code us/op}, {@code ms/op}, {@code s/op}. */
    static double micros(String unit) {
        return switch (unit) {
            case "ns/op" -> 1e-3;
            case "us/op" -> 1;
            case "ms/op" -> 1e3;
            case "s/op" -> 1e6;
            default -> throw new JsonParseException("expected a time per op, found the unit " + unit);
        };
    }
}
