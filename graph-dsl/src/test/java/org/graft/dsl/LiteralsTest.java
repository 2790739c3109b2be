package org.graft.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.graft.core.GraftException;
import org.graft.core.print.DebugPrint;
import org.graft.core.runtime.Compiler;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Tensor;

/** The literals {@code inf}, {@code nan} and {@code none}. */
class LiteralsTest {
    private static final double INF = Double.POSITIVE_INFINITY;

    @Test
    void infAndNanAreTheIeeeNumbersAndMinusInfIsALiteralToo() {
        List<Tensor> out = eval("""
                a = inf
                b = -inf
                c = nan
                d = [1, -inf, inf] * 2
                e = exp(-inf)
                output a, b, c, d, e
                """, Map.of());
        assertEquals(List.of(Tensor.scalar(INF), Tensor.scalar(-INF), Tensor.scalar(Double.NaN), Tensor.vector(2, -INF, INF),
                Tensor.scalar(0)), out);
        // -inf is one number, as -1 is, not the negation of one
        assertEquals("constant -Infinity : []  'b'\n", DebugPrint.debugprint(Graft.compile("n.graft", "b = -inf\noutput b\n").roots()));
    }

    @Test
    void infIsAWeakNumberThatFitsF32AndMeetsAnyDtype() {
        Tensor x = Tensor.vector(-2, 0.5, 3).astype(DType.F32);
        List<Tensor> out = eval("""
                const ceiling = inf
                input x: f32[3]
                y = clip(x, -inf, 1)
                z = minimum(x, ceiling)
                output y, z
                """, Map.of("x", x));
        assertEquals(Tensor.vector(-2, 0.5, 1).astype(DType.F32), out.get(0));
        assertEquals(x, out.get(1));
    }

    @Test
    void noneLeavesOutAnAxisWhereAFunctionTakesNoneAndIsAnErrorElsewhere() {
        Tensor m = Tensor.matrix(new double[] {1, 2}, new double[] {3, 4});
        List<Tensor> out = eval("""
                input x: [2, 2]
                s = sum(x, axis = none)
                p = softmax(x, axis = none)
                t = transpose(x, perm = none)
                output s, p, t
                """, Map.of("x", m));
        assertEquals(Tensor.scalar(10), out.get(0));
        assertEquals(Tensor.matrix(new double[] {1, 3}, new double[] {2, 4}), out.get(2));
        double total = Math.exp(1) + Math.exp(2) + Math.exp(3) + Math.exp(4);
        assertEquals(Math.exp(4) / total, out.get(1).get(1, 1), 1e-15);
        assertEquals(1.0, out.get(1).sum(), 1e-15);
        assertError("c.graft:2:27: error: concat: axis must be a whole number, found none", "input x: [2]\nc = concat([x, x], axis = none)\n");
        assertError("c.graft:1:5: error: none is not a value: it stands for an argument left out, as in axis = none", "y = none\n");
        assertError("c.graft:2:16: error: reshape: shape must be a list such as [a, b], found none", "input x: [2]\nr = reshape(x, none)\n");
        assertError("c.graft:2:17: error: tril: k must be a number, found none", "input x: [2, 2]\nt = tril(x, k = none)\n");
    }

    @Test
    void aBindingOfTheSameNameTakesPrecedenceAsForPythonsBuiltIns() {
        // iterate.graft binds none: programs that bind these names keep their meaning
        List<Tensor> out = eval("""
                inf = 3
                none = [1, 2]
                nan = -inf
                output inf, none, nan
                """, Map.of());
        assertEquals(List.of(Tensor.scalar(3), Tensor.vector(1, 2), Tensor.scalar(-3)), out);
    }

    private static List<Tensor> eval(String source, Map<String, Tensor> set) {
        Program p = Graft.compile("l.graft", source, set);
        p.initialize(0);
        var inputs = p.inputs();
        return Compiler.compile(inputs, List.copyOf(p.outputs().values())).call(inputs.stream().map(i -> set.get(i.label())).toList());
    }

    private static void assertError(String message, String source) {
        assertEquals(message, Graft.format(assertThrows(GraftException.class, () -> Graft.compile("c.graft", source))));
    }
}
