package org.graft.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.graft.core.Apply;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.Type;
import org.graft.core.ops.Add;
import org.graft.core.ops.Broadcasting.SumTo;
import org.graft.core.ops.FillLike;
import org.graft.core.ops.StopGradient;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/** How a compiled function lays its graph out: fused chains, reused buffers, one plan per shape, no allocation per call. */
class PlanTest {
    private final Input x = new Input("x", Type.of(DType.F64, "n"));

    private static Node add(Node a, Node b) { return Apply.of(new Add(), a, b); }

    /** Not elementwise, so never fused: a value of its own in a buffer of its own. */
    private static Node copy(Node a) { return Apply.of(new StopGradient(), a); }

    private static Node total(Node a) { return Apply.of(new SumTo(Type.scalar(DType.F64)), a); }

    @Test
    void aChainOfElementwiseOpsRunsAsOneKernel() {
        Node y = add(add(add(x, x), x), add(x, x));
        Function f = Compiler.compile(List.of(x), List.of(y), Options.NONE);
        assertEquals(Tensor.vector(5, 10, -5), f.call(Tensor.vector(1, 2, -1)).get(0));
        assertEquals(1, f.plan().steps());
    }

    @Test
    void chainsThatReadEachOtherRunAsOneLoopWithAnOutputEach() {
        var w = new Param("w", Tensor.vector(1, 2, 3));
        Input v = new Input("v", Type.of(DType.F64, 3));
        Node next = add(w, v);                          // the update, read by the output too: as Adam's m by its param's step
        Node y = add(add(next, v), w);
        Function f = Compiler.compile(List.of(v), List.of(y), Map.of(w, next), Options.NONE);
        assertEquals(Tensor.vector(12, 24, 36), f.call(Tensor.vector(5, 10, 15)).get(0));
        assertEquals(Tensor.vector(6, 12, 18), w.value());
        assertEquals(1, f.plan().steps());
    }

    @Test
    void aChainOfManyBlocksGivesItsOutputsInPlaceOrBlockByBlock() {
        int cols = Fused.BLOCK + 226, n = 2 * cols; // 2.4 blocks, not a whole number of them
        double[] w0 = new double[n], v0 = new double[n], row = new double[cols];
        for (int i = 0; i < n; i++) {
            w0[i] = i;
            v0[i] = 3.0 * i - 7;
        }
        for (int j = 0; j < cols; j++) row[j] = 0.5 * j;
        // operands of the output's shape, or a scalar beside them: the loop runs in place; a row
        // added to each row of v: it loads each block into registers of one block
        for (String c : List.of("none", "scalar", "row")) {
            var w = new Param("w", Tensor.of(w0.clone(), 2, cols));
            Input v = new Input("v", Type.of(DType.F64, 2, cols));
            Input added = new Input("c", c.equals("scalar") ? Type.scalar(DType.F64) : Type.of(DType.F64, cols));
            Node step = c.equals("none") ? v : add(v, added);
            Node next = add(w, step);                   // the update, read by the output too, written over w
            Node y = add(add(next, v), w);
            Function f = Compiler.compile(c.equals("none") ? List.of(v) : List.of(v, added), List.of(y), Map.of(w, next), Options.NONE);
            Tensor fedV = Tensor.of(v0, 2, cols);
            Tensor got = c.equals("none") ? f.call(fedV).get(0)
                    : f.call(fedV, c.equals("scalar") ? Tensor.scalar(0.5) : Tensor.of(row, cols)).get(0);
            for (int i = 0; i < n; i++) {
                double shift = c.equals("none") ? 0 : c.equals("scalar") ? 0.5 : row[i % cols];
                int r = i / cols, k = i % cols;
                assertEquals((w0[i] + (v0[i] + shift) + v0[i]) + w0[i], got.get(r, k), "y at " + i + ", c " + c);
                assertEquals(w0[i] + (v0[i] + shift), w.value().get(r, k), "w at " + i + ", c " + c);
            }
            assertEquals(1, f.plan().steps());
        }
    }

    @Test
    void aChainRunsInPlaceUnlessItBroadcastsOrItsRegistersWouldHoldTooMuch() {
        assertTrue(Fused.inPlace(784 * 500, false, 4));                          // Adam's update of a weight matrix
        assertTrue(Fused.inPlace(Fused.BLOCK, true, 99));                         // one block: always
        assertFalse(Fused.inPlace(Fused.BLOCK + 1, true, 0));                     // a bias or a sum, past one block
        assertTrue(Fused.inPlace((int) (Fused.IN_PLACE_MOST / 2), false, 2));
        assertFalse(Fused.inPlace((int) (Fused.IN_PLACE_MOST / 2) + 1, false, 2));
        assertTrue(Fused.inPlace(Integer.MAX_VALUE, false, 0));                   // reads and writes arrays it is given only
    }

    @Test
    void aChainWritesAnUpdateWhereItGoesUnlessALaterOpReadsTheParamItReplaces() {
        int n = 2 * Fused.BLOCK + 452;
        double[] m0 = new double[n], p0 = new double[n], g0 = new double[n];
        for (int i = 0; i < n; i++) {
            m0[i] = i;
            p0[i] = -2.0 * i;
            g0[i] = 0.25 * i + 1;
        }
        // as Adam's moment feeding its param's step: m's update is written over m by its own op,
        // unless the param's step reads the old m after it, when it goes through a register
        for (boolean readsOldM : new boolean[] {false, true}) {
            var m = new Param("m", Tensor.of(m0.clone(), n));
            var p = new Param("p", Tensor.of(p0.clone(), n));
            Input g = new Input("g", Type.of(DType.F64, n));
            Node mNext = add(m, g);
            Node pNext = readsOldM ? add(add(p, mNext), m) : add(p, mNext);
            Function f = Compiler.compile(List.of(g), List.of(), Map.of(m, mNext, p, pNext), Options.NONE);
            for (int call = 1; call <= 2; call++) {
                f.call(Tensor.of(g0, n));
                for (int i = 0; i < n; i++) {
                    double mBefore = m0[i] + (call - 1) * g0[i], mAfter = mBefore + g0[i];
                    double pBefore = call == 1 ? p0[i] : readsOldM ? (p0[i] + (m0[i] + g0[i])) + m0[i] : p0[i] + (m0[i] + g0[i]);
                    double want = readsOldM ? (pBefore + mAfter) + mBefore : pBefore + mAfter;
                    assertEquals(mAfter, m.value().get(i), "m at " + i + ", call " + call + (readsOldM ? ", old m read" : ""));
                    assertEquals(want, p.value().get(i), "p at " + i + ", call " + call + (readsOldM ? ", old m read" : ""));
                }
            }
            assertEquals(1, f.plan().steps());
        }
    }

    @Test
    void aValueReadOutsideTheLoopBeforeItRunsIsComputedByAKernelOfItsOwn() {
        Node a = add(x, x);
        Node y = add(a, copy(a));                       // the copy needs a before the loop of y could run
        Function f = Compiler.compile(List.of(x), List.of(y), Options.NONE);
        assertEquals(Tensor.vector(4, -8), f.call(Tensor.vector(1, -2)).get(0));
        assertEquals(3, f.plan().steps());
    }

    @Test
    void aChainWritesOverAnOperandWhoseLastReaderItIs() {
        Node c = copy(x);
        Function f = Compiler.compile(List.of(x), List.of(add(c, c)), Options.NONE);
        assertEquals(Tensor.vector(2, 4), f.call(Tensor.vector(1, 2)).get(0));
        assertEquals(2, f.plan().steps());
        assertEquals(1, f.plan().arrays());
    }

    @Test
    void aBufferIsReusedOnceItsValueHasBeenReadForTheLastTime() {
        Node y = x;
        for (int i = 0; i < 10; i++) y = copy(y);
        Function f = Compiler.compile(List.of(x), List.of(y), Options.NONE);
        assertEquals(Tensor.vector(3, 1), f.call(Tensor.vector(3, 1)).get(0));
        assertEquals(10, f.plan().steps());
        assertEquals(2, f.plan().arrays()); // each copy writes where the one before last wrote
    }

    /** {@code m} summed over its rows: a bias's gradient. */
    private static Node columnSum(Node m) { return Apply.of(new SumTo(Type.of(DType.F64, 3)), m); }

    private final Input batch = new Input("m", Type.of(DType.F64, "n", 3));
    private final Tensor rows = Tensor.of(new double[] {1, 2, 3, 10, 20, 30}, 2, 3);

    @Test
    void aSumReadOnlyByALoopOfItsShapeIsComputedInTheLoop() {
        var b = new Param("b", Tensor.vector(100, 200, 300));
        Function f = Compiler.compile(List.of(batch), List.of(), Map.of(b, add(b, columnSum(batch))), Options.NONE);
        f.call(rows);
        assertEquals(Tensor.vector(111, 222, 333), b.value());
        assertEquals(1, f.plan().steps());
    }

    @Test
    void aSumReadOutsideTheLoopOrWhoseOperandTheLoopReadsTooIsAKernelOfItsOwn() {
        Node sum = columnSum(batch);
        Node bias = new Param("b", Tensor.vector(100, 200, 300));
        Function output = Compiler.compile(List.of(batch), List.of(sum, add(bias, sum)), Options.NONE);
        assertEquals(Tensor.vector(11, 22, 33), output.call(rows).get(0));
        assertEquals(2, output.plan().steps());                          // the sum is an output: a kernel of its own
        Function copied = Compiler.compile(List.of(batch), List.of(add(bias, copy(sum)), add(bias, sum)), Options.NONE);
        assertEquals(Tensor.vector(111, 222, 333), copied.call(rows).get(1));
        assertEquals(4, copied.plan().steps());                          // read by a copy: the sum, the copy, two loops
        Input v = new Input("v", Type.of(DType.F64, 3));
        Function direct = Compiler.compile(List.of(v), List.of(add(columnSum(v), v)), Options.NONE);
        assertEquals(Tensor.vector(2, 4, 6), direct.call(Tensor.vector(1, 2, 3)).get(0));
        assertEquals(2, direct.plan().steps());                          // the loop reads what the sum reads: it could write over it
    }

    @Test
    void aBroadcastOperandIsLoadedRightWhateverItsPatternAndWhereverTheBlocksCutIt() {
        // periodic (a bias), repeated (a column per row), and neither (read through a table), in
        // runs longer and shorter than RUN_FROM and than a block, over outputs of 2.4 and 1.2 blocks
        int[][][] cases = {
            {{3, 1250}, {1250}}, {{3, 1250}, {3, 1}}, {{40, 500}, {500}}, {{40, 500}, {40, 1}},
            {{2, 40, 30}, {40, 30}}, {{2, 40, 30}, {2, 1, 1}}, {{2, 40, 30}, {2, 40, 1}}, {{2, 40, 30}, {1, 40, 1}},
            {{2, 40, 30}, {2, 1, 30}}, {{5, 7}, {5, 1}}, {{5, 7}, {7}}, {{300, 7}, {7}}, {{300, 7}, {300, 1}},
        };
        for (int[][] c : cases) {
            Shape out = Shape.of(c[0]);
            Shape shape = Shape.of(c[1]);
            for (DType dtype : DType.values()) {
                Input v = new Input("v", Type.of(dtype, out));
                Input b = new Input("b", Type.of(dtype, shape));
                Function f = Compiler.compile(List.of(v, b), List.of(add(add(v, b), v)), Options.NONE);
                double[] vs = new double[out.size()], bs = new double[shape.size()];
                for (int i = 0; i < vs.length; i++) vs[i] = 0.1 * i - 3;
                for (int i = 0; i < bs.length; i++) bs[i] = 1000.0 + 7 * i;
                Tensor fedV = Tensor.of(dtype, out, vs), fedB = Tensor.of(dtype, shape, bs);
                String what = out + " + " + shape + " in " + dtype;
                assertEquals(fedV.add(fedB).add(fedV), f.call(fedV, fedB).get(0), what);
                assertEquals(1, f.plan().steps(), what);
            }
        }
        var s = Shape.of(40, 500);
        assertEquals(500, Fused.repeated(Shape.of(40, 1), s));
        assertEquals(500, Fused.repeated(Shape.of(1, 40, 1), Shape.of(1, 40, 500)));
        assertEquals(20_000, Fused.repeated(Shape.of(1, 1), s));     // a scalar, which the loop takes as one
        assertEquals(0, Fused.repeated(Shape.of(500), s));           // periodic
        assertEquals(0, Fused.repeated(Shape.of(1, 40, 1), Shape.of(2, 40, 30)));
        assertEquals(0, Fused.repeated(Shape.of(2, 40, 1, 1), s));   // more dims than the output
    }

    @Test
    void aScalarOperandIsReadAgainWheneverItsBitsChange() {
        // three elements, one block; and enough for the loop to be split across the threads
        for (int n : new int[] {3, 3 * Fused.PARALLEL_FROM + 777}) {
            for (DType dtype : DType.values()) {
                var s = new Param("s", Tensor.scalar(dtype, 0.0));   // the value a new register holds
                Input v = new Input("v", Type.of(dtype, n));
                Function f = Compiler.compile(List.of(v), List.of(add(v, s)), Options.NONE);
                double[] values = new double[n];
                for (int i = 0; i < n; i++) values[i] = i == 0 ? -0.0 : i;
                Tensor in = Tensor.of(dtype, Shape.of(n), values);
                for (double value : new double[] {0.0, -0.0, Double.NaN, 1.5, 1.5, -0.0, 0.0}) {
                    s.set(Tensor.scalar(dtype, value));
                    assertEquals(in.add(Tensor.scalar(dtype, value)), f.call(in).get(0), n + " " + dtype + " + " + value);
                }
            }
        }
    }

    /** 2x; its kernel computes {@link Plus} of the same x too, when it is given one. */
    private record Twice() implements org.graft.core.Op {
        public Type type(List<Type> in) { return in.get(0); }

        public Tensor fprop(List<Tensor> in) { return in.get(0).add(in.get(0)); }

        public List<org.graft.core.Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(org.graft.core.Grad.of(gy)); }

        public org.graft.core.kernel.Kernel kernel(org.graft.core.kernel.Site site) {
            int x = site.slot(0), out = site.slot(), n = site.out().size();
            return b -> {
                for (int i = 0; i < n; i++) ((double[]) b[out])[i] = 2 * ((double[]) b[x])[i];
            };
        }

        public org.graft.core.kernel.Kernel kernelWith(org.graft.core.Op other, org.graft.core.kernel.Site site,
                                                       org.graft.core.kernel.Site otherSite) {
            if (!(other instanceof Plus) || otherSite.slot(0) != site.slot(0)) return null;
            var twice = kernel(site);
            var plus = other.kernel(otherSite);
            return b -> {
                twice.run(b);
                plus.run(b);
            };
        }
    }

    /** x + y, without a kernel of its own for two nodes. */
    private record Plus() implements org.graft.core.Op {
        public Type type(List<Type> in) { return in.get(0); }

        public Tensor fprop(List<Tensor> in) { return in.get(0).add(in.get(1)); }

        public List<org.graft.core.Grad> bprop(List<Node> in, Node y, Node gy) {
            return List.of(org.graft.core.Grad.of(gy), org.graft.core.Grad.of(gy));
        }

        public org.graft.core.kernel.Kernel kernel(org.graft.core.kernel.Site site) {
            int x = site.slot(0), y = site.slot(1), out = site.slot(), n = site.out().size();
            return b -> {
                for (int i = 0; i < n; i++) ((double[]) b[out])[i] = ((double[]) b[x])[i] + ((double[]) b[y])[i];
            };
        }
    }

    @Test
    void aKernelComputesALaterNodeTooWhenItsOpSaysHowAndTheOperandsAreReady() {
        Input y = new Input("y", Type.of(DType.F64, "n"));
        Node twice = Apply.of(new Twice(), x), plus = Apply.of(new Plus(), x, y);
        Function f = Compiler.compile(List.of(x, y), List.of(copy(twice), copy(plus)), Options.NONE);
        List<Tensor> out = f.call(Tensor.vector(1, 2), Tensor.vector(10, 20));
        assertEquals(List.of(Tensor.vector(2, 4), Tensor.vector(11, 22)), out);
        assertEquals(3, f.plan().steps());                               // twice with plus, two copies
        Function guarded = Compiler.compile(List.of(x, y), List.of(copy(twice), copy(plus)), Options.NONE).guardNonFinite(true);
        assertEquals(out, guarded.call(Tensor.vector(1, 2), Tensor.vector(10, 20)));
        assertEquals(4, guarded.plan().steps());                         // the guard checks each kernel's value: one each
    }

    @Test
    void aNodeWhoseOperandIsComputedAfterTheEarlierOneOrThatIsARootHasAKernelOfItsOwn() {
        Node twice = Apply.of(new Twice(), x);
        Node plus = Apply.of(new Plus(), x, copy(twice));                // reads what twice computes
        Function f = Compiler.compile(List.of(x), List.of(copy(plus)), Options.NONE);
        assertEquals(Tensor.vector(3, 6), f.call(Tensor.vector(1, 2)).get(0));
        assertEquals(4, f.plan().steps());
        Input y = new Input("y", Type.of(DType.F64, "n"));
        Node output = Apply.of(new Plus(), x, y);
        Function root = Compiler.compile(List.of(x, y), List.of(copy(Apply.of(new Twice(), x)), output), Options.NONE);
        assertEquals(Tensor.vector(11, 22), root.call(Tensor.vector(1, 2), Tensor.vector(10, 20)).get(1));
        assertEquals(3, root.plan().steps());
    }

    @Test
    void aValueFixedByTheShapesIsComputedOnceWhenThePlanIsMade() {
        Node twos = Apply.of(new FillLike(2), x);                       // reads x for its shape only
        Node fourths = add(twos, Apply.of(new FillLike(2), x));         // a sum of two fixed values is fixed too
        Function f = Compiler.compile(List.of(x), List.of(add(x, fourths)), Options.NONE);
        assertEquals(Tensor.vector(5, 6), f.call(Tensor.vector(1, 2)).get(0));
        assertEquals(1, f.plan().steps());                               // the add of x; fills and their sum are fixed
        assertEquals(Tensor.vector(7, 4), f.call(Tensor.vector(3, 0)).get(0));
    }

    /** An op with a reference semantics only: no kernel. */
    private record Doubled() implements org.graft.core.Op {
        public Type type(List<Type> in) { return in.get(0); }

        public Tensor fprop(List<Tensor> in) { return in.get(0).add(in.get(0)); }

        public List<org.graft.core.Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(org.graft.core.Grad.of(gy)); }
    }

    @Test
    void anOpWithoutAKernelRunsItsFpropAndIsListedAsAFallback() {
        Node doubled = Apply.of(new Doubled(), x);
        Function f = Compiler.compile(List.of(x), List.of(add(doubled, x)), Options.NONE);
        assertEquals(Tensor.vector(3, -6), f.call(Tensor.vector(1, -2)).get(0));
        assertEquals(List.of(doubled), f.fallbacks());
        Function kernelsOnly = Compiler.compile(List.of(x), List.of(add(x, x)), Options.NONE);
        kernelsOnly.call(Tensor.vector(1, -2));
        assertEquals(List.of(), kernelsOnly.fallbacks());
    }

    @Test
    void aPlanIsMadeOncePerInputShape() {
        Function f = Compiler.compile(List.of(x), List.of(total(add(x, x))), Options.NONE);
        assertEquals(Tensor.scalar(12), f.call(Tensor.vector(1, 2, 3)).get(0));
        assertEquals(Tensor.scalar(4), f.call(Tensor.vector(1, 1)).get(0));
        assertEquals(Tensor.scalar(6), f.call(Tensor.vector(1, 1, 1)).get(0));
        assertEquals(2, f.plans());
    }

    @Test
    void anUpdateThatReadsItsParamLastIsWrittenOverTheParamsStorage() {
        var w = new Param("w", Tensor.vector(1, 2));
        Input v = new Input("v", Type.of(DType.F64, 2));
        Function f = Compiler.compile(List.of(v), List.of(total(copy(w))), Map.of(w, add(w, v)), Options.NONE);
        Object storage = w.storage();
        assertEquals(Tensor.scalar(3), f.call(Tensor.vector(1, 1)).get(0));
        assertEquals(Tensor.vector(2, 3), w.value());
        assertEquals(Tensor.scalar(5), f.call(Tensor.vector(1, 1)).get(0));
        assertSame(storage, w.storage());
        assertEquals(Tensor.vector(3, 4), w.value());
    }

    @Test
    void anUpdateThatCannotBeWrittenInPlaceIsExchangedWithTheParamsStorageNotCopied() {
        var w = new Param("w", Tensor.vector(1, 2));
        Input v = new Input("v", Type.of(DType.F64, 2));
        // w is an output, so its old value must survive the call
        Function f = Compiler.compile(List.of(v), List.of(w), Map.of(w, add(w, v)), Options.NONE);
        Object first = w.storage();
        assertEquals(Tensor.vector(1, 2), f.call(Tensor.vector(1, 1)).get(0));
        Object second = w.storage();
        assertEquals(Tensor.vector(2, 3), f.call(Tensor.vector(1, 1)).get(0));
        assertNotSame(first, second);
        assertSame(first, w.storage());
        assertEquals(Tensor.vector(3, 4), w.value());
    }

    @Test
    void updatesThatReadEachOthersParamsSeeTheOldValuesWhateverIsInPlace() {
        var a = new Param("a", Tensor.vector(1, 2));
        var b = new Param("b", Tensor.vector(10, 20));
        var updates = new java.util.LinkedHashMap<Param, Node>();
        updates.put(a, add(a, b));   // reads b, which b's own update overwrites
        updates.put(b, add(b, a));
        Function f = Compiler.compile(List.of(), List.of(), updates, Options.NONE);
        f.call();
        assertEquals(Tensor.vector(11, 22), a.value());
        assertEquals(Tensor.vector(11, 22), b.value());
        f.call();
        assertEquals(Tensor.vector(22, 44), a.value());
        assertEquals(Tensor.vector(22, 44), b.value());
    }

    @Test
    void aCallAllocatesNothingOnceItsPlanExists() {
        var w = new Param("w", Tensor.vector(1, 2, 3, 4));
        Input v = new Input("v", Type.of(DType.F64, 4));
        Function f = Compiler.compile(List.of(v), List.of(total(add(copy(w), v))), Map.of(w, add(w, copy(v))), Options.NONE);
        Tensor[] fed = {Tensor.vector(0.5, 0.5, 0.5, 0.5)};
        double sum = 0;
        for (int i = 0; i < 20_000; i++) { // past the JIT's first tiers
            f.run(fed);
            sum += f.scalar(0);
        }
        // the fewest bytes of ten runs of 1000 calls: a JIT deoptimization may allocate once in a run
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long fewest = Long.MAX_VALUE;
        for (int run = 0; run < 10; run++) {
            long before = threads.getThreadAllocatedBytes(id);
            for (int i = 0; i < 1000; i++) {
                f.run(fed);
                sum += f.scalar(0);
            }
            fewest = Math.min(fewest, threads.getThreadAllocatedBytes(id) - before);
        }
        assertEquals(0, fewest, "bytes allocated by 1000 calls (sum " + sum + ")");
    }

    @Test
    void aLargeChainSplitAcrossThreadsGivesTheBitsOfOneThread() {
        int n = 3 * Fused.PARALLEL_FROM + 777; // not a whole number of blocks
        var random = Function.randomStream(1);
        double[] u = new double[n], v = new double[n];
        for (int i = 0; i < n; i++) {
            u[i] = random.nextGaussian();
            v[i] = random.nextGaussian() * 1e-8;
        }
        Tensor a = Tensor.of(u, n), b = Tensor.of(v, n);
        Input y = new Input("y", Type.of(DType.F64, "n"));
        Function f = Compiler.compile(List.of(x, y), List.of(add(add(x, y), add(y, x))), Options.NONE);
        assertEquals(a.add(b).add(b.add(a)), f.call(a, b).get(0));
    }
}
