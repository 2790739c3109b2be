package org.graft.core.rewrite;

import java.util.List;
import java.util.function.ToIntFunction;

import org.graft.core.Apply;
import org.graft.core.Constant;
import org.graft.core.Node;
import org.graft.core.Op;

/** The nodes a pattern bound when it matched a node. */
public final class Match {
    private final Apply node;
    private final Bindings bound;
    private final ToIntFunction<Node> uses;

    private Match(Apply node, Bindings bound, ToIntFunction<Node> uses) {
        this.node = node;
        this.bound = bound;
        this.uses = uses;
    }

    /**
     * The match of {@code pattern} at {@code node}, or null; {@code uses} counts a node's uses in
     * the graph. It binds into {@code scratch} (cleared first), which a walk reuses for every
     * attempt: most attempts fail, and a match copies what it bound.
     */
    static Match of(Pattern pattern, Apply node, ToIntFunction<Node> uses, Bindings scratch) {
        scratch.size = 0;
        return matches(pattern, node, scratch) ? new Match(node, scratch.copy(), uses) : null;
    }

    /** The node the whole pattern matched. */
    public Apply node() { return node; }

    /** The node bound to {@code var}. */
    public Node get(Pattern.Var var) {
        Node n = bound.get(var);
        if (n == null) throw new IllegalArgumentException("the pattern binds no variable " + var.name());
        return n;
    }

    /** {@link #uses(Node)} of the node bound to {@code var}. */
    public int uses(Pattern.Var var) { return uses(get(var)); }

    /** The op of the node bound to {@code var}, e.g. a reduction whose axes the replacement needs. */
    public <T extends Op> T op(Pattern.Var var, Class<T> type) { return type.cast(((Apply) get(var)).op()); }

    /** The op of the node the whole pattern matched. */
    public <T extends Op> T op(Class<T> type) { return type.cast(node.op()); }

    /**
     * How many operands of nodes in the graph being rewritten are {@code n}, plus one if it is
     * a root: 1 for a node that only the matched pattern reads. For rules that replace several
     * nodes by fewer, which only pays when no other node keeps them. The count is never too
     * small, and may be too large: a node loses no uses when the nodes reading it are replaced
     * during a walk, only when the next walk counts again.
     */
    public int uses(Node n) { return uses.applyAsInt(n); }

    private static boolean matches(Pattern p, Node n, Bindings bound) {
        if (p instanceof Pattern.Var v) return bound.bind(v, n);
        if (p instanceof Pattern.Any) return true;
        if (p instanceof Pattern.Scalar s) return n instanceof Constant c && allEqual(c, s.value());
        if (p instanceof Pattern.Bound b) return matches(b.pattern(), n, bound) && matches(b.var(), n, bound);
        if (p instanceof Pattern.Guarded g) return matches(g.pattern(), n, bound) && g.guard().test(n);
        var op = (Pattern.OpPattern) p;
        if (!(n instanceof Apply a) || !op.op().isInstance(a.op())) return false;
        List<Node> in = a.inputs();
        if (in.size() != op.inputs().size()) return false;
        for (int i = 0; i < in.size(); i++) if (!matches(op.inputs().get(i), in.get(i), bound)) return false;
        return true;
    }

    /**
     * The variables a match has bound so far: a pattern binds a handful, so a pair of short
     * arrays, searched in order, costs less than a map at each of the many attempts that fail.
     */
    static final class Bindings {
        private Pattern.Var[] vars;
        private Node[] nodes;
        private int size;

        Bindings() { this(new Pattern.Var[4], new Node[4], 0); }

        private Bindings(Pattern.Var[] vars, Node[] nodes, int size) {
            this.vars = vars;
            this.nodes = nodes;
            this.size = size;
        }

        private static final Bindings NONE = new Bindings(new Pattern.Var[0], new Node[0], 0);

        /** What is bound now, kept: a match never binds more once made. */
        private Bindings copy() {
            if (size == 0) return NONE;
            return new Bindings(java.util.Arrays.copyOf(vars, size), java.util.Arrays.copyOf(nodes, size), size);
        }

        Node get(Pattern.Var v) {
            for (int i = 0; i < size; i++) if (vars[i].equals(v)) return nodes[i];
            return null;
        }

        /** Binds {@code v} to {@code n}; false when it is bound to another node already. */
        boolean bind(Pattern.Var v, Node n) {
            Node earlier = get(v);
            if (earlier != null) return earlier == n;
            if (size == vars.length) {
                vars = java.util.Arrays.copyOf(vars, 2 * size + 1);
                nodes = java.util.Arrays.copyOf(nodes, 2 * size + 1);
            }
            vars[size] = v;
            nodes[size++] = n;
            return true;
        }
    }

    private static boolean allEqual(Constant c, double value) {
        for (int i = 0; i < c.value().size(); i++) {
            if (c.value().getFlat(i) != value) return false; // so NaN never matches, and -0 matches 0
        }
        return true;
    }
}
