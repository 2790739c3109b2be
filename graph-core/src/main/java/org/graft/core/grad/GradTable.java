package org.graft.core.grad;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.graft.core.Apply;
import org.graft.core.Constant;
import org.graft.core.Grad;
import org.graft.core.GradientError;
import org.graft.core.Graph;
import org.graft.core.Node;
import org.graft.core.ShapeError;
import org.graft.core.SourcePos;
import org.graft.core.TupleOp;
import org.graft.core.Type;
import org.graft.core.ops.Add;
import org.graft.core.ops.Broadcasting;
import org.graft.core.ops.FillLike;
import org.graft.core.ops.Part;
import org.graft.core.tensor.Tensor;

/**
 * The reverse-mode walker ({@code grad_table} of the lecture notes). Seeded with
 * {@code table[cost] = 1}, it visits the nodes in reverse topological order; each node's
 * gradient is the sum of the terms its consumers' {@code bprop}s give it, each term first
 * summed back to the node's shape when the consumer broadcast it. Only nodes on a path from a
 * requested variable to the cost are visited.
 *
 * <p>The gradients are graphs of ordinary ops, so they can be differentiated again.
 */
public final class GradTable {
    private GradTable() {}

    /** What to do for a variable that no gradient reaches. */
    public enum Disconnected {
        /** Raise a {@link GradientError} naming it: usually a mistake in the model. */
        RAISE,
        /** Return zeros of its shape. */
        ZEROS
    }

    /** {@code dcost/dwrt} for a scalar cost. */
    public static Node grad(Node cost, Node wrt) { return grad(cost, List.of(wrt)).get(0); }

    /** The gradients of a scalar cost, one per variable in {@code wrt}, each of its variable's type. */
    public static List<Node> grad(Node cost, List<? extends Node> wrt) {
        return grad(cost, wrt, Disconnected.RAISE);
    }

    public static List<Node> grad(Node cost, List<? extends Node> wrt, Disconnected whenDisconnected) {
        return grad(cost, wrt, Map.of(), List.of(), whenDisconnected);
    }

    /**
     * The gradients of a scalar cost, with Theano's {@code known_grads} and
     * {@code consider_constant}.
     *
     * <p>{@code knownGrads} maps nodes to gradients known for them, each of its node's type,
     * as when the cost that gives them is not in the graph: the walk starts from them as from
     * the cost, so the result is the gradient of {@code cost + Σ <v, g_v>} with each
     * {@code g_v} held fixed, as PyTorch's {@code backward(outputs, grad_tensors)} sums. The
     * cost may then be null. (Theano takes a known gradient as its node's whole gradient and
     * drops what the cost sends there; the two differ only for a node that also lies below
     * the cost or below another known node.)
     *
     * <p>{@code considerConstant}: nodes no gradient passes below, as if they were constants;
     * one of them may still be a variable in {@code wrt}. {@code stop_gradient} says the same
     * inside the graph.
     */
    public static List<Node> grad(Node cost, List<? extends Node> wrt, Map<? extends Node, ? extends Node> knownGrads,
                                  Collection<? extends Node> considerConstant, Disconnected whenDisconnected) {
        var seeds = new LinkedHashMap<Node, Node>();
        if (cost != null) {
            if (!cost.type().isScalar()) {
                throw new ShapeError(cost.pos(), "grad: the cost must be a scalar, found " + cost.label() + ": " + cost.type());
            }
            // d cost / d cost, in the cost's dtype, where the cost is written
            seeds.put(cost, Constant.of(Tensor.scalar(cost.type().dtype(), 1.0)).at(cost.pos()));
        } else if (knownGrads.isEmpty()) {
            throw new IllegalArgumentException("grad: without a cost, known gradients are needed to start from");
        }
        // a known gradient of the cost itself adds to its 1
        knownGrads.forEach((v, g) -> seeds.merge(v, g, (a, b) -> Apply.at(v.pos(), new Add(), List.of(a, b))));
        return vjp(seeds, wrt, considerConstant, whenDisconnected);
    }

    /**
     * The vector-Jacobian products {@code gy^T dy/dw} for every {@code w} in {@code wrt}: the
     * gradients of {@code sum(y * gy)} without building that cost. {@code gy} has {@code y}'s type.
     */
    public static List<Node> vjp(Node y, Node gy, List<? extends Node> wrt, Disconnected whenDisconnected) {
        return vjp(Map.of(y, gy), wrt, List.of(), whenDisconnected);
    }

    /**
     * The vector-Jacobian products of several outputs at once, in one walk: the gradients of
     * {@code Σ_k <y_k, u_k>} over the pairs {@code y_k -> u_k} of {@code cotangents}, each
     * {@code u_k} of its {@code y_k}'s type, with no gradient passing below a node of
     * {@code considerConstant} (PyTorch's {@code autograd.grad(outputs, inputs, grad_outputs)}).
     * The first output names the results ({@code dloss/dW}).
     */
    public static List<Node> vjp(Map<? extends Node, ? extends Node> cotangents, List<? extends Node> wrt,
                                 Collection<? extends Node> considerConstant, Disconnected whenDisconnected) {
        if (cotangents.isEmpty()) throw new IllegalArgumentException("vjp: no outputs with gradients to start from");
        var walk = new Walk(cotangents, wrt, considerConstant);
        List<Node> gradients = walk.run(true);
        var out = new ArrayList<Node>(wrt.size());
        for (int i = 0; i < wrt.size(); i++) {
            Node g = gradients.get(i);
            out.add(g != null ? g : walk.disconnected(wrt.get(i), whenDisconnected));
        }
        return out;
    }

    /**
     * The same walk for the forward walker's transposition of a bprop: its results are not
     * named, and null where no gradient reaches a variable.
     */
    static List<Node> transpose(Map<Node, Node> cotangents, List<Node> wrt, Set<Node> considerConstant) {
        return new Walk(cotangents, wrt, considerConstant).run(false);
    }

    /** One walk: the terms collected so far for every node on a path from a variable to the output. */
    private static final class Walk {
        private final Map<? extends Node, ? extends Node> cotangents;
        private final Node y;                               // the first output, which names the results
        private final List<? extends Node> wrt;
        private final Set<Node> held = identitySet();      // considered constant: nothing passes below
        private final Set<Node> wanted = identitySet();
        private final Set<Node> depends = identitySet();   // its value depends on some variable in wrt
        private final Set<Node> reaches = identitySet();   // ... along connected edges: a gradient can flow back
        private final Set<Node> zero = identitySet();      // received an identically-zero gradient
        private final Map<Node, List<Node>> terms = new IdentityHashMap<>();
        private final Map<Node, Node[]> parts = new IdentityHashMap<>(); // a tuple's gradient, part by part
        private final Map<Node, Node> result = new IdentityHashMap<>();
        private final List<Node> order;

        Walk(Map<? extends Node, ? extends Node> cotangents, List<? extends Node> wrt, Collection<? extends Node> considerConstant) {
            cotangents.forEach((out, u) -> {
                if (!u.type().equals(out.type())) {
                    throw new ShapeError(u.pos(), "vjp: the output gradient has type " + u.type() + ", the output " + out.type());
                }
            });
            this.cotangents = cotangents;
            this.y = cotangents.keySet().iterator().next();
            this.wrt = wrt;
            wanted.addAll(wrt);
            held.addAll(considerConstant);
            order = Graph.topologicalOrderStoppingAt(cotangents.keySet(), held::contains);
            for (Node n : order) {
                List<Node> in = n.inputs();
                boolean below = !held.contains(n); // a held node is a leaf of the walk
                if (wanted.contains(n) || below && in.stream().anyMatch(depends::contains)) depends.add(n);
                boolean flows = wanted.contains(n);
                for (int i = 0; !flows && below && i < in.size(); i++) {
                    flows = ((Apply) n).op().connected(i) && reaches.contains(in.get(i));
                }
                if (flows) reaches.add(n);
            }
        }

        /** The gradient of each variable, named when {@code naming}; null where none reaches it. */
        List<Node> run(boolean naming) {
            cotangents.forEach((out, u) -> {
                if (reaches.contains(out)) terms.computeIfAbsent(out, k -> new ArrayList<>()).add(u);
            });
            for (int i = order.size() - 1; i >= 0; i--) {
                Node n = order.get(i);
                if (!reaches.contains(n)) continue;
                if (n.type().isTuple()) { // a node of several results: its parts' gradients go to its op together
                    Node[] gys = parts.remove(n);
                    if ((gys != null || zero.contains(n)) && !held.contains(n)) propagate((Apply) n, gys);
                    continue;
                }
                Node g = total(n);
                if (g == null && !zero.contains(n)) continue; // no gradient flows into n
                if (wanted.contains(n)) {
                    Node v = g != null ? g : SourcePos.buildingAt(n.pos(), () -> zerosLike(n));
                    result.put(n, naming ? nameGradient(v, n) : v);
                }
                if (n instanceof Apply a && !held.contains(n)) propagate(a, g);
            }
            var out = new ArrayList<Node>(wrt.size());
            for (Node w : wrt) out.add(result.get(w));
            return out;
        }

        /** The sum of n's terms, or null when it has none. */
        private Node total(Node n) {
            List<Node> ts = terms.remove(n);
            if (ts == null) return null;
            Node sum = ts.get(0);
            for (int i = 1; i < ts.size(); i++) sum = Apply.at(n.pos(), new Add(), List.of(sum, ts.get(i)));
            return sum;
        }

        /** Hands n's gradient g (null when it is identically zero) to each input that leads back to a variable. */
        private void propagate(Apply a, Node g) {
            List<Node> in = a.inputs();
            if (a.op() instanceof Part part) { // kept for the tuple, which gets every part's gradient at once
                Node tuple = in.get(0);
                if (g == null) zero.add(tuple);
                else {
                    Node[] gys = parts.computeIfAbsent(tuple, t -> new Node[t.type().parts().size()]);
                    Node had = gys[part.index()];
                    gys[part.index()] = had == null ? g : Apply.at(a.pos(), new Add(), List.of(had, g));
                }
                return;
            }
            if (g == null) { // the vjp is linear in g: zero in, zero out
                zeroInputs(a);
                return;
            }
            distribute(a, SourcePos.buildingAt(a.pos(), () -> a.op().bprop(in, a, g)));
        }

        /** Hands a tuple's part gradients ({@code gys}, null for none but zeros) to its op's bprop. */
        private void propagate(Apply a, Node[] gys) {
            if (gys == null) {
                zeroInputs(a);
                return;
            }
            TupleOp op = (TupleOp) a.op();
            distribute(a, SourcePos.buildingAt(a.pos(), () -> op.bprop(a.inputs(), a, Arrays.asList(gys))));
        }

        private void zeroInputs(Apply a) {
            List<Node> in = a.inputs();
            for (int i = 0; i < in.size(); i++) if (a.op().connected(i) && reaches.contains(in.get(i))) zero.add(in.get(i));
        }

        /** Adds each term of a bprop's result to its input's. */
        private void distribute(Apply a, List<Grad> grads) {
            List<Node> in = a.inputs();
            if (grads.size() != in.size()) {
                throw new GradientError(a.pos(), "bprop of " + a.op().name() + " returned " + grads.size()
                        + " terms for " + in.size() + " inputs");
            }
            for (int i = 0; i < in.size(); i++) {
                Node x = in.get(i);
                if (!reaches.contains(x) || !a.op().connected(i)) continue;
                Grad gi = grads.get(i);
                if (gi instanceof Grad.Term t) {
                    Node term = SourcePos.buildingAt(a.pos(), () -> reduceTo(t.value(), x, a));
                    terms.computeIfAbsent(x, k -> new ArrayList<>()).add(term);
                } else if (gi instanceof Grad.Zero) {
                    zero.add(x);
                } else if (gi instanceof Grad.NotDifferentiable nd) {
                    throw new GradientError(a.pos(), Apply.call(a.op(), in) + " is not differentiable with respect to "
                            + x.label() + ": " + nd.why() + " (wrap it in stop_gradient if no gradient should pass)");
                }
                // Grad.Disconnected: x gets nothing from this consumer
            }
        }

        /** A term of x's type: summed back over the axes along which the consumer broadcast x. */
        private static Node reduceTo(Node term, Node x, Apply consumer) {
            Type want = x.type();
            if (term.type().equals(want)) return term;
            try {
                return Broadcasting.sumTo(term, want);
            } catch (ShapeError e) {
                throw new GradientError(consumer.pos(), "bprop of " + consumer.op().name() + " returned " + term.type()
                        + " for an input of shape " + want);
            }
        }

        /** What a variable no gradient reaches gets: zeros, or an error saying why none reaches it. */
        Node disconnected(Node w, Disconnected whenDisconnected) {
            if (whenDisconnected == Disconnected.ZEROS) return nameGradient(SourcePos.buildingAt(w.pos(), () -> zerosLike(w)), w);
            String cost = y.name().orElse("the cost");
            String what = w.name().isPresent() || w.type().rank() == 0 ? w.label()
                    : "this " + (w instanceof Constant ? "constant" : "expression");
            // below a held node the walk did not look; the error is rare enough to look now
            boolean below = depends.contains(w) || !held.isEmpty() && Graph.topologicalOrder(cotangents.keySet()).contains(w);
            String why = below
                    ? "no gradient reaches " + what + ": every path from it to " + cost + " passes through stop_gradient"
                            + (held.isEmpty() ? "" : " or a node held constant (consider_constant)") + " or uses only its shape"
                            + " (as zeros_like does)"
                    : cost + " does not depend on " + what;
            throw new GradientError(w.pos(), "grad: " + why);
        }

        private static Node zerosLike(Node n) { return Apply.of(new FillLike(0.0), n); }

        /** Gradients of named nodes read {@code dloss/dW} in dumps and errors. */
        private Node nameGradient(Node g, Node of) {
            if (!(g instanceof Apply ga) || of.name().isEmpty()) return g;
            return ga.named("d" + y.name().orElse("cost") + "/d" + of.name().get());
        }

        private static Set<Node> identitySet() { return Collections.newSetFromMap(new IdentityHashMap<>()); }
    }
}
