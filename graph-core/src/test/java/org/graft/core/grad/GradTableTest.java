package org.graft.core.grad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import org.graft.core.Apply;
import org.graft.core.Constant;
import org.graft.core.Grad;
import org.graft.core.GradientError;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Op;
import org.graft.core.Param;
import org.graft.core.ShapeError;
import org.graft.core.SourcePos;
import org.graft.core.Type;
import org.graft.core.check.GradCheck;
import org.graft.core.ops.Add;
import org.graft.core.ops.Broadcasting.BroadcastLike;
import org.graft.core.ops.Broadcasting.SumTo;
import org.graft.core.ops.FillLike;
import org.graft.core.ops.StopGradient;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

class GradTableTest {

    // ---- test-local ops ------------------------------------------------------------------------

    /** {@code c * x}. */
    record Scale(double c) implements Op {
        public Type type(List<Type> in) { Op.requireArity(this, in, 1); return in.get(0); }
        public Tensor fprop(List<Tensor> in) { return in.get(0).map(v -> c * v); }
        // d(cx)/dx = c
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(Apply.of(new Scale(c), gy))); }
    }

    /** {@code a * b}, elementwise with broadcasting. */
    record Mul() implements Op {
        public Type type(List<Type> in) { Op.requireArity(this, in, 2); return Type.broadcast(in.get(0), in.get(1)); }
        public Tensor fprop(List<Tensor> in) { return in.get(0).mul(in.get(1)); }
        // d(ab)/da = b, d(ab)/db = a
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            return List.of(Grad.of(mul(gy, in.get(1))), Grad.of(mul(gy, in.get(0))));
        }
    }

    /** {@code x + noise}, where the noise came from a sampler that has no derivative. */
    record Jitter() implements Op {
        public Type type(List<Type> in) { return Type.broadcast(in.get(0), in.get(1)); }
        public Tensor fprop(List<Tensor> in) { return in.get(0).add(in.get(1)); }
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            return List.of(Grad.of(gy), Grad.notDifferentiable("the noise is sampled"));
        }
    }

    /** {@code sign(x)}: its derivative is zero wherever it exists. */
    record Sign() implements Op {
        public Type type(List<Type> in) { return in.get(0); }
        public Tensor fprop(List<Tensor> in) { return in.get(0).map(Math::signum); }
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.zero()); }
    }

    /** A broken op: its bprop returns a term that does not fit its input. */
    record WrongShape(Node term) implements Op {
        public Type type(List<Type> in) { return in.get(0); }
        public Tensor fprop(List<Tensor> in) { return in.get(0); }
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(term)); }
    }

    /** A broken op: its bprop returns no term at all. */
    record NoTerms() implements Op {
        public Type type(List<Type> in) { return in.get(0); }
        public Tensor fprop(List<Tensor> in) { return in.get(0); }
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(); }
    }

    private static final Type SCALAR = Type.scalar(DType.F64);

    private static Node add(Node a, Node b) { return Apply.of(new Add(), a, b); }

    private static Node mul(Node a, Node b) { return Apply.of(new Mul(), a, b); }

    // [...] -> scalar
    private static Node sum(Node x) { return Apply.of(new SumTo(SCALAR), x); }

    private static Tensor eval(List<Input> inputs, Node out, Tensor... values) {
        return Compiler.compile(inputs, List.of(out), Options.NONE).call(values).get(0);
    }

    private final Input x = new Input("x", Type.f64(2, 3));

    // ---- the cost ----------------------------------------------------------------------------------

    @Test
    void theCostMustBeAScalar() {
        var at = new SourcePos("m.graft", 4, 2);
        var e = assertThrows(ShapeError.class, () -> GradTable.grad(new Input("y", Type.f64(3), at), x));
        assertEquals("m.graft:4:2: grad: the cost must be a scalar, found y: [3]", e.getMessage());
    }

    @Test
    void theGradientOfTheCostWithRespectToItselfIsOne() {
        Node cost = sum(x);
        assertEquals(Tensor.scalar(1), eval(List.of(x), GradTable.grad(cost, cost), Tensor.zeros(Shape.of(2, 3))));
    }

    // ---- disconnected variables ---------------------------------------------------------------------

    @Test
    void aVariableTheCostDoesNotDependOnIsAnErrorNamingIt() {
        var w = new Param("W", Tensor.zeros(Shape.of(2, 2)), new SourcePos("m.graft", 2, 1));
        Node loss = Apply.of(new SumTo(SCALAR), x).named("loss");
        var e = assertThrows(GradientError.class, () -> GradTable.grad(loss, w));
        assertEquals("m.graft:2:1: grad: loss does not depend on W", e.getMessage());
        assertEquals(w.pos(), e.pos());
    }

    @Test
    void aDisconnectedVariableGetsZerosOfItsShapeWhenAskedFor() {
        var w = new Param("W", Tensor.ones(Shape.of(2, 2)));
        var v = new Input("v", Type.f64("n", 2));
        List<Node> g = GradTable.grad(sum(x), List.of(x, w, v), GradTable.Disconnected.ZEROS);

        var f = Compiler.compile(List.of(x, v), g, Options.NONE);
        List<Tensor> out = f.call(Tensor.zeros(Shape.of(2, 3)), Tensor.ones(Shape.of(5, 2)));
        assertEquals(Tensor.ones(Shape.of(2, 3)), out.get(0));
        assertEquals(Tensor.zeros(Shape.of(2, 2)), out.get(1));
        assertEquals(Tensor.zeros(Shape.of(5, 2)), out.get(2));   // the shape of the value fed for [n, 2]
        assertEquals(Optional.of("dcost/dW"), g.get(1).name());
    }

    @Test
    void stopGradientBlocksTheGradient() {
        Node sg = Apply.of(new StopGradient(), x);
        var e = assertThrows(GradientError.class, () -> GradTable.grad(sum(sg), x));
        assertTrue(e.getMessage().contains("stop_gradient"), e.getMessage());
        assertTrue(e.getMessage().contains("no gradient reaches x"), e.getMessage());

        // only the path around stop_gradient counts: d/dx sum(x + sg(x)) = 1, not 2
        Node g = GradTable.grad(sum(add(x, sg)), x);
        assertEquals(Tensor.ones(Shape.of(2, 3)), eval(List.of(x), g, Tensor.full(Shape.of(2, 3), 7)));
    }

    @Test
    void stopGradientBlocksWithZerosWhenAskedFor() {
        Node g = GradTable.grad(sum(Apply.of(new StopGradient(), x)), List.of(x), GradTable.Disconnected.ZEROS).get(0);
        assertEquals(Tensor.zeros(Shape.of(2, 3)), eval(List.of(x), g, Tensor.ones(Shape.of(2, 3))));
    }

    // ---- summing terms --------------------------------------------------------------------------

    @Test
    void aVariableUsedTwiceGetsBothTerms() {
        Node g = GradTable.grad(sum(add(x, x)), x);
        assertEquals(Tensor.full(Shape.of(2, 3), 2), eval(List.of(x), g, Tensor.zeros(Shape.of(2, 3))));
    }

    @Test
    void aBroadcastGradientIsSummedBackToTheInputShape() {
        var b = new Input("b", Type.f64(3));
        var c = new Input("c", Type.f64(2, 1));
        List<Node> g = GradTable.grad(sum(add(add(x, b), c)), List.of(x, b, c));
        assertEquals(List.of(x.type(), b.type(), c.type()), g.stream().map(Node::type).toList());

        List<Tensor> out = Compiler.compile(List.of(x, b, c), g, Options.NONE)
                .call(Tensor.zeros(Shape.of(2, 3)), Tensor.zeros(Shape.of(3)), Tensor.zeros(Shape.of(2, 1)));
        assertEquals(Tensor.ones(Shape.of(2, 3)), out.get(0));
        assertEquals(Tensor.vector(2, 2, 2), out.get(1));                         // summed over the 2 rows
        assertEquals(Tensor.of(new double[] {3, 3}, 2, 1), out.get(2));          // summed over the 3 columns
    }

    @Test
    void aBroadcastOverASymbolicBatchIsSummedBack() {
        var xs = new Input("xs", Type.f64("n", 3));
        var b = new Input("b", Type.f64(3));
        Node g = GradTable.grad(sum(add(xs, b)), b);
        assertEquals(b.type(), g.type());
        assertEquals(Tensor.vector(4, 4, 4), eval(List.of(xs, b), g, Tensor.zeros(Shape.of(4, 3)), Tensor.zeros(Shape.of(3))));
    }

    @Test
    void theGradientOfAnIntermediateNodeCanBeAskedFor() {
        var b = new Input("b", Type.f64(3));
        Node h = add(x, b);
        Node g = GradTable.grad(sum(Apply.of(new Scale(5), h)), h);
        assertEquals(Tensor.full(Shape.of(2, 3), 5), eval(List.of(x, b), g, Tensor.zeros(Shape.of(2, 3)), Tensor.zeros(Shape.of(3))));
    }

    @Test
    void aChainOneHundredThousandDeepIsDifferentiatedWithoutOverflowingTheStack() {
        var v = new Input("v", Type.f64(3));
        var y = new Input("y", Type.f64(3));
        Node n = v;
        for (int i = 0; i < 100_000; i++) n = add(n, y);
        List<Node> g = GradTable.grad(sum(n), List.of(v, y));
        List<Tensor> out = Compiler.compile(List.of(v, y), g, Options.NONE).call(Tensor.zeros(Shape.of(3)), Tensor.zeros(Shape.of(3)));
        assertEquals(Tensor.ones(Shape.of(3)), out.get(0));
        assertEquals(Tensor.full(Shape.of(3), 100_000), out.get(1));
    }

    // ---- markers --------------------------------------------------------------------------------------

    @Test
    void aNotDifferentiableInputIsAnErrorOnlyWhenTheGradientMustPassThroughIt() {
        var noise = new Input("noise", Type.f64(2, 3));
        var at = new SourcePos("m.graft", 9, 5);
        Node y = Apply.at(at, new Jitter(), List.of(x, noise));

        // the noise does not lead to x: no error
        Node gx = GradTable.grad(sum(y), x);
        assertEquals(Tensor.ones(Shape.of(2, 3)), eval(List.of(x, noise), gx, Tensor.zeros(Shape.of(2, 3)), Tensor.zeros(Shape.of(2, 3))));

        var e = assertThrows(GradientError.class, () -> GradTable.grad(sum(y), noise));
        assertEquals("m.graft:9:5: jitter(x, noise) is not differentiable with respect to noise: the noise is sampled"
                + " (wrap it in stop_gradient if no gradient should pass)", e.getMessage());
    }

    @Test
    void aNotDifferentiableInputThatDependsOnTheVariableIsAnError() {
        Node noise = Apply.of(new Scale(2), x);
        Node y = Apply.of(new Jitter(), x, noise);
        var e = assertThrows(GradientError.class, () -> GradTable.grad(sum(y), x));
        assertTrue(e.getMessage().startsWith("jitter(x, scale) is not differentiable with respect to scale"), e.getMessage());

        // stop_gradient is the way out that the message suggests
        Node z = Apply.of(new Jitter(), x, Apply.of(new StopGradient(), noise));
        assertEquals(Tensor.ones(Shape.of(2, 3)), eval(List.of(x), GradTable.grad(sum(z), x), Tensor.zeros(Shape.of(2, 3))));
    }

    @Test
    void aNotDifferentiableInputWhoseValuesCarryNoGradientIsNoError() {
        // the noise depends on x, but zeros_like reads only its shape: no edge back to x is connected
        Node y = Apply.of(new Jitter(), x, Apply.of(new FillLike(0), x));
        Node g = GradTable.grad(sum(y), x);
        assertEquals(Tensor.ones(Shape.of(2, 3)), eval(List.of(x), g, Tensor.full(Shape.of(2, 3), 2)));
    }

    @Test
    void aNotDifferentiableInputIsAnErrorEvenBehindAZeroDerivative() {
        // connection is structural: sign's output depends on x's values, so the rule stays simple
        // (say stop_gradient where no gradient should pass) rather than depending on derivative values
        Node y = Apply.of(new Jitter(), x, Apply.of(new Sign(), x));
        assertThrows(GradientError.class, () -> GradTable.grad(sum(y), x));
    }

    @Test
    void aZeroDerivativeGivesZerosNotAnError() {
        Node g = GradTable.grad(sum(Apply.of(new Sign(), x)), x);
        assertEquals(x.type(), g.type());
        assertEquals(Tensor.zeros(Shape.of(2, 3)), eval(List.of(x), g, Tensor.full(Shape.of(2, 3), 3)));
        assertEquals(Optional.of("dcost/dx"), g.name());
    }

    @Test
    void aZeroGradientDoesNotCrossADisconnectedEdge() {
        // sign hands broadcast_to(w, x) a zero gradient; w (connected) gets zeros, but x lends
        // only its shape, so no gradient reaches it and asking for one is an error
        Input w = new Input("w", Type.f64());
        Node cost = sum(Apply.of(new Sign(), Apply.of(new BroadcastLike(), w, x)));
        assertEquals(Tensor.scalar(0), eval(List.of(w, x), GradTable.grad(cost, w), Tensor.scalar(1), Tensor.zeros(Shape.of(2, 3))));
        var e = assertThrows(GradientError.class, () -> GradTable.grad(cost, List.of(w, x)));
        assertTrue(e.getMessage().startsWith("grad: no gradient reaches x"), e.getMessage());
    }

    @Test
    void aZeroDerivativeIsSummedWithOtherTerms() {
        Node g = GradTable.grad(sum(add(Apply.of(new Sign(), x), Apply.of(new Scale(3), x))), x);
        assertEquals(Tensor.full(Shape.of(2, 3), 3), eval(List.of(x), g, Tensor.ones(Shape.of(2, 3))));
    }

    // ---- broken bprops are reported -------------------------------------------------------------------

    @Test
    void aTermThatDoesNotFitItsInputIsAnErrorNamingTheOp() {
        var at = new SourcePos("m.graft", 7, 5);
        Node y = Apply.at(at, new WrongShape(Constant.of(Tensor.zeros(Shape.of(4)))), List.of(x));
        var e = assertThrows(GradientError.class, () -> GradTable.grad(sum(y), x));
        assertEquals("m.graft:7:5: bprop of wrong_shape returned [4] for an input of shape [2, 3]", e.getMessage());
    }

    @Test
    void theWrongNumberOfTermsIsAnErrorNamingTheOp() {
        Node y = Apply.of(new NoTerms(), x);
        var e = assertThrows(GradientError.class, () -> GradTable.grad(sum(y), x));
        assertEquals("bprop of no_terms returned 0 terms for 1 inputs", e.getMessage());
    }

    @Test
    void vjpNeedsAnOutputGradientOfTheOutputsType() {
        Node y = Apply.of(new Scale(2), x);
        var e = assertThrows(ShapeError.class,
                () -> GradTable.vjp(y, Constant.of(Tensor.zeros(Shape.of(3))), List.of(x), GradTable.Disconnected.RAISE));
        assertEquals("vjp: the output gradient has type [3], the output [2, 3]", e.getMessage());
    }

    // ---- names ---------------------------------------------------------------------------------------

    @Test
    void theGradientOfANamedVariableIsNamedAfterTheCostAndTheVariable() {
        var w = new Param("W", Tensor.zeros(Shape.of(3)));
        Node h = add(x, w);
        assertEquals(Optional.of("dcost/dW"), GradTable.grad(sum(h), w).name());
        Node loss = Apply.of(new SumTo(SCALAR), h).named("loss");
        Node g = GradTable.grad(loss, w);
        assertEquals(Optional.of("dloss/dW"), g.name());
        assertEquals("dloss/dW", g.label());
    }

    @Test
    void anUnnamedIntermediateKeepsItsGradientUnnamed() {
        Node h = Apply.of(new Scale(2), x);
        Node g = GradTable.grad(sum(Apply.of(new Scale(3), h)), h);
        assertEquals(Optional.empty(), g.name());
    }

    // ---- higher order ------------------------------------------------------------------------------

    @Test
    void theGradientOfAGradientIsAGradient() {
        // y = 3x; the vjp u -> 3u is linear in u, so d/du sum(vjp(u)) = 3
        var v = new Input("v", Type.f64(3));
        var u = new Input("u", Type.f64(3));
        Node y = Apply.of(new Scale(3), v);
        Node vjp = GradTable.vjp(y, u, List.of(v), GradTable.Disconnected.RAISE).get(0);
        Node g2 = GradTable.grad(sum(vjp), u);
        assertEquals(Tensor.full(Shape.of(3), 3), eval(List.of(v, u), g2, Tensor.vector(1, 2, 3), Tensor.vector(4, 5, 6)));
    }

    @Test
    void theSecondDerivativeOfACubeIsSixX() {
        var v = new Input("v", Type.f64(3));
        Node cube = mul(mul(v, v), v);
        Node g = GradTable.grad(sum(cube), v);    // 3v²
        Node h = GradTable.grad(sum(g), v);       // 6v
        List<Tensor> out = Compiler.compile(List.of(v), List.of(g, h), Options.NONE).call(Tensor.vector(1, 2, -3));
        assertEquals(Tensor.vector(3, 12, 27), out.get(0));
        assertEquals(Tensor.vector(6, 12, -18), out.get(1));
    }

    @Test
    void theGradientGraphPassesAGradientCheckItself() {
        // a Hessian-vector product checked against finite differences of the gradient, through broadcasting
        GradCheck.of((a, b) -> {
            Node ab = mul(a, b);
            List<Node> g = GradTable.grad(sum(mul(ab, ab)), List.of(a, b));
            return add(g.get(0), Apply.of(new BroadcastLike(), g.get(1), a));
        }).at(Tensor.of(new double[] {1, -2, 0.5, 3, 1.5, -1}, 2, 3), Tensor.vector(0.5, 2, -1)).assertClose();
    }

    @Test
    void theSecondDerivativeOfALinearFunctionIsDisconnected() {
        Node g = GradTable.grad(sum(Apply.of(new Scale(2), x)), x);
        // g reaches x only through the shape its seed is broadcast to
        var e = assertThrows(GradientError.class, () -> GradTable.grad(sum(g), x));
        assertTrue(e.getMessage().startsWith("grad: no gradient reaches x"), e.getMessage());
        Node h = GradTable.grad(sum(g), List.of(x), GradTable.Disconnected.ZEROS).get(0);
        assertEquals(Tensor.zeros(Shape.of(2, 3)), eval(List.of(x), h, Tensor.ones(Shape.of(2, 3))));
    }

    @Test
    void theGradientsOfBroadcastAndSumToAreEachOther() {
        Node b = Apply.of(new BroadcastLike(), new Input("v", Type.f64(3)), x);
        Node gb = GradTable.grad(sum(b), b.inputs().get(0));
        assertTrue(gb instanceof Apply a && a.op() instanceof SumTo, gb.toString());

        Node s = Apply.of(new SumTo(Type.f64(3)), x);
        Node gs = GradTable.grad(sum(Apply.of(new Scale(2), s)), x);
        assertTrue(gs instanceof Apply a && a.op() instanceof BroadcastLike, gs.toString());
    }

    @Test
    void zerosLikeIsDisconnectedFromItsInput() {
        Node z = Apply.of(new FillLike(0), x);
        var e = assertThrows(GradientError.class, () -> GradTable.grad(sum(add(z, Constant.scalar(1))), x));
        assertTrue(e.getMessage().contains("no gradient reaches x"), e.getMessage());
    }

    @Test
    void askingForTheSameVariableTwiceGivesTheSameGradient() {
        List<Node> g = GradTable.grad(sum(x), List.of(x, x));
        assertSame(g.get(0), g.get(1));
    }

    // ---- known gradients and nodes held constant (Theano's known_grads and consider_constant) ----------

    @Test
    void aKnownGradientStartsTheWalkWithoutACost() {
        // h = 3x with dC/dh known to be g: dC/dx = 3g
        var g = new Input("g", Type.f64(2, 3));
        Node h = Apply.of(new Scale(3), x);
        Node gx = GradTable.grad(null, List.of(x), Map.of(h, g), List.of(), GradTable.Disconnected.RAISE).get(0);
        assertEquals(Tensor.of(new double[] {3, 6, 9, -3, 0, 30}, 2, 3),
                eval(List.of(x, g), gx, Tensor.zeros(Shape.of(2, 3)), Tensor.of(new double[] {1, 2, 3, -1, 0, 10}, 2, 3)));
    }

    @Test
    void aKnownGradientAddsToWhatTheCostSends() {
        // cost = sum(5 h) with h = 2x, and 1 known for h too: dcost/dh = 5 + 1, so dcost/dx = 12,
        // as PyTorch's backward([cost, h], [1, ones]) sums (Theano would take 1 as h's whole gradient: 2)
        Node h = Apply.of(new Scale(2), x);
        Node cost = sum(Apply.of(new Scale(5), h));
        Node gx = GradTable.grad(cost, List.of(x), Map.of(h, Constant.of(Tensor.ones(Shape.of(2, 3)))), List.of(),
                GradTable.Disconnected.RAISE).get(0);
        assertEquals(Tensor.full(Shape.of(2, 3), 12), eval(List.of(x), gx, Tensor.zeros(Shape.of(2, 3))));
    }

    @Test
    void knownGradientsOfNodesOnOnePathAddUp() {
        // a = 2x, b = 3a, with ga known for a and gb for b: dx = 2 ga + 6 gb
        Node a = Apply.of(new Scale(2), x), b = Apply.of(new Scale(3), a);
        var known = new LinkedHashMap<Node, Node>();
        known.put(a, Constant.of(Tensor.ones(Shape.of(2, 3))));
        known.put(b, Constant.of(Tensor.full(Shape.of(2, 3), 10)));
        Node gx = GradTable.vjp(known, List.of(x), List.of(), GradTable.Disconnected.RAISE).get(0);
        assertEquals(Tensor.full(Shape.of(2, 3), 62), eval(List.of(x), gx, Tensor.zeros(Shape.of(2, 3))));
    }

    @Test
    void withoutACostAKnownGradientIsNeeded() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> GradTable.grad(null, List.of(x), Map.of(), List.of(), GradTable.Disconnected.RAISE));
        assertEquals("grad: without a cost, known gradients are needed to start from", e.getMessage());
    }

    @Test
    void aWalkNeedsAnOutputToStartFrom() {
        var e = assertThrows(IllegalArgumentException.class, () -> GradTable.vjp(Map.of(), List.of(x), List.of(), GradTable.Disconnected.RAISE));
        assertEquals("vjp: no outputs with gradients to start from", e.getMessage());
    }

    @Test
    void aKnownGradientMustHaveItsNodesType() {
        Node h = Apply.of(new Scale(3), x);
        var e = assertThrows(ShapeError.class, () -> GradTable.grad(null, List.of(x), Map.of(h, Constant.scalar(1)), List.of(),
                GradTable.Disconnected.RAISE));
        assertEquals("vjp: the output gradient has type [], the output [2, 3]", e.getMessage());
    }

    @Test
    void noGradientPassesBelowANodeHeldConstant() {
        // cost = sum(h * x) with h = 3x: held constant, h passes nothing to x, so dcost/dx = h = 3x, not 6x
        Node h = Apply.of(new Scale(3), x);
        Node cost = sum(mul(h, x));
        Node held = GradTable.grad(cost, List.of(x), Map.of(), List.of(h), GradTable.Disconnected.RAISE).get(0);
        Node free = GradTable.grad(cost, x);
        Tensor at = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertEquals(at.map(v -> 3 * v), eval(List.of(x), held, at));
        assertEquals(at.map(v -> 6 * v), eval(List.of(x), free, at));
    }

    @Test
    void aNodeHeldConstantStillHasAGradientOfItsOwn() {
        Node h = Apply.of(new Scale(3), x);
        List<Node> g = GradTable.grad(sum(Apply.of(new Scale(2), h)), List.of(h, x), Map.of(), List.of(h), GradTable.Disconnected.ZEROS);
        List<Tensor> out = Compiler.compile(List.of(x), g, Options.NONE).call(Tensor.zeros(Shape.of(2, 3)));
        assertEquals(Tensor.full(Shape.of(2, 3), 2), out.get(0));
        assertEquals(Tensor.zeros(Shape.of(2, 3)), out.get(1));
    }

    @Test
    void aVariableOnlyBelowANodeHeldConstantIsAnErrorThatSaysSo() {
        Node h = Apply.of(new Scale(3), x).named("h");
        var e = assertThrows(GradientError.class, () -> GradTable.grad(sum(h), List.of(x), Map.of(), List.of(h),
                GradTable.Disconnected.RAISE));
        assertEquals("grad: no gradient reaches x: every path from it to the cost passes through stop_gradient or a node held"
                + " constant (consider_constant) or uses only its shape (as zeros_like does)", e.getMessage());
    }
}
