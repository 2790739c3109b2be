package org.graft.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.graft.core.Apply;
import org.graft.core.Constant;
import org.graft.core.Grad;
import org.graft.core.GraftException;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Op;
import org.graft.core.Param;
import org.graft.core.ShapeError;
import org.graft.core.SourcePos;
import org.graft.core.Type;
import org.graft.core.ops.Add;
import org.graft.core.ops.Broadcasting.SumTo;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

class FunctionTest {

    /** A broken op: its kernel returns one more element than its type rule promises. */
    record Liar() implements Op {
        public Type type(List<Type> in) { return in.get(0); }
        public Tensor fprop(List<Tensor> in) { return Tensor.zeros(Shape.of(in.get(0).size() + 1)); }
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(gy)); }
    }

    /** An op whose kernel fails the way a library call does. */
    record Boom() implements Op {
        public Type type(List<Type> in) { return in.get(0); }
        public Tensor fprop(List<Tensor> in) { throw new ArithmeticException("kaboom"); }
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(gy)); }
    }

    private final Input x = new Input("x", Type.f64("n", 3), new SourcePos("m.graft", 1, 7));
    private final Input b = new Input("b", Type.f64(3));

    private static Node add(Node a, Node c) { return Apply.of(new Add(), a, c); }

    // ---- calling -------------------------------------------------------------------------------------

    @Test
    void outputsAreComputedFromTheFedValues() {
        Node total = Apply.of(new SumTo(Type.scalar(DType.F64)), x);
        var f = Compiler.compile(List.of(x, b), List.of(add(x, b), total, x, Constant.scalar(4)), Options.NONE);
        Tensor xv = Tensor.matrix(new double[] {1, 2, 3}, new double[] {4, 5, 6});
        List<Tensor> out = f.call(xv, Tensor.vector(10, 20, 30));
        assertEquals(Tensor.matrix(new double[] {11, 22, 33}, new double[] {14, 25, 36}), out.get(0));
        assertEquals(Tensor.scalar(21), out.get(1));
        assertEquals(xv, out.get(2));
        assertEquals(Tensor.scalar(4), out.get(3));
        assertEquals(List.of(x, b), f.inputs());
        assertEquals(4, f.outputs().size());
    }

    @Test
    void valuesCanBeGivenByInput() {
        var f = Compiler.compile(List.of(x, b), List.of(add(x, b)), Options.NONE);
        var out = f.call(Map.of(b, Tensor.vector(1, 1, 1), x, Tensor.zeros(Shape.of(1, 3))));
        assertEquals(Tensor.ones(Shape.of(1, 3)), out.get(0));
        var e = assertThrows(GraftException.class, () -> f.call(Map.of(x, Tensor.zeros(Shape.of(1, 3)))));
        assertEquals("no value for input b", e.getMessage());
    }

    @Test
    void aSymbolicDimMayTakeANewSizeAtEachCall() {
        var f = Compiler.compile(List.of(x, b), List.of(add(x, b)), Options.NONE);
        assertEquals(Shape.of(2, 3), f.call(Tensor.zeros(Shape.of(2, 3)), Tensor.zeros(Shape.of(3))).get(0).shape());
        assertEquals(Shape.of(5, 3), f.call(Tensor.zeros(Shape.of(5, 3)), Tensor.zeros(Shape.of(3))).get(0).shape());
        assertEquals(Shape.of(0, 3), f.call(Tensor.zeros(Shape.of(0, 3)), Tensor.zeros(Shape.of(3))).get(0).shape());
    }

    @Test
    void aValueThatDoesNotFitItsInputIsAShapeErrorNamingBoth() {
        var f = Compiler.compile(List.of(x, b), List.of(add(x, b)), Options.NONE);
        var e = assertThrows(ShapeError.class, () -> f.call(Tensor.zeros(Shape.of(2, 4)), Tensor.zeros(Shape.of(3))));
        assertEquals("m.graft:1:7: input x: expected [n, 3], found [2, 4] (dim 1 is 4, not 3)", e.getMessage());
        assertEquals(x.pos(), e.pos());
        var r = assertThrows(ShapeError.class, () -> f.call(Tensor.zeros(Shape.of(2, 3)), Tensor.zeros(Shape.of(1, 3))));
        assertEquals("input b: expected [3] (rank 1), found [1, 3]", r.getMessage());
    }

    @Test
    void aSymbolHasOneSizeAcrossTheInputsOfACall() {
        var y = new Input("y", Type.f64("n"));
        var f = Compiler.compile(List.of(x, y), List.of(x, y), Options.NONE);
        var e = assertThrows(ShapeError.class, () -> f.call(Tensor.zeros(Shape.of(3, 3)), Tensor.zeros(Shape.of(4))));
        assertEquals("input y: expected [n], found [4] (dim 0 is 4, but n = 3 already)", e.getMessage());
        assertEquals(2, f.call(Tensor.zeros(Shape.of(4, 3)), Tensor.zeros(Shape.of(4))).size());
    }

    @Test
    void theWrongNumberOfValuesIsAnError() {
        var f = Compiler.compile(List.of(x, b), List.of(add(x, b)), Options.NONE);
        var e = assertThrows(GraftException.class, () -> f.call(Tensor.zeros(Shape.of(2, 3))));
        assertEquals("expected 2 values for the inputs (x, b), found 1", e.getMessage());
    }

    @Test
    void aKernelThatDisagreesWithItsTypeRuleIsReported() {
        var at = new SourcePos("m.graft", 5, 3);
        var f = Compiler.compile(List.of(b), List.of(Apply.at(at, new Liar(), List.of(b))), Options.NONE);
        var e = assertThrows(GraftException.class, () -> f.call(Tensor.zeros(Shape.of(3))));
        assertEquals("m.graft:5:3: fprop of liar disagrees with its type rule: expected [3], found [4] (dim 0 is 4, not 3)",
                e.getMessage());
    }

    @Test
    void aFailingKernelIsReportedWithItsCall() {
        var f = Compiler.compile(List.of(b), List.of(Apply.of(new Boom(), b)), Options.NONE);
        var e = assertThrows(GraftException.class, () -> f.call(Tensor.zeros(Shape.of(3))));
        assertEquals("boom(b): kaboom", e.getMessage());
    }

    // ---- compiling ---------------------------------------------------------------------------------

    @Test
    void anOutputThatDependsOnAnUnlistedInputIsRefused() {
        var e = assertThrows(GraftException.class, () -> Compiler.compile(List.of(x), List.of(add(x, b)), Options.NONE));
        assertEquals("the outputs or updates depend on input b, which is not among the function's inputs (x)", e.getMessage());
    }

    @Test
    void anUpdateThatDependsOnAnUnlistedInputIsRefused() {
        var p = new Param("p", Tensor.zeros(Shape.of(3)));
        var e = assertThrows(GraftException.class, () -> Compiler.compile(List.of(), List.of(), Map.of(p, add(p, b)), Options.NONE));
        assertEquals("the outputs or updates depend on input b, which is not among the function's inputs ()", e.getMessage());
    }

    @Test
    void anInputListedTwiceIsRefused() {
        var e = assertThrows(GraftException.class, () -> Compiler.compile(List.of(b, b), List.of(b), Options.NONE));
        assertEquals("input b is listed twice", e.getMessage());
    }

    // ---- params and updates -------------------------------------------------------------------------

    @Test
    void updatesAreAppliedAfterTheCall() {
        var p = new Param("p", Tensor.vector(1, 2));
        var f = Compiler.compile(List.of(), List.of(p), Map.of(p, add(p, Constant.scalar(1))), Options.NONE);
        assertEquals(Tensor.vector(1, 2), f.call().get(0));      // the output sees p before the update
        assertEquals(Tensor.vector(2, 3), p.value());
        assertEquals(Tensor.vector(2, 3), f.call().get(0));
        assertEquals(Tensor.vector(3, 4), p.value());
    }

    @Test
    void updatesAreSimultaneous() {
        var p = new Param("p", Tensor.vector(1, 2));
        var q = new Param("q", Tensor.vector(3, 4));
        var swap = new LinkedHashMap<Param, Node>();
        swap.put(p, q);
        swap.put(q, p);
        var f = Compiler.compile(List.of(), List.of(), swap, Options.NONE);
        f.call();
        assertEquals(Tensor.vector(3, 4), p.value());
        assertEquals(Tensor.vector(1, 2), q.value());
        f.call();
        assertEquals(Tensor.vector(1, 2), p.value());
        assertEquals(Tensor.vector(3, 4), q.value());
    }

    @Test
    void anUpdateReadingAnotherUpdatedParamSeesItsOldValue() {
        var p = new Param("p", Tensor.scalar(1));
        var q = new Param("q", Tensor.scalar(10));
        var updates = new LinkedHashMap<Param, Node>();
        updates.put(p, add(p, q));   // p <- p + q with the old q
        updates.put(q, add(q, q));   // q <- 2q
        var f = Compiler.compile(List.of(), List.of(), updates, Options.NONE);
        f.call();
        assertEquals(Tensor.scalar(11), p.value());
        assertEquals(Tensor.scalar(20), q.value());
    }

    @Test
    void anUpdateOfAnotherTypeIsRefusedAtCompileTime() {
        var p = new Param("p", Tensor.vector(1, 2));
        var e = assertThrows(ShapeError.class,
                () -> Compiler.compile(List.of(b), List.of(), Map.of(p, add(b, Constant.scalar(1))), Options.NONE));
        assertEquals("update of p: expected [2], found [3]", e.getMessage());
        var s = assertThrows(ShapeError.class, () -> Compiler.compile(List.of(x), List.of(), Map.of(
                new Param("w", Tensor.zeros(Shape.of(2, 3))), x), Options.NONE));
        assertEquals("m.graft:1:7: update of w: expected [2, 3], found [n, 3]", s.getMessage());
    }

    @Test
    void paramsAreReadWhenTheFunctionIsCalled() {
        var p = new Param("p", Tensor.vector(1, 2));
        var f = Compiler.compile(List.of(), List.of(add(p, p)), Options.NONE);
        assertEquals(Tensor.vector(2, 4), f.call().get(0));
        p.set(Tensor.vector(5, 6));
        assertEquals(Tensor.vector(10, 12), f.call().get(0));
    }

    @Test
    void paramSetRefusesAValueOfAnotherShape() {
        var p = new Param("p", Tensor.vector(1, 2), new SourcePos("m.graft", 2, 1));
        var e = assertThrows(ShapeError.class, () -> p.set(Tensor.vector(1, 2, 3)));
        assertEquals("m.graft:2:1: param p: expected [2], found [3] (dim 0 is 3, not 2)", e.getMessage());
        assertEquals(Tensor.vector(1, 2), p.value());
        assertThrows(ShapeError.class, () -> p.set(Tensor.scalar(1)));
    }

    @Test
    void aParamWithSymbolicDimsTakesThemFromItsValueAndMustAgreeWithTheInputs() {
        var x = new Input("x", Type.f64("n", "d"));
        var w = new Param("w", Type.f64("d"), new SourcePos("m.graft", 3, 1));
        var f = Compiler.compile(List.of(x), List.of(Apply.of(new Add(), x, w)), Options.NONE);
        assertEquals("m.graft:3:1: param w has no value yet",
                assertThrows(GraftException.class, () -> f.call(Tensor.zeros(Shape.of(2, 3)))).getMessage());
        w.set(Tensor.vector(1, 2, 3));
        assertEquals(Tensor.matrix(new double[] {1, 2, 3}, new double[] {1, 2, 3}), f.call(Tensor.zeros(Shape.of(2, 3))).get(0));
        assertEquals("m.graft:3:1: param w: expected [d], found [3] (dim 0 is 3, but d = 4 already)",
                assertThrows(ShapeError.class, () -> f.call(Tensor.zeros(Shape.of(2, 4)))).getMessage());
        assertThrows(ShapeError.class, () -> w.set(Tensor.zeros(Shape.of(3, 1))));
    }

    @Test
    void aConstantStandingForASymbolicNodeBindsItsDimsAsAParamDoes() {
        var x = new Input("x", Type.f64("n"));
        var c = Constant.of(Tensor.vector(1, 2), Type.f64("n")).at(new SourcePos("m.graft", 4, 2));
        var f = Compiler.compile(List.of(x), List.of(Apply.of(new Add(), x, c)), Options.NONE);
        assertEquals(Tensor.vector(11, 22), f.call(Tensor.vector(10, 20)).get(0));
        assertEquals("m.graft:4:2: constant[n]: expected [n], found [2] (dim 0 is 2, but n = 3 already)",
                assertThrows(ShapeError.class, () -> f.call(Tensor.vector(1, 2, 3))).getMessage());
        assertThrows(ShapeError.class, () -> Constant.of(Tensor.vector(1, 2), Type.f64("n", 1)));
    }

    // ---- the non-finite guard --------------------------------------------------------------------------

    @Test
    void theGuardStopsAtTheFirstOpWhoseFiniteOperandsGaveANonFiniteValue() {
        Param big = new Param("big", Tensor.vector(1e308, 1, 2));
        Node overflow = Apply.at(new SourcePos("m.graft", 2, 5), new Add(), List.of(x, big));
        Node later = add(overflow, b);
        var f = Compiler.compile(List.of(x, b), List.of(later), Map.of(big, add(big, b)), Options.NONE)
                .guardNonFinite(true);
        var e = assertThrows(NonFiniteError.class,
                () -> f.call(Tensor.matrix(new double[] {0, 0, 0}, new double[] {1e308, 0, 0}), Tensor.vector(0, 0, 0)));
        assertEquals("m.graft:2:5: add(x, big) gave Infinity at [1, 0]", e.getMessage());
        assertEquals(overflow, e.node());
        assertEquals(Tensor.vector(1e308, 1, 2), big.value(), "a stopped call updates nothing");
    }

    @Test
    void theGuardNamesAnInputThatHoldsANaN() {
        var f = Compiler.compile(List.of(x, b), List.of(add(x, b)), Options.NONE).guardNonFinite(true);
        var e = assertThrows(NonFiniteError.class,
                () -> f.call(Tensor.matrix(new double[] {0, Double.NaN, 0}), Tensor.vector(0, 0, 0)));
        assertEquals("m.graft:1:7: input x holds NaN at [0, 1]", e.getMessage());
    }

    @Test
    void withoutTheGuardNonFiniteValuesPassThrough() {
        var f = Compiler.compile(List.of(x, b), List.of(add(x, b)), Options.NONE);
        Tensor out = f.call(Tensor.matrix(new double[] {0, Double.NaN, 0}), Tensor.vector(0, 0, 0)).get(0);
        assertEquals(Double.NaN, out.getFlat(1));
        assertEquals(Tensor.matrix(new double[] {0, Double.NaN, 0}), f.guardNonFinite(true).guardNonFinite(false)
                .call(Tensor.matrix(new double[] {0, Double.NaN, 0}), Tensor.vector(0, 0, 0)).get(0));
    }
}
