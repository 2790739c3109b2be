package org.graft.bench;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.ScalarResult;

/**
 * The bytes one step allocates, counted exactly on the thread that runs it: a JMH profiler,
 * {@code -prof org.graft.bench.StepAllocation}, that adds {@code step.alloc.norm} (B/op) to
 * the step benchmarks' results.
 *
 * <p>JMH's {@code -prof gc} reports {@code gc.alloc.rate.norm}: what every thread of the fork
 * allocated during an iteration, over the iteration's operations. JMH itself allocates about
 * 15 KB an iteration, so a step that allocates nothing reads as 15 KB over the steps that fit in
 * one iteration: 0.3 B for a tiny step, but hundreds of bytes for a step of tens of
 * milliseconds. Here each step benchmark, after the timed loop of an iteration, runs
 * {@link #count} on its own thread: a few more steps between two readings of that thread's
 * allocation counter, which HotSpot keeps to the byte. Steps that allocate nothing read 0.
 */
public final class StepAllocation implements InternalProfiler {
    /** The name of the result. */
    public static final String METRIC = "step.alloc.norm";

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Bytes per step of the last count, or NaN: written by the benchmark thread, read by JMH's. */
    private static volatile double lastCount = Double.NaN;

    /** Counts the bytes {@code step} allocates per step over at least one step and about 20 ms, for the profiler to report. */
    static void count(TrainingStep step) {
        lastCount = bytesPerStep(step, 20_000_000L);
    }

    /** The bytes allocated by this thread per step, over at least one step and about {@code nanos}. */
    static double bytesPerStep(TrainingStep step, long nanos) {
        if (!THREADS.isThreadAllocatedMemorySupported() || !THREADS.isThreadAllocatedMemoryEnabled()) return Double.NaN;
        long start = System.nanoTime();
        long before = THREADS.getCurrentThreadAllocatedBytes();
        long steps = 0;
        do {
            step.step();
            steps++;
        } while (System.nanoTime() - start < nanos && steps < 100_000);
        return (THREADS.getCurrentThreadAllocatedBytes() - before) / (double) steps;
    }

    @Override
    public String getDescription() { return "bytes allocated per step on the benchmark's own thread, counted exactly"; }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        lastCount = Double.NaN;
    }

    @Override
    public Collection<ScalarResult> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                   IterationResult result) {
        double bytes = lastCount;
        if (Double.isNaN(bytes)) return List.of();   // a benchmark that does not count, or no counter in this JVM
        return List.of(new ScalarResult(METRIC, bytes, "B/op", AggregationPolicy.AVG));
    }
}
