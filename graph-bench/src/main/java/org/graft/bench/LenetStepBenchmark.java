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

/** One LeNet training step ({@link LenetStep}), as {@link GraftStepBenchmark} times the MLP's. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Dgraft.threads=1")
public class LenetStepBenchmark {
    @Param({"f64", "f32"})
    public String dtype;

    private TrainingStep step;

    @Setup(Level.Trial)
    public void compile() { step = new LenetStep(DType.valueOf(dtype.toUpperCase(Locale.ROOT))); }

    @Setup(Level.Iteration)
    public void reset() { step.reset(); }

    @Benchmark
    public double step() { return step.step(); }

    @TearDown(Level.Iteration)
    public void countAllocation() { StepAllocation.count(step); }
}
