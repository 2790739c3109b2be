package org.graft.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.graft.core.runtime.Function;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The time from nothing to a training step for the medium MLP, in a warm JVM: build the
 * graph on fresh params, differentiate it (the SGD updates), rewrite and compile it, and make
 * its plan for the batch's shapes (kernels, fused chains, buffers). The params' initial
 * tensors and the batch are made once: drawing weights is not compiling.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Dgraft.threads=1")
public class CompileBenchmark {
    private final Mlp mlp = Mlp.MEDIUM;
    private List<Tensor> initial;
    private Tensor[] batch;

    @Setup
    public void draw() {
        Problem problem = Problem.of(mlp, Problem.SEED);
        initial = GraftStep.initialValues(problem, DType.F64);
        batch = new Tensor[] {
            GraftStep.tensor(problem.x(), DType.F64, mlp.batch(), mlp.inputs()),
            GraftStep.tensor(problem.targets(), DType.F64, mlp.batch(), mlp.classes())
        };
    }

    @Benchmark
    public Function compileMediumTrainingStep() {
        return GraftStep.compile(mlp, DType.F64, GraftStep.params(mlp, initial)).prepare(batch);
    }
}
