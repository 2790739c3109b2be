package org.graft.core.grad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.graft.core.Apply;
import org.graft.core.Constant;
import org.graft.core.Grad;
import org.graft.core.GradientError;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Op;
import org.graft.core.ShapeError;
import org.graft.core.SourcePos;
import org.graft.core.Type;
import org.graft.core.grad.GradTableTest.Jitter;
import org.graft.core.grad.GradTableTest.Mul;
import org.graft.core.grad.GradTableTest.Scale;
import org.graft.core.grad.GradTableTest.Sign;
import org.graft.core.ops.Add;
import org.graft.core.ops.Broadcasting.BroadcastLike;
import org.graft.core.ops.Broadcasting.SumTo;
import org.graft.core.ops.StopGradient;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * The forward walker with graph-core's ops and the test ops of {@link GradTableTest}, none of
 * which has a jvp of its own: their tangents come from transposing their bprops. graph-ops'
 * {@code ForwardModeTest} holds every real op to finite differences.
 */
class ForwardTableTest {

    /** {@code x²}, with a broken bprop that is not linear in its cotangent. */
    record SquareOfCotangent() implements Op {
        public Type type(List<Type> in) { return in.get(0); }
        public Tensor fprop(List<Tensor> in) { return in.get(0).mul(in.get(0)); }
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(Apply.of(new Mul(), gy, gy))); }
    }

    /** An op whose jvp of its own returns a tangent of the wrong type. */
    record WrongTangent() implements Op {
        public Type type(List<Type> in) { return in.get(0); }
        public Tensor fprop(List<Tensor> in) { return in.get(0); }
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(gy)); }
        @Override public Grad jvp(List<Node> in, Node y, List<Node> tangents) { return Grad.of(Constant.scalar(0)); }
    }

    private final Input x = new Input("x", Type.f64(2, 3));
    private final Input v = new Input("v", Type.f64(2, 3));
    private final Tensor at = Tensor.of(new double[] {1, -2, 0.5, 3, 1.5, -1}, 2, 3);
    private final Tensor along = Tensor.of(new double[] {0.25, 1, -1, 2, 0, 3}, 2, 3);

    private static List<Tensor> eval(List<Input> inputs, List<Node> outs, Tensor... values) {
        return Compiler.compile(inputs, outs, Options.NONE).call(values);
    }

    @Test
    void theTangentOfAScaleIsTheScaledTangent() {
        Node t = ForwardTable.jvp(Apply.of(new Scale(3), x), x, v);
        assertEquals(along.map(d -> 3 * d), eval(List.of(x, v), List.of(t), at, along).get(0));
    }

    @Test
    void aProductMovesWithBothFactorsThroughABroadcast() {
        // y = x * b with b [3] broadcast over the rows: dy = dx * b + x * db
        var b = new Input("b", Type.f64(3));
        var db = new Input("db", Type.f64(3));
        Node y = Apply.of(new Mul(), x, b);
        Node t = ForwardTable.jvp(List.of(y), List.of(x, b), List.of(v, db), GradTable.Disconnected.RAISE).get(0);
        Tensor bv = Tensor.vector(2, -1, 4), dbv = Tensor.vector(0.5, 3, -2);
        Tensor want = along.mul(bv.broadcastTo(Shape.of(2, 3))).add(at.mul(dbv.broadcastTo(Shape.of(2, 3))));
        assertEquals(want, eval(List.of(x, v, b, db), List.of(t), at, along, bv, dbv).get(0));
    }

    @Test
    void theTangentIsTheTransposeOfTheGradient() {
        // <u, J v> = <J^T u, v> for y = x * (3x): both sides from the walkers, at one point
        var u = new Input("u", Type.f64(2, 3));
        Node y = Apply.of(new Mul(), x, Apply.of(new Scale(3), x));
        Node jv = ForwardTable.jvp(y, x, v);
        Node ju = GradTable.vjp(y, u, List.of(x), GradTable.Disconnected.RAISE).get(0);
        Tensor uv = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        List<Tensor> out = eval(List.of(x, v, u), List.of(jv, ju), at, along, uv);
        assertEquals(uv.dot(out.get(0)), out.get(1).dot(along), 1e-12);
        assertEquals(at.mul(along).map(d -> 6 * d), out.get(0));    // d(3x²) = 6x dx
    }

    @Test
    void broadcastAndSumToCarryTheirTangentsAsTheyCarryValues() {
        var w = new Input("w", Type.f64(3));
        var dw = new Input("dw", Type.f64(3));
        Node y = Apply.of(new SumTo(Type.f64(1, 3)), Apply.of(new BroadcastLike(), w, x));
        Node t = ForwardTable.jvp(y, w, dw);
        assertEquals(Tensor.of(new double[] {2, 4, -6}, 1, 3),
                eval(List.of(w, dw, x), List.of(t), Tensor.vector(1, 1, 1), Tensor.vector(1, 2, -3), at).get(0));
    }

    @Test
    void aZeroDerivativeGivesZerosNotAnError() {
        Node t = ForwardTable.jvp(Apply.of(new Sign(), x), x, v);
        assertEquals(Tensor.zeros(Shape.of(2, 3)), eval(List.of(x, v), List.of(t), at, along).get(0));
    }

    @Test
    void anOutputTheVariableDoesNotReachIsAnErrorOrZeros() {
        var w = new Input("w", Type.f64(2, 3));
        Node y = Apply.of(new Add(), Apply.of(new StopGradient(), x), w).named("y");
        var e = assertThrows(GradientError.class, () -> ForwardTable.jvp(y, x, v));
        assertEquals("jvp: y does not depend on x along any path a derivative passes", e.getMessage());
        Node t = ForwardTable.jvp(List.of(y), List.of(x), List.of(v), GradTable.Disconnected.ZEROS).get(0);
        assertEquals(Tensor.zeros(Shape.of(2, 3)), eval(List.of(x, v, w), List.of(t), at, along, at).get(0));
    }

    @Test
    void aTangentThroughANotDifferentiableInputIsAnErrorNamingTheOp() {
        Node y = Apply.at(new SourcePos("m.graft", 3, 7), new Jitter(), List.of(v, x));
        var e = assertThrows(GradientError.class, () -> ForwardTable.jvp(y, x, v));
        assertEquals("m.graft:3:7: jitter(v, x) is not differentiable: the noise is sampled (wrap it in stop_gradient if no"
                + " derivative should pass)", e.getMessage());
    }

    @Test
    void aTangentMustHaveItsVariablesType() {
        var e = assertThrows(ShapeError.class, () -> ForwardTable.jvp(Apply.of(new Scale(2), x), x, Constant.scalar(1)));
        assertEquals("jvp: the tangent of x has type [], x has [2, 3]", e.getMessage());
    }

    @Test
    void aBpropThatIsNotLinearInItsCotangentCannotBeTransposed() {
        var e = assertThrows(GradientError.class, () -> ForwardTable.jvp(Apply.of(new SquareOfCotangent(), x), x, v));
        assertTrue(e.getMessage().startsWith("jvp of square_of_cotangent: its bprop is not linear"), e.getMessage());
    }

    @Test
    void aTangentOfTheWrongTypeIsAnErrorNamingTheOp() {
        var e = assertThrows(GradientError.class, () -> ForwardTable.jvp(Apply.of(new WrongTangent(), x), x, v));
        assertEquals("jvp of wrong_tangent returned [] for an output of type [2, 3]", e.getMessage());
    }

    @Test
    void theTransposedBpropReadsNoValueOfItsPlaceholder() {
        // the placeholder cotangent is zeros_like(y): any value read from it would make the tangent zero
        Node t = ForwardTable.jvp(Apply.of(new Mul(), x, x), x, v);
        assertEquals(at.mul(along).map(d -> 2 * d), eval(List.of(x, v), List.of(t), at, along).get(0));
    }

    @Test
    void aTangentDifferentiatesAgain() {
        // t = d(x³)·v = 3x² v, so dsum(t)/dx = 6 x v
        Node cube = Apply.of(new Mul(), Apply.of(new Mul(), x, x), x);
        Node t = ForwardTable.jvp(cube, x, v);
        Node g = GradTable.grad(Apply.of(new SumTo(Type.scalar(DType.F64)), t), x);
        assertEquals(at.mul(along).map(d -> 6 * d), eval(List.of(x, v), List.of(g), at, along).get(0));
    }

    @Test
    void aChainOneHundredThousandDeepIsWalkedWithoutOverflowingTheStack() {
        var w = new Input("w", Type.f64(3));
        var dw = new Input("dw", Type.f64(3));
        Node n = w;
        for (int i = 0; i < 100_000; i++) n = Apply.of(new Add(), n, w);
        Node t = ForwardTable.jvp(n, w, dw);
        assertEquals(Tensor.vector(100_001, 0, -100_001),
                eval(List.of(w, dw), List.of(t), Tensor.zeros(Shape.of(3)), Tensor.vector(1, 0, -1)).get(0));
    }
}
