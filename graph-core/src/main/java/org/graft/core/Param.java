package org.graft.core;

import java.util.HashMap;
import java.util.List;
import java.util.Optional;

import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * A shared variable: a named value that lives across calls, read by every function that uses
 * it and changed by their updates. The node itself is immutable graph structure; its value is
 * the one piece of state in a graph, and its type never changes.
 *
 * <p>A param made from a value has that value's type. A param declared with a type may have
 * symbolic dims ({@code [d, 10]}, with {@code d} the width of an input) and has no value until
 * one is {@linkplain #set set}, typically once the data fixes its dims.
 *
 * <p>The value lives in an array of the param's dtype ({@link #storage()}) that compiled
 * functions read where it is and replace after a step ({@link #exchange}), so a training step
 * copies no param; {@link #value()} is an immutable snapshot, made when it is asked for.
 */
public final class Param implements Node {
    private final String name;
    private final Type type;
    private final SourcePos pos;
    // Plain volatile fields, no lock: a compiled step reads and exchanges the storage of every
    // param it updates, and a lock per access would cost more than a small step's arithmetic.
    // A param is changed by one thread at a time, as a compiled function runs one call at a time.
    private volatile Shape shape;       // null until the param has a value
    private volatile Object storage;    // double[] for f64, float[] for f32
    private volatile Tensor snapshot;   // the value as a tensor, or null when it must be made again

    public Param(String name, Tensor initial, SourcePos pos) {
        this(name, Type.of(initial), pos);
        set(initial);
    }

    /** A param placed where this thread is {@linkplain SourcePos#buildingAt building} (the optimizer's state at its objective). */
    public Param(String name, Tensor initial) { this(name, initial, SourcePos.building()); }

    /** A param of this type, without a value until one is {@linkplain #set set}. */
    public Param(String name, Type type, SourcePos pos) {
        if (name.isEmpty()) throw new IllegalArgumentException("a param needs a name");
        this.name = name;
        this.type = type;
        this.pos = pos;
    }

    public boolean hasValue() { return storage != null; }

    /** The current value; an error for a param that has none yet. */
    public Tensor value() {
        Object values = storage;
        if (values == null) throw new GraftException(pos, "param " + name + " has no value yet");
        Tensor v = snapshot;
        if (v == null) snapshot = v = Tensor.of(type.dtype(), shape, widen(values));
        return v;
    }

    /**
     * Replaces the value. It must fit the param's type: the same dtype and rank, the declared
     * size on every concrete dim, and one size for each symbolic dim.
     */
    public void set(Tensor newValue) {
        String wrong = type.bind(newValue, new HashMap<>());
        if (wrong != null) throw new ShapeError(pos, "param " + name + ": " + wrong);
        double[] values = newValue.toArray();
        shape = newValue.shape();
        snapshot = newValue;
        storage = type.dtype() == DType.F32 ? narrow(values) : values;
    }

    /** The shape of the current value; an error for a param that has none yet. */
    public Shape shape() {
        Shape s = shape;
        if (s == null) throw new GraftException(pos, "param " + name + " has no value yet");
        return s;
    }

    /**
     * The array holding the value, row-major: a {@code double[]} for f64, a {@code float[]} for
     * f32. For the compiled runtime, which reads it in place; whoever writes to it must call
     * {@link #changed()}.
     */
    public Object storage() {
        Object values = storage;
        if (values == null) throw new GraftException(pos, "param " + name + " has no value yet");
        return values;
    }

    /**
     * Makes {@code array} (of the same dtype and length as {@link #storage()}) the param's
     * value and returns the array that held it: how a compiled step applies an update that it
     * computed into a buffer of its own, without copying.
     */
    public Object exchange(Object array) {
        Object old = storage();
        if (array.getClass() != old.getClass() || java.lang.reflect.Array.getLength(array) != shape.size()) {
            throw new IllegalArgumentException("param " + name + " holds " + shape.size() + " " + type.dtype()
                    + " values; cannot exchange its storage for an array of another kind or length");
        }
        storage = array;
        snapshot = null;
        return old;
    }

    /** Says that {@link #storage()} was written to, so that {@link #value()} reads it again. */
    public void changed() {
        if (snapshot != null) snapshot = null; // a volatile write per step costs more than this read
    }

    private static double[] widen(Object array) {
        if (array instanceof double[] d) return d.clone();
        float[] f = (float[]) array;
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) out[i] = f[i];
        return out;
    }

    private static float[] narrow(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) out[i] = (float) values[i];
        return out;
    }

    @Override public Type type() { return type; }
    @Override public List<Node> inputs() { return List.of(); }
    @Override public Optional<String> name() { return Optional.of(name); }
    @Override public SourcePos pos() { return pos; }

    @Override
    public String toString() { return "param " + name + ": " + type; }
}
