package org.graft.core;

import java.util.HashMap;
import java.util.List;
import java.util.Optional;

import org.graft.core.tensor.DType;
import org.graft.core.tensor.Tensor;

/** A value fixed when the graph is built. */
public final class Constant implements Node {
    private final Tensor value;
    private final Type type;
    private final String name;
    private final SourcePos pos;

    private Constant(Tensor value, Type type, String name, SourcePos pos) {
        this.value = value;
        this.type = type;
        this.name = name;
        this.pos = pos;
    }

    public static Constant of(Tensor value) { return new Constant(value, Type.of(value), null, SourcePos.building()); }

    /**
     * A value that stands where a node of {@code type} stood, symbolic dims and all (the
     * language's givens replace a binding of type {@code [n, 10]} by a fixed value this way, so
     * that the graph around it still type-checks). The value must fit the type.
     */
    public static Constant of(Tensor value, Type type) {
        String wrong = type.bind(value, new HashMap<>());
        if (wrong != null) throw new ShapeError(wrong);
        return new Constant(value, type, null, SourcePos.building());
    }

    /** An f64 scalar. */
    public static Constant scalar(double value) { return of(Tensor.scalar(value)); }

    /** A scalar of {@code dtype}: {@code value} rounded to it. */
    public static Constant scalar(DType dtype, double value) { return of(Tensor.scalar(dtype, value)); }

    public Tensor value() { return value; }

    /** True for a single-element constant equal to {@code v}: the guard of many rewrite rules. */
    public boolean isScalar(double v) { return value.size() == 1 && value.getFlat(0) == v; }

    /** The same value under a name. */
    public Constant named(String newName) { return new Constant(value, type, newName, pos); }

    /** The same value, written at {@code where}. */
    public Constant at(SourcePos where) { return new Constant(value, type, name, where); }

    @Override public Type type() { return type; }
    @Override public List<Node> inputs() { return List.of(); }
    @Override public Optional<String> name() { return Optional.ofNullable(name); }
    @Override public SourcePos pos() { return pos; }

    @Override
    public String toString() { return "constant " + (name == null ? "" : name + " ") + value; }
}
