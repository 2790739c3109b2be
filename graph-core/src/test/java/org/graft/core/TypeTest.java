package org.graft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

class TypeTest {

    // ---- sizes ------------------------------------------------------------------------------------

    @Test
    void aTypeWhoseConcreteDimsHoldMoreThanATensorCanIsAShapeError() {
        var e = assertThrows(ShapeError.class, () -> Type.f64(1_000_000, 1_000_000));
        assertEquals("[1000000, 1000000] would hold 1,000,000,000,000 elements; a tensor holds at most 2,147,483,639,"
                + " the most one Java array holds", e.detail());
        // the symbolic dims count as 1: with them the concrete part alone is too large
        assertThrows(ShapeError.class, () -> Type.f64("n", 70_000, 70_000));
        assertEquals(Shape.MAX_SIZE, Type.f64(Shape.MAX_SIZE).shape().size()); // the limit itself is a size
        assertThrows(ShapeError.class, () -> Type.f64(Shape.MAX_SIZE, 2));
    }

    @Test
    void countingElementsSaturatesInsteadOfOverflowing() {
        assertEquals(6, Shape.times(2, 3));
        assertEquals(Long.MAX_VALUE, Shape.times(1L << 40, 1 << 30));
        assertEquals(0, Shape.times(0, Integer.MAX_VALUE));
        var e = assertThrows(ShapeError.class, () -> Type.f64(1 << 30, 1 << 30, 1 << 30, 1 << 30));
        assertTrue(e.detail().contains("would hold more than 9,223,372,036,854,775,807 elements"), e.detail());
    }

    // ---- broadcasting with symbols ---------------------------------------------------------------

    @Test
    void aSymbolBroadcastsWithItself() {
        assertEquals(Type.f64("n", 3), Type.broadcast(Type.f64("n", 3), Type.f64("n", 3)));
        assertEquals(Type.f64("n", 3), Type.broadcast(Type.f64("n", 3), Type.f64(3)));
        assertEquals(Type.f64("n", 3), Type.broadcast(Type.f64(3), Type.f64("n", 3)));
    }

    @Test
    void aSymbolAbsorbsALiteralOne() {
        assertEquals(Type.f64("n", 3), Type.broadcast(Type.f64("n", 1), Type.f64(1, 3)));
        assertEquals(Type.f64("n"), Type.broadcast(Type.f64(1), Type.f64("n")));
        assertEquals(Type.f64("n", "m"), Type.broadcast(Type.f64("n", 1), Type.f64("m")));
    }

    @Test
    void aSymbolAndAnotherSizeDoNotBroadcast() {
        // n may be 1 at run time, but a symbol is never assumed to be 1 (as in Theano)
        var e = assertThrows(ShapeError.class, () -> Type.broadcast(Type.f64("n"), Type.f64(5)));
        assertEquals("cannot broadcast [n] with [5]: dims n and 5 differ", e.getMessage());
        assertEquals(SourcePos.NONE, e.pos());
    }

    @Test
    void twoDifferentSymbolsDoNotBroadcast() {
        var e = assertThrows(ShapeError.class, () -> Type.broadcast(Type.f64("n", 3), Type.f64("m", 3)));
        assertEquals("cannot broadcast [n, 3] with [m, 3]: dims n and m differ", e.getMessage());
    }

    @Test
    void dtypesMustAgree() {
        var e = assertThrows(ShapeError.class, () -> Type.broadcast(Type.f64(3), Type.of(DType.F32, 3)));
        assertEquals("dtypes differ: [3] and f32[3]", e.getMessage());
    }

    // ---- binding a concrete shape --------------------------------------------------------------------

    @Test
    void bindBindsSymbolsToSizes() {
        var env = new HashMap<String, Integer>();
        assertNull(Type.f64("n", 784).bind(Shape.of(32, 784), env));
        assertEquals(Map.of("n", 32), env);
    }

    @Test
    void aSymbolMustHaveOneSizeAcrossShapes() {
        var env = new HashMap<String, Integer>();
        assertNull(Type.f64("n", 3).bind(Shape.of(5, 3), env));
        assertNull(Type.f64("n").bind(Shape.of(5), env));
        assertEquals("expected [n, 2], found [4, 2] (dim 0 is 4, but n = 5 already)",
                Type.f64("n", 2).bind(Shape.of(4, 2), env));
        assertEquals(Map.of("n", 5), env);
    }

    @Test
    void aSymbolMustHaveOneSizeWithinAShape() {
        var env = new HashMap<String, Integer>();
        assertNull(Type.f64("n", "n").bind(Shape.of(3, 3), env));
        var fresh = new HashMap<String, Integer>();
        assertEquals("expected [n, n], found [3, 4] (dim 1 is 4, but n = 3 already)",
                Type.f64("n", "n").bind(Shape.of(3, 4), fresh));
        assertTrue(fresh.isEmpty(), "a shape that does not fit binds nothing");
    }

    @Test
    void aFailedBindLeavesTheEnvironmentAsItWas() {
        var env = new HashMap<String, Integer>();
        assertEquals("expected [n, 3], found [2, 4] (dim 1 is 4, not 3)", Type.f64("n", 3).bind(Shape.of(2, 4), env));
        assertTrue(env.isEmpty());
    }

    @Test
    void bindReportsARankMismatch() {
        assertEquals("expected [n, 3] (rank 2), found [3]", Type.f64("n", 3).bind(Shape.of(3), new HashMap<>()));
        assertEquals("expected [] (rank 0), found [1]", Type.f64().bind(Shape.of(1), new HashMap<>()));
    }

    @Test
    void bindAcceptsSizeZeroForASymbol() {
        var env = new HashMap<String, Integer>();
        assertNull(Type.f64("n", 2).bind(Shape.of(0, 2), env));
        assertEquals(Map.of("n", 0), env);
    }

    // ---- making and reading types ------------------------------------------------------------------

    @Test
    void typesPrintTheirDimsAndAnyDtypeButF64() {
        assertEquals("[n, 784]", Type.f64("n", 784).toString());
        assertEquals("f32[n, 784]", Type.of(DType.F32, "n", 784).toString());
        assertEquals("[]", Type.scalar(DType.F64).toString());
        assertEquals("f32[]", Type.scalar(DType.F32).toString());
    }

    @Test
    void theTypeOfATensorIsConcrete() {
        Type t = Type.of(Tensor.zeros(Shape.of(2, 3)));
        assertEquals(Type.f64(2, 3), t);
        assertTrue(t.isConcrete());
        assertEquals(Shape.of(2, 3), t.shape());
        assertFalse(Type.f64("n", 3).isConcrete());
    }

    @Test
    void aSymbolicTypeHasNoConcreteShape() {
        var e = assertThrows(ShapeError.class, () -> Type.f64("n", 3).shape());
        assertEquals("the type [n, 3] has symbolic dims; it has no concrete shape", e.getMessage());
    }

    @Test
    void dimsAreSizesSymbolsOrDims() {
        assertEquals(List.of(new Dim.Size(2), new Dim.Var("n"), new Dim.Size(4)),
                Type.f64(2, "n", new Dim.Size(4)).dims());
        var e = assertThrows(IllegalArgumentException.class, () -> Type.f64(2.5));
        assertEquals("a dim is an int, a name or a Dim, not 2.5", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Type.f64(-1));
        assertThrows(IllegalArgumentException.class, () -> Type.f64(""));
    }

    @Test
    void onlyALiteralOneIsOne() {
        assertTrue(new Dim.Size(1).isOne());
        assertFalse(new Dim.Size(2).isOne());
        assertFalse(new Dim.Var("one").isOne());
    }

    @Test
    void axesCountFromTheEndWhenNegative() {
        Type t = Type.f64("n", 3, 4);
        assertEquals(new Dim.Size(4), t.dim(-1));
        assertEquals(new Dim.Var("n"), t.dim(0));
        var e = assertThrows(ShapeError.class, () -> t.axis(3));
        assertEquals("axis 3 is out of range for [n, 3, 4] (rank 3)", e.getMessage());
        assertThrows(ShapeError.class, () -> t.axis(-4));
    }

    @Test
    void typesAreValues() {
        assertEquals(Type.f64("n", 3), Type.of(DType.F64, "n", 3));
        assertEquals(Type.f64("n", 3).hashCode(), Type.of(DType.F64, "n", 3).hashCode());
        assertFalse(Type.f64("n", 3).equals(Type.of(DType.F32, "n", 3)));
        assertFalse(Type.f64("n", 3).equals(Type.f64("m", 3)));
    }

    @Test
    void withDimsKeepsTheDtype() {
        Type t = Type.of(DType.F32, "n").withDims(List.of(new Dim.Size(2)));
        assertEquals(Type.of(DType.F32, 2), t);
    }
}
