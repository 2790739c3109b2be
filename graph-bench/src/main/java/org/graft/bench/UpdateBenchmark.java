package org.graft.bench;

import static org.graft.ops.Ops.adamStep;
import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.div;
import static org.graft.ops.Ops.movingAverage;
import static org.graft.ops.Ops.movingAverageOfSquares;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.relu;
import static org.graft.ops.Ops.sigmoid;
import static org.graft.ops.Ops.sqrt;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.sub;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Type;
import org.graft.core.random.Lxm;
import org.graft.core.runtime.Function;
import org.graft.core.runtime.Loop;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
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
 * Adam's update of a param of {@code size} elements, its two moments and the param in one fused
 * loop: as the optimizer builds it ({@code form = update}: a moving average, one of squares and Adam's step,
 * org.graft.ops.Update) and as the primitive ops write it ({@code form = ops}: the dozen
 * multiplications, divisions, additions and the root the optimizer built before). The two give
 * the same bits (UpdateTest); this times one run of the loop, whose inputs are written in place.
 * 392,000 is the mlp's first weight matrix (784 x 500), 50,000 one that stays in L2.
 *
 * <p>Other fused loops run before the measurement, so the fused loop's calls of its ops see
 * several ops, as in training: a loop that has only ever run one chain has its ops inlined, which
 * C2 compiled three to four times slower for the update form in a throwaway harness.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Dgraft.threads=1")
public class UpdateBenchmark {
    private static final double BETA1 = 0.9, BETA2 = 0.999, EPS = 1e-8;

    @Param({"f64", "f32"})
    public String dtype;

    @Param({"50000", "392000"})
    public int size;

    @Param({"ops", "update"})
    public String form;

    /**
     * {@code changing}: each run writes new bias corrections c1 and c2 first, as Adam's step
     * count moves them every step; {@code fixed}: the same scalars every run.
     */
    @Param({"changing", "fixed"})
    public String scalars;

    private int step;

    private Loop loop;
    private final Lxm stream = Function.randomStream(Problem.SEED);

    @Setup
    public void compile() {
        DType d = DType.valueOf(dtype.toUpperCase(Locale.ROOT));
        Input p = new Input("p", Type.of(d, size)), g = new Input("g", Type.of(d, size)), m = new Input("m", Type.of(d, size)),
                v = new Input("v", Type.of(d, size)), lr = new Input("lr", Type.of(d)), c1 = new Input("c1", Type.of(d)),
                c2 = new Input("c2", Type.of(d));
        List<Node> next;
        if (form.equals("ops")) {
            Node m1 = add(mul(BETA1, m), mul(1 - BETA1, g)), v1 = add(mul(BETA2, v), mul(1 - BETA2, square(g)));
            next = List.of(m1, v1, sub(p, div(mul(lr, div(m1, c1)), add(sqrt(div(v1, c2)), EPS))));
        } else {
            Node m1 = movingAverage(m, g, BETA1), v1 = movingAverageOfSquares(v, g, BETA2);
            next = List.of(m1, v1, adamStep(p, m1, v1, lr, c1, c2, EPS));
        }
        List<Input> in = List.of(p, g, m, v, lr, c1, c2);
        loop = new Loop(in, next, dtypes(d, in.size()), in.stream().map(i -> i.type().shape()).toArray(Shape[]::new));
        var random = new SplittableRandom(Problem.SEED);
        double[][] ranges = {{-1, 1}, {-1, 1}, {-0.1, 0.1}, {0, 0.01}, {1e-3, 1e-3}, {0.1, 0.1}, {0.001, 0.001}};
        for (int i = 0; i < in.size(); i++) fill(loop.input(i), ranges[i][0], ranges[i][1], random);
        warmOtherLoops(d);
    }

    private void warmOtherLoops(DType d) {
        Input x = new Input("x", Type.of(d, 4096)), y = new Input("y", Type.of(d, 4096));
        for (Node chain : List.of(mul(relu(x), y), add(sigmoid(x), y), sub(x, mul(0.1, y)), div(x, add(square(y), 1.0)))) {
            var other = new Loop(List.of(x, y), List.of(chain), dtypes(d, 2), new Shape[] {x.type().shape(), y.type().shape()});
            for (int i = 0; i < 3000; i++) other.run(stream);
        }
    }

    private static DType[] dtypes(DType d, int n) {
        var out = new DType[n];
        Arrays.fill(out, d);
        return out;
    }

    private void setScalar(int input, double value) {
        if (loop.input(input) instanceof float[] f) f[0] = (float) value;
        else ((double[]) loop.input(input))[0] = value;
    }

    private static void fill(Object array, double lo, double hi, SplittableRandom random) {
        if (array instanceof float[] f) for (int i = 0; i < f.length; i++) f[i] = (float) (lo + (hi - lo) * random.nextDouble());
        else {
            double[] a = (double[]) array;
            for (int i = 0; i < a.length; i++) a[i] = lo + (hi - lo) * random.nextDouble();
        }
    }

    @Benchmark
    public Object run() {
        if (scalars.equals("changing")) {
            step = step % 100 + 1; // the corrections of the first 100 steps, where each differs from the last
            setScalar(5, 1 - Math.pow(BETA1, step));
            setScalar(6, 1 - Math.pow(BETA2, step));
        }
        loop.run(stream);
        return loop;
    }
}
