package org.graft.ops;

import static org.graft.ops.Ops.conv2d;
import static org.graft.ops.Ops.conv2dFilterGrad;
import static org.graft.ops.Ops.convTranspose2d;

import java.util.List;
import java.util.function.Supplier;

import org.graft.core.Dim;
import org.graft.core.Grad;
import org.graft.core.GraftException;
import org.graft.core.Multilinear;
import org.graft.core.Node;
import org.graft.core.Op;
import org.graft.core.ShapeError;
import org.graft.core.Type;
import org.graft.core.blas.Blas;
import org.graft.core.kernel.Kernel;
import org.graft.core.kernel.Site;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * 2-d convolutions over images in NCHW layout (PyTorch's): {@code x [n, c, h, w]} against
 * filters {@code W [f, c / groups, kh, kw]}, with strides, zero paddings, dilations and
 * groups. As in every deep-learning library, "convolution" is the cross-correlation: the filter
 * is not flipped. The batch dim may be symbolic; the others are known when the graph is built,
 * so every output size is checked then.
 *
 * <p>The three ops are the convolution and its two gradients, and the gradients of each are the
 * other two (all three are bilinear), so gradients of gradients stay among them: for
 * {@code y = conv2d(x, W)}, {@code dx = conv_transpose2d(gy, W)} and
 * {@code dW = filter_grad(x, gy)}. Their kernels share {@link ConvProducts}: im2col onto the
 * GEMM back end.
 */
public sealed interface Conv extends Multilinear {

    /**
     * Strides, paddings (top, bottom, left, right: {@code "same"} pads an odd total one more at
     * the bottom and right, as PyTorch does), dilations, and the number of groups the channels
     * and filters are split into.
     */
    record Spec(int sh, int sw, int top, int bottom, int left, int right, int dh, int dw, int groups) {
        public Spec {
            if (sh < 1 || sw < 1) throw new ShapeError("stride must be at least 1, found " + pair(sh, sw));
            if (dh < 1 || dw < 1) throw new ShapeError("dilation must be at least 1, found " + pair(dh, dw));
            if (top < 0 || bottom < 0 || left < 0 || right < 0) {
                throw new ShapeError("padding cannot be negative, found " + padding(top, bottom, left, right));
            }
            if (groups < 1) throw new ShapeError("groups must be at least 1, found " + groups);
        }

        /** The same stride, padding and dilation along both axes. */
        public static Spec of(int stride, int padding, int dilation, int groups) {
            return new Spec(stride, stride, padding, padding, padding, padding, dilation, dilation, groups);
        }

        /** The spec as the language writes it, only what differs from the defaults: {@code stride = 2, padding = 1}. */
        @Override
        public String toString() {
            var out = new StringBuilder();
            if (sh != 1 || sw != 1) out.append(", stride = ").append(pair(sh, sw));
            if (top + bottom + left + right != 0) out.append(", padding = ").append(padding(top, bottom, left, right));
            if (dh != 1 || dw != 1) out.append(", dilation = ").append(pair(dh, dw));
            if (groups != 1) out.append(", groups = ").append(groups);
            return out.length() == 0 ? "" : out.substring(2);
        }

        static String pair(int a, int b) { return a == b ? Integer.toString(a) : "[" + a + ", " + b + "]"; }

        private static String padding(int top, int bottom, int left, int right) {
            return top == bottom && left == right ? pair(top, left) : "[" + top + ", " + bottom + ", " + left + ", " + right + "]";
        }
    }

    Spec spec();

    /** The convolution this op takes part in, from the concrete shapes of its two inputs. */
    ConvGeometry geometry(Shape a, Shape b);

    /** This op's product, on the buffers of either dtype. */
    <A> void compute(ConvProducts<A> products, A a, A b, A out);

    @Override
    default String describe() {
        String s = spec().toString();
        return s.isEmpty() ? name() : name() + "(" + s + ")";
    }

    @Override
    default Tensor fprop(List<Tensor> in) {
        Tensor a = in.get(0), b = in.get(1);
        Shape shape = type(List.of(Type.of(a), Type.of(b))).shape();
        double[] out = new double[shape.size()];
        compute(ConvProducts.f64(geometry(a.shape(), b.shape()), Blas.gemm()), a.storage(), b.storage(), out);
        return Tensor.of(a.dtype(), shape, out);
    }

    @Override
    default Kernel kernel(Site site) {
        ConvGeometry g = geometry(site.in(0), site.in(1));
        var products = ConvProducts.f64(g, ConvProducts.gemm(g, Double.BYTES));
        int a = site.slot(0), b = site.slot(1), out = site.slot();
        return buf -> compute(products, (double[]) buf[a], (double[]) buf[b], (double[]) buf[out]);
    }

    // single-precision GEMM does twice the work per cycle
    @Override
    default Kernel kernelF32(Site site) {
        ConvGeometry g = geometry(site.in(0), site.in(1));
        var products = ConvProducts.f32(g, ConvProducts.gemm(g, Float.BYTES));
        int a = site.slot(0), b = site.slot(1), out = site.slot();
        return buf -> compute(products, (float[]) buf[a], (float[]) buf[b], (float[]) buf[out]);
    }

    /** {@code y [n, f, oh, ow]}: each filter's dot product with the patch under it, at each position. */
    record Conv2d(Spec spec) implements Conv {
        public static final Builtin BUILTIN = Builtin.of("conv2d", List.of(Builtin.Param.operand("x"), Builtin.Param.operand("W"),
                        Builtin.Param.pair("stride", 1), Builtin.Param.padding("padding", 0), Builtin.Param.pair("dilation", 1),
                        Builtin.Param.integer("groups", 1)), Conv::conv2dOf,
                "x [n, c, h, w] against W [f, c/groups, kh, kw]: the cross-correlation, as PyTorch's, with zero padding. stride, "
                + "padding and dilation are a number or a pair [along h, along w]; padding may also be \"valid\" (none) or "
                + "\"same\" (outputs the size of the inputs, stride 1 only; an odd total padded one more at the bottom and right, "
                + "as PyTorch). dx is `conv_transpose2d(gy, W)` and dW a filter gradient, convolutions again, so second order works")
                .java("`conv2d(x, W)`, `conv2d(x, W, Conv.Spec spec)`");

        @Override
        public String name() { return "conv2d"; }

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 2);
            Type x = in.get(0), weights = in.get(1);
            int[] xs = images("x", x), ws = filters(weights, x);
            if (ws[1] * spec.groups() != xs[1]) {
                throw new ShapeError("W's " + ws[1] + " channels per group x " + spec.groups() + " groups must equal x's "
                        + xs[1] + " channels");
            }
            requireGroupsDivide("W's filters", ws[0], spec);
            var g = new ConvGeometry(0, xs[1], xs[2], xs[3], ws[0], ws[2], ws[3], spec);
            requireFits(g);
            return x.withDims(List.of(x.dim(0), Dim.of(ws[0]), Dim.of(g.oh()), Dim.of(g.ow())));
        }

        @Override
        public ConvGeometry geometry(Shape x, Shape weights) {
            return new ConvGeometry(x.dim(0), x.dim(1), x.dim(2), x.dim(3), weights.dim(0), weights.dim(2), weights.dim(3), spec);
        }

        @Override
        public <A> void compute(ConvProducts<A> products, A x, A weights, A y) { products.forward(x, weights, y); }

        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            Node x = in.get(0), weights = in.get(1);
            return List.of(Grad.of(convTranspose2d(gy, weights, spec, size(x, 2), size(x, 3))),
                    Grad.of(conv2dFilterGrad(x, gy, spec, size(weights, 2), size(weights, 3))));
        }
    }

    /**
     * The gradient of {@code <g, conv2d(x, W)>} with respect to x, of x's size {@code h x w}
     * (which the strides leave ambiguous, so it is given): each output's filters added back
     * onto the patch it was read from. With g as the input, this is PyTorch's
     * {@code conv_transpose2d} (its W is this one, {@code [f, c/groups, kh, kw]}) with an
     * {@code output_padding} below the stride, the sizes whose convolution gives g's size back;
     * PyTorch also takes one up to the dilation, where the result is no convolution's gradient.
     */
    record ConvTranspose2d(Spec spec, int h, int w) implements Conv {
        public static final Builtin BUILTIN = Builtin.of("conv_transpose2d", List.of(Builtin.Param.operand("x"),
                        Builtin.Param.operand("W"), Builtin.Param.pair("stride", 1), Builtin.Param.pair("padding", 0),
                        Builtin.Param.pair("output_padding", 0), Builtin.Param.pair("dilation", 1), Builtin.Param.integer("groups", 1)),
                Conv::convTranspose2dOf, "PyTorch's conv_transpose2d: x [n, f, h, w] with W [f, c/groups, kh, kw] gives "
                + "[n, c, (h - 1) stride - 2 padding + dilation (kh - 1) + output_padding + 1, ...], the gradient of conv2d(·, W) "
                + "with respect to its input; output_padding, below the stride, picks among the sizes the stride makes alike")
                .java("`convTranspose2d(g, W, Conv.Spec spec, h, w)`");

        @Override
        public String name() { return "conv_transpose2d"; }

        @Override
        public String describe() {
            String s = spec.toString();
            return name() + "(" + (s.isEmpty() ? "" : s + ", ") + "size = [" + h + ", " + w + "])";
        }

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 2);
            Type g = in.get(0), weights = in.get(1);
            int[] gs = images("g", g), ws = filters(weights, g);
            if (gs[1] != ws[0]) throw new ShapeError("g's " + gs[1] + " channels must equal W's " + ws[0] + " filters");
            requireGroupsDivide("W's filters", ws[0], spec);
            var geometry = new ConvGeometry(0, ws[1] * spec.groups(), h, w, ws[0], ws[2], ws[3], spec);
            requireFits(geometry);
            if (geometry.oh() != gs[2] || geometry.ow() != gs[3]) {
                throw new ShapeError("a convolution of " + h + " x " + w + " images gives " + geometry.oh() + " x " + geometry.ow()
                        + " outputs, not g's " + gs[2] + " x " + gs[3]);
            }
            return g.withDims(List.of(g.dim(0), Dim.of(geometry.c()), Dim.of(h), Dim.of(w)));
        }

        @Override
        public ConvGeometry geometry(Shape g, Shape weights) {
            return new ConvGeometry(g.dim(0), weights.dim(1) * spec.groups(), h, w, weights.dim(0), weights.dim(2), weights.dim(3), spec);
        }

        @Override
        public <A> void compute(ConvProducts<A> products, A g, A weights, A gx) { products.inputGrad(g, weights, gx); }

        // bilinear in (g, W): <v, convT(g, W)> = <g, conv(v, W)>, so dg = conv(v, W) and dW = filter_grad(v, g)
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node v) {
            Node g = in.get(0), weights = in.get(1);
            return List.of(Grad.of(conv2d(v, weights, spec)), Grad.of(conv2dFilterGrad(v, g, spec, size(weights, 2), size(weights, 3))));
        }
    }

    /**
     * The gradient of {@code <g, conv2d(x, W)>} with respect to W, of size {@code kh x kw}:
     * each filter tap's dot product of g with the inputs it met.
     */
    record Conv2dFilterGrad(Spec spec, int kh, int kw) implements Conv {
        public static final Builtin BUILTIN = Builtin.operator("", "`conv2dFilterGrad(x, g, spec, kh, kw)`",
                "internal: conv2d's gradient with respect to its filters, [f, c/groups, kh, kw]");

        @Override
        public String name() { return "conv2d_filter_grad"; }

        @Override
        public String describe() {
            String s = spec.toString();
            return name() + "(" + (s.isEmpty() ? "" : s + ", ") + "size = [" + kh + ", " + kw + "])";
        }

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 2);
            Type x = in.get(0), g = in.get(1);
            int[] xs = images("x", x), gs = images("g", g);
            if (!x.dim(0).equals(g.dim(0))) throw new ShapeError("x's " + x.dim(0) + " images and g's " + g.dim(0) + " differ");
            if (x.dtype() != g.dtype()) throw new ShapeError("dtypes differ: x is " + x.dtype() + ", g " + g.dtype());
            requireGroupsDivide("x's channels", xs[1], spec);
            requireGroupsDivide("g's channels", gs[1], spec);
            var geometry = new ConvGeometry(0, xs[1], xs[2], xs[3], gs[1], kh, kw, spec);
            requireFits(geometry);
            if (geometry.oh() != gs[2] || geometry.ow() != gs[3]) {
                throw new ShapeError(kh + " x " + kw + " filters over x's " + xs[2] + " x " + xs[3] + " images give "
                        + geometry.oh() + " x " + geometry.ow() + " outputs, not g's " + gs[2] + " x " + gs[3]);
            }
            return x.withDims(List.of(Dim.of(gs[1]), Dim.of(xs[1] / spec.groups()), Dim.of(kh), Dim.of(kw)));
        }

        @Override
        public ConvGeometry geometry(Shape x, Shape g) {
            return new ConvGeometry(x.dim(0), x.dim(1), x.dim(2), x.dim(3), g.dim(1), kh, kw, spec);
        }

        @Override
        public <A> void compute(ConvProducts<A> products, A x, A g, A gw) { products.filterGrad(x, g, gw); }

        // bilinear in (x, g): <u, filter_grad(x, g)> = <g, conv(x, u)>, so dx = convT(g, u) and dg = conv(x, u)
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node u) {
            Node x = in.get(0), g = in.get(1);
            return List.of(Grad.of(convTranspose2d(g, u, spec, size(x, 2), size(x, 3))), Grad.of(conv2d(x, u, spec)));
        }
    }

    /** A concrete dim of a node whose type the op's rule has already checked. */
    /** {@code conv2d(x, W, ...)} as the language calls it. */
    private static Node conv2dOf(Builtin.Args a) {
        Node x = a.operand("x"), weights = a.operand("W");
        int[] stride = a.pair("stride"), dilation = a.pair("dilation"), pad = padding(a, weights, stride, dilation);
        var spec = named("conv2d", () -> new Spec(stride[0], stride[1], pad[0], pad[1], pad[2], pad[3], dilation[0], dilation[1],
                a.integer("groups")));
        return conv2d(x, weights, spec);
    }

    /** The paddings {@code [top, bottom, left, right]} a call of conv2d asks for, by number or by name. */
    private static int[] padding(Builtin.Args a, Node weights, int[] stride, int[] dilation) {
        String word = a.word("padding");
        if (word == null) {
            int[] p = a.pair("padding");
            return new int[] {p[0], p[0], p[1], p[1]};
        }
        switch (word) {
            case "valid":
                return new int[4];
            case "same":
                if (stride[0] != 1 || stride[1] != 1) {
                    throw new GraftException(a.pos("padding"), "conv2d: padding \"same\" needs stride 1, as in PyTorch, found stride "
                            + Spec.pair(stride[0], stride[1]) + "; give the padding as numbers");
                }
                Type w = weights.type();
                if (w.rank() != 4 || !w.isConcrete()) return new int[4];   // the op's own check says what W must be
                int th = dilation[0] * (size(weights, 2) - 1), tw = dilation[1] * (size(weights, 3) - 1);
                return new int[] {th / 2, th - th / 2, tw / 2, tw - tw / 2};
            default:
                throw new GraftException(a.pos("padding"), "conv2d: padding must be a number, a pair [along h, along w], \"same\" or "
                        + "\"valid\", found \"" + word + "\"");
        }
    }

    /** {@code conv_transpose2d(x, W, ...)} as the language calls it: the output's size from the input's, as PyTorch computes it. */
    private static Node convTranspose2dOf(Builtin.Args a) {
        Node x = a.operand("x"), weights = a.operand("W");
        int[] stride = a.pair("stride"), pad = a.pair("padding"), extra = a.pair("output_padding"), dilation = a.pair("dilation");
        var spec = named("conv_transpose2d", () -> new Spec(stride[0], stride[1], pad[0], pad[0], pad[1], pad[1], dilation[0],
                dilation[1], a.integer("groups")));
        if (extra[0] < 0 || extra[1] < 0 || extra[0] >= stride[0] || extra[1] >= stride[1]) {
            throw new GraftException(a.pos("output_padding"), "conv_transpose2d: output_padding must be 0 or more and below the stride "
                    + Spec.pair(stride[0], stride[1]) + ", found " + Spec.pair(extra[0], extra[1]));
        }
        int[] xs = named("conv_transpose2d", () -> images("x", x.type()));
        named("conv_transpose2d", () -> filters(weights.type(), x.type()));
        int h = (xs[2] - 1) * stride[0] - 2 * pad[0] + dilation[0] * (size(weights, 2) - 1) + extra[0] + 1;
        int w = (xs[3] - 1) * stride[1] - 2 * pad[1] + dilation[1] * (size(weights, 3) - 1) + extra[1] + 1;
        if (h < 1 || w < 1) {
            throw new ShapeError("conv_transpose2d: the output would be " + h + " x " + w + " images: (h - 1) stride - 2 padding "
                    + "+ dilation (kh - 1) + output_padding + 1 must be at least 1 along each axis");
        }
        return convTranspose2d(x, weights, spec, h, w);
    }

    /** What a call's arguments make (a spec, a window), an error in them named by the op called, as the op's own checks are. */
    static <T> T named(String op, Supplier<T> make) {
        try {
            return make.get();
        } catch (ShapeError e) {
            throw new ShapeError(op + ": " + e.detail());
        }
    }

    private static int size(Node n, int axis) { return ((Dim.Size) n.type().dim(axis)).n(); }

    /** The dims of a batch of images, {@code [n, c, h, w]} with all but n known; n is -1 where it is symbolic. */
    static int[] images(String name, Type t) {
        if (t.rank() != 4) throw new ShapeError(name + " must be images [n, c, h, w], found " + t);
        int[] dims = new int[4];
        for (int i = 0; i < 4; i++) {
            if (t.dim(i) instanceof Dim.Size s) dims[i] = s.n();
            else if (i == 0) dims[i] = -1;
            else throw new ShapeError(name + "'s channels, height and width must be known when the graph is built, found " + t);
        }
        return dims;
    }

    /** The dims of filters {@code [f, c/groups, kh, kw]}, all known, of x's dtype. */
    private static int[] filters(Type weights, Type x) {
        if (weights.rank() != 4 || !weights.isConcrete()) {
            throw new ShapeError("W must be filters [f, c/groups, kh, kw] of known size, found " + weights);
        }
        if (weights.dtype() != x.dtype()) throw new ShapeError("dtypes differ: W is " + weights.dtype() + ", the images " + x.dtype());
        return weights.shape().dims();
    }

    private static void requireGroupsDivide(String what, int count, Spec spec) {
        if (count % spec.groups() != 0) throw new ShapeError("groups = " + spec.groups() + " must divide " + what + ", " + count);
    }

    /** An error naming the arithmetic when the window does not fit once along an axis. */
    private static void requireFits(ConvGeometry g) {
        Spec s = g.spec();
        requireFits("height", g.h(), s.top() + s.bottom(), g.kh(), s.dh());
        requireFits("width", g.w(), s.left() + s.right(), g.kw(), s.dw());
    }

    private static void requireFits(String axis, int size, int pad, int k, int dilation) {
        int extent = dilation * (k - 1) + 1;
        if (size + pad < extent) {
            throw new ShapeError("the " + axis + " " + size + " padded by " + pad + " is less than the filter's extent "
                    + (dilation == 1 ? Integer.toString(k) : "dilation x (k - 1) + 1 = " + dilation + " x " + (k - 1) + " + 1 = " + extent));
        }
    }
}
