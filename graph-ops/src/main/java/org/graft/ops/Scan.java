package org.graft.ops;

import static org.graft.ops.Ops.mul;

import java.util.List;
import java.util.function.DoubleBinaryOperator;

import org.graft.core.Apply;
import org.graft.core.Grad;
import org.graft.core.Node;
import org.graft.core.Op;
import org.graft.core.ShapeError;
import org.graft.core.Type;
import org.graft.core.kernel.Kernel;
import org.graft.core.kernel.Site;
import org.graft.core.tensor.Tensor;

/**
 * Scans along one axis (negative counts from the end): each output element combines the input
 * elements up to it, {@link Cumsum} and {@link Cumprod}, and the first-order linear recurrence
 * {@link Recurrence} that their gradients are written with. Each lane along the axis is walked
 * once, in order, by the reference and the kernel alike (one loop serves both), accumulating
 * in double; an f32 result is rounded once at the end.
 *
 * <p>The gradients divide by nothing, so they hold where elements are 0: the recurrence
 * {@code s_k = a_k s_(k-1) + b_k} runs backwards as its transpose, and a product of the others is
 * a shifted cumulative product, as PyTorch's {@code cumprod} and {@code prod} backward do where
 * an element is 0.
 */
public sealed interface Scan extends Op {

    int axis();

    /** Whether the lanes are walked from their last element to their first. */
    boolean reverse();

    /** Walks each lane of the inputs' shape along the axis: the loop of the reference and of the kernel. */
    void scan(double[][] in, double[] out, Neural.Lanes lanes);

    /** How many operands it takes, all of one type. */
    default int arity() { return 1; }

    @Override
    default Type type(List<Type> in) {
        Op.requireArity(this, in, arity());
        Type x = in.get(0);
        for (Type t : in) {
            if (!t.equals(x)) throw new ShapeError("the operands' types differ: " + in.get(0) + " and " + t);
        }
        x.axis(axis());
        return x;
    }

    @Override
    default Tensor fprop(List<Tensor> in) {
        Tensor x = in.get(0);
        double[] out = new double[x.size()];
        scan(in.stream().map(Tensor::storage).toArray(double[][]::new), out, new Neural.Lanes(x.shape(), axis()));
        return Tensor.of(x.dtype(), x.shape(), out);
    }

    @Override
    default Kernel kernel(Site site) {
        var lanes = new Neural.Lanes(site.in(0), axis());
        int[] in = new int[site.arity()];
        for (int i = 0; i < in.length; i++) in[i] = site.slot(i);
        int out = site.slot();
        double[][] operands = new double[in.length][];
        return b -> {
            for (int i = 0; i < in.length; i++) operands[i] = (double[]) b[in[i]];
            scan(operands, (double[]) b[out], lanes);
        };
    }

    /** Each element of each lane folded with f into the running value, from {@code identity}, the running value written out. */
    private static void running(double[] x, double[] out, Neural.Lanes lanes, boolean reverse, double identity, DoubleBinaryOperator f) {
        for (int lane = 0; lane < lanes.count; lane++) {
            int start = lanes.start(lane);
            double s = identity;
            for (int m = 0; m < lanes.length; m++) {
                int i = at(lanes, start, m, reverse);
                out[i] = s = f.applyAsDouble(s, x[i]);
            }
        }
    }

    /** Where the m-th element of a lane starting at {@code start} is, in the order the scan walks it. */
    private static int at(Neural.Lanes lanes, int start, int m, boolean reverse) {
        return start + (reverse ? lanes.length - 1 - m : m) * lanes.stride;
    }

    /** The running sum along the axis, NumPy's {@code cumsum}: y_k = x_0 + ... + x_k (from the end when {@code reverse}). */
    record Cumsum(int axis, boolean reverse) implements Scan {
        public static final Builtin BUILTIN = Builtin.alongAxis("cumsum", Ops::cumsum, Ops::cumsum, "the running sum along the axis, as NumPy: without an axis, of x flattened (which needs concrete dims). "
                + "The gradient is the running sum from the other end, the op with `reverse=true`").java("`cumsum(x)`, `cumsum(x, axis)`");

        @Override
        public void scan(double[][] in, double[] out, Neural.Lanes lanes) { running(in[0], out, lanes, reverse, 0.0, Double::sum); }

        // dy_i/dx_k = 1 for every i at or after k, so gx_k = Σ_(i≥k) gy_i: the sum from the other end
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(Apply.of(new Cumsum(axis, !reverse), gy))); }
    }

    /** The running product along the axis, NumPy's {@code cumprod}: y_k = x_0 x_1 ... x_k. */
    record Cumprod(int axis) implements Scan {
        public static final Builtin BUILTIN = Builtin.alongAxis("cumprod", Ops::cumprod, Ops::cumprod, "the running product along the axis, as NumPy: without an axis, of x flattened. The gradient divides by "
                + "nothing, so it is exact where elements are 0 (one or several) and matches PyTorch's there: gx_k = (x_0 ⋯ x_(k-1)) "
                + "Σ_(i≥k) gy_i x_(k+1) ⋯ x_i, the sum a linear recurrence run from the end").java("`cumprod(x)`, `cumprod(x, axis)`");

        @Override
        public boolean reverse() { return false; }

        @Override
        public void scan(double[][] in, double[] out, Neural.Lanes lanes) { running(in[0], out, lanes, false, 1.0, (p, x) -> p * x); }

        // dy_i/dx_k = Π_(j≤i, j≠k) x_j for i ≥ k, so gx_k = (Π_(j<k) x_j) t_k with t_k = Σ_(i≥k) gy_i Π_(k<j≤i) x_j,
        // which is t_k = x_(k+1) t_(k+1) + gy_k: the reverse recurrence. Π_(j<k) x_j is y shifted by one, 1 first.
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            Node x = in.get(0);
            return List.of(Grad.of(mul(shifted(y, axis, 1.0), Apply.of(new Recurrence(axis, true), x, gy))));
        }
    }

    /**
     * The first-order linear recurrence along the axis, for operands a and b of one type: forward,
     * s_k = a_k s_(k-1) + b_k with s_0 = b_0 (a_0 is not read); reverse, its transpose in b,
     * s_k = a_(k+1) s_(k+1) + b_k from the last element, s_last = b_last (a_0 is not read). The
     * gradients of the cumulative product and of itself, without a division.
     */
    record Recurrence(int axis, boolean reverse) implements Scan {
        public static final Builtin BUILTIN = Builtin.operator("", "`Scan.Recurrence(axis, reverse)`", "internal: s_k = a_k "
                + "s_(k-1) + b_k along an axis, or reversed, s_k = a_(k+1) s_(k+1) + b_k, its transpose in b: `cumprod`'s gradient "
                + "without a division, and the recurrence's own");

        @Override
        public int arity() { return 2; }

        @Override
        public void scan(double[][] in, double[] out, Neural.Lanes lanes) {
            double[] a = in[0], b = in[1];
            for (int lane = 0; lane < lanes.count; lane++) {
                int start = lanes.start(lane), previous = -1;
                double s = 0.0;
                for (int m = 0; m < lanes.length; m++) {
                    int i = at(lanes, start, m, reverse);
                    // the multiplier is the element's own going forward, the one passed going back
                    out[i] = s = m == 0 ? b[i] : a[reverse ? previous : i] * s + b[i];
                    previous = i;
                }
            }
        }

        // b enters s linearly and the map b -> s of the reverse recurrence is the transpose of the forward one, so gb
        // is the other direction's recurrence of gy. Forward, a_k multiplies s_(k-1): ga_k = gb_k s_(k-1). Reverse,
        // a_k multiplies s_k into s_(k-1): ga_k = gb_(k-1) s_k. Both are 0 at k = 0, where a_0 is not read.
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            Node a = in.get(0);
            Node gb = Apply.of(new Recurrence(axis, !reverse), a, gy);
            Node ga = reverse ? mul(shifted(gb, axis, 0.0), y) : mul(gb, shifted(y, axis, 0.0));
            return List.of(Grad.of(ga), Grad.of(gb));
        }
    }

    /** x moved one place along the axis, {@code fill} first: element k holds x_(k-1). */
    private static Node shifted(Node x, int axis, double fill) { return Apply.of(new Remap.Shift(axis, 1, fill), x); }
}
