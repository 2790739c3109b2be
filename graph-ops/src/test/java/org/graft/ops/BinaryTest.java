package org.graft.ops;

import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.fmod;
import static org.graft.ops.Ops.greater;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.logaddexp;
import static org.graft.ops.Ops.maximum;
import static org.graft.ops.Ops.minimum;
import static org.graft.ops.Ops.mod;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.pow;
import static org.graft.ops.Ops.sub;
import static org.graft.ops.Ops.sum;
import static org.graft.ops.Ops.xlog1py;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.function.BinaryOperator;

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

class BinaryTest {

    @Property(tries = 100)
    void addGradientMatchesFiniteDifferencesUnderBroadcasting(@ForAll("anyPair") List<Tensor> ab) {
        GradCheck.of(Ops::add).at(ab.get(0), ab.get(1)).assertClose();
    }

    @Property(tries = 100)
    void subGradientMatchesFiniteDifferencesUnderBroadcasting(@ForAll("anyPair") List<Tensor> ab) {
        GradCheck.of(Ops::sub).at(ab.get(0), ab.get(1)).assertClose();
    }

    @Property(tries = 100)
    void mulGradientMatchesFiniteDifferencesUnderBroadcasting(@ForAll("anyPair") List<Tensor> ab) {
        GradCheck.of(Ops::mul).at(ab.get(0), ab.get(1)).assertClose();
    }

    @Property(tries = 100)
    void divGradientMatchesFiniteDifferencesUnderBroadcasting(@ForAll("divisorPair") List<Tensor> ab) {
        GradCheck.of(Ops::div).at(ab.get(0), ab.get(1)).assertClose();
    }

    @Property(tries = 100)
    void powGradientMatchesFiniteDifferencesForAPositiveBase(@ForAll("powerPair") List<Tensor> ab) {
        GradCheck.of(Ops::pow).at(ab.get(0), ab.get(1)).assertClose();
    }

    @Property(tries = 100)
    void maximumGradientMatchesFiniteDifferencesAwayFromTies(@ForAll("untiedPair") List<Tensor> ab) {
        GradCheck.of((a, b) -> maximum(a, b)).at(ab.get(0), ab.get(1)).assertClose();
    }

    @Property(tries = 100)
    void minimumGradientMatchesFiniteDifferencesAwayFromTies(@ForAll("untiedPair") List<Tensor> ab) {
        GradCheck.of((a, b) -> minimum(a, b)).at(ab.get(0), ab.get(1)).assertClose();
    }

    @Property(tries = 50)
    void powHasCorrectSecondDerivatives(@ForAll("powerPair") List<Tensor> ab) {
        GradCheck.of((a, b) -> GradTable.grad(sum(pow(a, b)), a)).at(ab.get(0), ab.get(1)).assertClose();
        GradCheck.of((a, b) -> GradTable.grad(sum(pow(a, b)), b)).at(ab.get(0), ab.get(1)).assertClose();
    }

    @Property(tries = 30)
    void gradientsHandleEmptyOperands(@ForAll("emptyPair") List<Tensor> ab) {
        for (BinaryOperator<Node> f : List.<BinaryOperator<Node>>of(Ops::add, Ops::sub, Ops::mul, Ops::div, Ops::pow,
                (a, b) -> maximum(a, b), (a, b) -> minimum(a, b))) {
            GradCheck.of(f).at(ab.get(0), ab.get(1)).assertClose();
        }
    }

    @Property(tries = 50)
    void mulAndDivHaveCorrectSecondDerivatives(@ForAll("divisorPair") List<Tensor> ab) {
        GradCheck.of((a, b) -> GradTable.grad(sum(Ops.div(mul(a, a), b)), b)).at(ab.get(0), ab.get(1)).assertClose();
        GradCheck.of((a, b) -> GradTable.grad(sum(mul(mul(a, b), b)), a)).at(ab.get(0), ab.get(1)).assertClose();
    }

    @Example
    void theGradientOfABroadcastOperandIsSummedBackToItsShape() {
        Input x = input("x", 2, 3);
        Input b = input("b", 3);
        Node db = GradTable.grad(sum(mul(x, b)), b);  // d/db_j sum_ij x_ij b_j = sum_i x_ij
        assertEquals(b.type(), db.type());
        var f = Compiler.compile(List.of(x, b), List.of(db));
        Tensor got = f.call(Tensor.matrix(new double[] {1, 2, 3}, new double[] {10, 20, 30}), Tensor.vector(0, 0, 0)).get(0);
        assertEquals(Tensor.vector(11, 22, 33), got);
    }

    @Example
    void comparisonsGiveZeroOrOneAndAZeroGradient() {
        Input x = input("x", 3);
        Node g = greater(x, 0.0);
        Node dx = GradTable.grad(sum(mul(g, x)), x); // the mask is held fixed: d/dx (x > 0) x = (x > 0)
        var f = Compiler.compile(List.of(x), List.of(g, dx));
        List<Tensor> out = f.call(Tensor.vector(-1, 0, 2));
        assertEquals(Tensor.vector(0, 0, 1), out.get(0));
        assertEquals(Tensor.vector(0, 0, 1), out.get(1));
        // the gradient through the comparison alone is zero, not an error
        Node only = GradTable.grad(sum(greater(x, 0.0)), x);
        assertEquals(Tensor.zeros(Shape.of(3)), Compiler.compile(List.of(x), List.of(only)).call(Tensor.vector(1, 2, 3)).get(0));
    }

    @Example
    void powFollowsThePowerRuleAndStaysFiniteAtAZeroBase() {
        Input a = input("a", 3), b = input("b", 3);
        Node y = pow(a, b);
        var f = Compiler.compile(List.of(a, b), List.of(y, GradTable.grad(sum(y), a), GradTable.grad(sum(y), b)));
        List<Tensor> out = f.call(Tensor.vector(2, 0, -2), Tensor.vector(3, 2, 2));
        assertEquals(Tensor.vector(8, 0, 4), out.get(0));
        assertEquals(Tensor.vector(12, 0, -4), out.get(1));                  // b a^(b-1)
        assertEquals(8 * Math.log(2), out.get(2).get(0), 1e-15);             // a^b log a
        assertEquals(0.0, out.get(2).get(1));                                // not 0 * -inf
        assertTrue(Double.isNaN(out.get(2).get(2)));                         // log of a negative base
    }

    @Example
    void maximumAndMinimumSplitTheGradientOfATie() {
        Input a = input("a", 3), b = input("b", 3);
        var f = Compiler.compile(List.of(a, b), List.of(GradTable.grad(sum(maximum(a, b)), a),
                GradTable.grad(sum(minimum(a, b)), b)));
        List<Tensor> out = f.call(Tensor.vector(1, 2, 3), Tensor.vector(0, 2, 4));
        assertEquals(Tensor.vector(1, 0.5, 0), out.get(0));
        assertEquals(Tensor.vector(1, 0.5, 0), out.get(1));
    }

    @Example
    void aShapeMismatchNamesTheOpTheOperandsAndBothShapes() {
        Input x = input("x", "n", 3);
        Input y = input("y", 4);
        var e = assertThrows(ShapeError.class, () -> add(x, y));
        assertEquals("add(x, y): cannot broadcast [n, 3] with [4]: dims 3 and 4 differ", e.getMessage());
        var m = assertThrows(ShapeError.class, () -> mul(x, input("z", "m", 3)));
        assertTrue(m.getMessage().contains("[n, 3] with [m, 3]"), m.getMessage());
    }

    // ---- issue 16's functions ------------------------------------------------------------

    /** Away from the origin and from the cut along x < 0, where atan2 jumps by 2π. */
    @Property(tries = 100)
    void atan2GradientMatchesFiniteDifferencesAwayFromTheOriginAndTheCut(@ForAll("awayFromZeroPair") List<Tensor> yx) {
        GradCheck.of(Ops::atan2).at(yx.get(0), yx.get(1)).assertClose();
    }

    @Property(tries = 100)
    void logaddexpGradientMatchesFiniteDifferences(@ForAll("anyPair") List<Tensor> ab) {
        GradCheck.of(Ops::logaddexp).at(ab.get(0), ab.get(1)).assertClose();
    }

    @Property(tries = 100)
    void xlogyAndXlog1pyGradientsMatchFiniteDifferences(@ForAll("logPair") List<Tensor> xy) {
        GradCheck.of(Ops::xlogy).at(xy.get(0), xy.get(1)).assertClose();
        GradCheck.of(Ops::xlog1py).at(xy.get(0), xy.get(1).sub(Tensor.scalar(0.9))).assertClose();
    }

    @Property(tries = 100)
    void fmodAndModGradientsMatchFiniteDifferencesAwayFromTheirJumps(@ForAll("remainderPair") List<Tensor> ab) {
        GradCheck.of(Ops::fmod).at(ab.get(0), ab.get(1)).assertClose();
        GradCheck.of(Ops::mod).at(ab.get(0), ab.get(1)).assertClose();
    }

    @Property(tries = 30)
    void issue16sSmoothFunctionsHaveCorrectSecondDerivatives(@ForAll("logPair") List<Tensor> xy) {
        for (BinaryOperator<Node> f : List.<BinaryOperator<Node>>of(Ops::atan2, Ops::logaddexp, Ops::xlogy, Ops::xlog1py)) {
            GradCheck.of((a, b) -> GradTable.grad(sum(f.apply(a, b)), a)).at(xy.get(0), xy.get(1)).assertClose();
            GradCheck.of((a, b) -> GradTable.grad(sum(f.apply(a, b)), b)).at(xy.get(0), xy.get(1)).assertClose();
        }
    }

    @Example
    void logaddexpOfTwoThousandsIsAThousandPlusLog2WithGradientsOneHalf() {
        Input a = input("a", 3), b = input("b", 3);
        Node y = logaddexp(a, b);
        var f = Compiler.compile(List.of(a, b), List.of(y, GradTable.grad(sum(y), a), GradTable.grad(sum(y), b)));
        List<Tensor> out = f.call(Tensor.vector(1000, -1000, 800), Tensor.vector(1000, -1000, -800));
        assertEquals(Tensor.vector(1000 + Math.log(2), -1000 + Math.log(2), 800), out.get(0));
        assertEquals(Tensor.vector(0.5, 0.5, 1), out.get(1));
        assertEquals(Tensor.vector(0.5, 0.5, 0), out.get(2));
    }

    /** x log y is 0 along x = 0, and so are its gradients there where log y is not finite. */
    @Example
    void xlogyIsZeroWhereXIsZeroWithItsGradients() {
        Input x = input("x", 4), y = input("y", 4);
        for (BinaryOperator<Node> f : List.<BinaryOperator<Node>>of(Ops::xlogy, (p, q) -> xlog1py(p, sub(q, 1.0)))) {
            Node v = f.apply(x, y);
            var c = Compiler.compile(List.of(x, y), List.of(v, GradTable.grad(sum(v), x), GradTable.grad(sum(v), y)));
            List<Tensor> out = c.call(Tensor.vector(0, 0, 0, 2), Tensor.vector(0, -1, Math.E, Math.E));
            assertEquals(Tensor.vector(0, 0, 0, 2), out.get(0));
            assertEquals(Tensor.vector(0, 0, 1, 1), out.get(1));                  // log y, but 0 where x = 0 and y <= 0
            Tensor dy = Tensor.vector(0, 0, 0, 2 / Math.E);                      // x/y, 0 at x = y = 0
            assertTrue(dy.allClose(out.get(2), 0, 0), out.get(2).toString());    // 0/-1 is -0
        }
    }

    /** C's fmod takes a's sign, Python's % b's; the gradient in b is minus the whole quotient. */
    @Example
    void fmodAndModDifferInTheirSignsAndShareTheirQuotient() {
        Input a = input("a", 5), b = input("b", 5);
        Tensor av = Tensor.vector(5, -5, 5, -5, 1), bv = Tensor.vector(3, 3, -3, -3, 0.1);
        for (boolean floor : new boolean[] {false, true}) {
            Node y = floor ? mod(a, b) : fmod(a, b);
            var f = Compiler.compile(List.of(a, b), List.of(y, GradTable.grad(sum(y), a), GradTable.grad(sum(y), b)));
            List<Tensor> out = f.call(av, bv);
            // Python: 5 % 3 = 2, -5 % 3 = 1, 5 % -3 = -1, -5 % -3 = -2; C: fmod(-5, 3) = -2, fmod(5, -3) = 2
            Tensor want = floor ? Tensor.vector(2, 1, -1, -2, 0.09999999999999995) : Tensor.vector(2, -2, 2, -2, 0.09999999999999995);
            assertEquals(want, out.get(0));
            assertEquals(Tensor.vector(1, 1, 1, 1, 1), out.get(1));
            // 1 = 9 · 0.1 + 0.0999...: 0.1 is a little more than 1/10, so the quotient is 9, though 1/0.1 rounds to 10
            assertEquals(floor ? Tensor.vector(-1, 2, 2, -1, -9) : Tensor.vector(-1, 1, 1, -1, -9), out.get(2));
        }
    }

    @Provide
    Arbitrary<List<Tensor>> awayFromZeroPair() {
        return Tensors.broadcastablePairs().flatMap(s -> Combinators.combine(
                Tensors.withShape(s.get(0)).awayFromZero(), Tensors.withShape(s.get(1)).awayFromZero()).as(List::of));
    }

    @Provide
    Arbitrary<List<Tensor>> logPair() {
        return Tensors.broadcastablePairs().flatMap(s -> Combinators.combine(
                Tensors.withShape(s.get(0)).any(), Tensors.withShape(s.get(1)).between(0.2, 5.0)).as(List::of));
    }

    /** A divisor away from 0, and a quotient a/b at least 0.01 from a whole number, so no step crosses a jump. */
    @Provide
    Arbitrary<List<Tensor>> remainderPair() {
        return divisorPair().filter(ab -> Arrays.stream(ab.get(0).div(ab.get(1)).toArray())
                .allMatch(q -> Math.abs(q - Math.rint(q)) > 0.01));
    }

    @Provide
    Arbitrary<List<Tensor>> anyPair() {
        return Tensors.broadcastablePairs().flatMap(s -> Combinators.combine(
                Tensors.withShape(s.get(0)).any(), Tensors.withShape(s.get(1)).any()).as(List::of));
    }

    @Provide
    Arbitrary<List<Tensor>> powerPair() {
        return Tensors.broadcastablePairs().flatMap(s -> Combinators.combine(
                Tensors.withShape(s.get(0)).between(0.2, 3.0), Tensors.withShape(s.get(1)).between(-2.5, 2.5)).as(List::of));
    }

    /** Operands at least 0.01 apart wherever they meet, so no finite-difference step crosses a tie. */
    @Provide
    Arbitrary<List<Tensor>> untiedPair() {
        return anyPair().filter(ab -> Arrays.stream(ab.get(0).sub(ab.get(1)).toArray()).allMatch(d -> Math.abs(d) > 0.01));
    }

    /** Two operands of one shape with a zero dim; the second broadcast along the first axis. */
    @Provide
    Arbitrary<List<Tensor>> emptyPair() {
        return Tensors.shapes(3, 0, 3).filter(s -> s.size() == 0).flatMap(s -> Combinators.combine(
                Tensors.withShape(s).positive(), Tensors.withShape(s.rank() > 1 ? dropFirst(s) : s).positive()).as(List::of));
    }

    static Shape dropFirst(Shape s) { return Shape.of(Arrays.copyOfRange(s.dims(), 1, s.rank())); }

    @Provide
    Arbitrary<List<Tensor>> divisorPair() {
        return Tensors.broadcastablePairs().flatMap(s -> Combinators.combine(
                Tensors.withShape(s.get(0)).any(), Tensors.withShape(s.get(1)).awayFromZero(0.5, 5.0)).as(List::of));
    }
}
