package org.graft.core;

import java.util.HashMap;
import java.util.List;
import java.util.Optional;

import org.graft.core.tensor.Tensor;

/**
 * A shared variable: a named value that lives across calls, read by every function that uses
 * it and changed by their updates. The node itself is immutable graph structure; its value is
 * the one piece of state in a graph, and its type never changes.
 *
 * <p>A param made from a value has that value's type. A param declared with a type may have
 * symbolic dims ({@code [d, 10]}, with {@code d} the width of an input) and has no value until
 * one is {@linkplain #set set}, typically once the data fixes its dims.
 */
public final class Param implements Node {
    private final String name;
    private final Type type;
    private final SourcePos pos;
    private volatile Tensor value;

    public Param(String name, Tensor initial, SourcePos pos) {
        this(name, Type.of(initial), pos);
        this.value = initial;
    }

    public Param(String name, Tensor initial) { this(name, initial, SourcePos.NONE); }

    /** A param of this type, without a value until one is {@linkplain #set set}. */
    public Param(String name, Type type, SourcePos pos) {
        if (name.isEmpty()) throw new IllegalArgumentException("a param needs a name");
        this.name = name;
        this.type = type;
        this.pos = pos;
    }

    public boolean hasValue() { return value != null; }

    /** The current value; an error for a param that has none yet. */
    public Tensor value() {
        Tensor v = value;
        if (v == null) throw new GraftException(pos, "param " + name + " has no value yet");
        return v;
    }

    /**
     * Replaces the value. It must fit the param's type: the same dtype and rank, the declared
     * size on every concrete dim, and one size for each symbolic dim.
     */
    public void set(Tensor newValue) {
        String wrong = type.bind(newValue, new HashMap<>());
        if (wrong != null) throw new ShapeError(pos, "param " + name + ": " + wrong);
        value = newValue;
    }

    @Override public Type type() { return type; }
    @Override public List<Node> inputs() { return List.of(); }
    @Override public Optional<String> name() { return Optional.of(name); }
    @Override public SourcePos pos() { return pos; }

    @Override
    public String toString() { return "param " + name + ": " + type; }
}
