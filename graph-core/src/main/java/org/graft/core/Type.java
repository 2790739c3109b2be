package org.graft.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * What a node holds: a dtype and dims, some of which may be symbolic ({@code [n, 784]}).
 * Every node knows its type from the moment it is built. The dtype is {@code f64} by default
 * and prints only when it is {@code f32} ({@code f32[n, 784]}); ops take operands of one dtype
 * and give it to their result, except where an op's rule says otherwise.
 *
 * <p>A node of an op with several results ({@link TupleOp}, a {@code scan}) has a <em>tuple</em>
 * type: its {@link #parts} are the results' types, and its own dims are empty. Only
 * {@link org.graft.core.ops.Part} reads such a node, so every other op sees tensor types alone.
 */
public record Type(DType dtype, List<Dim> dims, List<Type> parts) {

    /** A shape error when the concrete dims alone hold more elements than a tensor can ({@link Shape#MAX_SIZE}). */
    public Type {
        dims = List.copyOf(dims);
        parts = List.copyOf(parts);
        if (!parts.isEmpty() && !dims.isEmpty()) throw new IllegalArgumentException("a tuple type has no dims of its own");
        for (Type p : parts) if (p.isTuple()) throw new IllegalArgumentException("a tuple's parts are tensors, found " + p);
        long elements = 1;
        for (Dim d : dims) if (d instanceof Dim.Size s) elements = Shape.times(elements, s.n());
        if (elements > Shape.MAX_SIZE) throw new ShapeError(Shape.tooLarge(Shape.format(dims), elements));
    }

    /** A tensor type. */
    public Type(DType dtype, List<Dim> dims) { this(dtype, dims, List.of()); }

    /** The type of a node with several results, {@code parts}: at least one, each a tensor; its dtype is the first's. */
    public static Type tuple(List<Type> parts) {
        if (parts.isEmpty()) throw new IllegalArgumentException("a tuple type needs at least one part");
        return new Type(parts.get(0).dtype(), List.of(), parts);
    }

    /** True for the type of a node with several results. */
    public boolean isTuple() { return !parts.isEmpty(); }

    /** An f64 type from dims given as sizes ({@code 784}) and symbols ({@code "n"}). */
    public static Type f64(Object... dims) { return of(DType.F64, dims); }

    /** An f32 type from dims given as sizes and symbols. */
    public static Type f32(Object... dims) { return of(DType.F32, dims); }

    public static Type of(DType dtype, Object... dims) {
        var list = new ArrayList<Dim>(dims.length);
        for (Object d : dims) {
            if (d instanceof Integer n) list.add(Dim.of(n));
            else if (d instanceof String s) list.add(Dim.of(s));
            else if (d instanceof Dim dim) list.add(dim);
            else throw new IllegalArgumentException("a dim is an int, a name or a Dim, not " + d);
        }
        return new Type(dtype, list);
    }

    /** The type of a concrete value. */
    public static Type of(Tensor t) { return of(t.dtype(), t.shape()); }

    public static Type of(DType dtype, Shape shape) {
        var list = new ArrayList<Dim>(shape.rank());
        for (int d : shape.dims()) list.add(Dim.of(d));
        return new Type(dtype, list);
    }

    public static Type scalar(DType dtype) { return new Type(dtype, List.of()); }

    public int rank() { return dims.size(); }

    public boolean isScalar() { return dims.isEmpty() && parts.isEmpty(); }

    /** The dim along {@code axis}; negative axes count from the end. */
    public Dim dim(int axis) { return dims.get(axis(axis)); }

    /** An axis in {@code [-rank, rank)} as an index in {@code [0, rank)}, or a shape error. */
    public int axis(int axis) {
        if (axis < -rank() || axis >= rank()) {
            throw new ShapeError("axis " + axis + " is out of range for " + this + " (rank " + rank() + ")");
        }
        return axis < 0 ? axis + rank() : axis;
    }

    /** True when no dim is symbolic (of any part, for a tuple). */
    public boolean isConcrete() {
        for (Dim d : dims) if (!(d instanceof Dim.Size)) return false;
        for (Type p : parts) if (!p.isConcrete()) return false;
        return true;
    }

    /** The same dtype with other dims. */
    public Type withDims(List<Dim> newDims) { return new Type(dtype, newDims); }

    /** The NumPy broadcast of two types; only a literal 1 broadcasts, a symbol never does. */
    public static Type broadcast(Type a, Type b) {
        if (a.dtype != b.dtype) throw new ShapeError("dtypes differ: " + a + " and " + b);
        if (a.dims.equals(b.dims)) return a;
        int rank = Math.max(a.rank(), b.rank());
        var out = new ArrayList<Dim>(rank);
        for (int i = 0; i < rank; i++) {
            Dim da = i < rank - a.rank() ? Dim.of(1) : a.dims.get(i - (rank - a.rank()));
            Dim db = i < rank - b.rank() ? Dim.of(1) : b.dims.get(i - (rank - b.rank()));
            if (da.equals(db) || db.isOne()) out.add(da);
            else if (da.isOne()) out.add(db);
            else throw new ShapeError("cannot broadcast " + a + " with " + b + ": dims " + da + " and " + db + " differ");
        }
        return new Type(a.dtype, out);
    }

    /** Checks that a value's dtype and shape fit this type, binding symbols as {@link #bind(Shape, Map)}. */
    public String bind(Tensor value, Map<String, Integer> env) {
        if (value.dtype() != dtype) return "expected " + this + ", found a tensor of dtype " + value.dtype();
        return bind(value.shape(), env);
    }

    /**
     * Checks that a concrete shape fits this type, binding its symbols in {@code env} (a symbol
     * already bound must have the same size). Returns null when it fits, else what is wrong.
     */
    public String bind(Shape shape, Map<String, Integer> env) {
        if (shape.rank() != rank()) return "expected " + this + " (rank " + rank() + "), found " + shape;
        var own = new HashMap<String, Integer>(); // a symbol used twice in this type ([n, n]) binds at its first use
        for (int i = 0; i < rank(); i++) {
            int actual = shape.dim(i);
            Dim d = dims.get(i);
            if (d instanceof Dim.Size s && s.n() != actual) {
                return "expected " + this + ", found " + shape + " (dim " + i + " is " + actual + ", not " + s.n() + ")";
            }
            if (d instanceof Dim.Var v) {
                Integer bound = env.containsKey(v.name()) ? env.get(v.name()) : own.putIfAbsent(v.name(), actual);
                if (bound != null && bound != actual) {
                    return "expected " + this + ", found " + shape + " (dim " + i + " is " + actual + ", but "
                            + v.name() + " = " + bound + " already)";
                }
            }
        }
        for (int i = 0; i < rank(); i++) {
            if (dims.get(i) instanceof Dim.Var v) env.put(v.name(), shape.dim(i));
        }
        return null;
    }

    /** The concrete shape; a shape error if a dim is still symbolic. */
    public Shape shape() {
        int[] out = new int[rank()];
        for (int i = 0; i < out.length; i++) {
            if (dims.get(i) instanceof Dim.Size s) out[i] = s.n();
            else throw new ShapeError("the type " + this + " has symbolic dims; it has no concrete shape");
        }
        return Shape.of(out);
    }

    /** {@code [n, 784]} for f64, the default; {@code f32[n, 784]} otherwise; {@code ([t, n, k], [n, k])} for a tuple. */
    @Override
    public String toString() {
        if (isTuple()) return parts.stream().map(Type::toString).collect(java.util.stream.Collectors.joining(", ", "(", ")"));
        String dimsText = Shape.format(dims);
        return dtype == DType.F64 ? dimsText : dtype + dimsText;
    }
}
