package org.graft.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import org.graft.core.ops.Part;

/** An op applied to input nodes. Its type comes from the op's type rule when it is built. */
public final class Apply implements Node {
    private final Op op;
    private final List<Node> inputs;
    private final Type type;
    private final String name;
    private final SourcePos pos;

    private Apply(Op op, List<Node> inputs, Type type, String name, SourcePos pos) {
        this.op = op;
        this.inputs = inputs;
        this.type = type;
        this.name = name;
        this.pos = pos;
    }

    /** {@code op} applied to {@code inputs}, placed where this thread is {@linkplain SourcePos#buildingAt building}. */
    public static Apply of(Op op, Node... inputs) { return at(SourcePos.building(), op, List.of(inputs)); }

    public static Apply of(Op op, List<? extends Node> inputs) { return at(SourcePos.building(), op, inputs); }

    /**
     * Applies {@code op}, checking the input types now: a mismatch is a {@link ShapeError} at
     * {@code pos} naming the op, its operands and their types.
     */
    public static Apply at(SourcePos pos, Op op, List<? extends Node> inputs) {
        List<Node> in = List.copyOf(inputs);
        var types = new ArrayList<Type>(in.size());
        for (Node n : in) {
            if (n.type().isTuple() && !(op instanceof Part)) {
                throw new ShapeError(pos, call(op, in) + ": " + n.label() + " has several results " + n.type()
                        + "; an op reads one of them");
            }
            types.add(n.type());
        }
        Type type;
        try {
            type = op.type(types);
        } catch (ShapeError e) {
            throw new ShapeError(pos, call(op, in) + ": " + e.detail());
        }
        return new Apply(op, in, type, null, pos);
    }

    public Op op() { return op; }

    /** The same computation under a name (a new node: nodes never change). */
    public Apply named(String newName) { return new Apply(op, inputs, type, newName, pos); }

    /** The same computation, written at {@code where}. */
    public Apply at(SourcePos where) { return new Apply(op, inputs, type, name, where); }

    @Override public Type type() { return type; }
    @Override public List<Node> inputs() { return inputs; }
    @Override public Optional<String> name() { return Optional.ofNullable(name); }
    @Override public SourcePos pos() { return pos; }

    /** {@code matmul(h, W2)}: the op and the labels of its operands, as errors show it. */
    public static String call(Op op, List<Node> inputs) {
        return op.name() + inputs.stream().map(Node::label).collect(Collectors.joining(", ", "(", ")"));
    }

    @Override
    public String toString() { return (name == null ? "" : name + " = ") + call(op, inputs) + ": " + type; }
}
