package org.graft.ops.bench;

import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.exp;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.log;
import static org.graft.ops.Ops.matmul;
import static org.graft.ops.Ops.mean;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.neg;
import static org.graft.ops.Ops.param;
import static org.graft.ops.Ops.pow;
import static org.graft.ops.Ops.softmax;
import static org.graft.ops.Ops.sum;
import static org.graft.ops.Ops.tanh;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import org.graft.core.Graph;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.grad.GradTable;
import org.graft.core.rewrite.Phase;
import org.graft.core.rewrite.Rewriter;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * How long the standard rewrite phases take on a graph of 10,000 nodes: the graph a training
 * step compiles, a cost and its gradient with respect to every param, for a deep MLP-like chain
 * written the naive way (softplus as {@code log(1 + exp z)} on every other layer, the L2
 * penalty as {@code sum(W^2)}, the cross-entropy as {@code -sum(t * log(softmax z))}), so the
 * rules have work to do. The chain has as many layers as it takes to reach the node count.
 *
 * <p>Prints the node counts before and after, how many rewrites fired, and the median time of
 * several runs after warm-up runs, for the standard phases together and for each alone:
 *
 * <pre>
 * mvn -B -o -q -pl graph-ops -am test-compile exec:java -Dbench
 * mvn -B -o -q -pl graph-ops -am test-compile exec:java -Dbench -Dexec.args="20000 31"   # nodes, timed runs
 * </pre>
 *
 * ({@code -Dbench} turns on the profile of graph-ops's pom that points {@code exec:java} here.)
 */
public final class RewriteBenchmark {
    private RewriteBenchmark() {}

    private static final int WIDTH = 8, CLASSES = 4, WARM_UP = 5;

    /** A cost, its gradients, and the size of the chain they come from. */
    record Workload(List<Node> roots, int layers) {}

    public static void main(String[] args) {
        int target = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        Workload w = withAtLeast(target);
        List<Phase> phases = Options.DEFAULT.phases();
        Rewriter.Result result = Rewriter.of(phases).rewrite(w.roots());
        System.out.printf(Locale.ROOT, "rewriting the cost and gradients of a %d-layer MLP chain: %d nodes before, %d after; "
                        + "%d rewrites fired%n", w.layers(), size(w.roots()), size(result.roots()), result.log().size());
        System.out.printf(Locale.ROOT, "  %-40s median %7.1f ms of %d runs%n", names(phases), median(phases, w, runs), runs);
        for (Phase p : phases) {
            System.out.printf(Locale.ROOT, "  %-40s median %7.1f ms%n", p.name() + " alone", median(List.of(p), w, runs));
        }
    }

    /** The smallest chain whose cost and gradients have at least {@code target} nodes. */
    static Workload withAtLeast(int target) {
        int lo = 1, hi = 2;
        while (size(build(hi).roots()) < target) hi *= 2;
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (size(build(mid).roots()) >= target) hi = mid;
            else lo = mid + 1;
        }
        return build(lo);
    }

    /** The naive MLP chain of {@code layers} hidden layers: its mean cross-entropy plus L2 penalty, and the gradients. */
    static Workload build(int layers) {
        var random = new SplittableRandom(5);
        Input x = input("x", "n", WIDTH), t = input("t", "n", CLASSES);
        var params = new ArrayList<Param>();
        Node h = x, penalty = null;
        for (int i = 0; i <= layers; i++) {
            int out = i == layers ? CLASSES : WIDTH;
            Param w = param("W" + i, Tensor.normal(Shape.of(WIDTH, out), 0, 0.3, random));
            Param b = param("b" + i, Tensor.zeros(Shape.of(out)));
            params.add(w);
            params.add(b);
            Node z = add(matmul(h, w), b);
            h = i == layers ? z : i % 2 == 0 ? tanh(z) : log(add(1.0, exp(z)));
            Node l2 = sum(pow(w, 2.0));
            penalty = penalty == null ? l2 : add(penalty, l2);
        }
        Node crossEntropy = mean(neg(sum(mul(t, log(softmax(h))), -1)));
        Node cost = add(crossEntropy, mul(1e-4, penalty));
        var roots = new ArrayList<Node>(List.of(cost));
        roots.addAll(GradTable.grad(cost, params));
        return new Workload(List.copyOf(roots), layers);
    }

    /** The median wall time of rewriting the workload with {@code phases}, in milliseconds. */
    private static double median(List<Phase> phases, Workload w, int runs) {
        Rewriter rewriter = Rewriter.of(phases);
        for (int i = 0; i < WARM_UP; i++) rewriter.rewrite(w.roots());
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            rewriter.rewrite(w.roots());
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(ms);
        return runs % 2 == 1 ? ms[runs / 2] : (ms[runs / 2 - 1] + ms[runs / 2]) / 2;
    }

    private static int size(List<Node> roots) { return Graph.topologicalOrder(roots).size(); }

    private static String names(List<Phase> phases) {
        return String.join(", ", phases.stream().map(Phase::name).toList());
    }
}
