package org.graft.bench;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.graft.core.runtime.Function;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The time from Graft source to a planned function, for programs whose size doubles
 * ({@link ScalingPrograms}): parsing, building the graphs and gradients, rewriting, compiling
 * and planning should all cost time linear in the program, so each doubling should cost about
 * twice the time. Each shot is timed alone (JMH's single-shot mode) in a warm JVM; the table
 * takes the median.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgsAppend = {"-Dgraft.threads=1", "-Xmx8g"})
public class ScalingBenchmark {
    /** {@code kind:size}, the kinds of {@link ScalingPrograms}; the table pairs each size with its double. */
    @Param({"mlp:20", "mlp:40", "hvp:10", "hvp:20", "sum:16384", "sum:32768", "sum:131072", "sum:262144",
            "chain:8192", "chain:16384"})
    public String program;

    private ScalingPrograms kind;
    private String source;

    @Setup
    public void write() {
        String[] p = program.split(":");
        kind = ScalingPrograms.valueOf(p[0].toUpperCase(Locale.ROOT));
        source = kind.source(Integer.parseInt(p[1]));
    }

    @Benchmark
    public Function prepare() { return kind.prepare(source); }
}
