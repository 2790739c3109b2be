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

/** eye, arange and linspace in the language: constants made when the program is compiled, weak as numbers written. */
class ConstructorsTest {

    @Test
    void theConstructorsMakeTheirNumbersWithNumPysArguments() {
        List<Tensor> out = eval("""
                i = eye(2)
                shifted = eye(2, 3, k = 1)
                square = eye(2, m = none)
                r = arange(3)
                q = arange(1, 2, step = 0.5)
                l = linspace(0, 1, num = 3)
                output i, shifted, square, r, q, l
                """, Map.of());
        assertEquals(List.of(Tensor.matrix(new double[] {1, 0}, new double[] {0, 1}), Tensor.matrix(new double[] {0, 1, 0}, new double[] {0, 0, 1}),
                Tensor.matrix(new double[] {1, 0}, new double[] {0, 1}), Tensor.vector(0, 1, 2), Tensor.vector(1, 1.5), Tensor.vector(0, 0.5, 1)), out);
        assertEquals(50, eval("l = linspace(0, 1)\noutput l\n", Map.of()).get(0).size());   // NumPy's default num
    }

    @Test
    void aConstructorIsAConstantWhoseNumbersTakeTheDtypeTheyMeet() {
        Tensor x = Tensor.matrix(new double[] {1, 2}, new double[] {3, 4}).astype(DType.F32);
        List<Tensor> out = eval("input x: f32[2, 2]\ny = x * eye(2) + arange(2)\noutput y\n", Map.of("x", x));
        assertEquals(Tensor.matrix(new double[] {1, 1}, new double[] {0, 5}).astype(DType.F32), out.get(0));
        assertEquals("constant [[1.0, 0.0], [0.0, 1.0]] : [2, 2]  'i'\n",
                DebugPrint.debugprint(Graft.compile("c.graft", "i = eye(2)\noutput i\n").roots()));
    }

    @Test
    void badArgumentsAndConstantsTooLargeAreRefusedAtTheCall() {
        assertError("c.graft:1:5: error: eye: the result would hold 100,000,000 numbers; a constant made when the program is compiled "
                + "holds at most 10,000,000", "e = eye(10000)\n");
        assertError("c.graft:1:5: error: arange: start, stop and step must be finite and step not 0, found 0, 1 and 0",
                "r = arange(0, 1, 0)\n");
        assertError("c.graft:1:9: error: eye: n must be a whole number, found 2.5", "e = eye(2.5)\n");
        assertError("c.graft:1:5: error: linspace: num must be 0 or more, found -1", "l = linspace(0, 1, -1)\n");
    }

    private static List<Tensor> eval(String source, Map<String, Tensor> set) {
        Program p = Graft.compile("c.graft", source, set);
        var inputs = p.inputs();
        return Compiler.compile(inputs, List.copyOf(p.outputs().values())).call(inputs.stream().map(i -> set.get(i.label())).toList());
    }

    private static void assertError(String message, String source) {
        assertEquals(message, Graft.format(assertThrows(GraftException.class, () -> Graft.compile("c.graft", source))));
    }
}
