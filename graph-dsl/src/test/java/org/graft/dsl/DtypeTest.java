package org.graft.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.graft.core.GraftException;
import org.graft.core.Graph;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Function;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/** The dtype of a program: as written, or one for the whole program, and the weak dtype of its numbers. */
class DtypeTest {
    private static final String MODEL = """
            input x: [n, 3]
            input y: [n, 1]
            param w: [3, 1] = normal(0, 0.3)
            param b: [1] = uniform(-0.1, 0.1)
            const lr = 0.1
            p = sigmoid(x @ w + b)
            loss = mean(binary_cross_entropy(p, y)) + 1e-3 * sum(w^2)
            metric hits = mean((p > 0.5) == y)
            output p
            minimize loss with momentum(lr = lr)
            """;

    private static final Tensor X = Tensor.matrix(new double[] {0.1, 0.2, 0.3}, new double[] {-1, 0.5, 2}),
            Y = Tensor.matrix(new double[] {1}, new double[] {0});

    private static Program compile(String source, DType dtype) { return Graft.compile("m.graft", source, Map.of(), dtype); }

    /** Every node the program's outputs, objective, metrics and training step reach. */
    private static List<Node> everyNode(Program p) {
        var roots = new ArrayList<Node>(p.roots());
        roots.addAll(p.updates().values());
        return Graph.topologicalOrder(roots);
    }

    private static void assertAll(DType dtype, Program p) {
        for (Node n : everyNode(p)) assertEquals(dtype, n.type().dtype(), () -> n + " is not " + dtype);
    }

    @Test
    void theDtypeOptionReplacesEveryTypeAndNumberOfTheProgram() {
        Program p = compile(MODEL, DType.F32);
        p.initialize(3, Map.of("n", 2));
        assertAll(DType.F32, p);
        assertEquals(Tensor.scalar(DType.F32, 0.1), ((org.graft.core.Constant) p.bindings().get("lr")).value());
        assertEquals(Set.of(DType.F64), p.writtenDtypes());

        Program back = compile(MODEL.replace("[", "f32["), DType.F64);
        back.initialize(3, Map.of("n", 2));
        assertAll(DType.F64, back);
        assertEquals(Set.of(DType.F32), back.writtenDtypes());
    }

    @Test
    void withoutTheOptionTheProgramIsAsWritten() {
        Program f32 = Graft.compile("m.graft", MODEL.replace("[", "f32["));
        f32.initialize(3, Map.of("n", 2));
        assertAll(DType.F32, f32);   // the numbers 1e-3, 2, 0.5 and the optimizer's take the params' dtype
        assertEquals(DType.F64, f32.bindings().get("lr").type().dtype()); // a number that meets nothing stays f64
        Program f64 = Graft.compile("m.graft", MODEL);
        f64.initialize(3, Map.of("n", 2));
        assertAll(DType.F64, f64);
    }

    @Test
    void anF32ProgramTrainsInF32() {
        Program p = compile(MODEL, DType.F32);
        p.initialize(3, Map.of("n", 2));
        Function step = Compiler.compile(p.inputs(), List.of(p.objective().orElseThrow().cost()), p.updates());
        Tensor x = X.astype(DType.F32), y = Y.astype(DType.F32);
        double first = step.call(x, y).get(0).item();
        Tensor last = step.call(x, y).get(0);
        for (int i = 0; i < 30; i++) last = step.call(x, y).get(0);
        assertEquals(DType.F32, last.dtype());
        assertTrue(last.item() < first, first + " -> " + last);
        for (Param param : p.params()) assertEquals(DType.F32, param.value().dtype());
    }

    @Test
    void paramsStartFromTheF64DrawsRounded() {
        Program f32 = compile(MODEL, DType.F32), f64 = compile(MODEL, null);
        f32.initialize(5, Map.of("n", 2));
        f64.initialize(5, Map.of("n", 2));
        for (int i = 0; i < 2; i++) {
            assertEquals(f64.params().get(i).value().astype(DType.F32), f32.params().get(i).value());
        }
    }

    @Test
    void numbersReadWhenTheProgramIsCompiledKeepTheValueWritten() {
        Program p = compile(MODEL, DType.F32);
        assertEquals(0.1, p.objective().orElseThrow().optimizer().lr());   // not the float nearest 0.1
        Program given = Graft.compile("m.graft", "two = 1 + 1\nconst c = two * 3\ny = c\noutput y\n",
                Map.of("two", Tensor.scalar(5)), DType.F32);
        assertEquals(Tensor.scalar(DType.F32, 15), ((org.graft.core.Constant) given.bindings().get("c")).value());
    }

    @Test
    void setValuesTakeTheDtypeOfWhatTheySet() {
        Program p = Graft.compile("m.graft", MODEL, Map.of("x", X, "w", Tensor.of(new double[] {0.1, 0.2, 0.3}, 3, 1),
                "p", Tensor.matrix(new double[] {0.7}, new double[] {0.2})), DType.F32);
        assertEquals(X.astype(DType.F32), p.inputValues().get(p.inputs().get(0)));
        p.initialize(0);
        assertEquals(Tensor.of(DType.F32, Shape.of(3, 1), new double[] {0.1, 0.2, 0.3}), p.params().get(0).value());
        assertEquals(DType.F32, p.bindings().get("p").type().dtype());
    }

    @Test
    void aNumberMeetingAnF32OperandIsF32AndOnItsOwnF64() {
        Program p = Graft.compile("m.graft", """
                input a: f32[3]
                input c: [3]
                k = 2 * 3
                fa = a * k + 1
                fc = c * k
                f = where(a > 0, a, [1, 2, 3])
                g = clip(a, 0, 1) + maximum(a, 0.5) + concat([a, [7]])[0:3]
                """);
        assertEquals(DType.F64, p.bindings().get("k").type().dtype());
        assertEquals(DType.F64, p.bindings().get("fc").type().dtype());
        for (String name : List.of("fa", "f", "g")) {
            for (Node n : Graph.topologicalOrder(List.of(p.bindings().get(name)))) {
                if (n != p.inputs().get(1)) assertEquals(DType.F32, n.type().dtype(), () -> name + ": " + n);
            }
        }
        Function f = Compiler.compile(List.of(p.inputs().get(0)), List.of(p.bindings().get("fa")));
        assertEquals(Tensor.of(DType.F32, Shape.of(3), new double[] {7, 1, 0.1f * 6 + 1}),
                f.call(Tensor.of(DType.F32, Shape.of(3), new double[] {1, 0, 0.1})).get(0));
    }

    @Test
    void anUpdateByANumberTakesTheParamsDtype() {
        Program p = Graft.compile("m.graft", """
                param seen: f32[] = zeros
                update seen = 1
                """);
        assertEquals(DType.F32, p.stateUpdates().values().iterator().next().type().dtype());
    }

    @Test
    void operandsOfTwoStrongDtypesAreStillAnError() {
        var e = assertThrows(GraftException.class, () -> Graft.compile("m.graft", """
                input a: f32[3]
                input c: [3]
                s = a + 2 * c
                """));
        assertEquals("m.graft:3:7: error: add(a, mul): dtypes differ: f32[3] and [3]", Graft.format(e));
    }

    @Test
    void aNumberTooLargeForF32IsAnErrorAtTheNumber() {
        var e = assertThrows(GraftException.class, () -> Graft.compile("m.graft", "input a: f32[3]\nb = a * 1e39\n"));
        assertEquals("m.graft:2:9: error: the number 1e39 is too large for f32, the dtype of what it is combined with",
                Graft.format(e));
        var forced = assertThrows(GraftException.class, () -> compile("input a: [3]\nb = a * -1e39\n", DType.F32));
        assertEquals("m.graft:2:9: error: the number -1e39 is too large for f32", Graft.format(forced));
    }

    @Test
    void aLongChainOfNumbersIsWeakWithoutOverflowingTheStack() {
        Program p = Graft.compile("m.graft", """
                input a: f32[]
                fn inc(v) = v + 1
                k = iterate(inc, 0, 100000)
                b = a * k
                """);
        assertEquals(DType.F32, p.bindings().get("b").type().dtype());
    }
}
