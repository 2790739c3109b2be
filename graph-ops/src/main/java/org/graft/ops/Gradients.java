package org.graft.ops;

import static org.graft.ops.Ops.clip;
import static org.graft.ops.Ops.mul;

import java.util.List;

import org.graft.core.Grad;
import org.graft.core.Node;
import org.graft.core.Op;
import org.graft.core.SharedKernel.KeepsOrder;
import org.graft.core.Type;
import org.graft.core.tensor.Tensor;

/**
 * Ops that are the identity on values and change only the gradient passing back through them,
 * as Theano's {@code grad_clip} and {@code grad_scale} ({@code stop_gradient}, which stops it,
 * is graph-core's). Their kernel copies. Forward mode sees the identity they compute: a
 * tangent passes through unchanged, as Theano's R-op passes it through them.
 */
public sealed interface Gradients extends Op, KeepsOrder {

    @Override
    default Type type(List<Type> in) {
        Op.requireArity(this, in, 1);
        return in.get(0);
    }

    @Override
    default Tensor fprop(List<Tensor> in) { return in.get(0); }

    // the values pass unchanged, and so does a tangent
    @Override
    default Grad jvp(List<Node> in, Node y, List<Node> tangents) { return Grad.of(tangents.get(0)); }

    /** The identity on x; each element of the gradient passing back is clipped to [lo, hi]. */
    record GradClip(double lo, double hi) implements Gradients {
        public static final Builtin BUILTIN = Builtin.of("grad_clip", List.of(Builtin.Param.operand("x"), Builtin.Param.number("lo"),
                Builtin.Param.number("hi")), a -> Ops.gradClip(a.operand("x"), a.number("lo"), a.number("hi")), "the identity on "
                + "values; each element of the gradient passing back is clipped to [lo, hi] (Theano's `grad_clip`), so lo ≤ hi. "
                + "`jvp` passes the tangent unchanged (Theano's R-op), since a clipped cotangent has no forward counterpart");

        public GradClip {
            if (!(lo <= hi)) {
                throw new IllegalArgumentException("grad_clip: lo must not exceed hi, found lo " + Builtin.show(lo) + ", hi "
                        + Builtin.show(hi));
            }
        }

        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(clip(gy, lo, hi))); }
    }

    /** The identity on x; the gradient passing back is multiplied by s (-1 reverses it, as a gradient reversal layer). */
    record GradScale(double s) implements Gradients {
        public static final Builtin BUILTIN = Builtin.of("grad_scale", List.of(Builtin.Param.operand("x"), Builtin.Param.number("s")),
                a -> Ops.gradScale(a.operand("x"), a.number("s")), "the identity on values; the gradient passing back is multiplied "
                + "by s (Theano's `grad_scale`; s = -1 reverses it, a gradient reversal layer). `jvp` passes the tangent unchanged, "
                + "as for `grad_clip`");

        public GradScale {
            if (!Double.isFinite(s)) throw new IllegalArgumentException("grad_scale: s must be finite, found " + Builtin.show(s));
        }

        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(mul(gy, s))); }
    }
}
