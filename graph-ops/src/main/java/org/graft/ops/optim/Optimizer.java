package org.graft.ops.optim;

import static org.graft.ops.Ops.adamStep;
import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.constant;
import static org.graft.ops.Ops.div;
import static org.graft.ops.Ops.maximum;
import static org.graft.ops.Ops.movingAverage;
import static org.graft.ops.Ops.movingAverageOfSquares;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.sqrt;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.sub;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

import org.graft.core.GradientError;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.ShapeError;
import org.graft.core.grad.GradTable;
import org.graft.core.tensor.Tensor;
import org.graft.ops.Builtin;

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
 * (velocities, moments, running powers) lives in {@link Param}s the optimizer creates, of their
 * param's shape and named after it ({@code W1.velocity}), and is updated through the same map,
 * so a training step is one call. Each call of {@link #updates} creates fresh state; an
 * optimizer value holds only its hyper-parameters, which enter the graph as constants, but for
 * a learning rate given as a node.
 *
 * <p>Each rule computes what {@code torch.optim}'s optimizer of the same name computes, step
 * for step, with PyTorch's defaults; where a rule keeps its state in another form, it says so
 * and when the two differ. Every rule takes a {@link #weightDecay() weight decay} {@code wd}, 0
 * unless given: as PyTorch's, it adds {@code wd p} to the gradient (the gradient of an L2
 * penalty {@code wd/2 |p|²}) before the rule sees it, but for {@link AdamW}, whose decay is
 * decoupled from the gradient. The rules write only the step of one param from its gradient
 * ({@link #step}); the loop over the params, the gradients and the weight decay are here, once.
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
    default Map<Param, Node> updates(Node cost, List<Param> params, Node lr) {
        List<Node> grads = gradients(name(), cost, params, lr);
        var updates = new LinkedHashMap<Param, Node>();
        var shared = new LinkedHashMap<String, Param>();
        var sharedUpdates = new LinkedHashMap<Param, Node>();
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            Node g = grads.get(i), from = p;
            double wd = weightDecay();
            if (wd != 0 && this instanceof AdamW) {
                // Loshchilov & Hutter (2019), Algorithm 2, line 12, as PyTorch: p shrinks by lr wd before the step, apart from the gradient's moments
                from = mul(p, sub(1.0, mul(lr, wd)));
            } else if (wd != 0) {
                g = add(g, mul(wd, p));   // the gradient of wd/2 |p|², added before the rule sees it
            }
            var state = new State(name(), p, shared, sharedUpdates);
            updates.put(p, step(from, g, lr, state));
            updates.putAll(state.updates);
        }
        updates.putAll(sharedUpdates);
        return updates;
    }

    /**
     * What each rule writes: the new value of one param, a step on from {@code from} (the param,
     * shrunk first where the weight decay is decoupled) along its gradient {@code g} (with the
     * weight decay added where it is not) at the learning rate {@code lr}, keeping what it needs
     * of the past in {@code state}.
     */
    Node step(Node from, Node g, Node lr, State state);

    /** The optimizer's name in the language; its shared state is named after it ({@code adam.beta1^t}). */
    String name();

    /** The learning rate: the step size every rule scales its step by. */
    double lr();

    /** The weight decay, 0 for none. */
    double weightDecay();

    /**
     * The state a rule keeps between steps, as it writes the step of one param: params of that
     * param's shape, named after it ({@code W1.velocity}) and placed where it was written, and
     * scalars shared by every param, named after the optimizer ({@code adam.beta1^t}); each
     * with its new value, computed from the values before the step as the param's is.
     */
    final class State {
        private final String optimizer;
        private final Param param;
        private final Map<String, Param> shared;
        private final Map<Param, Node> sharedUpdates;
        private final Map<Param, Node> updates = new LinkedHashMap<>();

        private State(String optimizer, Param param, Map<String, Param> shared, Map<Param, Node> sharedUpdates) {
            this.optimizer = optimizer;
            this.param = param;
            this.shared = shared;
            this.sharedUpdates = sharedUpdates;
        }

        /** A state param of the param's shape, named {@code param.what}, each element {@code initial} at first. */
        public Param keep(String what, double initial) {
            // the param's type, which may have symbolic dims; the values take the shape of its value
            var state = new Param(param.label() + "." + what, param.type(), param.pos());
            state.set(Tensor.full(param.type().dtype(), param.value().shape(), initial));
            return state;
        }

        /** Sets {@code state} to {@code next} at each step; gives {@code next}, the value this step uses. */
        public Node update(Param state, Node next) {
            updates.put(state, next);
            return next;
        }

        /**
         * This step's value of a scalar shared by every param, named {@code optimizer.what}: it
         * is {@code initial} before the first step and {@code next} of its value before each
         * step. The first param's rule creates it; the others get the same node.
         */
        public Node shared(String what, double initial, UnaryOperator<Node> next) {
            Param s = shared.computeIfAbsent(what, w -> {
                var created = new Param(optimizer + "." + w, Tensor.scalar(param.type().dtype(), initial));
                sharedUpdates.put(created, next.apply(created));
                return created;
            });
            return sharedUpdates.get(s);
        }
    }

    /** Plain gradient descent with learning rate {@code lr}. */
    static Sgd sgd(double lr) { return new Sgd(lr, 0); }

    /** Momentum with learning rate {@code lr} and {@code mu = 0.9}. */
    static Momentum momentum(double lr) { return new Momentum(lr, 0.9, 0); }

    /** Momentum with learning rate {@code lr} and momentum {@code mu} in {@code [0, 1)}. */
    static Momentum momentum(double lr, double mu) { return new Momentum(lr, mu, 0); }

    /** Nesterov momentum with learning rate {@code lr} and {@code mu = 0.9}. */
    static Nesterov nesterov(double lr) { return new Nesterov(lr, 0.9, 0); }

    /** Nesterov momentum with learning rate {@code lr} and momentum {@code mu} in {@code [0, 1)}. */
    static Nesterov nesterov(double lr, double mu) { return new Nesterov(lr, mu, 0); }

    /** Adam with learning rate {@code lr} and the paper's defaults {@code beta1 = 0.9, beta2 = 0.999, eps = 1e-8}. */
    static Adam adam(double lr) { return new Adam(lr, 0.9, 0.999, 1e-8, 0, false); }

    /** Adam with every hyper-parameter given: betas in {@code [0, 1)}, {@code eps > 0}. */
    static Adam adam(double lr, double beta1, double beta2, double eps) { return new Adam(lr, beta1, beta2, eps, 0, false); }

    /** AdamW with learning rate {@code lr} and PyTorch's defaults, Adam's and {@code weight_decay = 0.01}. */
    static AdamW adamw(double lr) { return new AdamW(lr, 0.9, 0.999, 1e-8, 0.01, false); }

    /** RMSprop with learning rate {@code lr} and PyTorch's defaults {@code alpha = 0.99, eps = 1e-8}. */
    static RmsProp rmsprop(double lr) { return new RmsProp(lr, 0.99, 1e-8, 0, 0, false); }

    /** Adagrad with learning rate {@code lr} and PyTorch's default {@code eps = 1e-10}. */
    static Adagrad adagrad(double lr) { return new Adagrad(lr, 0, 0, 0, 1e-10); }

    /** Adadelta with PyTorch's defaults {@code lr = 1, rho = 0.9, eps = 1e-6}. */
    static Adadelta adadelta() { return new Adadelta(1, 0.9, 1e-6, 0); }

    /** Gradient descent: {@code p <- p - lr g}, PyTorch's {@code SGD} without momentum. */
    record Sgd(double lr, double weightDecay) implements Optimizer {
        public Sgd {
            requirePositive("sgd", "lr", lr);
            requireNonNegative("sgd", "weight_decay", weightDecay);
        }

        @Override
        public Node step(Node from, Node g, Node lr, State state) { return sub(from, mul(lr, g)); }

        @Override
        public String name() { return "sgd"; }

        /** As the language writes it: {@code sgd(lr = 0.1)}. */
        @Override
        public String toString() { return call(name(), "lr", lr, "weight_decay", option(weightDecay)); }
    }

    /**
     * Gradient descent with momentum in the form of Sutskever et al. (2013), eq. 1-2, and
     * Theano: {@code v <- mu v - lr g; p <- p + v}, the param moving by the new velocity.
     * The state is one velocity per param ({@code W1.velocity}), zeros at first.
     *
     * <p>PyTorch's {@code SGD(momentum = mu)} keeps {@code b <- mu b + g; p <- p - lr b}
     * instead. For a constant {@code lr} the two are the same iteration ({@code v = -lr b}) and
     * give the same params. They differ when {@code lr} changes during training, as a learning
     * rate given as a node may (a param that a schedule sets, {@code graft train --lr-decay}'s):
     * here the velocity keeps the steps taken at the rates they were taken with and the new
     * rate scales only the new gradient, where PyTorch's scales the whole buffer, past
     * gradients included.
     */
    record Momentum(double lr, double mu, double weightDecay) implements Optimizer {
        public Momentum {
            requirePositive("momentum", "lr", lr);
            requireFraction("momentum", "mu", mu);
            requireNonNegative("momentum", "weight_decay", weightDecay);
        }

        @Override
        public Node step(Node from, Node g, Node lr, State state) { return add(from, velocity(state, mu, mul(lr, g))); }

        @Override
        public String name() { return "momentum"; }

        /** As the language writes it: {@code momentum(lr = 0.1, mu = 0.9)}. */
        @Override
        public String toString() { return call(name(), "lr", lr, "mu", mu, "weight_decay", option(weightDecay)); }
    }

    /**
     * Nesterov's accelerated gradient in the form of Bengio et al. (2013), eq. 7, and PyTorch's
     * {@code SGD(momentum = mu, nesterov = True)}: the velocity as {@link Momentum}'s,
     * {@code v <- mu v - lr g}, and the param moved by {@code mu v - lr g} with the new v, the
     * gradient looked at one velocity ahead. PyTorch's {@code b <- mu b + g;
     * p <- p - lr (g + mu b)} is the same iteration for a constant {@code lr} ({@code v = -lr b}),
     * and differs from it as {@link Momentum}'s does when {@code lr} changes.
     */
    record Nesterov(double lr, double mu, double weightDecay) implements Optimizer {
        public Nesterov {
            requirePositive("nesterov", "lr", lr);
            requireFraction("nesterov", "mu", mu);
            requireNonNegative("nesterov", "weight_decay", weightDecay);
        }

        @Override
        public Node step(Node from, Node g, Node lr, State state) {
            Node lrG = mul(lr, g);
            return add(from, sub(mul(mu, velocity(state, mu, lrG)), lrG));
        }

        @Override
        public String name() { return "nesterov"; }

        /** As the language writes it: {@code nesterov(lr = 0.1, mu = 0.9)}. */
        @Override
        public String toString() { return call(name(), "lr", lr, "mu", mu, "weight_decay", option(weightDecay)); }
    }

    /**
     * Adam, Kingma &amp; Ba (2015), Algorithm 1, with bias correction, as PyTorch's {@code Adam}:
     * <pre>
     *   t &lt;- t + 1
     *   m &lt;- beta1 m + (1 - beta1) g
     *   v &lt;- beta2 v + (1 - beta2) g²
     *   p &lt;- p - lr (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps)
     * </pre>
     * {@code eps} is added outside the square root, as in the algorithm and in PyTorch (not the
     * "epsilon hat" of the paper's section 2, which TensorFlow uses). With {@code amsgrad}, Reddi
     * et al.'s (2018) variant as PyTorch writes it: the step divides by the largest v so far,
     * {@code v_max <- max(v_max, v)}, bias-corrected as v is. A weight decay here is an L2
     * penalty, in the gradient and so in the moments; {@link AdamW} decouples it. The state is
     * two moments per param ({@code W1.m}, {@code W1.v}; and {@code W1.v_max}), zeros at first,
     * and, shared by all params, the powers {@code beta1^t} and {@code beta2^t} as scalar params
     * {@code adam.beta1^t} and {@code adam.beta2^t}: they start at 1 and are multiplied by their
     * beta each step, which needs no step counter and no {@code pow}.
     */
    record Adam(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad) implements Optimizer {
        public Adam {
            requireAdam("adam", lr, beta1, beta2, eps, weightDecay);
        }

        @Override
        public Node step(Node from, Node g, Node lr, State state) { return adam(from, g, lr, state, beta1, beta2, eps, amsgrad); }

        @Override
        public String name() { return "adam"; }

        /** As the language writes it: {@code adam(lr = 0.001, beta1 = 0.9, beta2 = 0.999, eps = 1e-8)}. */
        @Override
        public String toString() {
            return call(name(), "lr", lr, "beta1", beta1, "beta2", beta2, "eps", eps, "weight_decay", option(weightDecay),
                    "amsgrad", option(amsgrad));
        }
    }

    /**
     * AdamW, Loshchilov &amp; Hutter (2019), Algorithm 2, as PyTorch's {@code AdamW}: {@link Adam}'s
     * step from the gradient alone, the param first shrunk by {@code p <- p (1 - lr wd)}. The
     * decay is decoupled from the adaptive step: every weight shrinks by the same factor, where
     * Adam's L2 penalty is divided by sqrt(v) with the gradient. PyTorch's default weight decay
     * is {@code 0.01}, and the factor is {@code lr wd}, not the paper's schedule multiplier
     * times wd. Its state is Adam's, the shared powers named {@code adamw.beta1^t} and
     * {@code adamw.beta2^t}.
     */
    record AdamW(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad) implements Optimizer {
        public AdamW {
            requireAdam("adamw", lr, beta1, beta2, eps, weightDecay);
        }

        @Override
        public Node step(Node from, Node g, Node lr, State state) { return adam(from, g, lr, state, beta1, beta2, eps, amsgrad); }

        @Override
        public String name() { return "adamw"; }

        /** As the language writes it: {@code adamw(lr = 0.001, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0.01)}. */
        @Override
        public String toString() {
            return call(name(), "lr", lr, "beta1", beta1, "beta2", beta2, "eps", eps, "weight_decay", weightDecay,
                    "amsgrad", option(amsgrad));
        }
    }

    /**
     * RMSprop, Hinton's lecture 6e, as PyTorch's {@code RMSprop}: a running average of the
     * squared gradient, {@code s <- alpha s + (1 - alpha) g²}, and the step
     * {@code p <- p - lr g / (sqrt(s) + eps)}, eps outside the square root. {@code centered}
     * divides by an estimate of the variance instead, Graves (2013), eq. 38-40: with the running
     * average of the gradient {@code a <- alpha a + (1 - alpha) g}, by {@code sqrt(s - a²) + eps}.
     * A {@code momentum} above 0 moves the param by a velocity as {@link Momentum}'s,
     * {@code v <- momentum v - lr g / (sqrt(s) + eps); p <- p + v}, PyTorch's buffer times -lr
     * (the same params for a constant lr). The state is {@code W1.square_avg}, and
     * {@code W1.grad_avg} when centered, {@code W1.velocity} with momentum; zeros at first.
     */
    record RmsProp(double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered)
            implements Optimizer {
        public RmsProp {
            requirePositive("rmsprop", "lr", lr);
            requireFraction("rmsprop", "alpha", alpha);
            requirePositive("rmsprop", "eps", eps);
            requireNonNegative("rmsprop", "weight_decay", weightDecay);
            requireFraction("rmsprop", "momentum", momentum);
        }

        @Override
        public Node step(Node from, Node g, Node lr, State state) {
            Node s = averageOfSquares(state, "square_avg", alpha, g);
            Node variance = centered ? sub(s, square(average(state, "grad_avg", alpha, g))) : s;
            Node scaled = div(mul(lr, g), add(sqrt(variance), eps));
            return momentum > 0 ? add(from, velocity(state, momentum, scaled)) : sub(from, scaled);
        }

        @Override
        public String name() { return "rmsprop"; }

        /** As the language writes it: {@code rmsprop(lr = 0.01, alpha = 0.99, eps = 1e-8)}. */
        @Override
        public String toString() {
            return call(name(), "lr", lr, "alpha", alpha, "eps", eps, "weight_decay", option(weightDecay),
                    "momentum", option(momentum), "centered", option(centered));
        }
    }

    /**
     * Adagrad, Duchi et al. (2011), as PyTorch's {@code Adagrad}: the sum of the squared
     * gradients, {@code s <- s + g²}, from {@code initial_accumulator_value}, and the step
     * {@code p <- p - lr_t g / (sqrt(s) + eps)}, eps outside the square root, where
     * {@code lr_t = lr / (1 + (t - 1) lr_decay)} at step t (PyTorch's decay; {@code lr_t = lr}
     * for the default 0). The state is {@code W1.sum} per param and, with a decay, the step
     * count {@code adagrad.t}, from 0.
     */
    record Adagrad(double lr, double lrDecay, double weightDecay, double initialAccumulatorValue, double eps)
            implements Optimizer {
        public Adagrad {
            requirePositive("adagrad", "lr", lr);
            requireNonNegative("adagrad", "lr_decay", lrDecay);
            requireNonNegative("adagrad", "weight_decay", weightDecay);
            requireNonNegative("adagrad", "initial_accumulator_value", initialAccumulatorValue);
            requirePositive("adagrad", "eps", eps);
        }

        @Override
        public Node step(Node from, Node g, Node lr, State state) {
            Param sum = state.keep("sum", initialAccumulatorValue);
            Node s = state.update(sum, add(sum, square(g)));
            Node rate = lrDecay == 0 ? lr : div(lr, add(1.0, mul(sub(state.shared("t", 0, t -> add(t, 1.0)), 1.0), lrDecay)));
            return sub(from, div(mul(rate, g), add(sqrt(s), eps)));
        }

        @Override
        public String name() { return "adagrad"; }

        /** As the language writes it: {@code adagrad(lr = 0.01, eps = 1e-10)}. */
        @Override
        public String toString() {
            return call(name(), "lr", lr, "lr_decay", option(lrDecay), "weight_decay", option(weightDecay),
                    "initial_accumulator_value", option(initialAccumulatorValue), "eps", eps);
        }
    }

    /**
     * Adadelta, Zeiler (2012), Algorithm 1, as PyTorch's {@code Adadelta}, with a learning rate
     * (1 by default, the algorithm's): running averages of the squared gradient and of the
     * squared step, {@code s <- rho s + (1 - rho) g²},
     * {@code d = sqrt(u + eps) / sqrt(s + eps) g}, {@code u <- rho u + (1 - rho) d²},
     * {@code p <- p - lr d}, eps inside both square roots. The state is {@code W1.square_avg}
     * (s) and {@code W1.acc_delta} (u), zeros at first.
     */
    record Adadelta(double lr, double rho, double eps, double weightDecay) implements Optimizer {
        public Adadelta {
            requirePositive("adadelta", "lr", lr);
            requireFraction("adadelta", "rho", rho);
            requirePositive("adadelta", "eps", eps);
            requireNonNegative("adadelta", "weight_decay", weightDecay);
        }

        @Override
        public Node step(Node from, Node g, Node lr, State state) {
            Node s = averageOfSquares(state, "square_avg", rho, g);
            Param u = state.keep("acc_delta", 0);
            Node d = mul(div(sqrt(add(u, eps)), sqrt(add(s, eps))), g);
            state.update(u, movingAverageOfSquares(u, d, rho));
            return sub(from, mul(lr, d));
        }

        @Override
        public String name() { return "adadelta"; }

        /** As the language writes it: {@code adadelta(lr = 1, rho = 0.9, eps = 1e-6)}. */
        @Override
        public String toString() { return call(name(), "lr", lr, "rho", rho, "eps", eps, "weight_decay", option(weightDecay)); }
    }

    /** The new velocity {@code v <- mu v - step}, from zeros, kept as {@code p.velocity}. */
    private static Node velocity(State state, double mu, Node step) {
        Param v = state.keep("velocity", 0);
        return state.update(v, sub(mul(mu, v), step));
    }

    /** The new running average {@code a <- decay a + (1 - decay) x}, from zeros, kept as {@code p.what}. */
    private static Node average(State state, String what, double decay, Node x) {
        Param a = state.keep(what, 0);
        return state.update(a, movingAverage(a, x, decay));   // decay a + (1 - decay) x, one loop
    }

    /** The new running average of squares {@code a <- decay a + (1 - decay) x²}, from zeros, kept as {@code p.what}. */
    private static Node averageOfSquares(State state, String what, double decay, Node x) {
        Param a = state.keep(what, 0);
        return state.update(a, movingAverageOfSquares(a, x, decay));   // one loop, no register for x²
    }

    /** Adam's step, and AdamW's once the param has shrunk (see {@link Adam}). */
    private static Node adam(Node from, Node g, Node lr, State state, double beta1, double beta2, double eps, boolean amsgrad) {
        Node beta1Power = state.shared("beta1^t", 1, b -> mul(b, beta1));   // beta^t at this step's t
        Node beta2Power = state.shared("beta2^t", 1, b -> mul(b, beta2));
        Node m = average(state, "m", beta1, g);
        Node v = averageOfSquares(state, "v", beta2, g);
        if (amsgrad) {
            Param vMax = state.keep("v_max", 0);
            v = state.update(vMax, maximum(vMax, v));
        }
        // from - lr (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps), one loop
        return adamStep(from, m, v, lr, sub(1.0, beta1Power), sub(1.0, beta2Power), eps);
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

    /**
     * {@code name(k = v, ...)}, the call as the language writes it, numbers shown as
     * {@link Builtin#show} shows them; a null value is an option that is off, left out.
     */
    private static String call(String name, Object... pairs) {
        var args = new ArrayList<String>();
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] != null) args.add(pairs[i] + " = " + Builtin.show(pairs[i + 1]));
        }
        return name + "(" + String.join(", ", args) + ")";
    }

    /** An option's value for {@link #call}, null when it is off (0 or false). */
    private static Object option(Object value) {
        return value.equals(0.0) || value.equals(false) ? null : value;
    }

    private static void requireAdam(String optimizer, double lr, double beta1, double beta2, double eps, double weightDecay) {
        requirePositive(optimizer, "lr", lr);
        requireFraction(optimizer, "beta1", beta1);
        requireFraction(optimizer, "beta2", beta2);
        requirePositive(optimizer, "eps", eps);
        requireNonNegative(optimizer, "weight_decay", weightDecay);
    }

    private static void requirePositive(String optimizer, String name, double value) {
        if (!(value > 0 && value < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(optimizer + ": expected a finite " + name + " > 0, found " + value);
        }
    }

    private static void requireNonNegative(String optimizer, String name, double value) {
        if (!(value >= 0 && value < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(optimizer + ": expected a finite " + name + " >= 0, found " + value);
        }
    }

    private static void requireFraction(String optimizer, String name, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(optimizer + ": expected 0 <= " + name + " < 1, found " + value);
        }
    }
}
