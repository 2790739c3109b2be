package org.graft.core.rewrite;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.ToIntFunction;

import org.graft.core.Apply;
import org.graft.core.Constant;
import org.graft.core.Graph;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Type;
import org.graft.core.tensor.Tensor;

/**
 * Runs phases of rules over a graph. Nodes never change, so rewriting builds a new graph:
 * each phase walks the nodes from the inputs up, rebuilds a node whose inputs were rewritten,
 * then applies the rules to it until none matches (a replacement's own new nodes are rewritten
 * first). Consumers come after their inputs, so one walk reaches the fixpoint, except where a
 * rule declined because another node shared a node it would absorb ({@link Match#uses}): the
 * walk's own changes may have freed that node, so then the phase walks again, until a walk
 * changes nothing.
 * Nodes that nothing reaches are dropped on the way (dead-node removal). A rule can ask how
 * many nodes read a node ({@link Match#uses}), to replace several nodes by fewer only where
 * nothing else keeps them.
 *
 * <p>A replacement takes the position, and the name, of the node it replaces. Every firing is
 * logged. A node that keeps being rewritten (rules that undo each other) stops the phase after
 * {@value #MAX_CHAIN} firings with an error naming the rules, and so do replacements whose new
 * nodes keep being rewritten into more new nodes, {@value #MAX_CHAIN} deep (a replacement that
 * contains the node it replaces, which the rule then matches again).
 */
public final class Rewriter {
    /** Firings on one node, one after another, beyond which the rules are taken to cycle. */
    static final int MAX_CHAIN = 64;
    /** Constant folding makes no constant larger than this many elements (the graph stays small). */
    static final int MAX_FOLDED_SIZE = 1 << 20;
    /** Walks of one phase beyond which the phase is taken not to converge. */
    private static final int MAX_WALKS = 10;

    private final List<Phase> phases;

    private Rewriter(List<Phase> phases) { this.phases = List.copyOf(phases); }

    public static Rewriter of(List<Phase> phases) { return new Rewriter(phases); }

    /**
     * The phases every registered {@link RuleSets} provides, in order. Without graph-ops on the
     * class path none is registered, and then there is no standard rewriting to do: that is
     * an {@link IllegalStateException}, not a silent "as written" (compile with
     * {@code Options.NONE} to run a graph as written).
     */
    public static List<Phase> standard() {
        if (Standard.PHASES.isEmpty()) {
            throw new IllegalStateException("no rewrite rules are registered: the standard phases come from graph-ops"
                    + " (a " + RuleSets.class.getName() + " service), which is not on the class path;"
                    + " compile with Options.NONE to run the graph as written");
        }
        return Standard.PHASES;
    }

    public List<Phase> phases() { return phases; }

    /** The rewritten roots, one for each given root, and the log of what fired. */
    public record Result(List<Node> roots, List<Rewrite> log) {}

    public Result rewrite(List<? extends Node> roots) {
        List<Node> current = List.copyOf(roots);
        var log = new ArrayList<Rewrite>();
        int size = 16;
        for (Phase phase : phases) {
            for (int walk = 0; ; walk++) {
                int before = log.size();
                var w = new Walk(phase, phases, log, size);
                List<Node> next = w.run(current);
                size = w.size();
                boolean changed = log.size() > before || !sameNodes(next, current);
                current = next;
                // a walk settles every node after its inputs, so it reaches the fixpoint unless a
                // rule declined for a node another node shared, which the walk's changes may have freed
                if (!changed || !w.sawShared) break;
                if (walk == MAX_WALKS) {
                    throw new RewriteError(current.get(0).pos(), "phase " + phase.name() + " does not settle after "
                            + MAX_WALKS + " walks; the rules that fired last: " + lastRules(log, before));
                }
            }
        }
        return new Result(current, log);
    }

    private static boolean sameNodes(List<Node> a, List<Node> b) {
        for (int i = 0; i < a.size(); i++) if (a.get(i) != b.get(i)) return false;
        return true;
    }

    private static String lastRules(List<Rewrite> log, int from) {
        var names = new LinkedHashMap<String, Integer>();
        for (Rewrite r : log.subList(from, log.size())) names.merge(r.rule(), 1, Integer::sum);
        return names.toString();
    }

    /**
     * One walk of one phase over the graph. Everything the walk knows of a node sits in the
     * node's {@link Slot}, found through one identity map, and a slot holds its operands'
     * slots: a walk over a graph of a million nodes then costs about one hash lookup per node
     * and per edge, where a map per fact would cost several, each a cache miss on a large graph.
     */
    private static final class Walk {
        /** What the walk knows of one node. */
        private static final class Slot {
            Node rewritten;     // its rewritten form, once it has one
            boolean settled;    // no rule applies to it
            boolean known;      // in the graph before a rule made it: it keeps its own position and name
            int uses;           // Match.uses: never too small
            Slot[] in;          // its operands' slots, once counted
            boolean deferred;   // a constant value, left unfolded until a node that is not reads it
            Constant folded;    // the constant it folded to
            boolean unfoldable; // its evaluation failed: the error belongs to the run
        }

        private final Phase phase;
        private final List<Phase> pipeline; // every phase of the rewriter: what a folded constant must compute
        private final List<Rewrite> log;
        private Map<Node, Slot> slots;
        private Applies applies;                // merge: the one apply computing each thing
        private final Map<ConstantKey, Node> constants = new HashMap<>(); // merge: the one constant of each value
        private final List<String> nesting = new ArrayList<>(); // the rules whose replacements are being settled, outermost first
        private final ToIntFunction<Node> uses = this::usesAsked;
        private boolean sawShared; // a rule asked how many nodes read a node, and heard more than one
        private Slot[] ordered;    // the slots of the graph's nodes, in their order
        private final Match.Bindings scratch = new Match.Bindings();

        private final int expected;     // about how many nodes the graph has

        Walk(Phase phase, List<Phase> pipeline, List<Rewrite> log, int expected) {
            this.phase = phase;
            this.pipeline = pipeline;
            this.log = log;
            this.expected = expected;
        }

        /** How many nodes the walk found. */
        int size() { return ordered.length; }

        List<Node> run(List<Node> roots) {
            List<Node> order = order(roots);
            for (Node r : roots) slots.get(r).uses++;
            for (int i = 0; i < order.size(); i++) rewrite(order.get(i), ordered[i]);
            var out = new ArrayList<Node>(roots.size());
            for (Node r : roots) {
                Node n = slots.get(r).rewritten;
                Node c = slots.get(n).deferred ? foldRegion(n) : null;
                out.add(c != null ? c : n);
            }
            return out;
        }

        /**
         * Every node the roots depend on, inputs first, as {@link Graph#topologicalOrder}; on
         * the way each gets its slot, marked known, with its operands' slots and their uses
         * counted. One identity lookup per edge does all of it: on a graph of a million nodes
         * each lookup is a cache miss, and a second pass would double them.
         */
        private List<Node> order(List<Node> roots) {
            var order = new ArrayList<Node>(expected);
            var orderedSlots = new ArrayList<Slot>(expected);
            slots = new IdentityHashMap<>(expected + expected / 4); // not grown and rehashed along the way
            Node[] nodes = new Node[16];    // the depth-first stack: a node, its slot, its next input
            Slot[] stacked = new Slot[16];
            int[] next = new int[16];
            int top = -1;
            for (Node root : roots) {
                if (slots.containsKey(root)) continue;
                nodes[++top] = root;
                stacked[top] = enter(root);
                next[top] = 0;
                while (top >= 0) {
                    Node n = nodes[top];
                    Slot s = stacked[top];
                    if (next[top] == s.in.length) {
                        order.add(n);
                        orderedSlots.add(s);
                        top--;
                        continue;
                    }
                    int k = next[top]++;
                    Node input = n.inputs().get(k);
                    Slot is = slots.get(input);
                    if (is == null) {
                        is = enter(input);
                        if (++top == nodes.length) {
                            nodes = Arrays.copyOf(nodes, 2 * top);
                            stacked = Arrays.copyOf(stacked, 2 * top);
                            next = Arrays.copyOf(next, 2 * top);
                        }
                        nodes[top] = input;
                        stacked[top] = is;
                        next[top] = 0;
                    }
                    s.in[k] = is;
                    is.uses++;
                }
            }
            ordered = orderedSlots.toArray(new Slot[0]);
            applies = new Applies(order.size());
            return order;
        }

        private Slot enter(Node n) {
            var s = new Slot();
            s.known = true;
            s.in = new Slot[n.inputs().size()];
            slots.put(n, s);
            return s;
        }

        private Slot slot(Node n) { return slots.computeIfAbsent(n, k -> new Slot()); }

        /** The node with its inputs replaced by their rewritten forms (itself when none changed); {@code s} is its slot, or null. */
        private Node rebuild(Node n, Slot s) {
            if (!(n instanceof Apply a)) return n;
            List<Node> in = a.inputs();
            List<Node> out = null;
            for (int k = 0; k < in.size(); k++) {
                Node i = in.get(k);
                Slot is = s != null && s.in != null && s.in[k] != null ? s.in[k] : slots.get(i);
                Node r = is == null || is.rewritten == null ? i : is.rewritten;
                if (r != i && out == null) out = new ArrayList<>(in);
                if (out != null) out.set(k, r);
            }
            if (out == null) return n;
            Apply b = Apply.at(a.pos(), a.op(), out);
            return a.name().isPresent() ? b.named(a.name().get()) : b;
        }

        /**
         * Applies the phase to a node whose inputs are settled, until nothing more applies;
         * {@code s} is the node's slot when the caller has it (most nodes of a walk change
         * nothing, and their slot is at hand), else null.
         */
        private Node settle(Node n, Slot s) {
            List<String> chain = null; // the rules fired on this node so far
            while (true) {
                if (s == null) s = slots.get(n);
                if (s != null && s.settled) return n;
                Node m = merge(n);
                if (m != n) {
                    n = m;
                    s = slots.get(n);
                    if (s != null && s.settled) return n;
                }
                if (s == null) s = slot(n);
                if (!(n instanceof Apply a)) {
                    s.settled = true;
                    return n;
                }
                if (phase.fold()) {
                    Apply b = withFoldedOperands(a);
                    if (b != a) { // settle it again, on its constants
                        n = b;
                        s = null;
                        continue;
                    }
                    if (constantValued(a)) {
                        s.settled = true;
                        s.deferred = true;
                        return a;
                    }
                }
                Node next = null;
                String rule = null;
                for (Rule r : phase.rules()) {
                    next = r.apply(a, uses, scratch);
                    if (next == a) next = null;
                    if (next != null) {
                        rule = r.name();
                        break;
                    }
                }
                if (next == null) {
                    s.settled = true;
                    return a;
                }
                if (!next.type().equals(a.type())) {
                    throw new RewriteError(a.pos(), "rule " + rule + " changed the type of " + Apply.call(a.op(), a.inputs())
                            + " from " + a.type() + " to " + next.type());
                }
                next = adopt(next, a);
                log.add(new Rewrite(phase.name(), rule, a.pos(), Apply.call(a.op(), a.inputs()), describe(next)));
                if (chain == null) chain = new ArrayList<>();
                chain.add(rule);
                if (chain.size() > MAX_CHAIN) {
                    throw new RewriteError(a.pos(), "rules undo each other: " + String.join(", ", distinct(chain))
                            + " fired " + chain.size() + " times on one node");
                }
                nesting.add(rule);
                if (nesting.size() > MAX_CHAIN) {
                    throw new RewriteError(a.pos(), "rules keep rewriting the nodes they build: "
                            + String.join(", ", distinct(nesting)) + " nested " + nesting.size()
                            + " deep (does a replacement contain the node it replaces?)");
                }
                try {
                    n = settleNew(next);
                    s = null;
                } finally {
                    nesting.remove(nesting.size() - 1);
                }
            }
        }

        /**
         * Settles the new nodes below a replacement, inputs first, and gives the replacement
         * rebuilt on them. The walk stops at nodes already settled or rewritten, so a firing
         * costs the size of what the rule built, not of the graph below it.
         */
        private Node settleNew(Node replacement) {
            var order = new ArrayList<Node>();
            Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
            var stack = new ArrayDeque<Node>();
            var expanded = new ArrayDeque<Boolean>();
            stack.push(replacement);
            expanded.push(false);
            while (!stack.isEmpty()) {
                Node m = stack.pop();
                if (expanded.pop()) {
                    order.add(m);
                    continue;
                }
                Slot s = slots.get(m);
                if (!seen.add(m) || s != null && (s.settled || s.rewritten != null)) continue;
                stack.push(m);
                expanded.push(true);
                for (Node i : m.inputs()) {
                    stack.push(i);
                    expanded.push(false);
                }
            }
            for (Node m : order) countOperands(m); // all of them first: a node read higher up is read when it settles
            for (Node m : order) {
                if (m == replacement) break;
                rewrite(m, slots.get(m));
            }
            return rebuild(replacement, slots.get(replacement));
        }

        /**
         * Settles a node whose inputs are settled and records its rewritten form, which takes
         * over its readers; {@code from} is the node's slot, or null.
         */
        private void rewrite(Node n, Slot from) {
            if (from == null) from = slot(n);
            Node b = rebuild(n, from);
            Node r = settle(b, b == n ? from : null);
            Slot to = r == n ? from : slot(r);
            to.known = true;
            from.rewritten = r;
            if (r != n) to.uses += from.uses;
        }

        /** Counts a use of each operand of a node a rule built; a rule's new nodes add uses and never take any away. */
        private void countOperands(Node n) {
            Slot s = slot(n);
            List<Node> in = n.inputs();
            s.in = new Slot[in.size()];
            for (int k = 0; k < s.in.length; k++) {
                s.in[k] = slot(in.get(k));
                s.in[k].uses++;
            }
        }

        private int usesAsked(Node n) {
            int u = usesOf(n);
            sawShared |= u > 1;
            return u;
        }

        private int usesOf(Node n) {
            Slot s = slots.get(n);
            return s == null ? 0 : s.uses;
        }

        /**
         * A new replacement takes the position and name of the node it replaces; a node that
         * already stood in the graph keeps its own.
         */
        private Node adopt(Node next, Apply replaced) {
            Slot s = slots.get(next);
            if (!(next instanceof Apply a) || s != null && (s.known || s.settled)) return next;
            Apply placed = a.pos().isKnown() ? a : a.at(replaced.pos());
            if (replaced.name().isPresent() && placed.name().isEmpty()) placed = placed.named(replaced.name().get());
            return placed;
        }

        /**
         * The one node equal to {@code n} seen in this walk, when the phase merges: for an
         * apply, the op and the very same inputs; for a constant, its value. Inputs and params
         * are themselves, and two samples are never the same value.
         */
        private Node merge(Node n) {
            if (!phase.merge()) return n;
            Node first;
            if (n instanceof Constant c) first = constants.putIfAbsent(new ConstantKey(c.value(), c.type()), n);
            else if (n instanceof Apply a && !a.op().isRandom()) first = applies.intern(a);
            else return n;
            if (first == null || first == n) return n;
            if (n instanceof Apply) { // a constant merging with its equal is not worth a line of the log
                log.add(new Rewrite(phase.name(), "merge", n.pos(), describe(n),
                        describe(first) + (first.pos().isKnown() ? " at " + first.pos() : "")));
            }
            return first;
        }

        // ---- constant folding ----------------------------------------------------------------
        //
        // A node whose every operand is constant is not folded where it stands: it is deferred,
        // and so are the constant nodes above it, until a node that is not constant (or a root)
        // reads it. That node's constant operand is then folded as a whole region, which is first
        // rewritten by every phase of the rewriter (without folding): the constant is what the
        // stable form computes, log(sigmoid(-800)) is -800, not log(0). A region read twice is
        // folded on its own first, so no node is evaluated twice.

        /** Whether {@code a} computes a constant: a deterministic op, a concrete type of a size folding makes, constant operands. */
        private boolean constantValued(Apply a) {
            if (a.op().isRandom() || !a.type().isConcrete() || a.type().shape().size() > MAX_FOLDED_SIZE) return false;
            List<Node> in = a.inputs();
            for (int i = 0; i < in.size(); i++) {
                Node x = in.get(i);
                if (x instanceof Constant || isDeferred(x)) continue;
                if (a.op().readsValues(i) || !x.type().isConcrete()) return false;
            }
            return true;
        }

        private boolean isDeferred(Node n) {
            Slot s = slots.get(n);
            return s != null && s.deferred && !s.unfoldable;
        }

        /**
         * {@code a} with its deferred operands folded where they must be: all of them when
         * {@code a} is not constant itself, else those other nodes read too; {@code a} itself
         * when none is.
         */
        private Apply withFoldedOperands(Apply a) {
            List<Node> in = a.inputs();
            boolean constant = constantValued(a);
            List<Node> out = null;
            for (int i = 0; i < in.size(); i++) {
                Node x = in.get(i);
                if (!isDeferred(x) || constant && usesOf(x) <= 1) continue;
                Node c = foldRegion(x);
                if (c == null) continue;
                if (out == null) out = new ArrayList<>(in);
                out.set(i, c);
            }
            if (out == null) return a;
            Apply b = Apply.at(a.pos(), a.op(), out);
            return a.name().isPresent() ? b.named(a.name().get()) : b;
        }

        /** The constant the deferred node {@code d} computes, or null where computing it fails. */
        private Node foldRegion(Node d) {
            Slot s = slots.get(d);
            if (s.folded != null || s.unfoldable) return s.folded;
            Tensor value = evaluate(d);
            if (value == null) {
                s.unfoldable = true;
                return null;
            }
            Constant c = Constant.of(value).at(d.pos());
            if (d.name().isPresent()) c = c.named(d.name().get());
            log.add(new Rewrite(phase.name(), "constant folding", d.pos(), describe(d), describe(c)));
            Node merged = merge(c);
            Slot m = slot(merged);
            m.settled = m.known = true;
            m.uses += s.uses;
            s.folded = merged instanceof Constant k ? k : c;
            return merged;
        }

        /**
         * The value of the region of deferred nodes below {@code d}, rewritten by the pipeline
         * without folding, or null where an op fails on it. Operands read for their shape alone
         * stand in the region as inputs of their type, so the rewrite sees the region only.
         */
        private Tensor evaluate(Node d) {
            Map<Node, Node> copies = new IdentityHashMap<>();
            for (Node n : Graph.topologicalOrder(List.of(d), this::isDeferred)) {
                Apply a = (Apply) n;
                var in = new ArrayList<Node>(a.inputs().size());
                for (Node x : a.inputs()) {
                    Node copy = copies.get(x);
                    in.add(copy != null ? copy : x instanceof Constant ? x : new Input("shape", x.type()));
                }
                copies.put(n, Apply.at(a.pos(), a.op(), in));
            }
            var stable = new ArrayList<Phase>();
            for (Phase p : pipeline) stable.add(new Phase(p.name(), p.rules(), false, p.merge()));
            Node root = Rewriter.of(stable).rewrite(List.of(copies.get(d))).roots().get(0);
            Map<Node, Tensor> values = new IdentityHashMap<>();
            try {
                for (Node n : Graph.topologicalOrder(List.of(root))) {
                    if (n instanceof Constant c) values.put(n, c.value());
                    else if (n instanceof Input) values.put(n, Tensor.zeros(n.type().dtype(), n.type().shape()));
                    else {
                        var args = new ArrayList<Tensor>();
                        for (Node x : n.inputs()) args.add(values.get(x));
                        values.put(n, ((Apply) n).op().fprop(args));
                    }
                }
            } catch (RuntimeException e) {
                return null; // the error belongs to the run, where it is reported at the node
            }
            return values.get(root);
        }
    }


    private record ConstantKey(Tensor value, Type type) {}

    /**
     * A set of applies where two are the same when they have equal ops and the very same
     * inputs, in open addressing: a walk enters every node of the graph, and a map would make
     * a key and an entry object for each.
     */
    private static final class Applies {
        private Apply[] table;
        private int size;

        Applies(int expected) { table = new Apply[Integer.highestOneBit(Math.max(8, expected)) * 4]; }

        /** The apply entered first that computes what {@code a} computes; {@code a} itself when there is none. */
        Apply intern(Apply a) {
            int mask = table.length - 1;
            for (int i = hash(a) & mask; ; i = (i + 1) & mask) {
                Apply e = table[i];
                if (e == null) {
                    table[i] = a;
                    if (++size * 2 > table.length) grow();
                    return a;
                }
                if (e == a || same(e, a)) return e;
            }
        }

        private void grow() {
            Apply[] old = table;
            table = new Apply[2 * old.length];
            int mask = table.length - 1;
            for (Apply e : old) {
                if (e == null) continue;
                int i = hash(e) & mask;
                while (table[i] != null) i = (i + 1) & mask;
                table[i] = e;
            }
        }

        private static int hash(Apply a) {
            int h = a.op().hashCode();
            for (Node in : a.inputs()) h = 31 * h + System.identityHashCode(in);
            h *= 0x9E3779B9;     // spread the bits that the mask keeps
            return h ^ (h >>> 16);
        }

        private static boolean same(Apply x, Apply y) {
            List<Node> a = x.inputs(), b = y.inputs();
            if (a.size() != b.size()) return false;
            for (int i = 0; i < a.size(); i++) if (a.get(i) != b.get(i)) return false;
            return x.op().equals(y.op());
        }
    }

    private static String describe(Node n) {
        if (n instanceof Apply a) return Apply.call(a.op(), a.inputs());
        return n.label();
    }

    private static List<String> distinct(List<String> names) { return names.stream().distinct().toList(); }

    /** Loads the registered rule sets once. */
    private static final class Standard {
        static final List<Phase> PHASES = load();

        private static List<Phase> load() {
            var phases = new ArrayList<Phase>();
            for (RuleSets sets : ServiceLoader.load(RuleSets.class)) phases.addAll(sets.phases());
            return List.copyOf(phases);
        }
    }
}
