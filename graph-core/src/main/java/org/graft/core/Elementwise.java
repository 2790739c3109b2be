package org.graft.core;

import java.util.List;

import org.graft.core.ops.Add;
import org.graft.core.ops.Broadcasting;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * An op whose output element {@code i} is a function of its operands' elements {@code i}, after
 * NumPy broadcasting. The compiled runtime fuses chains of them into one loop over blocks of
 * elements, calling {@link #apply} once per op and block, never once per element; the same
 * {@code apply} is the op's reference {@link #fprop}, so fused and unfused values agree to the
 * bit.
 */
public interface Elementwise extends Op {

    /** How many operands the op takes. */
    int arity();

    /**
     * Whether {@link #apply} and {@link #applyF32} accept operand {@code k} as an array of one
     * element standing for every element, when the operand is a scalar. The runtime then passes
     * such an operand as it is; otherwise it fills a register as long as the output with it.
     * That register costs a pass to fill whenever the value changes (Adam's bias corrections,
     * at every step) and a stream to read at every call. An op that says so tells the two apart
     * by the array's length: of one element, or as long as the range it computes.
     */
    default boolean takesScalar(int k) { return false; }

    /** The type the operands broadcast to. */
    @Override
    default Type type(List<Type> in) {
        Op.requireArity(this, in, arity());
        Type type = in.get(0);
        for (Type t : in.subList(1, in.size())) type = Type.broadcast(type, t);
        return type;
    }

    /**
     * Writes the op's value at elements {@code [from, to)} of its operands {@code in[0], in[1], ...}
     * into {@code out[from, to)}. {@code out} may be one of the operands: each element is read
     * before it is written.
     *
     * <p>Every array is read and written at the same indices, never at an offset of its own: C2
     * (JDK 17) vectorizes {@code y[i] = a[i] * b[i]} whichever arrays alias, but not
     * {@code y[j + i] = a[k + i] * b[i]}, where it cannot rule out an overlap. A fused chain whose
     * operands all have its output's shape (or are scalars) therefore reads them where they are,
     * block by block, and writes its output in place (the runtime's {@code Fused}).
     */
    void apply(double[][] in, double[] out, int from, int to);

    /**
     * The same on f32 operands: each result is the op's value computed in double from the
     * widened floats and rounded to float once, which is the op's f32 reference semantics (for
     * {@code + - * /}, exactly IEEE float arithmetic), so a chain can keep f32 values in floats.
     */
    void applyF32(float[][] in, float[] out, int from, int to);

    /**
     * The output's tangent. Output element {@code i} depends on element {@code i} of each
     * operand (broadcast), so the Jacobian with respect to an operand is diagonal and is its
     * own transpose: {@link #bprop} with the operand's tangent, broadcast to the output, as the
     * cotangent gives that operand's share of the tangent, and the shares add up.
     */
    @Override
    default Grad jvp(List<Node> in, Node y, List<Node> tangents) {
        Node sum = null;
        for (int i = 0; i < in.size(); i++) {
            if (tangents.get(i) == null) continue;
            Grad share = bprop(in, y, Broadcasting.broadcastLike(tangents.get(i), y)).get(i);
            if (share instanceof Grad.NotDifferentiable) return share;
            if (share instanceof Grad.Term t) sum = sum == null ? t.value() : Apply.of(new Add(), sum, t.value());
        }
        return sum == null ? Grad.zero() : Grad.of(sum);
    }

    /** The operands broadcast to their common shape, then {@link #apply}. */
    @Override
    default Tensor fprop(List<Tensor> in) {
        Shape shape = in.get(0).shape();
        for (Tensor t : in) shape = Shape.broadcast(shape, t.shape());
        double[][] operands = new double[in.size()][];
        for (int i = 0; i < operands.length; i++) operands[i] = in.get(i).broadcastTo(shape).storage();
        double[] out = new double[shape.size()];
        apply(operands, out, 0, out.length);
        return Tensor.of(in.get(0).dtype(), shape, out);
    }
}
