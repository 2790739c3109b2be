package org.graft.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.graft.core.GraftException;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Function;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

class ProgramTest {
    private static final String GENERIC = """
            input x: [n, d]
            input y: [n]
            param w: [d] = normal(0, 1)
            param b: [] = constant(0.5)
            p = sigmoid(x @ w + b)
            loss = mean(binary_cross_entropy(p, y))
            output p
            maximize -loss with sgd(lr = 0.5)
            """;

    @Test
    void paramsWithSymbolicDimsTakeTheirSizeFromTheSetValuesAndTheSeed() {
        Tensor x = Tensor.matrix(new double[] {1, 0, 2}, new double[] {0, 1, -1});
        Program a = Graft.compile("g.graft", GENERIC, Map.of("x", x));
        a.initialize(7);
        Param w = a.params().get(0);
        assertEquals(Shape.of(3), w.value().shape());
        assertEquals(Tensor.scalar(0.5), a.params().get(1).value());
        Tensor first = w.value();
        a.initialize(7);
        assertEquals(first, w.value());                       // the same seed, the same bits
        a.initialize(8);
        assertNotEquals(first, w.value());
    }

    @Test
    void aParamWhoseDimNoValueFixesIsAnErrorAtTheParam() {
        Program p = Graft.compile("g.graft", GENERIC);
        var e = assertThrows(GraftException.class, () -> p.initialize(0));
        assertEquals("g.graft:3:7: error: param w: the size of dim d is not known; give a value to an input that has it (--set)",
                Graft.format(e));
        p.initialize(0, Map.of("d", 4));                      // a data set's width will do
        assertEquals(Shape.of(4), p.params().get(0).value().shape());
        assertThrows(GraftException.class, () -> Graft.compile("g.graft", GENERIC,
                Map.of("x", Tensor.zeros(Shape.of(2, 3)))).initialize(0, Map.of("d", 4)));
    }

    @Test
    void maximizeClimbsItsObjective() {
        Tensor x = Tensor.matrix(new double[] {1, 2}, new double[] {-1, -2}, new double[] {2, 1});
        Tensor y = Tensor.vector(1, 0, 1);
        Program p = Graft.compile("g.graft", GENERIC, Map.of("x", x, "y", y));
        p.initialize(1);
        Node loss = p.bindings().get("loss");
        Function step = Compiler.compile(p.inputs(), List.of(loss), p.updates());
        double before = step.call(x, y).get(0).item();
        double after = before;
        for (int i = 0; i < 50; i++) after = step.call(x, y).get(0).item();
        assertTrue(after < before / 2, before + " -> " + after);   // maximizing -loss lowers the loss
    }

    @Test
    void theSummarySaysWhatTheProgramDeclaresAndTrains() {
        assertEquals("g.graft: ok: 2 inputs, 2 params, 1 output; maximizes -loss with sgd(lr = 0.5)",
                Graft.compile("g.graft", GENERIC).summary());
        assertEquals("h.graft: ok: 0 inputs, 1 param (6 numbers), 0 outputs",
                Graft.compile("h.graft", "param W: [2, 3] = zeros\n").summary());
    }

    @Test
    void rootsAreTheOutputsAndObjectiveElseTheBindingsNothingUses() {
        Program p = Graft.compile("r.graft", """
                input x: [3]
                a = exp(x)
                b = sum(a)
                c = log(x)
                """);
        assertEquals(List.of("b", "c"), p.roots().stream().map(Node::label).toList());
        Program q = Graft.compile("q.graft", "input x: [3]\ns = sum(x)\nt = s * 2\noutput t\nminimize s with sgd(0.1)\n");
        assertEquals(List.of("t", "s"), q.roots().stream().map(Node::label).toList());
        assertThrows(GraftException.class, () -> Graft.compile("n.graft", "input x: [3]\n").updates());
    }
}
