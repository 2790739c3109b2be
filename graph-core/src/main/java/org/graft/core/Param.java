package org.graft.core;

import java.util.List;
import java.util.Optional;

import org.graft.core.tensor.Tensor;

/**
 * A shared variable: a named value that lives across calls, read by every function that uses
 * it and changed by their updates. The node itself is immutable graph structure; its value is
 * the one piece of state in a graph, and its type (the shape of the first value) never changes.
 */
public final class Param implements Node {
    private final String name;
    private final Type type;
    private final SourcePos pos;
    private volatile Tensor value;

    public Param(String name, Tensor initial, SourcePos pos) {
        if (name.isEmpty()) throw new IllegalArgumentException("a param needs a name");
        this.name = name;
        this.type = Type.of(initial);
        this.pos = pos;
        this.value = initial;
    }

    public Param(String name, Tensor initial) { this(name, initial, SourcePos.NONE); }

    public Tensor value() { return value; }

    /** Replaces the value; it must have the param's shape and dtype. */
    public void set(Tensor newValue) {
        if (!Type.of(newValue).equals(type)) {
            throw new ShapeError(pos, "param " + name + ": expected " + type + ", found " + Type.of(newValue));
        }
        value = newValue;
    }

    @Override public Type type() { return type; }
    @Override public List<Node> inputs() { return List.of(); }
    @Override public Optional<String> name() { return Optional.of(name); }
    @Override public SourcePos pos() { return pos; }

    @Override
    public String toString() { return "param " + name + ": " + type; }
}
