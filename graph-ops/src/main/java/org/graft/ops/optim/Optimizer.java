package org.graft.ops.optim;

import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.constant;
import static org.graft.ops.Ops.div;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.sqrt;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.sub;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.graft.core.GradientError;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.ShapeError;
import org.graft.core.grad.GradTable;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Tensor;

/**
 * An update rule: it turns a scalar cost and the params to train into the updates of one
 * training step, the map given to
 * {@link org.graft.core.runtime.Compiler#compile(List, List, Map) Compiler.compile}:
 *
 * <pre>{@code
 * Map<Param, Node> updates = Optimizer.adam(1e-3).updates(loss, List.of(W1, b1, W2, b2));
 * Function step = Compiler.compile(List.of(x, t), List.of(loss), updates);
 * double l = step.call(images, labels).get(0).item();   // one step
 * }</pre>
 *
 * The updates are simultaneous, as every update given to the compiler: each new value, of a
 * param or of the optimizer's state, is computed from the values before the step. The state
 * (velocities, moments, running powers) lives in {@link Param}s the optimizer creates, zeros
 * of their param's shape named after it ({@code W1.velocity}), and is updated through the same
 * map, so a training step is one call. Each call of {@link #updates} creates fresh state; an
 * optimizer value holds only its hyper-parameters, which enter the graph as constants, but for
 * a learning rate given as a node.
 *
 * <p>Everything an optimizer adds to the graph has the cost's dtype: its constants (the
 * learning rate, the betas, eps) are rounded to it and its state params hold it, so an f32
 * model trains in f32 throughout. The params and a learning rate given as a node must have
 * that dtype too.
 */
public sealed interface Optimizer {

    /**
     * The updates of one step: a new, modifiable map in the order of {@code params}, each
     * followed by its own state, then any state shared by all params.
     *
     * @throws ShapeError if the cost is not a scalar
     * @throws GradientError if the cost does not depend on one of the params
     * @throws IllegalArgumentException if {@code params} is empty or names a param twice
     */
    default Map<Param, Node> updates(Node cost, List<Param> params) {
        return updates(cost, params, constant(cost.type().dtype(), lr()));
    }

    /**
     * The same with the learning rate {@code lr}, a scalar node, in place of {@link #lr()}: a
     * param whose value a schedule sets between steps, say. Every rule multiplies its step by
     * it, so the schedule's value at a step is the rate of that step.
     *
     * @throws ShapeError if the cost or {@code lr} is not a scalar, or {@code lr} has another dtype than the cost
     */
    Map<Param, Node> updates(Node cost, List<Param> params, Node lr);

    /** The learning rate: the step size every rule scales its step by. */
    double lr();

    /** Plain gradient descent with learning rate {@code lr}. */
    static Sgd sgd(double lr) { return new Sgd(lr); }

    /** Momentum with learning rate {@code lr} and {@code mu = 0.9}. */
    static Momentum momentum(double lr) { return new Momentum(lr, 0.9); }

    /** Momentum with learning rate {@code lr} and momentum {@code mu} in {@code [0, 1)}. */
    static Momentum momentum(double lr, double mu) { return new Momentum(lr, mu); }

    /** Adam with learning rate {@code lr} and the paper's defaults {@code beta1 = 0.9, beta2 = 0.999, eps = 1e-8}. */
    static Adam adam(double lr) { return new Adam(lr, 0.9, 0.999, 1e-8); }

    /** Adam with every hyper-parameter given: betas in {@code [0, 1)}, {@code eps > 0}. */
    static Adam adam(double lr, double beta1, double beta2, double eps) { return new Adam(lr, beta1, beta2, eps); }

    /** Gradient descent: {@code p <- p - lr g}. */
    record Sgd(double lr) implements Optimizer {
        /** As the language writes it: {@code sgd(lr = 0.1)}. */
        @Override
        public String toString() { return "sgd(lr = " + lr + ")"; }

        public Sgd {
            requirePositive("sgd", "lr", lr);
        }

        @Override
        public Map<Param, Node> updates(Node cost, List<Param> params, Node lr) {
            List<Node> grads = gradients("sgd", cost, params, lr);
            var updates = new LinkedHashMap<Param, Node>();
            for (int i = 0; i < params.size(); i++) {
                Param p = params.get(i);
                updates.put(p, sub(p, mul(lr, grads.get(i))));
            }
            return updates;
        }
    }

    /**
     * Gradient descent with momentum in the form of Sutskever et al. (2013), eq. 1-2, and
     * Theano: {@code v <- mu v - lr g; p <- p + v}, the param moving by the new velocity.
     * The state is one velocity per param ({@code W1.velocity}), zeros at first.
     *
     * <p>PyTorch keeps {@code b <- mu b + g; p <- p - lr b} instead. For a constant {@code lr}
     * the two are the same iteration ({@code v = -lr b}) and give the same params. They differ
     * when {@code lr} changes during training, as a learning rate given as a node may (a param
     * that a schedule sets, {@code graft train --lr-decay}'s): here the velocity keeps the steps
     * taken at the rates they were taken with and the new rate scales only the new gradient,
     * where PyTorch's scales the whole buffer, past gradients included.
     */
    record Momentum(double lr, double mu) implements Optimizer {
        /** As the language writes it: {@code momentum(lr = 0.1, mu = 0.9)}. */
        @Override
        public String toString() { return "momentum(lr = " + lr + ", mu = " + mu + ")"; }

        public Momentum {
            requirePositive("momentum", "lr", lr);
            requireFraction("momentum", "mu", mu);
        }

        @Override
        public Map<Param, Node> updates(Node cost, List<Param> params, Node lr) {
            List<Node> grads = gradients("momentum", cost, params, lr);
            var updates = new LinkedHashMap<Param, Node>();
            for (int i = 0; i < params.size(); i++) {
                Param p = params.get(i);
                Param v = zerosLike(p, "velocity");
                Node newV = sub(mul(mu, v), mul(lr, grads.get(i)));
                updates.put(p, add(p, newV));
                updates.put(v, newV);
            }
            return updates;
        }
    }

    /**
     * Adam, Kingma &amp; Ba (2015), Algorithm 1, with bias correction:
     * <pre>
     *   t &lt;- t + 1
     *   m &lt;- beta1 m + (1 - beta1) g
     *   v &lt;- beta2 v + (1 - beta2) g²
     *   p &lt;- p - lr (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps)
     * </pre>
     * {@code eps} is added outside the square root, as in the algorithm and in PyTorch (not the
     * "epsilon hat" of the paper's section 2, which TensorFlow uses). The state is two moments
     * per param ({@code W1.m}, {@code W1.v}), zeros at first, and, shared by all params, the
     * powers {@code beta1^t} and {@code beta2^t} as scalar params {@code adam.beta1^t} and
     * {@code adam.beta2^t}: they start at 1 and are multiplied by their beta each step, which
     * needs no step counter and no {@code pow}.
     */
    record Adam(double lr, double beta1, double beta2, double eps) implements Optimizer {
        /** As the language writes it: {@code adam(lr = 0.001, beta1 = 0.9, beta2 = 0.999, eps = 1.0E-8)}. */
        @Override
        public String toString() { return "adam(lr = " + lr + ", beta1 = " + beta1 + ", beta2 = " + beta2 + ", eps = " + eps + ")"; }

        public Adam {
            requirePositive("adam", "lr", lr);
            requireFraction("adam", "beta1", beta1);
            requireFraction("adam", "beta2", beta2);
            requirePositive("adam", "eps", eps);
        }

        @Override
        public Map<Param, Node> updates(Node cost, List<Param> params, Node lr) {
            List<Node> grads = gradients("adam", cost, params, lr);
            DType dtype = cost.type().dtype();
            Param beta1Power = new Param("adam.beta1^t", Tensor.scalar(dtype, 1.0));
            Param beta2Power = new Param("adam.beta2^t", Tensor.scalar(dtype, 1.0));
            Node newBeta1Power = mul(beta1Power, beta1);   // beta^t at this step's t
            Node newBeta2Power = mul(beta2Power, beta2);
            Node correction1 = sub(1.0, newBeta1Power);
            Node correction2 = sub(1.0, newBeta2Power);

            var updates = new LinkedHashMap<Param, Node>();
            for (int i = 0; i < params.size(); i++) {
                Param p = params.get(i);
                Node g = grads.get(i);
                Param m = zerosLike(p, "m");
                Param v = zerosLike(p, "v");
                Node newM = add(mul(beta1, m), mul(1 - beta1, g));
                Node newV = add(mul(beta2, v), mul(1 - beta2, square(g)));
                Node mHat = div(newM, correction1);
                Node vHat = div(newV, correction2);
                updates.put(p, sub(p, div(mul(lr, mHat), add(sqrt(vHat), eps))));
                updates.put(m, newM);
                updates.put(v, newV);
            }
            updates.put(beta1Power, newBeta1Power);
            updates.put(beta2Power, newBeta2Power);
            return updates;
        }
    }

    /** The gradients of the cost with respect to each param, once the arguments are checked. */
    private static List<Node> gradients(String optimizer, Node cost, List<Param> params, Node lr) {
        if (!cost.type().isScalar()) {
            throw new ShapeError(cost.pos(), optimizer + ": the cost must be a scalar, found "
                    + cost.label() + ": " + cost.type());
        }
        if (!lr.type().isScalar()) {
            throw new ShapeError(lr.pos(), optimizer + ": the learning rate must be a scalar, found " + lr.label() + ": " + lr.type());
        }
        if (lr.type().dtype() != cost.type().dtype()) {
            throw new ShapeError(lr.pos(), optimizer + ": the learning rate must have the cost's dtype " + cost.type().dtype()
                    + ", found " + lr.label() + ": " + lr.type());
        }
        if (params.isEmpty()) throw new IllegalArgumentException(optimizer + ": expected params to train, found none");
        Set<Param> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Param p : params) {
            if (!seen.add(p)) throw new IllegalArgumentException(optimizer + ": param " + p.label() + " is listed twice");
        }
        return GradTable.grad(cost, params);
    }

    /** A state param of p's shape, zeros, named {@code p.what} and placed where p was written. */
    private static Param zerosLike(Param p, String what) {
        // p's type, which may have symbolic dims; the zeros take the shape of p's value
        var state = new Param(p.label() + "." + what, p.type(), p.pos());
        state.set(Tensor.zeros(p.type().dtype(), p.value().shape()));
        return state;
    }

    private static void requirePositive(String optimizer, String name, double value) {
        if (!(value > 0 && value < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(optimizer + ": expected a finite " + name + " > 0, found " + value);
        }
    }

    private static void requireFraction(String optimizer, String name, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(optimizer + ": expected 0 <= " + name + " < 1, found " + value);
        }
    }
}
