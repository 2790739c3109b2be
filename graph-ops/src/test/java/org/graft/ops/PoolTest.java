package org.graft.ops;

import static org.graft.ops.Ops.avgPool2d;
import static org.graft.ops.Ops.avgPool2dGrad;
import static org.graft.ops.Ops.grad;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.maxPool2d;
import static org.graft.ops.Ops.maxPool2dGather;
import static org.graft.ops.Ops.maxPool2dGrad;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.ShapeError;
import org.graft.core.Type;
import org.graft.core.check.GradCheck;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * max_pool2d and avg_pool2d: values against the definition over random windows, strides,
 * paddings and dilations; gradients against central differences (for the maximum on values
 * far enough apart that a step cannot change which is largest); ties and NaN as documented.
 */
class PoolTest {

    record Case(Pool.Window window, Tensor x) {
        @Override
        public String toString() { return "x " + x.shape() + ", window " + window; }
    }

    @Property(tries = 60)
    void maxPoolGivesEachWindowsMaximum(@ForAll("cases") Case c) {
        assertEquals(direct(c, true, true), run(in -> maxPool2d(in.get(0), c.window()), c.x()));
    }

    @Property(tries = 60)
    void avgPoolGivesEachWindowsMean(@ForAll("cases") Case c) {
        var window = noDilation(c.window());
        for (boolean countPadding : new boolean[] {true, false}) {
            Tensor want = direct(new Case(window, c.x()), false, countPadding), got = run(in -> avgPool2d(in.get(0), window, countPadding), c.x());
            for (int i = 0; i < want.size(); i++) assertEquals(want.getFlat(i), got.getFlat(i), 1e-15);
        }
    }

    @Property(tries = 40)
    void maxPoolsGradientMatchesFiniteDifferences(@ForAll("cases") Case c) {
        GradCheck.of(x -> maxPool2d(x, c.window())).at(c.x()).assertClose();
        // and the gradient's own gradient, through the gather
        GradCheck.of(x -> grad(sum(square(maxPool2d(x, c.window()))), x)).at(c.x()).assertClose();
    }

    @Property(tries = 40)
    void avgPoolsGradientMatchesFiniteDifferences(@ForAll("cases") Case c) {
        var window = noDilation(c.window());
        GradCheck.of(x -> avgPool2d(x, window)).at(c.x()).assertClose();
        GradCheck.of(x -> avgPool2d(x, window, false)).at(c.x()).assertClose();
        Shape s = c.x().shape();
        Tensor g = run(in -> avgPool2d(in.get(0), window), c.x());
        GradCheck.of(v -> avgPool2dGrad(v, window, true, s.dim(2), s.dim(3))).at(g).assertClose();
    }

    @Property(tries = 40)
    void theGatherIsTheAdjointOfTheMaximumsGradientTiesIncluded(@ForAll("cases") Case c) {
        // coarse values, so windows tie often
        Tensor x = c.x().map(v -> Math.floor(v * 2));
        Tensor y = run(in -> maxPool2d(in.get(0), c.window()), x);
        Tensor g = ConvTest.uniform(y.shape(), 3), u = ConvTest.uniform(x.shape(), 4);
        Tensor sent = run3(in -> maxPool2dGrad(in.get(0), in.get(1), in.get(2), c.window()), x, y, g);
        Tensor gathered = run3(in -> maxPool2dGather(in.get(0), in.get(1), in.get(2), c.window()), x, y, u);
        assertEquals(dot(sent, u), dot(g, gathered), 1e-12 * (1 + Math.abs(dot(sent, u))));
    }

    @Example
    void aTiedMaximumSharesTheGradientAndNaNPassesNone() {
        Tensor x = Tensor.of(new double[] {3, 1, 3, 2, Double.NaN, 5, 0, 1}, 1, 2, 2, 2);
        Input in = new Input("x", Type.of(x));
        Node y = maxPool2d(in, Pool.Window.of(2));
        var f = Compiler.compile(List.of(in), List.of(y, grad(sum(y), in)), Options.NONE);
        List<Tensor> out = f.call(x);
        assertEquals(3.0, out.get(0).getFlat(0));
        assertTrue(Double.isNaN(out.get(0).getFlat(1)));
        assertEquals(Tensor.of(new double[] {0.5, 0, 0.5, 0, 0, 0, 0, 0}, 1, 2, 2, 2), out.get(1));
    }

    @Example
    void aWindowThatDoesNotFitIsNamed() {
        var e = assertThrows(ShapeError.class, () -> maxPool2d(input("x", 1, 1, 2, 2), Pool.Window.of(3)));
        assertEquals("max_pool2d(x): a window of 3 does not fit in the 2 x 2 images", e.detail());
        e = assertThrows(ShapeError.class, () -> new Pool.Window(2, 2, 2, 2, 2, 0, 1, 1));
        assertEquals("padding must be between 0 and half the window, found [2, 0] for a window of 2 x 2", e.detail());
    }

    // ---- the definition, directly --------------------------------------------------------------

    static Tensor direct(Case c, boolean max, boolean countPadding) {
        Pool.Window w = c.window();
        Shape s = c.x().shape();
        int n = s.dim(0), ch = s.dim(1), h = s.dim(2), wd = s.dim(3);
        ConvGeometry g = w.over(h, wd);
        double[] x = c.x().storage(), y = new double[n * ch * g.oh() * g.ow()];
        for (int p = 0, o = 0; p < n * ch; p++) {
            for (int oy = 0; oy < g.oh(); oy++) {
                for (int ox = 0; ox < g.ow(); ox++, o++) {
                    double acc = max ? Double.NEGATIVE_INFINITY : 0;
                    int count = 0;
                    for (int a = 0; a < w.kh(); a++) {
                        for (int b = 0; b < w.kw(); b++) {
                            int yy = oy * w.sh() - w.ph() + a * w.dh(), xx = ox * w.sw() - w.pw() + b * w.dw();
                            if (yy < 0 || yy >= h || xx < 0 || xx >= wd) continue;
                            double v = x[(p * h + yy) * wd + xx];
                            acc = max ? Math.max(acc, v) : acc + v;
                            count++;
                        }
                    }
                    y[o] = max ? acc : acc / (countPadding ? w.kh() * w.kw() : count);
                }
            }
        }
        return Tensor.of(Shape.of(n, ch, g.oh(), g.ow()), y);
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private static Pool.Window noDilation(Pool.Window w) { return new Pool.Window(w.kh(), w.kw(), w.sh(), w.sw(), w.ph(), w.pw(), 1, 1); }

    private static boolean everyWindowMeetsTheImage(ConvGeometry g) {
        int[] index = g.patchIndex();
        for (int s = 0; s < g.spots(); s++) {
            boolean meets = false;
            for (int t = 0; t < g.patch(); t++) meets |= index[t * g.spots() + s] >= 0;
            if (!meets) return false;
        }
        return true;
    }

    private static Tensor run(Function<List<Node>, Node> f, Tensor x) {
        Input in = new Input("x", Type.of(x));
        return Compiler.compile(List.of(in), List.of(f.apply(List.of(in))), Options.NONE).call(x).get(0);
    }

    private static Tensor run3(Function<List<Node>, Node> f, Tensor a, Tensor b, Tensor c) {
        List<Input> in = List.of(new Input("a", Type.of(a)), new Input("b", Type.of(b)), new Input("c", Type.of(c)));
        return Compiler.compile(in, List.of(f.apply(List.copyOf(in))), Options.NONE).call(a, b, c).get(0);
    }

    private static double dot(Tensor a, Tensor b) {
        double s = 0;
        for (int i = 0; i < a.size(); i++) s += a.getFlat(i) * b.getFlat(i);
        return s;
    }

    /**
     * Windows of 1 to 3 taps, strides 1 to 3, dilations 1 to 2, padding up to half the window;
     * values a shuffle of distinct levels 0.05 apart, so a finite-difference step never changes
     * which element is a window's maximum.
     */
    @Provide
    Arbitrary<Case> cases() {
        return Arbitraries.randomValue(r -> {
            while (true) {
                int kh = 1 + r.nextInt(3), kw = 1 + r.nextInt(3), dh = 1 + r.nextInt(2), dw = 1 + r.nextInt(2);
                int ph = r.nextInt(kh / 2 + 1), pw = r.nextInt(kw / 2 + 1);
                var window = new Pool.Window(kh, kw, 1 + r.nextInt(3), 1 + r.nextInt(3), ph, pw, dh, dw);
                int h = Math.max(1, dh * (kh - 1) + 1 - 2 * ph) + r.nextInt(4), w = Math.max(1, dw * (kw - 1) + 1 - 2 * pw) + r.nextInt(4);
                // a dilated window may fall wholly in the padding, where its maximum is -inf (as in PyTorch): not here
                if (!everyWindowMeetsTheImage(window.over(h, w))) continue;
                Shape shape = Shape.of(1 + r.nextInt(2), 1 + r.nextInt(2), h, w);
                var levels = new ArrayList<Double>();
                for (int i = 0; i < shape.size(); i++) levels.add(-1 + 0.05 * i);
                Collections.shuffle(levels, new Random(r.nextLong()));
                return new Case(window, Tensor.of(shape, levels.stream().mapToDouble(Double::doubleValue).toArray()));
            }
        });
    }
}
