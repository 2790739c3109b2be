package org.graft.core;

import java.util.List;
import java.util.Optional;

/** A placeholder for a value fed at each call; its dims may be symbolic. */
public final class Input implements Node {
    private final String name;
    private final Type type;
    private final SourcePos pos;

    public Input(String name, Type type, SourcePos pos) {
        if (name.isEmpty()) throw new IllegalArgumentException("an input needs a name");
        this.name = name;
        this.type = type;
        this.pos = pos;
    }

    /** An input placed where this thread is {@linkplain SourcePos#buildingAt building}. */
    public Input(String name, Type type) { this(name, type, SourcePos.building()); }

    @Override public Type type() { return type; }
    @Override public List<Node> inputs() { return List.of(); }
    @Override public Optional<String> name() { return Optional.of(name); }
    @Override public SourcePos pos() { return pos; }

    @Override
    public String toString() { return "input " + name + ": " + type; }
}
