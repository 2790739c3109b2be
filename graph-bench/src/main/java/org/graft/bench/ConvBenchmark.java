package org.graft.bench;

import static org.graft.ops.Ops.conv2d;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.sum;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Type;
import org.graft.core.grad.GradTable;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Function;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Tensor;
import org.graft.ops.Conv;
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
 * {@code conv2d} alone, as a compiled function: the forward pass (y from x and W), or the
 * backward pass (both gradients of {@code <g, y>}, dx and dW, from x, W and g). Sample time,
 * so the table can report the median.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Dgraft.threads=1")
public class ConvBenchmark {
    @Param({"lenet1", "lenet2", "conv3x3"})
    public String layer;

    @Param({"f64", "f32"})
    public String dtype;

    @Param({"forward", "backward"})
    public String pass;

    private Function function;
    private Tensor[] arguments;

    @Setup
    public void compile() {
        ConvLayer l = ConvLayer.named(layer);
        DType d = DType.valueOf(dtype.toUpperCase(Locale.ROOT));
        Input x = new Input("x", Type.of(d, l.batch(), l.channels(), l.size(), l.size()));
        Input w = new Input("W", Type.of(d, l.filters(), l.channels(), l.taps(), l.taps()));
        Node y = conv2d(x, w, Conv.Spec.of(1, l.padding(), 1, 1));
        Input g = new Input("g", y.type());
        var random = new SplittableRandom(Problem.SEED);
        Tensor xs = Tensor.uniform(d, x.type().shape(), -1, 1, random), ws = Tensor.uniform(d, w.type().shape(), -0.1, 0.1, random);
        if (pass.equals("forward")) {
            function = Compiler.compile(List.of(x, w), List.of(y));
            arguments = new Tensor[] {xs, ws};
        } else {
            function = Compiler.compile(List.of(x, w, g), GradTable.grad(sum(mul(y, g)), List.of(x, w)));
            arguments = new Tensor[] {xs, ws, Tensor.uniform(d, y.type().shape(), -1, 1, random)};
        }
    }

    @Benchmark
    public Object run() {
        function.run(arguments);
        return function;
    }
}
