package org.graft.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.graft.core.Constant;
import org.graft.core.GraftException;
import org.graft.core.Node;
import org.graft.core.runtime.Compiler;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * {@code --set} values given to {@link Graft#compile(String, String, Map)}: what they replace,
 * and the exact errors for a name the program does not bind or a value that does not fit.
 * A program error is placed where the name is declared; a name the program lacks has no place
 * in it.
 */
class SetValuesTest {

    private static final String PROGRAM = """
            input x: [n, 3]
            param W: [3, 2] = zeros
            const k = 2
            h = x @ W
            a, b = split(h, 2, axis = 1)
            fn twice(v) = 2 * v
            y = twice(a) * k
            output y
            """;

    private static String error(Map<String, Tensor> set) {
        return Graft.format(assertThrows(GraftException.class, () -> Graft.compile("set.graft", PROGRAM, set)));
    }

    private static Map<String, Tensor> ordered(Object... nameValue) {
        var out = new LinkedHashMap<String, Tensor>();
        for (int i = 0; i < nameValue.length; i += 2) out.put((String) nameValue[i], (Tensor) nameValue[i + 1]);
        return out;
    }

    private static Tensor zeros(int... dims) { return Tensor.zeros(Shape.of(dims)); }

    @Test
    void aNameTheProgramDoesNotBindIsAnErrorWithoutAPosition() {
        assertEquals("error: --set z: the program binds no name z", error(Map.of("z", Tensor.scalar(1))));
    }

    @Test
    void aNameThatDiffersOnlyInCaseIsSuggested() {
        assertEquals("error: --set X: the program binds no name X; did you mean x?", error(Map.of("X", zeros(2, 3))));
    }

    @Test
    void aFnCannotBeSet() {
        assertEquals("error: --set twice: twice is a fn; --set gives values to inputs, params, consts and bindings",
                error(Map.of("twice", Tensor.scalar(1))));
    }

    @Test
    void aNameBoundOnlyInsideAFnBodyIsNotSettable() {
        String program = "fn f(v) {\n  q = v + 1\n  return q\n}\ny = f(1)\n";
        var e = assertThrows(GraftException.class, () -> Graft.compile("set.graft", program, Map.of("q", Tensor.scalar(1))));
        assertEquals("error: --set q: the program binds no name q", Graft.format(e));
    }

    @Test
    void anInputOfTheWrongRankIsAnErrorAtItsDeclaration() {
        assertEquals("set.graft:1:7: error: --set x: expected [n, 3] (rank 2), found [3]", error(Map.of("x", zeros(3))));
    }

    @Test
    void anInputWithAWrongConcreteDimIsAnError() {
        assertEquals("set.graft:1:7: error: --set x: expected [n, 3], found [2, 4] (dim 1 is 4, not 3)", error(Map.of("x", zeros(2, 4))));
    }

    @Test
    void aParamOfTheWrongShapeIsAnError() {
        assertEquals("set.graft:2:7: error: --set W: expected [3, 2], found [2, 3] (dim 0 is 2, not 3)", error(Map.of("W", zeros(2, 3))));
    }

    @Test
    void aBindingOfTheWrongShapeIsAnError() {
        assertEquals("set.graft:4:1: error: --set h: expected [n, 2], found [2, 3] (dim 1 is 3, not 2)", error(Map.of("h", zeros(2, 3))));
    }

    @Test
    void aDestructuredBindingOfTheWrongShapeIsAnError() {
        assertEquals("set.graft:5:4: error: --set b: expected [n, 1], found [2, 2] (dim 1 is 2, not 1)", error(Map.of("b", zeros(2, 2))));
    }

    @Test
    void aSymbolicDimMustAgreeAcrossTheSetValues() {
        assertEquals("set.graft:4:1: error: --set h: expected [n, 2], found [4, 2] (dim 0 is 4, but n = 5 already)",
                error(ordered("x", zeros(5, 3), "h", zeros(4, 2))));
    }

    @Test
    void aConstIsOverriddenOnlyByANumber() {
        assertEquals("set.graft:3:7: error: --set k: a const is a number, found a value of shape [2]", error(Map.of("k", zeros(2))));
        assertEquals("set.graft:3:7: error: --set k: a const is a number, found a value of shape [1]", error(Map.of("k", zeros(1))));
    }

    @Test
    void aConstOverrideThatMakesADimFractionalIsAnErrorWhereTheDimIsUsed() {
        var e = assertThrows(GraftException.class,
                () -> Graft.compile("set.graft", "const d = 3\ninput x: [d]\n", Map.of("d", Tensor.scalar(2.5))));
        assertEquals("set.graft:2:11: error: the dim d must be a whole number, found 2.5", Graft.format(e));
    }

    @Test
    void aConstOverrideChangesTheDimsItIsUsedIn() {
        Program p = Graft.compile("set.graft", "const d = 3\ninput x: [d]\n", Map.of("d", Tensor.scalar(4)));
        assertEquals("[4]", p.inputs().get(0).type().toString());
    }

    @Test
    void aSetBindingBecomesAConstantBeforeGradSeesIt() {
        // givens: with h fixed, loss no longer depends on W through h
        String program = "param W: [2] = ones\nh = W * 3\nloss = sum(h * W)\ng = grad(loss, W)\noutput g\n";
        Program p = Graft.compile("set.graft", program, Map.of("h", Tensor.of(Shape.of(2), new double[] {5, 7})));
        assertInstanceOf(Constant.class, p.bindings().get("h"));
        p.initialize(1);
        Node g = p.outputs().get("g");
        Tensor value = Compiler.compile(List.of(), List.of(g)).call().get(0);
        assertEquals(Tensor.of(Shape.of(2), new double[] {5, 7}), value);
    }

    @Test
    void setValuesForInputsAndParamsAreKept() {
        Tensor x = zeros(2, 3), w = Tensor.ones(Shape.of(3, 2));
        Program p = Graft.compile("set.graft", PROGRAM, ordered("x", x, "W", w));
        assertEquals(x, p.inputValues().get(p.inputs().get(0)));
        p.initialize(1);
        assertEquals(w, p.params().get(0).value());
    }
}
