package org.graft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import org.graft.core.ops.Add;
import org.graft.core.ops.Broadcasting.BroadcastLike;
import org.graft.core.ops.Broadcasting.SumTo;
import org.graft.core.ops.FillLike;
import org.graft.core.ops.StopGradient;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

class ApplyTest {
    private final Input x = new Input("x", Type.f64("n", 3));
    private final Input y = new Input("y", Type.f64(4));

    @Test
    void theTypeIsInferredWhenTheNodeIsBuilt() {
        var z = Apply.of(new Add(), x, new Input("b", Type.f64(3)));
        assertEquals(Type.f64("n", 3), z.type());
        assertEquals(List.of(x, z.inputs().get(1)), z.inputs());
    }

    @Test
    void shapesThatDoNotFitAreAnErrorWhereTheNodeIsBuilt() {
        var e = assertThrows(ShapeError.class, () -> Apply.of(new Add(), x, y));
        assertEquals("add(x, y): cannot broadcast [n, 3] with [4]: dims 3 and 4 differ", e.getMessage());
        assertEquals(e.getMessage(), e.detail());
        assertEquals(SourcePos.NONE, e.pos());
    }

    @Test
    void aShapeErrorCarriesTheSourcePosition() {
        var at = new SourcePos("m.graft", 3, 7);
        var e = assertThrows(ShapeError.class, () -> Apply.at(at, new Add(), List.of(x, y)));
        assertTrue(e.getMessage().startsWith("m.graft:3:7: "), e.getMessage());
        assertEquals("m.graft:3:7: add(x, y): cannot broadcast [n, 3] with [4]: dims 3 and 4 differ", e.getMessage());
        assertEquals(at, e.pos());
        assertEquals("add(x, y): cannot broadcast [n, 3] with [4]: dims 3 and 4 differ", e.detail());
    }

    @Test
    void theWrongNumberOfInputsIsAShapeErrorNamingTheOp() {
        var e = assertThrows(ShapeError.class, () -> Apply.of(new Add(), x));
        assertEquals("add(x): add takes 2 inputs, found 1", e.getMessage());
        var f = assertThrows(ShapeError.class, () -> Apply.of(new StopGradient(), x, y));
        assertEquals("stop_gradient(x, y): stop_gradient takes 1 input, found 2", f.getMessage());
    }

    @Test
    void coreOpsInferTheirTypes() {
        var scalar = Constant.scalar(1.0);
        assertEquals(Type.f64("n", 3), Apply.of(new BroadcastLike(), scalar, x).type());
        assertEquals(Type.f64(1, 3), Apply.of(new SumTo(Type.f64(1, 3)), x).type());
        assertEquals(Type.scalar(DType.F64), Apply.of(new SumTo(Type.scalar(DType.F64)), x).type());
        assertEquals(x.type(), Apply.of(new FillLike(0), x).type());
        var e = assertThrows(ShapeError.class, () -> Apply.of(new BroadcastLike(), x, y));
        assertEquals("broadcast_to(x, y): cannot broadcast [n, 3] with [4]: dims 3 and 4 differ", e.getMessage());
        var f = assertThrows(ShapeError.class, () -> Apply.of(new SumTo(Type.f64(4)), x));
        assertEquals("sum_to(x): cannot sum [n, 3] to [4]", f.getMessage());
        // a symbol never broadcasts, so summing n away to 1 is decided by the types alone
        assertEquals(Type.f64(1, 3), Apply.of(new SumTo(Type.f64(1, 3)), x).type());
        assertThrows(ShapeError.class, () -> Apply.of(new BroadcastLike(), x, new Input("v", Type.f64(1, 3))));
    }

    @Test
    void namedAndAtMakeCopiesWithTheSameOpAndInputs() {
        var b = new Input("b", Type.f64(3));
        var z = Apply.of(new Add(), x, b);
        var named = z.named("h");
        var moved = named.at(new SourcePos("m.graft", 2, 5));

        assertNotSame(z, named);
        assertSame(z.op(), named.op());
        assertEquals(z.inputs(), named.inputs());
        assertEquals(z.type(), named.type());
        assertEquals(Optional.of("h"), named.name());
        assertEquals(Optional.empty(), z.name());

        assertSame(z.op(), moved.op());
        assertEquals(z.inputs(), moved.inputs());
        assertEquals(Optional.of("h"), moved.name());
        assertEquals(new SourcePos("m.graft", 2, 5), moved.pos());
        assertEquals(SourcePos.NONE, named.pos());
    }

    @Test
    void nodesAreEqualOnlyToThemselves() {
        var b = new Input("b", Type.f64(3));
        var z = Apply.of(new Add(), x, b);
        assertTrue(!z.equals(Apply.of(new Add(), x, b)));
        assertTrue(!x.equals(new Input("x", Type.f64("n", 3))));
    }

    @Test
    void labelIsTheNameTheScalarValueOrTheOp() {
        var b = new Input("b", Type.f64(3));
        var z = Apply.of(new Add(), x, b);
        assertEquals("x", x.label());
        assertEquals("add", z.label());
        assertEquals("h", z.named("h").label());
        assertEquals("2.5", Constant.scalar(2.5).label());
        assertEquals("constant[2, 2]", Constant.of(Tensor.zeros(Shape.of(2, 2))).label());
        assertEquals("eye", Constant.of(Tensor.zeros(Shape.of(2, 2))).named("eye").label());
        assertEquals("W", new Param("W", Tensor.zeros(Shape.of(2))).label());
        assertEquals("zeros_like", Apply.of(new FillLike(0), x).label());
        assertEquals("ones_like", Apply.of(new FillLike(1), x).label());
        assertEquals("fill", Apply.of(new FillLike(2), x).label());
    }

    @Test
    void applyPrintsTheCallAndItsType() {
        var b = new Input("b", Type.f64(3));
        assertEquals("add(x, b): [n, 3]", Apply.of(new Add(), x, b).toString());
        assertEquals("h = add(x, 1): [n, 3]", Apply.of(new Add(), x, Constant.scalar(1)).named("h").toString());
        assertEquals("input x: [n, 3]", x.toString());
    }

    @Test
    void theOpNameIsTheClassNameInSnakeCase() {
        record MatMulT() implements Op {
            public Type type(List<Type> in) { return in.get(0); }
            public Tensor fprop(List<Tensor> in) { return in.get(0); }
            public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(gy)); }
        }
        assertEquals("mat_mul_t", new MatMulT().name());
        assertEquals("stop_gradient", new StopGradient().name());
    }

    @Test
    void sourcePositionsPrintAsFileLineColumn() {
        assertEquals("mlp.graft:11:10", new SourcePos("mlp.graft", 11, 10).toString());
        assertEquals("<java>", SourcePos.NONE.toString());
        assertTrue(!SourcePos.NONE.isKnown());
    }

    @Test
    void leavesRefuseEmptyNames() {
        assertThrows(IllegalArgumentException.class, () -> new Input("", Type.f64(1)));
        assertThrows(IllegalArgumentException.class, () -> new Param("", Tensor.scalar(1)));
    }
}
