package org.graft.bench;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.graft.core.tensor.DType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Graft step: one call of the compiled training function, the cost to the blackhole. The
 * params go back to their initial values before each iteration, so every iteration times the
 * same steps whatever ran before it; after each, a few more steps count the bytes a step
 * allocates ({@link StepAllocation}). Sample time, so the table can report the median.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Dgraft.threads=1")
public class GraftStepBenchmark {
    @Param({"tiny", "small", "medium", "large"})
    public String config;

    @Param({"f64", "f32"})
    public String dtype;

    private TrainingStep step;

    @Setup(Level.Trial)
    public void compile() {
        step = new GraftStep(Problem.of(Mlp.named(config), Problem.SEED), DType.valueOf(dtype.toUpperCase(Locale.ROOT)));
    }

    @Setup(Level.Iteration)
    public void reset() { step.reset(); }

    @Benchmark
    public double step() { return step.step(); }

    /** After the timed loop: the allocation per step, for {@link StepAllocation}. */
    @TearDown(Level.Iteration)
    public void countAllocation() { StepAllocation.count(step); }
}
