package org.graft.core.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;

import org.graft.core.Constant;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Type;
import org.graft.core.grad.GradTable;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Function;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Tensor;

/**
 * Checks a graph's symbolic gradient against central finite differences.
 *
 * <p>The graph {@code y = f(x1, ..., xk)} is projected to the scalar {@code phi = <r, y>} with
 * a fixed random {@code r} whose entries lie in [0.5, 1.5) (so no element of {@code y} is
 * ignored or cancelled). For each input, along a random direction {@code d}, the symbolic
 * {@code <dphi/dx, d>} is compared with {@code (phi(x + h d) - phi(x - h d)) / 2h}. A check
 * fails only when both the absolute and the relative error exceed their tolerances; a failure
 * is then narrowed down to the element whose partial derivative is furthest off.
 *
 * <pre>{@code
 * GradCheck.of(Ops::log).at(x).assertClose();
 * GradCheck.of(Ops::matmul).at(a, b).tolerance(1e-8, 1e-6).assertClose();
 * }</pre>
 */
public final class GradCheck {
    /** Beyond this many elements a failure is reported by direction, not narrowed to an element. */
    private static final int MAX_ELEMENT_SCAN = 4096;

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

    /** The point at which to check, one tensor per input. */
    public GradCheck at(Tensor... values) { return new GradCheck(f, List.of(values), atol, rtol, seed); }

    /** Overrides the tolerances chosen by dtype. */
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
        DType dtype = y.type().dtype();
        double h = Math.cbrt(dtype.epsilon());   // balances truncation (h^2) against rounding (eps/h)
        double absTol = Double.isNaN(atol) ? (dtype == DType.F64 ? 1e-7 : 1e-3) : atol;
        double relTol = Double.isNaN(rtol) ? (dtype == DType.F64 ? 1e-6 : 1e-2) : rtol;

        var random = new SplittableRandom(seed);
        Tensor r = Tensor.uniform(y.type().shape(), 0.5, 1.5, random.split());
        List<Node> grads = GradTable.vjp(y, Constant.of(r), inputs, GradTable.Disconnected.ZEROS);
        Function value = Compiler.compile(inputs, List.of(y));
        List<Tensor> symbolic = Compiler.compile(inputs, grads).call(points);

        for (int i = 0; i < points.size(); i++) {
            Tensor x = points.get(i);
            if (x.size() == 0) continue;
            // each element moves in proportion to its own magnitude (at least 1), so a small
            // element is not stepped over by the step a large one needs
            Tensor d = Tensor.uniform(x.shape(), -1.0, 1.0, random.split()).mul(x.map(GradCheck::scale));
            double sym = symbolic.get(i).dot(d);
            double num = centralDifference(value, r, i, x.add(d.map(v -> v * h)), x.sub(d.map(v -> v * h)), h);
            if (fails(sym, num, absTol, relTol)) {
                String where = worstElement(value, r, i, symbolic.get(i), h, absTol, relTol);
                return where != null ? where : String.format(Locale.ROOT,
                        "gradient check failed for input %s (shape %s) along a random direction: symbolic %s, "
                                + "numeric %s%s (seed %d)", inputs.get(i).label(), x.shape(), num(sym), num(num),
                        errors(sym, num, absTol, relTol), seed);
            }
        }
        return null;
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
            double num = centralDifference(value, r, i, Tensor.of(x.shape(), plus), Tensor.of(x.shape(), minus), step);
            double sym = symbolic.getFlat(e);
            if (fails(sym, num, absTol, relTol) && relError(sym, num) > worstRel) {
                worst = e;
                worstRel = relError(sym, num);
                worstNum = num;
            }
        }
        if (worst < 0) return null;
        double sym = symbolic.getFlat(worst);
        return String.format(Locale.ROOT, "gradient check failed for input x%d (shape %s) at element %s: "
                        + "symbolic %s, numeric %s%s (seed %d)", i, x.shape(), Arrays.toString(x.shape().unravel(worst)),
                num(sym), num(worstNum), errors(sym, worstNum, absTol, relTol), seed);
    }

    /** {@code (phi(x + h d) - phi(x - h d)) / 2h}, given the two points, with input i moved. */
    private double centralDifference(Function value, Tensor r, int i, Tensor plus, Tensor minus, double h) {
        return (phi(value, r, i, plus) - phi(value, r, i, minus)) / (2 * h);
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

    private static String errors(double sym, double num, double absTol, double relTol) {
        return String.format(Locale.ROOT, ", abs error %s > %s, rel error %s > %s",
                num(Math.abs(sym - num)), num(absTol), num(relError(sym, num)), num(relTol));
    }

    private static String num(double v) { return String.format(Locale.ROOT, "%.6g", v); }

    private static double scale(double x) { return Math.max(1.0, Math.abs(x)); }
}
