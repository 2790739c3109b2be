package org.graft.bench;

import java.util.concurrent.TimeUnit;

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

/** The hand-written step ({@link HandStep64}, {@link HandStep32}), timed as {@link GraftStepBenchmark} times Graft's. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Dgraft.threads=1")
public class HandStepBenchmark {
    @Param({"tiny", "small", "medium", "large"})
    public String config;

    @Param({"f64", "f32"})
    public String dtype;

    private TrainingStep step;

    @Setup(Level.Trial)
    public void allocate() {
        var problem = Problem.of(Mlp.named(config), Problem.SEED);
        step = switch (dtype) {
            case "f64" -> new HandStep64(problem);
            case "f32" -> new HandStep32(problem);
            default -> throw new IllegalArgumentException("expected the dtype f64 or f32, found " + dtype);
        };
    }

    @Setup(Level.Iteration)
    public void reset() { step.reset(); }

    @Benchmark
    public double step() { return step.step(); }

    /** After the timed loop: the allocation per step, for {@link StepAllocation}. */
    @TearDown(Level.Iteration)
    public void countAllocation() { StepAllocation.count(step); }
}
