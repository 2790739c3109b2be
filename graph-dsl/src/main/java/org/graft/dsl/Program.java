package org.graft.dsl;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.SourcePos;
import org.graft.core.tensor.Tensor;
import org.graft.ops.optim.Optimizer;

/**
 * A compiled Graft program: its inputs, params, named bindings, outputs and objective, as
 * graphs ready to compile into functions.
 */
public final class Program {

    /** {@code minimize cost with optimizer} (or {@code maximize}), as written at {@code pos}. */
    public record Objective(Node cost, boolean maximize, Optimizer optimizer, SourcePos pos) {}

    Program() {}

    /** The file name diagnostics use. */
    public String file() { throw new UnsupportedOperationException("not yet"); }

    /** The inputs, in the order they are declared. */
    public List<Input> inputs() { throw new UnsupportedOperationException("not yet"); }

    /** The values given to inputs with {@code --set}. */
    public Map<Input, Tensor> inputValues() { throw new UnsupportedOperationException("not yet"); }

    /** The params, in the order they are declared. */
    public List<Param> params() { throw new UnsupportedOperationException("not yet"); }

    /** The {@code output} names and their nodes, in order; empty when the program has none. */
    public Map<String, Node> outputs() { throw new UnsupportedOperationException("not yet"); }

    public Optional<Objective> objective() { throw new UnsupportedOperationException("not yet"); }

    /** Every top-level name (inputs, params, bindings) and its node, in the order bound. */
    public Map<String, Node> bindings() { throw new UnsupportedOperationException("not yet"); }

    /**
     * Gives every param a value: those set with {@code --set} keep it, the others take their
     * initializer's, drawn from {@code seed}.
     */
    public void initialize(long seed) { throw new UnsupportedOperationException("not yet"); }

    /** One line for {@code graft check}. */
    public String summary() { throw new UnsupportedOperationException("not yet"); }
}
