package org.graft.ops;

import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.graft.core.GraftException;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.ShapeError;
import org.graft.core.runtime.Compiler;
import org.graft.core.tensor.Tensor;

/** What the op families' tests share: a cost for second-order checks, a run of one graph, and the exact words of an error. */
final class OpChecks {
    private OpChecks() {}

    /** sum(y³): a cost whose second derivative depends on y, so a wrong second-order term shows. */
    static Node cube(Node y) { return sum(mul(y, square(y))); }

    /** The value of {@code y} compiled with rewrites, {@code x} fed {@code value}. */
    static Tensor run(Node y, Input x, Tensor value) {
        return Compiler.compile(List.of(x), List.of(y)).call(value).get(0);
    }

    /** Building the graph fails with exactly this shape error. */
    static void assertShapeError(String message, Runnable build) {
        assertEquals(message, assertThrows(ShapeError.class, build::run).getMessage());
    }

    /** Running fails with exactly this error, as a compiled function reports it. */
    static void assertRuntimeError(String message, Runnable call) {
        assertEquals(message, assertThrows(GraftException.class, call::run).getMessage());
    }
}
