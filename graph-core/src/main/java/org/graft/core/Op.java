package org.graft.core;

import java.lang.reflect.Array;
import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.StringJoiner;

import org.graft.core.grad.ForwardTable;
import org.graft.core.kernel.Kernel;
import org.graft.core.kernel.Site;
import org.graft.core.tensor.Tensor;

/**
 * An operation: a value (a record of its attributes) that knows the type of its output, how
 * to compute it, and the gradient of its inputs as graph.
 */
public interface Op {

    /** The name used in printing, errors and the language ({@code matmul}, {@code sum_to}). */
    default String name() {
        return getClass().getSimpleName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The op as printed in graph dumps and rewrite logs: its {@link #name()} followed by its
     * attributes when it is a record with components ({@code sum{axes=[1], keepdims=true}},
     * {@code sum_to{target=[128]}}), the name alone otherwise ({@code relu}). Doubles print
     * as {@link Double#toString(double)} does, so they read back exactly; lists and arrays as
     * {@code [1, 2]}; strings in double quotes; null as {@code none}, as the language writes an
     * attribute left out; anything else with its {@code toString}. An op
     * whose name already says an attribute's value overrides this.
     */
    default String describe() {
        RecordComponent[] components = getClass().getRecordComponents();
        if (components == null || components.length == 0) return name();
        var attributes = new StringJoiner(", ", name() + "{", "}");
        for (RecordComponent c : components) {
            var accessor = c.getAccessor();
            accessor.trySetAccessible(); // a record declared private still prints
            try {
                attributes.add(c.getName() + "=" + attribute(accessor.invoke(this)));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read attribute " + c.getName() + " of " + name(), e);
            }
        }
        return attributes.toString();
    }

    private static String attribute(Object v) {
        if (v == null) return "none"; // as the language writes an axis left out: softmax{axis=none}
        if (v instanceof String s) return '"' + s + '"';
        if (v instanceof List<?> list) {
            var out = new StringJoiner(", ", "[", "]");
            for (Object e : list) out.add(attribute(e));
            return out.toString();
        }
        if (v != null && v.getClass().isArray()) {
            var out = new StringJoiner(", ", "[", "]");
            for (int i = 0; i < Array.getLength(v); i++) out.add(attribute(Array.get(v, i)));
            return out.toString();
        }
        return String.valueOf(v); // a boxed double prints with Double.toString, which reads back exactly
    }

    /** The output type for these input types, or a {@link ShapeError} saying what does not fit. */
    Type type(List<Type> inputs);

    /** The reference semantics: numbers in, numbers out. */
    Tensor fprop(List<Tensor> inputs);

    /**
     * The vector-Jacobian product as graph: given the output {@code y} and the gradient
     * {@code gy} of a scalar cost with respect to it, one {@link Grad} per input. A term may
     * have a broadcast shape; the walker sums it back to the input's shape.
     */
    List<Grad> bprop(List<Node> inputs, Node y, Node gy);

    /**
     * The Jacobian-vector product as graph, forward mode (Theano's R-op): given the output
     * {@code y} and one tangent per input, each of its input's type, the tangent of {@code y}:
     * {@link Grad#of} a node of {@code y}'s type, {@link Grad#zero()} when it is identically
     * zero, or {@link Grad#notDifferentiable}. A tangent is null where its input has none (the
     * input does not depend on the variables, or the edge is not {@linkplain #connected
     * connected}); the {@link ForwardTable} walker calls this only when some tangent is not.
     *
     * <p>By default it is derived from {@link #bprop}, which is linear in its cotangent: the
     * tangent is the gradient, with respect to that cotangent, of the sum of each input's term
     * times its tangent ({@link ForwardTable#byTransposition}), exact for every op at the cost
     * of its bprop and the bprop's transpose. {@link Elementwise}, {@link Linear} and
     * {@link Multilinear} ops have cheaper rules; an op overrides this where it has one of its own.
     */
    default Grad jvp(List<Node> inputs, Node y, List<Node> tangents) {
        return ForwardTable.byTransposition(this, inputs, y, tangents);
    }

    /**
     * The outputs of the graph the op runs inside itself (a scan's step, whose leaves are its own
     * inputs), for printing; empty for an op that is no graph of its own, as almost every op.
     */
    default List<Node> innerGraph() { return List.of(); }

    /**
     * Whether the op draws random numbers: a {@link Stochastic} op, or one that runs others
     * (a scan whose step samples). Such a node is never folded, merged with another or computed
     * once per plan, and it draws from the function's stream in schedule order.
     */
    default boolean isRandom() { return this instanceof Stochastic; }

    /**
     * Whether the op reads input {@code i}'s values, not only its shape ({@code zeros_like},
     * the {@code like} of a broadcast, a sample's shape). A value is known as soon as the
     * values it reads are: constant folding and the plan compute a node once when it reads
     * only constants and shapes.
     */
    default boolean readsValues(int i) { return true; }

    /**
     * Whether a gradient flows from the output to input {@code i} (Theano's connection
     * pattern): false where the op does not read the input's values, and for
     * {@code stop_gradient}, which passes the values on and stops the gradient. The walker never
     * sends a gradient along an edge that is not connected, and the bprop gives
     * {@link Grad#disconnected()} there.
     */
    default boolean connected(int i) { return readsValues(i); }

    /**
     * A kernel that computes this op into a preallocated buffer, for the compiled runtime; null
     * (the default) runs {@link #fprop} instead, which allocates its result at every call. The
     * kernel sees {@code double[]} buffers: an f32 node's operands are presented widened and its
     * result narrowed, unless {@link #kernelF32} gives a kernel of its own. It must compute what
     * {@code fprop} computes, to the bit wherever the summation order allows.
     */
    default Kernel kernel(Site site) { return null; }

    /**
     * The input that this op's kernel adds its result onto, reading each of its elements before
     * writing the same element of the output (a GEMM's {@code c}), or -1 for none. The plan may
     * then give the output that input's buffer when nothing reads the input afterwards, so the
     * sum is formed in place: the update {@code w - lr * dw} of a weight matrix is written over
     * the weights themselves.
     */
    default int accumulatesInto() { return -1; }

    /**
     * A kernel on {@code float[]} buffers for an f32 node, where working in f32 pays (a GEMM); null
     * by default. A {@link SharedKernel} op's kernel serves either dtype.
     */
    default Kernel kernelF32(Site site) { return null; }

    /**
     * One kernel computing this node's value and that of a node of op {@code other} together, for
     * ops whose kernels would repeat each other's work on the same operands (a loss and its
     * gradient: softmax cross-entropy and its d/dlogits take the same exps); null, the default,
     * where there is none. {@code site} is this node's and {@code otherSite} the other's, both of
     * the nodes' own dtype (f64 or f32 buffers: the kernel serves the dtype it is given); the
     * kernel writes both buffers, each value with the bits its own kernel gives. The runtime asks
     * only where the other node's operands are all computed before this one.
     */
    default Kernel kernelWith(Op other, Site site, Site otherSite) { return null; }

    /** A shape error unless there are exactly {@code n} input types. */
    static void requireArity(Op op, List<Type> inputs, int n) {
        if (inputs.size() != n) {
            throw new ShapeError(op.name() + " takes " + n + " input" + (n == 1 ? "" : "s") + ", found " + inputs.size());
        }
    }
}
