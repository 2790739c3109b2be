package org.graft.ops;

import static org.graft.ops.Ops.conv2d;
import static org.graft.ops.Ops.conv2dFilterGrad;
import static org.graft.ops.Ops.convTranspose2d;
import static org.graft.ops.Ops.grad;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.ShapeError;
import org.graft.core.blas.Parallel;
import org.graft.core.Type;
import org.graft.core.check.GradCheck;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * conv2d and its two gradients: values against a direct loop over the definition, gradients
 * against central differences, on random shapes, strides, paddings (each side its own),
 * dilations and groups. PyTorch's values are checked in {@link ConvGoldenTest}.
 */
class ConvTest {

    /** A convolution to check: its spec and the images and filters it is applied to. */
    record Case(Conv.Spec spec, Tensor x, Tensor weights) {
        ConvGeometry geometry() {
            Shape s = x.shape(), k = weights.shape();
            return new ConvGeometry(s.dim(0), s.dim(1), s.dim(2), s.dim(3), k.dim(0), k.dim(2), k.dim(3), spec);
        }

        @Override
        public String toString() { return "x " + x.shape() + ", W " + weights.shape() + ", " + spec; }
    }

    @Property(tries = 60)
    void theKernelGivesTheDefinitionsValues(@ForAll("cases") Case c) {
        Tensor y = run(in -> conv2d(in.get(0), in.get(1), c.spec()), c.x(), c.weights());
        assertClose(direct(c), y);
    }

    @Property(tries = 60)
    void theInputGradientIsTheAdjointOfTheConvolution(@ForAll("cases") Case c) {
        // <g, conv(x, W)> = <convT(g, W), x> for every x and g: the transposed convolution is the adjoint
        ConvGeometry geo = c.geometry();
        Tensor g = uniform(Shape.of(geo.n(), geo.f(), geo.oh(), geo.ow()), 7);
        Tensor gx = run(in -> convTranspose2d(in.get(0), in.get(1), c.spec(), geo.h(), geo.w()), g, c.weights());
        assertEquals(dot(g, direct(c)), dot(gx, c.x()), 1e-12 * (1 + Math.abs(dot(g, direct(c)))));
    }

    @Property(tries = 60)
    void theFilterGradientIsTheAdjointOfTheConvolutionInItsFilters(@ForAll("cases") Case c) {
        ConvGeometry geo = c.geometry();
        Tensor g = uniform(Shape.of(geo.n(), geo.f(), geo.oh(), geo.ow()), 8);
        Tensor gw = run(in -> conv2dFilterGrad(in.get(0), in.get(1), c.spec(), geo.kh(), geo.kw()), c.x(), g);
        assertEquals(dot(g, direct(c)), dot(gw, c.weights()), 1e-12 * (1 + Math.abs(dot(g, direct(c)))));
    }

    @Property(tries = 40)
    void conv2dGradientsMatchFiniteDifferences(@ForAll("cases") Case c) {
        GradCheck.of((x, w) -> conv2d(x, w, c.spec())).at(c.x(), c.weights()).assertClose();
    }

    @Property(tries = 25)
    void theGradientsOwnGradientsMatchFiniteDifferences(@ForAll("cases") Case c) {
        ConvGeometry geo = c.geometry();
        Tensor g = uniform(Shape.of(geo.n(), geo.f(), geo.oh(), geo.ow()), 9);
        GradCheck.of((gy, w) -> convTranspose2d(gy, w, c.spec(), geo.h(), geo.w())).at(g, c.weights()).assertClose();
        GradCheck.of((x, gy) -> conv2dFilterGrad(x, gy, c.spec(), geo.kh(), geo.kw())).at(c.x(), g).assertClose();
    }

    @Property(tries = 20)
    void secondOrderThroughAConvolutionMatchesFiniteDifferences(@ForAll("cases") Case c) {
        // the gradient of a squared convolution is bilinear in x and W again: its gradient is checked
        GradCheck.of((x, w) -> grad(sum(square(conv2d(x, w, c.spec()))), w)).at(c.x(), c.weights()).assertClose();
    }

    @Example
    void manyImagesAreTakenAChunkAtATimeWithTheSameValues() {
        var spec = new Conv.Spec(1, 2, 1, 0, 2, 1, 1, 1, 1);
        Tensor x = uniform(Shape.of(300, 2, 30, 31), 1), weights = uniform(Shape.of(3, 2, 3, 3), 2);
        var c = new Case(spec, x, weights);
        assertTrue(ConvProducts.chunk(c.geometry(), Float.BYTES) < 300, "the case must take several chunks");
        assertClose(direct(c), run(in -> conv2d(in.get(0), in.get(1), spec), x, weights));
        // and f32 computes the same convolution, rounded
        Tensor y32 = run(in -> conv2d(in.get(0), in.get(1), spec), x.astype(DType.F32), weights.astype(DType.F32));
        assertEquals(DType.F32, y32.dtype());
        Tensor want = direct(new Case(spec, x.astype(DType.F32).astype(DType.F64), weights.astype(DType.F32).astype(DType.F64)));
        for (int i = 0; i < want.size(); i++) assertEquals(want.getFlat(i), y32.getFlat(i), 1e-5 * (1 + Math.abs(want.getFlat(i))));
    }

    /**
     * On two threads (graph-ops's tests run with {@code graft.threads=2}) a large enough call gives
     * each thread half the images: the three products must be the definition's, as on one
     * thread, and the same bits from call to call. Grouped filters go through scratch of each
     * share's own, so both kinds are checked.
     */
    @Example
    void twoThreadsShareTheImagesAndGiveTheSameValuesEveryCall() {
        assertEquals(2, Parallel.shared().parts(), "graph-ops's surefire runs set graft.threads=2");
        for (int groups = 1; groups <= 2; groups++) {
            var spec = new Conv.Spec(1, 1, 1, 1, 1, 1, 1, 1, groups);
            var c = new Case(spec, uniform(Shape.of(41, 4, 20, 20), 5 + groups), uniform(Shape.of(6, 4 / groups, 5, 5), 7));
            ConvGeometry geo = c.geometry();
            double[] gy = uniform(Shape.of(geo.n(), geo.f(), geo.oh(), geo.ow()), 9).storage();
            var shared = ConvProducts.f64(geo, ConvProducts.gemm(geo, Double.BYTES), Parallel.shared());
            var alone = ConvProducts.f64(geo, ConvProducts.gemm(geo, Double.BYTES), null);
            assertEquals(2, shared.parts(), "the case must be split");
            assertEquals(1, alone.parts());
            assertTrue(ConvProducts.chunk(geo, Double.BYTES) < 20, "each share must take several chunks");
            double[][] first = products(shared, c, gy), again = products(shared, c, gy), one = products(alone, c, gy);
            for (int k = 0; k < 3; k++) {
                for (int i = 0; i < one[k].length; i++) {
                    assertEquals(Double.doubleToLongBits(first[k][i]), Double.doubleToLongBits(again[k][i]), "product " + k + ", element " + i);
                    assertEquals(one[k][i], first[k][i], 1e-12 * (1 + Math.abs(one[k][i])), "product " + k + ", element " + i);
                }
            }
            double[] y = direct(c).storage();
            for (int i = 0; i < y.length; i++) assertEquals(y[i], first[0][i], 1e-12 * (1 + Math.abs(y[i])), "y " + i);
        }
    }

    /** The convolution, its input gradient for {@code gy} and its filters' gradient, by {@code products}. */
    private static double[][] products(ConvProducts<double[]> products, Case c, double[] gy) {
        ConvGeometry geo = c.geometry();
        double[] x = c.x().storage(), w = c.weights().storage();
        double[] y = new double[gy.length], gx = new double[x.length], gw = new double[w.length];
        java.util.Arrays.fill(gx, Double.NaN); // each share must overwrite its own images' gradient
        java.util.Arrays.fill(gw, Double.NaN);
        products.forward(x, w, y);
        products.inputGrad(gy, w, gx);
        products.filterGrad(x, gy, gw);
        assertEquals(geo.n() * geo.c() * geo.h() * geo.w(), gx.length);
        return new double[][] {y, gx, gw};
    }

    /**
     * With one filter per patch value, each picking that value alone, the convolution is im2col's
     * matrix itself and its input gradient col2im's sums of g: the products add only exact zeros,
     * so the kernels must give the definition's values to the bit, f64 and f32, the sums added in
     * the order of the patch's rows (channel, tap row, tap column), then the outputs' positions.
     */
    @Property(tries = 60)
    void filtersPickingOnePatchValueEachMoveEveryValueExactly(@ForAll("cases") Case c) {
        assertMovesEveryValueExactly(picking(c), 11);
    }

    @Example
    void leNetsFirstLayerMovesEveryValueExactlyOverSeveralChunks() {
        var c = picking(new Case(Conv.Spec.of(1, 0, 1, 1), uniform(Shape.of(100, 1, 28, 28), 3), Tensor.zeros(Shape.of(1, 1, 5, 5))));
        assertTrue(ConvProducts.chunk(c.geometry(), Float.BYTES) < 100, "the case must take several chunks");
        assertMovesEveryValueExactly(c, 12);
    }

    private static void assertMovesEveryValueExactly(Case c, long seed) {
        ConvGeometry geo = c.geometry();
        Tensor g = uniform(Shape.of(geo.n(), geo.f(), geo.oh(), geo.ow()), seed);
        for (DType dtype : DType.values()) {
            Tensor x = c.x().astype(dtype), weights = c.weights().astype(dtype), gy = g.astype(dtype);
            Tensor y = run(in -> conv2d(in.get(0), in.get(1), c.spec()), x, weights);
            assertBits(direct(new Case(c.spec(), x, weights)).storage(), y, dtype);
            Tensor gx = run(in -> convTranspose2d(in.get(0), in.get(1), c.spec(), geo.h(), geo.w()), gy, weights);
            assertBits(addedBack(geo, gy, dtype), gx, dtype);
        }
    }

    /** The case's spec and images with one filter per patch value of each group, picking it. */
    private static Case picking(Case c) {
        ConvGeometry geo = c.geometry();
        int patch = geo.patch(), groups = c.spec().groups();
        double[] w = new double[groups * patch * patch];
        for (int k = 0; k < groups * patch; k++) w[k * patch + k % patch] = 1;
        return new Case(c.spec(), c.x(), Tensor.of(Shape.of(groups * patch, geo.cg(), geo.kh(), geo.kw()), w));
    }

    /** col2im of g under filters that pick: each output's g added back where its patch value was read, in f32 for f32. */
    private static double[] addedBack(ConvGeometry geo, Tensor g, DType dtype) {
        Conv.Spec s = geo.spec();
        double[] gy = g.storage(), gx = new double[geo.n() * geo.c() * geo.h() * geo.w()];
        for (int i = 0; i < geo.n(); i++) {
            for (int group = 0; group < s.groups(); group++) {
                for (int ci = 0, r = 0; ci < geo.cg(); ci++) {
                    for (int a = 0; a < geo.kh(); a++) {
                        for (int b = 0; b < geo.kw(); b++, r++) {
                            for (int oy = 0; oy < geo.oh(); oy++) {
                                for (int ox = 0; ox < geo.ow(); ox++) {
                                    int yy = oy * s.sh() - s.top() + a * s.dh(), xx = ox * s.sw() - s.left() + b * s.dw();
                                    if (yy < 0 || yy >= geo.h() || xx < 0 || xx >= geo.w()) continue;
                                    int at = ((i * geo.c() + group * geo.cg() + ci) * geo.h() + yy) * geo.w() + xx;
                                    double v = gy[((i * geo.f() + group * geo.fg() + r) * geo.oh() + oy) * geo.ow() + ox];
                                    gx[at] = dtype == DType.F32 ? (float) gx[at] + (float) v : gx[at] + v;
                                }
                            }
                        }
                    }
                }
            }
        }
        return gx;
    }

    private static void assertBits(double[] want, Tensor got, DType dtype) {
        assertEquals(dtype, got.dtype());
        for (int i = 0; i < want.length; i++) {
            assertEquals(Double.doubleToLongBits(want[i]), Double.doubleToLongBits(got.getFlat(i)), dtype + " element " + i + ": " + want[i] + " " + got.getFlat(i));
        }
    }

    @Example
    void aBatchDimMayBeSymbolic() {
        Input x = new Input("x", Type.f64("n", 3, 8, 8));
        Node y = conv2d(x, input("W", 4, 3, 3, 3), new Conv.Spec(2, 2, 1, 1, 1, 1, 1, 1, 1));
        assertEquals(Type.f64("n", 4, 4, 4), y.type());
    }

    @Example
    void aWrongShapeIsNamedWithItsArithmetic() {
        var e = assertThrows(ShapeError.class, () -> conv2d(input("x", 1, 3, 4, 4), input("W", 2, 3, 3, 3), Conv.Spec.of(1, 0, 2, 1)));
        assertEquals("conv2d(x, W): the height 4 padded by 0 is less than the filter's extent "
                + "dilation x (k - 1) + 1 = 2 x 2 + 1 = 5", e.detail());
        e = assertThrows(ShapeError.class, () -> conv2d(input("x", 1, 3, 4, 4), input("W", 2, 2, 3, 3)));
        assertEquals("conv2d(x, W): W's 2 channels per group x 1 groups must equal x's 3 channels",
                e.detail());
        e = assertThrows(ShapeError.class, () -> conv2d(input("x", 3, 4, 4), input("W", 2, 3, 3, 3)));
        assertTrue(e.detail().endsWith("x must be images [n, c, h, w], found [3, 4, 4]"), e.detail());
        e = assertThrows(ShapeError.class, () -> conv2d(input("x", 1, 4, 4, 4), input("W", 3, 2, 3, 3), Conv.Spec.of(1, 0, 1, 2)));
        assertTrue(e.detail().endsWith("groups = 2 must divide W's filters, 3"), e.detail());
    }

    // ---- the definition, directly --------------------------------------------------------------

    /** y[i, k, oy, ox] = Σ over the group's channels and taps of W[k, ci, a, b] x[i, ci', oy·sh - top + a·dh, ...]. */
    static Tensor direct(Case c) {
        ConvGeometry g = c.geometry();
        Conv.Spec s = c.spec();
        double[] x = c.x().storage(), w = c.weights().storage();
        double[] y = new double[g.n() * g.f() * g.oh() * g.ow()];
        for (int i = 0; i < g.n(); i++) {
            for (int k = 0; k < g.f(); k++) {
                int group = k / g.fg();
                for (int oy = 0; oy < g.oh(); oy++) {
                    for (int ox = 0; ox < g.ow(); ox++) {
                        double sum = 0;
                        for (int ci = 0; ci < g.cg(); ci++) {
                            for (int a = 0; a < g.kh(); a++) {
                                for (int b = 0; b < g.kw(); b++) {
                                    int yy = oy * s.sh() - s.top() + a * s.dh(), xx = ox * s.sw() - s.left() + b * s.dw();
                                    if (yy < 0 || yy >= g.h() || xx < 0 || xx >= g.w()) continue;
                                    int channel = group * g.cg() + ci;
                                    sum += w[((k * g.cg() + ci) * g.kh() + a) * g.kw() + b] * x[((i * g.c() + channel) * g.h() + yy) * g.w() + xx];
                                }
                            }
                        }
                        y[((i * g.f() + k) * g.oh() + oy) * g.ow() + ox] = sum;
                    }
                }
            }
        }
        return Tensor.of(Shape.of(g.n(), g.f(), g.oh(), g.ow()), y);
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private static Tensor run(java.util.function.Function<List<Node>, Node> f, Tensor a, Tensor b) {
        Input ia = new Input("a", Type.of(a)), ib = new Input("b", Type.of(b));
        return Compiler.compile(List.of(ia, ib), List.of(f.apply(List.of(ia, ib))), Options.NONE).call(a, b).get(0);
    }

    private static void assertClose(Tensor want, Tensor got) {
        assertEquals(want.shape(), got.shape());
        for (int i = 0; i < want.size(); i++) {
            double w = want.getFlat(i), g = got.getFlat(i);
            assertEquals(w, g, 1e-12 * (1 + Math.abs(w)), "element " + i);
        }
    }

    private static double dot(Tensor a, Tensor b) {
        double s = 0;
        for (int i = 0; i < a.size(); i++) s += a.getFlat(i) * b.getFlat(i);
        return s;
    }

    static Tensor uniform(Shape shape, long seed) { return Tensor.uniform(shape, -1, 1, new Random(seed)); }

    @Provide
    Arbitrary<Case> cases() {
        return Arbitraries.randomValue(r -> {
            int groups = 1 + r.nextInt(2), kh = 1 + r.nextInt(3), kw = 1 + r.nextInt(3);
            int dh = 1 + r.nextInt(2), dw = 1 + r.nextInt(2);
            int top = r.nextInt(3), bottom = r.nextInt(3), left = r.nextInt(3), right = r.nextInt(3);
            var spec = new Conv.Spec(1 + r.nextInt(2), 1 + r.nextInt(2), top, bottom, left, right, dh, dw, groups);
            int h = Math.max(1, dh * (kh - 1) + 1 - top - bottom) + r.nextInt(4);
            int w = Math.max(1, dw * (kw - 1) + 1 - left - right) + r.nextInt(4);
            int n = 1 + r.nextInt(2), cg = 1 + r.nextInt(2), fg = 1 + r.nextInt(2);
            return new Case(spec, uniform(Shape.of(n, groups * cg, h, w), r.nextLong()), uniform(Shape.of(groups * fg, cg, kh, kw), r.nextLong()));
        });
    }
}
