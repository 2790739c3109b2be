package org.graft.ops;

import static org.graft.ops.Ops.clip;
import static org.graft.ops.Ops.constant;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.sum;
import static org.graft.ops.Ops.where;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.ShapeError;
import org.graft.core.check.GradCheck;
import org.graft.core.check.Tensors;
import org.graft.core.grad.GradTable;
import org.graft.core.runtime.Compiler;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

class TernaryTest {

    // the condition is a constant: nudging a 0/1 mask by a finite-difference step would flip it
    @Property(tries = 100)
    void whereGradientMatchesFiniteDifferencesForEachBranch(@ForAll("selections") List<Tensor> cab) {
        Node c = constant(cab.get(0));
        GradCheck.of((a, b) -> where(c, a, b)).at(cab.get(1), cab.get(2)).assertClose();
        GradCheck.of((a, b) -> GradTable.grad(sum(mul(where(c, a, b), where(c, b, a))), a))
                .at(cab.get(1), cab.get(2)).assertClose();
    }

    @Property(tries = 100)
    void clipGradientMatchesFiniteDifferencesAwayFromTheBounds(@ForAll("clips") List<Tensor> xlh) {
        GradCheck.ofList(in -> clip(in.get(0), in.get(1), in.get(2))).at(xlh.get(0), xlh.get(1), xlh.get(2)).assertClose();
    }

    @Property(tries = 30)
    void gradientsHandleEmptyOperands(@ForAll("empty") Tensor x) {
        GradCheck.ofList(in -> where(in.get(0), in.get(1), in.get(2))).at(x, x, x).assertClose();
        GradCheck.ofList(in -> clip(in.get(0), in.get(1), in.get(2))).at(x, x, x).assertClose();
    }

    @Example
    void whereSelectsAndBroadcastsAndSendsEachBranchItsShare() {
        Input c = input("c", 3), a = input("a", 3), b = input("b");
        Node y = where(c, a, b);
        var f = Compiler.compile(List.of(c, a, b), List.of(y, GradTable.grad(sum(y), a), GradTable.grad(sum(y), b),
                GradTable.grad(sum(y), c)));
        List<Tensor> out = f.call(Tensor.vector(1, 0, -2), Tensor.vector(10, 20, 30), Tensor.scalar(7));
        assertEquals(Tensor.vector(10, 7, 30), out.get(0));
        assertEquals(Tensor.vector(1, 0, 1), out.get(1));
        assertEquals(Tensor.scalar(1), out.get(2));     // b was chosen once
        assertEquals(Tensor.zeros(Shape.of(3)), out.get(3));
    }

    @Example
    void clipLimitsToTheBoundsAndGivesTheBoundsTheirGradient() {
        Input x = input("x", 5), lo = input("lo"), hi = input("hi");
        Node y = clip(x, lo, hi);
        var f = Compiler.compile(List.of(x, lo, hi), List.of(y, GradTable.grad(sum(y), x), GradTable.grad(sum(y), lo),
                GradTable.grad(sum(y), hi)));
        List<Tensor> out = f.call(Tensor.vector(-3, -1, 0, 1, 3), Tensor.scalar(-1), Tensor.scalar(1));
        assertEquals(Tensor.vector(-1, -1, 0, 1, 1), out.get(0));
        assertEquals(Tensor.vector(0, 1, 1, 1, 0), out.get(1));   // at a bound x keeps it, as PyTorch's clamp
        assertEquals(Tensor.scalar(1), out.get(2));
        assertEquals(Tensor.scalar(1), out.get(3));
        // lo > hi gives hi everywhere, as NumPy, and only hi is then differentiated
        List<Tensor> crossed = f.call(Tensor.vector(-3, -1, 0, 1, 3), Tensor.scalar(2), Tensor.scalar(1));
        assertEquals(Tensor.full(Shape.of(5), 1), crossed.get(0));
        assertEquals(Tensor.zeros(Shape.of(5)), crossed.get(1));
        assertEquals(Tensor.scalar(0), crossed.get(2));
        assertEquals(Tensor.scalar(5), crossed.get(3));
    }

    @Example
    void operandsThatDoNotBroadcastAreAShapeError() {
        var e = assertThrows(ShapeError.class, () -> where(input("c", 2, 3), input("a", 3), input("b", 2)));
        assertEquals("where(c, a, b): cannot broadcast [2, 3] with [2]: dims 3 and 2 differ", e.getMessage());
    }

    @Provide
    Arbitrary<Tensor> empty() { return Tensors.withShapes(Tensors.shapes(3, 0, 3).filter(s -> s.size() == 0)).any(); }

    /** A 0/1 condition and two branches, the three of shapes that broadcast together. */
    @Provide
    Arbitrary<List<Tensor>> selections() {
        return Tensors.broadcastablePairs().flatMap(s -> Combinators.combine(
                Tensors.withShape(s.get(0)).between(0, 1).map(t -> t.map(Math::rint)),
                Tensors.withShape(s.get(1)).any(), Tensors.withShape(s.get(0)).any()).as(List::of));
    }

    /** x and bounds lo in [-2, -0.5], hi in [0.5, 2], with x at least 0.01 from either bound. */
    @Provide
    Arbitrary<List<Tensor>> clips() {
        return Tensors.broadcastablePairs().flatMap(s -> Combinators.combine(
                Tensors.withShape(s.get(0)).any(), Tensors.withShape(s.get(1)).between(-2, -0.5),
                Tensors.withShape(s.get(1)).between(0.5, 2)).as(List::of))
                .filter(t -> farFrom(t.get(0), t.get(1)) && farFrom(t.get(0), t.get(2)));
    }

    private static boolean farFrom(Tensor x, Tensor bound) {
        return Arrays.stream(x.sub(bound).toArray()).allMatch(d -> Math.abs(d) > 0.01);
    }
}
