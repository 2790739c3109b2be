package org.graft.ops;

import static org.graft.ops.Ops.avgPool2d;
import static org.graft.ops.Ops.avgPool2dGrad;
import static org.graft.ops.Ops.maxPool2d;
import static org.graft.ops.Ops.maxPool2dGather;
import static org.graft.ops.Ops.maxPool2dGrad;

import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

import org.graft.core.Dim;
import org.graft.core.Grad;
import org.graft.core.Linear;
import org.graft.core.Node;
import org.graft.core.Op;
import org.graft.core.ShapeError;
import org.graft.core.Type;
import org.graft.core.blas.Parallel;
import org.graft.core.kernel.Kernel;
import org.graft.core.kernel.Site;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.graft.ops.Pool.Planes.Side;

/**
 * Pooling over windows of NCHW images, each channel of each image on its own: the maximum
 * (PyTorch's {@code max_pool2d}) or the mean ({@code avg_pool2d}) of each window, and the ops
 * their gradients are made of. The window, its stride, its padding (at most half the window's
 * taps, as PyTorch requires) and, for the maximum, its dilation are the op's {@link Window}.
 *
 * <p>The maximum's gradient goes to the window's maximum; where several elements tie for it,
 * it is split evenly among them, as the {@code max} reduction's is (PyTorch gives it all to
 * the first). A window holding NaN has NaN as its maximum, as in PyTorch, and passes no
 * gradient. A dilated window may fall wholly in the padding: its maximum is then -inf, as in
 * PyTorch, and it passes no gradient either.
 */
public sealed interface Pool extends Op {

    /** A window of {@code kh x kw} taps, {@code dh} and {@code dw} apart, moving by the strides over images padded on every side. */
    record Window(int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) {
        public Window {
            if (kh < 1 || kw < 1) throw new ShapeError("the window must be at least 1 x 1, found " + kh + " x " + kw);
            if (sh < 1 || sw < 1) throw new ShapeError("stride must be at least 1, found " + pair(sh, sw));
            if (dh < 1 || dw < 1) throw new ShapeError("dilation must be at least 1, found " + pair(dh, dw));
            // PyTorch's rule: at most half the window's taps
            if (ph < 0 || pw < 0 || 2 * ph > kh || 2 * pw > kw) {
                throw new ShapeError("padding must be between 0 and half the window, found " + pair(ph, pw) + " for a window of "
                        + kh + " x " + kw);
            }
        }

        /** PyTorch's defaults: the stride is the window, no padding, no dilation. */
        public static Window of(int size) { return new Window(size, size, size, size, 0, 0, 1, 1); }

        @Override
        public String toString() {
            var out = new StringBuilder(pair(kh, kw));
            if (sh != kh || sw != kw) out.append(", stride = ").append(pair(sh, sw));
            if (ph != 0 || pw != 0) out.append(", padding = ").append(pair(ph, pw));
            if (dh != 1 || dw != 1) out.append(", dilation = ").append(pair(dh, dw));
            return out.toString();
        }

        private static String pair(int a, int b) { return a == b ? Integer.toString(a) : "[" + a + ", " + b + "]"; }

        /** The window over {@code h x w} planes as the convolution of one channel with one filter. */
        ConvGeometry over(int h, int w) { return new ConvGeometry(1, 1, h, w, 1, kh, kw, new Conv.Spec(sh, sw, ph, ph, pw, pw, dh, dw, 1)); }
    }

    Window window();

    // the kernels serve f32 buffers too: f64 loops on planes widened one at a time, or f32 twins (Planes.kernel)
    @Override
    default Kernel kernelF32(Site site) { return kernel(site); }

    @Override
    default String describe() { return name() + "(" + window() + ")"; }

    /** The pools themselves, of images {@code x}: one value per window, {@code [n, c, h, w] -> [n, c, oh, ow]}. */
    sealed interface OverWindows extends Pool {
        @Override
        default Type type(List<Type> in) {
            Op.requireArity(this, in, 1);
            return pooled(in.get(0), window());
        }

        @Override
        default Tensor fprop(List<Tensor> in) { return run(this, in, pooledShape(in.get(0).shape(), window())); }
    }

    /** Each window's maximum: {@code [n, c, h, w] -> [n, c, oh, ow]}. */
    record MaxPool2d(Window window) implements OverWindows {
        public static final Builtin BUILTIN = Builtin.of("max_pool2d", List.of(Builtin.Param.operand("x"), Builtin.Param.pair("size"),
                        Builtin.Param.optionalPair("stride"), Builtin.Param.pair("padding", 0), Builtin.Param.pair("dilation", 1)),
                a -> maxPool2d(a.operand("x"), Conv.named("max_pool2d", () -> windowOf(a, a.pair("dilation")))),
                "each window's maximum; size, stride (the size when left out), padding (at most half the window) and dilation are "
                + "a number or a pair [along h, along w]. The gradient goes to the maximum, split evenly among ties (as the `max` "
                + "reduction's; PyTorch gives it to the first); a window holding NaN gives NaN and passes no gradient; padding counts as -inf")
                .java("`maxPool2d(x, Pool.Window window)`");

        @Override
        public String name() { return "max_pool2d"; }

        @Override
        public Kernel kernel(Site site) {
            var p = Planes.of(window, site.in(0));
            return p.kernel(site, (b, image, pooled) -> p.max(b[0], b[1], image, pooled),
                    p.twoByTwo() ? (b, image, pooled) -> p.max2x2(b[0], b[1], image, pooled) : null, Side.IMAGES, Side.POOLED);
        }

        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(maxPool2dGrad(in.get(0), y, gy, window))); }

        /** The tangent at each window's maximum, the mean over ties: the transpose of the gradient's even split. */
        @Override
        public Grad jvp(List<Node> in, Node y, List<Node> tangents) { return Grad.of(maxPool2dGather(in.get(0), y, tangents.get(0), window)); }
    }

    /**
     * The two ops of the maximum's gradients, {@code op(x, y, v)}: linear in v, read at the
     * positions of each window's maximum y in x, each the other's adjoint in v. The positions do
     * not move under small changes of x, so x and y get zero gradients.
     */
    sealed interface AtMaximum extends Pool {
        /** This op on another third operand. */
        Node of(Node x, Node y, Node v);

        /** The other op, this one's adjoint in v. */
        Node adjoint(Node x, Node y, Node v);

        @Override
        default List<Grad> bprop(List<Node> in, Node y, Node u) {
            return List.of(Grad.zero(), Grad.zero(), Grad.of(adjoint(in.get(0), in.get(1), u)));
        }

        @Override
        default Grad jvp(List<Node> in, Node y, List<Node> tangents) {
            Node dv = tangents.get(2);
            return dv == null ? Grad.zero() : Grad.of(of(in.get(0), in.get(1), dv));
        }
    }

    /**
     * {@code g} sent back to where each window's maximum {@code y} was found in {@code x}
     * (x-shaped), split evenly among ties, summed where windows overlap.
     */
    record MaxPool2dGrad(Window window) implements AtMaximum {
        public static final Builtin BUILTIN = Builtin.operator("", "`maxPool2dGrad(x, y, g, window)`",
                "internal: max_pool2d's gradient, g sent to each window's maximum; its gradient in g is max_pool2d_gather");

        @Override
        public String name() { return "max_pool2d_grad"; }

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 3);
            Type x = in.get(0);
            Type pooled = pooled(x, window);
            requireType("y", in.get(1), pooled);
            requireType("g", in.get(2), pooled);
            return x;
        }

        @Override
        public Tensor fprop(List<Tensor> in) { return run(this, in, in.get(0).shape()); }

        @Override
        public Kernel kernel(Site site) {
            var p = Planes.of(window, site.in(0));
            return p.kernel(site, (b, image, pooled) -> p.maxGrad(b[0], b[1], b[2], b[3], image, pooled),
                    p.twoByTwo() ? (b, image, pooled) -> p.maxGrad2x2(b[0], b[1], b[2], b[3], image, pooled) : null,
                    Side.IMAGES, Side.POOLED, Side.POOLED, Side.IMAGES);
        }

        @Override
        public Node of(Node x, Node y, Node v) { return maxPool2dGrad(x, y, v, window); }

        @Override
        public Node adjoint(Node x, Node y, Node v) { return maxPool2dGather(x, y, v, window); }
    }

    /**
     * The adjoint of {@link MaxPool2dGrad} in its g: each window's mean of {@code u} over the
     * positions of its maximum {@code y} in {@code x} (y-shaped).
     */
    record MaxPool2dGather(Window window) implements AtMaximum {
        public static final Builtin BUILTIN = Builtin.operator("", "`maxPool2dGather(x, y, u, window)`",
                "internal: each window's u at its maximum (the mean over ties): the gradient of max_pool2d_grad, so second order works");

        @Override
        public String name() { return "max_pool2d_gather"; }

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 3);
            Type x = in.get(0), pooled = pooled(x, window);
            requireType("y", in.get(1), pooled);
            requireType("u", in.get(2), x);
            return pooled;
        }

        @Override
        public Tensor fprop(List<Tensor> in) { return run(this, in, pooledShape(in.get(0).shape(), window)); }

        @Override
        public Kernel kernel(Site site) {
            var p = Planes.of(window, site.in(0));
            return p.kernel(site, (b, image, pooled) -> p.maxGather(b[0], b[1], b[2], b[3], image, pooled), null,
                    Side.IMAGES, Side.POOLED, Side.IMAGES, Side.POOLED);
        }

        @Override
        public Node of(Node x, Node y, Node v) { return maxPool2dGather(x, y, v, window); }

        @Override
        public Node adjoint(Node x, Node y, Node v) { return maxPool2dGrad(x, y, v, window); }
    }

    /**
     * Each window's mean: {@code [n, c, h, w] -> [n, c, oh, ow]}, padding counted as zeros in
     * the mean ({@code countPadding}, PyTorch's default {@code count_include_pad = True}) or
     * left out of it.
     */
    record AvgPool2d(Window window, boolean countPadding) implements OverWindows, Linear {
        public static final Builtin BUILTIN = Builtin.of("avg_pool2d", List.of(Builtin.Param.operand("x"), Builtin.Param.pair("size"),
                        Builtin.Param.optionalPair("stride"), Builtin.Param.pair("padding", 0), Builtin.Param.bool("count_include_pad", true)),
                a -> avgPool2d(a.operand("x"), Conv.named("avg_pool2d", () -> windowOf(a, new int[] {1, 1})), a.bool("count_include_pad")),
                "each window's mean, size, stride and padding as max_pool2d's; padding counts as zeros in the mean unless "
                + "count_include_pad = false, as PyTorch's; linear, so its gradient spreads g evenly back over each window")
                .java("`avgPool2d(x, Pool.Window window)`, `avgPool2d(x, Pool.Window window, countPadding)`");

        public AvgPool2d {
            if (window.dh() != 1 || window.dw() != 1) throw new ShapeError("avg_pool2d has no dilation, found " + window);
        }

        @Override
        public String name() { return "avg_pool2d"; }

        @Override
        public String describe() { return name() + "(" + window + (countPadding ? "" : ", count_include_pad = false") + ")"; }

        @Override
        public Kernel kernel(Site site) {
            var p = Planes.of(window, site.in(0));
            return p.kernel(site, (b, image, pooled) -> p.mean(b[0], b[1], countPadding, image, pooled), null, Side.IMAGES, Side.POOLED);
        }

        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            Type x = in.get(0).type();
            return List.of(Grad.of(avgPool2dGrad(gy, window, countPadding, size(x, 2), size(x, 3))));
        }
    }

    /** The adjoint of {@link AvgPool2d}: each window's {@code g} spread evenly over it, onto {@code h x w} images. */
    record AvgPool2dGrad(Window window, boolean countPadding, int h, int w) implements Pool, Linear {
        public static final Builtin BUILTIN = Builtin.operator("", "`avgPool2dGrad(g, window, countPadding, h, w)`",
                "internal: avg_pool2d's gradient, each window's g spread evenly over it; its own gradient is avg_pool2d");

        @Override
        public String name() { return "avg_pool2d_grad"; }

        @Override
        public String describe() { return name() + "(" + window + (countPadding ? "" : ", count_include_pad = false") + ", size = [" + h + ", " + w + "])"; }

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 1);
            Type g = in.get(0);
            Conv.images("g", g);
            Type x = g.withDims(List.of(g.dim(0), g.dim(1), Dim.of(h), Dim.of(w)));
            requireType("g", g, pooled(x, window));
            return x;
        }

        @Override
        public Tensor fprop(List<Tensor> in) {
            Shape g = in.get(0).shape();
            return run(this, in, Shape.of(g.dim(0), g.dim(1), h, w));
        }

        @Override
        public Kernel kernel(Site site) {
            var p = Planes.of(window, site.out());
            return p.kernel(site, (b, image, pooled) -> p.meanGrad(b[0], b[1], countPadding, image, pooled), null, Side.POOLED, Side.IMAGES);
        }

        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node u) { return List.of(Grad.of(avgPool2d(u, window, countPadding))); }
    }

    /** The window a call of the language asks for: the stride is the size where it is left out, as in PyTorch. */
    private static Window windowOf(Builtin.Args a, int[] dilation) {
        int[] size = a.pair("size"), stride = a.pair("stride"), padding = a.pair("padding");
        if (stride == null) stride = size;
        return new Window(size[0], size[1], stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1]);
    }

    /** The pooled type of images {@code x}, checked. */
    private static Type pooled(Type x, Window window) {
        int[] xs = Conv.images("x", x);
        ConvGeometry g = window.over(xs[2], xs[3]);
        if (g.oh() < 1 || g.ow() < 1) {
            throw new ShapeError("a window of " + window + " does not fit in the " + xs[2] + " x " + xs[3] + " images");
        }
        return x.withDims(List.of(x.dim(0), x.dim(1), Dim.of(g.oh()), Dim.of(g.ow())));
    }

    private static Shape pooledShape(Shape x, Window window) {
        ConvGeometry g = window.over(x.dim(2), x.dim(3));
        return Shape.of(x.dim(0), x.dim(1), g.oh(), g.ow());
    }

    private static void requireType(String name, Type found, Type expected) {
        if (!found.equals(expected)) throw new ShapeError(name + " must be " + expected + ", found " + found);
    }

    private static int size(Type t, int axis) { return ((Dim.Size) t.dim(axis)).n(); }

    /** The op's value by its own kernel, on fresh f64 buffers: the reference and the kernel are one code. */
    private static Tensor run(Pool op, List<Tensor> in, Shape out) {
        Object[] buffers = new Object[in.size() + 1];
        Shape[] shapes = new Shape[in.size()];
        int[] slots = new int[in.size()];
        for (int i = 0; i < in.size(); i++) {
            buffers[i] = in.get(i).storage();
            shapes[i] = in.get(i).shape();
            slots[i] = i;
        }
        buffers[in.size()] = new double[out.size()];
        op.kernel(new Site(DType.F64, out, shapes, in.size(), slots, () -> null)).run(buffers);
        return Tensor.of(in.get(0).dtype(), out, (double[]) buffers[in.size()]);
    }

    /**
     * The windows over every plane (one channel of one image) of a batch, and the kernels that
     * run over them a plane at a time. A window's taps inside the image are a block: for each
     * output row the tap rows inside it, for each output column the tap columns, so the loops
     * visit only those, in the window's row-major order, with no test for the padding.
     *
     * <p>The kernels are written once, on doubles; an f32 node's runs them on each plane's
     * operands widened into scratch planes and rounds the plane's result once, which is the f64
     * kernel's value rounded, as {@code Widened} gives, with copies that stay in cache. The
     * loops of 2 x 2 windows side by side, the common pool, have f32 twins that give the same
     * floats without the copies: a maximum is one of the floats, and a float quotient is the
     * double one rounded.
     */
    final class Planes {
        /**
         * The fewest image values a kernel is split over the threads from: as many as a fused
         * chain of one op is split from, a pass over that many values taking some tens of
         * microseconds.
         */
        static final int PARALLEL_FROM = 1 << 16;

        private final int planes, w, oh, ow, size, spots, kh, kw, taps, rowStep, sw, pw, dw;
        private final boolean twoByTwo;           // 2 x 2 windows side by side (stride 2, no padding, no dilation): loops of their own
        private final int[] rowAt, top, bottom;   // per output row: the plane offset of tap row 0 (it may lie in the padding), the tap rows inside
        private final int[] colAt, left, right;   // per output column: the same along the columns
        private final int[] columnsFrom, columnsTo;   // per tap column: the output columns whose window has it in the image

        private Planes(int planes, int h, int w, Window window) {
            ConvGeometry g = window.over(h, w);
            this.planes = planes;
            this.w = w;
            this.twoByTwo = window.equals(Window.of(2));
            this.oh = g.oh();
            this.ow = g.ow();
            this.size = h * w;
            this.spots = oh * ow;
            this.kh = window.kh();
            this.kw = window.kw();
            this.taps = kh * kw;
            this.rowStep = window.dh() * w;
            this.dw = window.dw();
            this.sw = window.sw();
            this.pw = window.pw();
            this.rowAt = new int[oh];
            this.top = new int[oh];
            this.bottom = new int[oh];
            for (int oy = 0; oy < oh; oy++) {
                int y0 = oy * window.sh() - window.ph();
                rowAt[oy] = y0 * w;
                top[oy] = firstInside(y0, window.dh(), window.kh());
                bottom[oy] = Math.max(top[oy], lastInside(y0, window.dh(), window.kh(), h));
            }
            this.colAt = new int[ow];
            this.left = new int[ow];
            this.right = new int[ow];
            for (int ox = 0; ox < ow; ox++) {
                int x0 = ox * window.sw() - window.pw();
                colAt[ox] = x0;
                left[ox] = firstInside(x0, window.dw(), window.kw());
                right[ox] = Math.max(left[ox], lastInside(x0, window.dw(), window.kw(), w));
            }
            this.columnsFrom = new int[kw];
            this.columnsTo = new int[kw];
            for (int j = 0; j < kw; j++) {
                int ox = 0;
                while (ox < ow && !(left[ox] <= j && j < right[ox])) ox++;
                columnsFrom[j] = ox;
                while (ox < ow && left[ox] <= j && j < right[ox]) ox++;
                columnsTo[j] = ox;
            }
        }

        /** The first of {@code k} taps from {@code at}, {@code step} apart, at or after 0 ({@code k} if none). */
        private static int firstInside(int at, int step, int k) {
            int i = 0;
            while (i < k && at + i * step < 0) i++;
            return i;
        }

        /** One past the last of {@code k} taps from {@code at}, {@code step} apart, before {@code size}. */
        private static int lastInside(int at, int step, int k, int size) {
            int i = k;
            while (i > 0 && at + (i - 1) * step >= size) i--;
            return i;
        }

        /** The windows of {@code window} over images of shape {@code [n, c, h, w]}. */
        static Planes of(Window window, Shape images) {
            return new Planes(images.dim(0) * images.dim(1), images.dim(2), images.dim(3), window);
        }

        /** Which planes a buffer holds: the images' ({@code h x w}) or the pooled ones ({@code oh x ow}). */
        enum Side { IMAGES, POOLED }

        /** A kernel's work on one plane: the buffers (operands, then the result) and where the plane starts in an image and in a pooled buffer. */
        @FunctionalInterface
        interface OnPlane {
            void run(double[][] buffers, int image, int pooled);
        }

        /** The same work on f32 buffers, for the hottest loops, which have f32 twins. */
        @FunctionalInterface
        interface OnFloatPlane {
            void run(float[][] buffers, int image, int pooled);
        }

        /** Whether the windows are 2 x 2 side by side, whose loops have f32 twins. */
        boolean twoByTwo() { return twoByTwo; }

        /**
         * The kernel of {@code site} that runs {@code onPlane} over every plane; {@code sides} says
         * which planes each operand, then the result, holds. On f32 buffers it runs
         * {@code onFloatPlane} where there is one, and otherwise widens each plane's operands into
         * scratch planes and rounds its result back. On more than one thread, images of at least
         * {@link #PARALLEL_FROM} values are split into a range of planes per thread: each plane's
         * values depend on that plane alone, so they are the same bits on any number of threads.
         */
        Kernel kernel(Site site, OnPlane onPlane, OnFloatPlane onFloatPlane, Side... sides) {
            int n = sides.length;
            int[] slots = new int[n];
            for (int i = 0; i < n - 1; i++) slots[i] = site.slot(i);
            slots[n - 1] = site.slot();
            Parallel shared = (long) planes * size >= PARALLEL_FROM ? Parallel.shared() : null;
            Parallel pool = shared != null && shared.parts() > 1 && planes >= shared.parts() ? shared : null;
            int parts = pool == null ? 1 : pool.parts();
            IntConsumer share;
            Object[] arrays = new Object[n];   // this call's buffers, for the shares
            if (site.dtype() == DType.F64) {
                double[][][] views = new double[parts][n][];   // each share's own, so no two threads write one
                share = part -> {
                    double[][] buffers = views[part];
                    for (int i = 0; i < n; i++) buffers[i] = (double[]) arrays[i];
                    for (int p = planes * part / parts, end = planes * (part + 1) / parts; p < end; p++) onPlane.run(buffers, p * size, p * spots);
                };
            } else if (onFloatPlane != null) {
                float[][][] views = new float[parts][n][];
                share = part -> {
                    float[][] buffers = views[part];
                    for (int i = 0; i < n; i++) buffers[i] = (float[]) arrays[i];
                    for (int p = planes * part / parts, end = planes * (part + 1) / parts; p < end; p++) onFloatPlane.run(buffers, p * size, p * spots);
                };
            } else {
                double[][][] scratch = new double[parts][n][];
                for (double[][] buffers : scratch) {
                    for (int i = 0; i < n; i++) buffers[i] = new double[sides[i] == Side.IMAGES ? size : spots];
                }
                share = part -> {
                    double[][] buffers = scratch[part];
                    for (int p = planes * part / parts, end = planes * (part + 1) / parts; p < end; p++) {
                        for (int i = 0; i < n - 1; i++) {
                            float[] from = (float[]) arrays[i];
                            double[] to = buffers[i];
                            for (int k = 0, at = sides[i] == Side.IMAGES ? p * size : p * spots; k < to.length; k++) to[k] = from[at + k];
                        }
                        onPlane.run(buffers, 0, 0);
                        double[] from = buffers[n - 1];
                        float[] to = (float[]) arrays[n - 1];
                        for (int k = 0, at = sides[n - 1] == Side.IMAGES ? p * size : p * spots; k < from.length; k++) to[at + k] = (float) from[k];
                    }
                };
            }
            return b -> {
                for (int i = 0; i < n; i++) arrays[i] = b[slots[i]];
                try {
                    Parallel.run(pool, share);
                } finally {
                    Arrays.fill(arrays, null);
                }
            };
        }

        /**
         * Each window's maximum: a NaN, once met, stays; of equal values (0 and -0) the first. Both
         * are rare, so the loop takes {@link Math#max}, which the JIT compiles without a branch
         * (whether the next tap is larger is a coin toss on real data, which a branch mispredicts
         * half the time), and a window whose maximum is 0 or NaN is read again in the tap order.
         */
        void max(double[] x, double[] y, int image, int pooled) {
            if (twoByTwo) {
                max2x2(x, y, image, pooled);
                return;
            }
            // a tap at a time across an output row: the windows' maxima are independent, where one
            // window's taps would wait on each other's
            for (int oy = 0, s = pooled; oy < oh; oy++, s += ow) {
                Arrays.fill(y, s, s + ow, Double.NEGATIVE_INFINITY);
                for (int i = top[oy], row = image + rowAt[oy] + i * rowStep; i < bottom[oy]; i++, row += rowStep) {
                    for (int j = 0; j < kw; j++) {
                        for (int ox = columnsFrom[j], at = row + j * dw + ox * sw - pw; ox < columnsTo[j]; ox++, at += sw) {
                            y[s + ox] = Math.max(y[s + ox], x[at]);
                        }
                    }
                }
                for (int ox = 0; ox < ow; ox++) {
                    double m = y[s + ox];
                    if (m == 0 || m != m) y[s + ox] = inTapOrder(x, image, oy, ox);
                }
            }
        }

        /** {@link #max} for 2 x 2 windows side by side, each window's four taps read at once. */
        void max2x2(double[] x, double[] y, int image, int pooled) {
            for (int oy = 0, s = pooled; oy < oh; oy++) {
                for (int ox = 0, k = image + 2 * oy * w; ox < ow; ox++, s++, k += 2) {
                    double a = x[k], b = x[k + 1], c = x[k + w], d = x[k + w + 1], m = Math.max(Math.max(a, b), Math.max(c, d));
                    y[s] = m == 0 || m != m ? inTapOrder(a, b, c, d) : m;
                }
            }
        }

        void max2x2(float[] x, float[] y, int image, int pooled) {
            for (int oy = 0, s = pooled; oy < oh; oy++) {
                for (int ox = 0, k = image + 2 * oy * w; ox < ow; ox++, s++, k += 2) {
                    float a = x[k], b = x[k + 1], c = x[k + w], d = x[k + w + 1], m = Math.max(Math.max(a, b), Math.max(c, d));
                    y[s] = m == 0 || m != m ? (float) inTapOrder(a, b, c, d) : m;
                }
            }
        }

        /** The maximum of four taps in their order, as {@link #inTapOrder(double[], int, int, int)} takes it. */
        private static double inTapOrder(double a, double b, double c, double d) { return atLeast(atLeast(atLeast(a, b), c), d); }

        /** {@code v} if it is greater than {@code m} or NaN, unless {@code m} is NaN already; else {@code m}. */
        private static double atLeast(double m, double v) { return !(v <= m) && m == m ? v : m; }

        /** The maximum of window (oy, ox) taken in the tap order: the first NaN, or the first of equal values. */
        private double inTapOrder(double[] x, int image, int oy, int ox) {
            double m = Double.NEGATIVE_INFINITY;
            for (int i = top[oy], row = image + rowAt[oy] + colAt[ox] + i * rowStep; i < bottom[oy]; i++, row += rowStep) {
                for (int j = left[ox]; j < right[ox]; j++) {
                    m = atLeast(m, x[row + j * dw]);
                }
            }
            return m;
        }

        /**
         * g sent to each window's maximum, split evenly among ties: one pass over the window counts
         * them and notes the first, with selects of ints rather than branches; the first takes it
         * all when it is alone, as it mostly is.
         */
        void maxGrad(double[] x, double[] y, double[] g, double[] gx, int image, int pooled) {
            if (twoByTwo) {
                maxGrad2x2(x, y, g, gx, image, pooled);
                return;
            }
            Arrays.fill(gx, image, image + size, 0.0);
            for (int oy = 0, s = pooled; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++, s++) {
                    double m = y[s];
                    int count = 0, first = 0;
                    for (int i = top[oy], row = image + rowAt[oy] + colAt[ox] + i * rowStep; i < bottom[oy]; i++, row += rowStep) {
                        for (int j = left[ox]; j < right[ox]; j++) {
                            first = count == 0 ? row + j * dw : first;   // stays at the first tie
                            count += x[row + j * dw] == m ? 1 : 0;
                        }
                    }
                    if (count == 1) gx[first] += g[s];
                    else if (count > 1) share(x, m, g[s] / count, gx, oy, ox, image); // none for a NaN window
                }
            }
        }

        /**
         * {@link #maxGrad} for 2 x 2 windows side by side: every tap gets its share or +0 (no window
         * overlaps another, so adding +0 to the zeros is what leaving them does), chosen by masking
         * the share's bits, as a select of doubles would be a branch. A window holding NaN ties
         * nothing and passes nothing.
         */
        void maxGrad2x2(double[] x, double[] y, double[] g, double[] gx, int image, int pooled) {
            Arrays.fill(gx, image, image + size, 0.0);
            for (int oy = 0, s = pooled; oy < oh; oy++) {
                for (int ox = 0, k = image + 2 * oy * w; ox < ow; ox++, s++, k += 2) {
                    double m = y[s];
                    int a = x[k] == m ? 1 : 0, b = x[k + 1] == m ? 1 : 0, c = x[k + w] == m ? 1 : 0, d = x[k + w + 1] == m ? 1 : 0;
                    long share = Double.doubleToRawLongBits(g[s] / (a + b + c + d));
                    gx[k] += Double.longBitsToDouble(share & -a);
                    gx[k + 1] += Double.longBitsToDouble(share & -b);
                    gx[k + w] += Double.longBitsToDouble(share & -c);
                    gx[k + w + 1] += Double.longBitsToDouble(share & -d);
                }
            }
        }

        void maxGrad2x2(float[] x, float[] y, float[] g, float[] gx, int image, int pooled) {
            Arrays.fill(gx, image, image + size, 0f);
            for (int oy = 0, s = pooled; oy < oh; oy++) {
                for (int ox = 0, k = image + 2 * oy * w; ox < ow; ox++, s++, k += 2) {
                    float m = y[s];
                    int a = x[k] == m ? 1 : 0, b = x[k + 1] == m ? 1 : 0, c = x[k + w] == m ? 1 : 0, d = x[k + w + 1] == m ? 1 : 0;
                    int share = Float.floatToRawIntBits(g[s] / (a + b + c + d));
                    gx[k] += Float.intBitsToFloat(share & -a);
                    gx[k + 1] += Float.intBitsToFloat(share & -b);
                    gx[k + w] += Float.intBitsToFloat(share & -c);
                    gx[k + w + 1] += Float.intBitsToFloat(share & -d);
                }
            }
        }

        /** {@code share} added where window (oy, ox) holds {@code m}. */
        private void share(double[] x, double m, double share, double[] gx, int oy, int ox, int image) {
            for (int i = top[oy], row = image + rowAt[oy] + colAt[ox] + i * rowStep; i < bottom[oy]; i++, row += rowStep) {
                for (int j = left[ox]; j < right[ox]; j++) {
                    if (x[row + j * dw] == m) gx[row + j * dw] += share;
                }
            }
        }

        /** Each window's mean of u over the positions of its maximum in x; 0 where there are none. */
        void maxGather(double[] x, double[] y, double[] u, double[] out, int image, int pooled) {
            for (int oy = 0, s = pooled; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++, s++) {
                    double m = y[s], sum = 0;
                    int count = 0;
                    for (int i = top[oy], row = image + rowAt[oy] + colAt[ox] + i * rowStep; i < bottom[oy]; i++, row += rowStep) {
                        for (int j = left[ox]; j < right[ox]; j++) {
                            if (x[row + j * dw] == m) {
                                sum += u[row + j * dw];
                                count++;
                            }
                        }
                    }
                    out[s] = count == 0 ? 0.0 : sum / count;
                }
            }
        }

        /** Each window's mean, over all its taps or over those in the image. */
        void mean(double[] x, double[] y, boolean countPadding, int image, int pooled) {
            for (int oy = 0, s = pooled; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++, s++) {
                    double sum = 0;
                    for (int i = top[oy], row = image + rowAt[oy] + colAt[ox] + i * rowStep; i < bottom[oy]; i++, row += rowStep) {
                        for (int j = left[ox]; j < right[ox]; j++) sum += x[row + j * dw];
                    }
                    y[s] = sum / (countPadding ? taps : inside(oy, ox));
                }
            }
        }

        /**
         * Each window's g spread evenly over it. The taps are the outer loop, so where windows
         * overlap, an input's shares add up in the order they always have.
         */
        void meanGrad(double[] g, double[] gx, boolean countPadding, int image, int pooled) {
            Arrays.fill(gx, image, image + size, 0.0);
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) {
                    for (int oy = 0; oy < oh; oy++) {
                        if (i < top[oy] || i >= bottom[oy]) continue;
                        for (int ox = columnsFrom[j], s = pooled + oy * ow + ox, at = image + rowAt[oy] + i * rowStep + j * dw + ox * sw - pw;
                             ox < columnsTo[j]; ox++, s++, at += sw) {
                            gx[at] += g[s] / (countPadding ? taps : inside(oy, ox));
                        }
                    }
                }
            }
        }

        /** How many taps of window (oy, ox) are in the image. */
        private int inside(int oy, int ox) { return (bottom[oy] - top[oy]) * (right[ox] - left[ox]); }
    }
}
