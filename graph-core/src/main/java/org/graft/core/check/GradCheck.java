package org.graft.core.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BinaryOperator;
import java.util.function.DoubleSupplier;
import java.util.function.ToDoubleFunction;
import java.util.function.UnaryOperator;

import org.graft.core.Constant;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.ShapeError;
import org.graft.core.Type;
import org.graft.core.grad.GradTable;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Function;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * Checks a graph's symbolic gradient against central finite differences, in f64.
 *
 * <p>Checks run in f64 only: in f32 a central difference carries an error of about
 * {@code eps^(2/3)}, some 1e-5 relative at best, too coarse to tell a wrong gradient from
 * rounding at useful tolerances. Points given as f32 tensors are converted to f64 and the graph
 * is built on f64 inputs; a model's f32 cost is refused by {@link #params} (compile the model
 * in f64 and check that, as {@code graft gradcheck} does with the language's dtype option).
 *
 * <p>It checks the graph as written, compiled without rewrites ({@code Options.NONE}): what is
 * under test is the ops' bprops, not what the rewrite rules make of them.
 *
 * <p>The graph {@code y = f(x1, ..., xk)} is projected to the scalar {@code phi = <r, y>} with
 * a fixed random {@code r} whose entries lie in [0.5, 1.5) (so no element of {@code y} is
 * ignored or cancelled). For each input, along a random direction {@code d}, the symbolic
 * {@code <dphi/dx, d>} is compared with {@code (phi(x + h d) - phi(x - h d)) / 2h}. A check
 * fails only when both the absolute and the relative error exceed their tolerances; a failure
 * is then narrowed down to the element whose partial derivative is furthest off. The relative
 * error is taken against the size of the terms {@code |dphi/dx_i d_i|} of that sum where they
 * cancel to a smaller value: the difference's truncation error grows with the terms, so a
 * correct gradient whose terms nearly cancel would otherwise fail (a sign error in one term
 * still shows, as a relative error of about 2 / the number of elements).
 *
 * <pre>{@code
 * GradCheck.of(Ops::log).at(x).assertClose();
 * GradCheck.of(Ops::matmul).at(a, b).tolerance(1e-8, 1e-6).assertClose();
 * }</pre>
 *
 * <p>A model's scalar cost is checked with respect to its params, where they stand, with
 * {@link #params(Node, List, Map, long)}, as written too, or with
 * {@link #params(Node, List, Map, long, Options)} as compiled with rewrites, the cost and its
 * gradient as a training step runs them.
 */
public final class GradCheck {
    /** The step of the central differences: h balances truncation (h^2) against rounding (eps/h). */
    private static final double DIFFERENCE_STEP = Math.cbrt(DType.F64.epsilon());
    private static final double ABSOLUTE_TOLERANCE = 1e-7;
    private static final double RELATIVE_TOLERANCE = 1e-6;
    /** The ulps of rounding allowed in each value of phi, a sum of many rounded terms. */
    private static final double ROUNDING_ULPS = 16;
    /** Beyond this many elements a failure is reported by direction, not narrowed to an element. */
    private static final int MAX_ELEMENT_SCAN = 4096;

    /**
     * How one variable's gradient compared along its random direction {@code d}: the symbolic
     * {@code <dphi/dx, d>}, the central difference, and their absolute and relative errors;
     * {@code ok} unless both errors exceed their tolerances.
     */
    public record Comparison(String variable, Shape shape, double symbolic, double numeric,
                             double absError, double relError, boolean ok) {}

    private final java.util.function.Function<List<Node>, Node> f;
    private final List<Tensor> points;
    private final double atol;
    private final double rtol;
    private final long seed;

    private GradCheck(java.util.function.Function<List<Node>, Node> f, List<Tensor> points,
                      double atol, double rtol, long seed) {
        this.f = f;
        this.points = points;
        this.atol = atol;
        this.rtol = rtol;
        this.seed = seed;
    }

    /** Checks a graph of one input. */
    public static GradCheck of(UnaryOperator<Node> f) { return ofList(in -> f.apply(in.get(0))); }

    /** Checks a graph of two inputs. */
    public static GradCheck of(BinaryOperator<Node> f) { return ofList(in -> f.apply(in.get(0), in.get(1))); }

    /** Checks a graph of any number of inputs, given as a list. */
    public static GradCheck ofList(java.util.function.Function<List<Node>, Node> f) {
        return new GradCheck(f, List.of(), Double.NaN, Double.NaN, 20260101L);
    }

    /** The point at which to check, one tensor per input; f32 values are checked in f64. */
    public GradCheck at(Tensor... values) {
        List<Tensor> inF64 = Arrays.stream(values).map(v -> v.astype(DType.F64)).toList();
        return new GradCheck(f, inF64, atol, rtol, seed);
    }

    /** Overrides the tolerances, 1e-7 absolute and 1e-6 relative by default. */
    public GradCheck tolerance(double absolute, double relative) {
        return new GradCheck(f, points, absolute, relative, seed);
    }

    /** The seed of the projection and the directions; reported in every failure. */
    public GradCheck seed(long newSeed) { return new GradCheck(f, points, atol, rtol, newSeed); }

    /** Throws an {@link AssertionError} describing the worst disagreement, if any. */
    public void assertClose() {
        String failure = check();
        if (failure != null) throw new AssertionError(failure);
    }

    /** Null when the gradients agree, else a description of where and by how much they differ. */
    public String check() {
        if (points.isEmpty()) throw new IllegalStateException("GradCheck: no point given; call at(...)");
        var inputs = new ArrayList<Input>();
        for (int i = 0; i < points.size(); i++) inputs.add(new Input("x" + i, Type.of(points.get(i))));
        Node y = f.apply(List.copyOf(inputs));
        requireF64(y, "the graph");
        double h = DIFFERENCE_STEP;
        double absTol = Double.isNaN(atol) ? ABSOLUTE_TOLERANCE : atol;
        double relTol = Double.isNaN(rtol) ? RELATIVE_TOLERANCE : rtol;

        var random = new SplittableRandom(seed);
        Tensor r = Tensor.uniform(y.type().shape(), 0.5, 1.5, random.split());
        List<Node> grads = GradTable.vjp(y, Constant.of(r), inputs, GradTable.Disconnected.ZEROS);
        Function value = Compiler.compile(inputs, List.of(y), Options.NONE);
        List<Tensor> symbolic = Compiler.compile(inputs, grads, Options.NONE).call(points);

        for (int i = 0; i < points.size(); i++) {
            Tensor x = points.get(i);
            if (x.size() == 0) continue;
            int moved = i;
            Comparison c = compare(inputs.get(i).label(), x, symbolic.get(i), xi -> phi(value, r, moved, xi),
                    random.split(), h, absTol, relTol);
            if (!c.ok()) {
                String where = worstElement(value, r, i, symbolic.get(i), h, absTol, relTol);
                return where != null ? where : String.format(Locale.ROOT,
                        "gradient check failed for input %s (shape %s) along a random direction: symbolic %s, "
                                + "numeric %s%s (seed %d)", c.variable(), x.shape(), num(c.symbolic()),
                        num(c.numeric()), errors(c.absError(), c.relError(), absTol, relTol), seed);
            }
        }
        return null;
    }

    /**
     * Checks {@code dcost/dp} for every param at its current value, with each input fed its
     * value from {@code inputs}: the same comparison as {@link #check()} along one random
     * direction per param (drawn from {@code seed}), with the default tolerances.
     * Each param is moved while it is checked and has its value back before this returns.
     * Random ops draw the same samples at every evaluation (their stream restarts from
     * {@code seed}), so sampling noise does not enter the differences. A param the cost does
     * not depend on has gradient zero.
     *
     * @throws ShapeError if the cost is not a scalar
     * @throws IllegalArgumentException if the cost is not f64
     */
    public static List<Comparison> params(Node cost, List<Param> params, Map<Input, Tensor> inputs, long seed) {
        return params(cost, params, inputs, seed, Options.NONE);
    }

    /**
     * The same, with the cost and its gradient compiled as {@code options} say: with the
     * rewrite phases, the gradient a training step computes is compared with finite
     * differences of the cost it computes.
     */
    public static List<Comparison> params(Node cost, List<Param> params, Map<Input, Tensor> inputs, long seed,
                                          Options options) {
        if (!cost.type().isScalar()) {
            throw new ShapeError(cost.pos(), "gradient check: the cost must be a scalar, found "
                    + cost.label() + ": " + cost.type());
        }
        requireF64(cost, "the cost " + cost.label());
        List<Node> grads = GradTable.grad(cost, params, GradTable.Disconnected.ZEROS);
        var outputs = new ArrayList<Node>(List.of(cost));
        outputs.addAll(grads);
        // one function for the gradients and every evaluation of the cost, so that all of them
        // draw their samples in the same schedule order
        Function costAndGrads = Compiler.compile(List.copyOf(inputs.keySet()), outputs, options);
        List<Tensor> symbolic = costAndGrads.seed(seed).call(inputs).subList(1, outputs.size());
        DoubleSupplier evaluate = () -> costAndGrads.seed(seed).call(inputs).get(0).item();

        var random = new SplittableRandom(seed);
        var comparisons = new ArrayList<Comparison>();
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            Tensor x = p.value();
            if (x.size() == 0) {
                comparisons.add(new Comparison(p.label(), x.shape(), 0, 0, 0, 0, true));
                continue;
            }
            try {
                comparisons.add(compare(p.label(), x, symbolic.get(i), xi -> {
                    p.set(xi);
                    return evaluate.getAsDouble();
                }, random.split(), DIFFERENCE_STEP, ABSOLUTE_TOLERANCE, RELATIVE_TOLERANCE));
            } finally {
                p.set(x);
            }
        }
        return comparisons;
    }

    /** {@code <g, d>} against {@code (phi(x + h d) - phi(x - h d)) / 2h}, along a random {@code d} from {@code random}. */
    private static Comparison compare(String variable, Tensor x, Tensor g, ToDoubleFunction<Tensor> phi,
                                      SplittableRandom random, double h, double absTol, double relTol) {
        // each element moves in proportion to its own magnitude (at least 1), so a small
        // element is not stepped over by the step a large one needs
        Tensor d = Tensor.uniform(x.shape(), -1.0, 1.0, random).mul(x.map(GradCheck::scale));
        double sym = g.dot(d);
        double plus = phi.applyAsDouble(x.add(d.map(v -> v * h))), minus = phi.applyAsDouble(x.sub(d.map(v -> v * h)));
        double num = (plus - minus) / (2 * h);
        double tol = Math.max(absTol, roundingOf(plus, minus, h));
        // <g, d> is a sum of terms g_i d_i, and the difference's truncation error grows with the
        // terms, not with their sum: where they cancel, the error is measured against the terms
        double terms = g.map(Math::abs).dot(d.map(Math::abs));
        double size = Math.max(terms, Math.max(Math.abs(sym), Math.abs(num)));
        double rel = size == 0 ? 0 : Math.abs(sym - num) / size;
        boolean ok = Math.abs(sym - num) <= tol || rel <= relTol; // NaN on either side fails
        return new Comparison(variable, x.shape(), sym, num, Math.abs(sym - num), rel, ok);
    }

    /**
     * The error of the central difference itself from rounding phi: a few ulps of each value,
     * divided by 2h. Where phi is large and its directional derivative small by cancellation,
     * this exceeds a fixed absolute tolerance, and a correct gradient would fail without it.
     */
    private static double roundingOf(double plus, double minus, double h) {
        return ROUNDING_ULPS * DType.F64.epsilon() * (Math.abs(plus) + Math.abs(minus)) / (2 * h);
    }

    /** An error unless {@code n} is f64: finite differences in f32 are too coarse for these tolerances. */
    private static void requireF64(Node n, String what) {
        if (n.type().dtype() != DType.F64) {
            throw new IllegalArgumentException("gradient checks run in f64, since finite differences in "
                    + n.type().dtype() + " are too coarse for their tolerances, but " + what + " is " + n.type()
                    + ": build it in f64 (a program compiled with the dtype option F64)");
        }
    }

    /** The input element whose partial derivative is furthest off, described; null if none fails. */
    private String worstElement(Function value, Tensor r, int i, Tensor symbolic, double h,
                                double absTol, double relTol) {
        Tensor x = points.get(i);
        if (x.size() > MAX_ELEMENT_SCAN) return null;
        int worst = -1;
        double worstRel = -1, worstNum = 0;
        double[] base = x.toArray();
        for (int e = 0; e < base.length; e++) {
            double step = h * scale(base[e]);
            double[] plus = base.clone(), minus = base.clone();
            plus[e] += step;
            minus[e] -= step;
            double up = phi(value, r, i, Tensor.of(x.shape(), plus)), down = phi(value, r, i, Tensor.of(x.shape(), minus));
            double num = (up - down) / (2 * step);
            double sym = symbolic.getFlat(e);
            if (fails(sym, num, Math.max(absTol, roundingOf(up, down, step)), relTol) && relError(sym, num) > worstRel) {
                worst = e;
                worstRel = relError(sym, num);
                worstNum = num;
            }
        }
        if (worst < 0) return null;
        double sym = symbolic.getFlat(worst);
        return String.format(Locale.ROOT, "gradient check failed for input x%d (shape %s) at element %s: "
                        + "symbolic %s, numeric %s%s (seed %d)", i, x.shape(), Arrays.toString(x.shape().unravel(worst)),
                num(sym), num(worstNum), errors(Math.abs(sym - worstNum), relError(sym, worstNum), absTol, relTol), seed);
    }

    private double phi(Function value, Tensor r, int i, Tensor xi) {
        var args = new ArrayList<>(points);
        args.set(i, xi);
        return value.call(args).get(0).dot(r);
    }

    private static boolean fails(double sym, double num, double absTol, double relTol) {
        double abs = Math.abs(sym - num);
        return !(abs <= absTol || relError(sym, num) <= relTol); // NaN on either side fails
    }

    private static double relError(double sym, double num) {
        double scale = Math.max(Math.abs(sym), Math.abs(num));
        return scale == 0 ? 0 : Math.abs(sym - num) / scale;
    }

    private static String errors(double abs, double rel, double absTol, double relTol) {
        return String.format(Locale.ROOT, ", abs error %s > %s, rel error %s > %s", num(abs), num(absTol), num(rel), num(relTol));
    }

    private static String num(double v) { return String.format(Locale.ROOT, "%.6g", v); }

    private static double scale(double x) { return Math.max(1.0, Math.abs(x)); }
}
