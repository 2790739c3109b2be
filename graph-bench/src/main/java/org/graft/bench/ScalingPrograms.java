package org.graft.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.graft.core.Dim;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Function;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.graft.dsl.Graft;
import org.graft.dsl.Program;
import org.graft.ops.Ops;

/**
 * The programs whose compile time should grow linearly with their size, as Graft source: what
 * a user writes, so the time includes parsing. Each is built (parsed, compiled to graphs,
 * differentiated), rewritten, compiled and planned for a batch of 4 by {@link #prepare}.
 *
 * <ul>
 *   <li>{@code mlp}: a training step (the objective's SGD updates) of an MLP of {@code size}
 *       tanh layers of width 32 with softmax cross-entropy;
 *   <li>{@code hvp}: the Hessian-vector product of the same classifier with {@code size}
 *       layers, {@code grad(<grad(loss, W), v>, W)} for every weight as outputs, each
 *       {@code grad} taken for all the weights at once;
 *   <li>{@code sum}: one line adding {@code size} terms, {@code t = x + x + ... + x};
 *   <li>{@code chain}: {@code size} bindings, each a function of the one before and a shared
 *       weight, trained (so the gradient walks back through all of them).
 * </ul>
 */
public enum ScalingPrograms {
    MLP("(a) an MLP's training step (tanh, softmax cross-entropy, SGD)", "layers"),
    HVP("(b) the Hessian-vector product of the same classifier", "layers"),
    SUM("(c) one line adding N terms", "terms"),
    CHAIN("(d) a chain of N bindings, trained", "bindings");

    /** What the program is, for the table. */
    final String what;
    /** What its size counts. */
    final String unit;

    ScalingPrograms(String what, String unit) {
        this.what = what;
        this.unit = unit;
    }

    /** The source of the program of this kind and size. */
    public String source(int size) {
        var s = new StringBuilder();
        switch (this) {
            case MLP, HVP -> {
                s.append("input x: [n, 32]\ninput y: [n, 32]\n");
                for (int i = 1; i <= size; i++) s.append("param W").append(i).append(": [32, 32] = normal(0, 0.2)\n");
                s.append("h0 = x\n");
                for (int i = 1; i <= size; i++) {
                    String z = "h" + (i - 1) + " @ W" + i;
                    s.append("h").append(i).append(" = ").append(i < size ? "tanh(" + z + ")" : z).append('\n');
                }
                s.append("loss = mean(softmax_cross_entropy(h").append(size).append(", y))\n");
                if (this == MLP) {
                    s.append("minimize loss with sgd(0.1)\n");
                } else {
                    s.append(names("g", size)).append(" = grad(loss, [").append(names("W", size)).append("])\ngv = 0");
                    for (int i = 1; i <= size; i++) s.append(" + sum(g").append(i).append(" * 0.5)");
                    s.append('\n').append(names("hv", size)).append(" = grad(gv, [").append(names("W", size)).append("])\n");
                    s.append("output ").append(names("hv", size)).append('\n');
                }
            }
            case SUM -> {
                s.append("input x: [n, 4]\nt = x");
                for (int i = 1; i < size; i++) s.append(" + x");
                s.append("\noutput t\n");
            }
            case CHAIN -> {
                s.append("input x: [n, 4]\nparam w: [4] = normal(0, 0.5)\na0 = x\n");
                for (int i = 1; i <= size; i++) s.append('a').append(i).append(" = tanh(a").append(i - 1).append(" * w + x)\n");
                s.append("loss = mean(a").append(size).append(" ^ 2)\nminimize loss with sgd(0.1)\n");
            }
        }
        return s.toString();
    }

    /** {@code p1, p2, ..., pN}. */
    private static String names(String prefix, int n) {
        var s = new StringBuilder();
        for (int i = 1; i <= n; i++) s.append(i > 1 ? ", " : "").append(prefix).append(i);
        return s.toString();
    }

    /** From source text to a function with its plan made for a batch of 4: everything before the first call. */
    public Function prepare(String source) { return plan(compile(build(source))); }

    /** What building gives: the graphs of the outputs and updates the function computes. */
    record Built(List<Input> inputs, List<Node> outputs, Map<Param, Node> updates) {}

    /** Parses the source and builds its graphs, gradients included. */
    Built build(String source) {
        Program program = Graft.compile(name().toLowerCase(Locale.ROOT) + ".graft", source);
        program.initialize(1, Map.of("n", 4));
        if (program.objective().isPresent()) {
            return new Built(program.inputs(), List.of(program.objective().get().cost()), program.updates(Ops.constant(0.1)));
        }
        return new Built(program.inputs(), List.copyOf(program.outputs().values()), Map.of());
    }

    /** Rewrites and compiles the graphs. */
    static Function compile(Built built) { return Compiler.compile(built.inputs(), built.outputs(), built.updates()); }

    /** Makes the function's plan for a batch of 4. */
    static Function plan(Function f) {
        List<Input> inputs = f.inputs();
        var batch = new Tensor[inputs.size()];
        for (int i = 0; i < batch.length; i++) {
            int[] dims = inputs.get(i).type().dims().stream().mapToInt(d -> d instanceof Dim.Size n ? n.n() : 4).toArray();
            batch[i] = Tensor.zeros(Shape.of(dims));
        }
        return f.prepare(batch);
    }

    /**
     * Times each stage for one kind at a few sizes, from the command line, for profiling:
     * {@code java -cp graph-bench/target/benchmarks.jar org.graft.bench.ScalingPrograms KIND SIZE...}.
     */
    public static void main(String[] args) {
        ScalingPrograms kind = valueOf(args[0].toUpperCase(Locale.ROOT));
        for (int i = 1; i < args.length; i++) {
            int size = Integer.parseInt(args[i]);
            String source = kind.source(size);
            long gc = gcMillis();
            long start = System.nanoTime();
            Built built = kind.build(source);
            long built_ = System.nanoTime();
            Function f = compile(built);
            long compiled = System.nanoTime();
            plan(f);
            long planned = System.nanoTime();
            System.out.printf("%s %d: %.3f s (build %.3f, rewrite and compile %.3f, plan %.3f; of which GC %.3f)%n", kind, size,
                    (planned - start) / 1e9, (built_ - start) / 1e9, (compiled - built_) / 1e9, (planned - compiled) / 1e9,
                    (gcMillis() - gc) / 1e3);
        }
    }

    private static long gcMillis() {
        long ms = 0;
        for (var bean : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) ms += bean.getCollectionTime();
        return ms;
    }
}
