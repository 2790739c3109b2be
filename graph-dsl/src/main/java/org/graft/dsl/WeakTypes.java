package org.graft.dsl;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.graft.core.Apply;
import org.graft.core.Constant;
import org.graft.core.Graph;
import org.graft.core.GraftException;
import org.graft.core.Node;
import org.graft.core.ShapeError;
import org.graft.core.Stochastic;
import org.graft.core.Type;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Tensor;

/**
 * The dtype of literals, JAX's weak types: a number written in the program ({@code 2},
 * {@code 0.5}, {@code [1, 2]}, {@code true}, a {@code const}) is made in the program's literal
 * dtype, but it is <em>weak</em>: where it meets an operand of another dtype in an op, it takes
 * that operand's dtype instead. So {@code 2 * x} is f32 for an f32 {@code x} and f64 for an
 * f64 one, and a program mixing f32 and f64 needs no conversions of its numbers.
 *
 * <p>An expression of weak values only ({@code 2 * 3}, {@code exp(-1)}) is weak too, except
 * where it samples (a random op reads its operand's dtype once and for all); taking another
 * dtype, it is rebuilt with its numbers converted, so it computes in that dtype. Values that
 * are not weak (inputs, params, and everything computed from them) are strong: two strong
 * operands of different dtypes stay an error of the op. A number converted to f32 that does
 * not fit there (above 3.4e38) is an error at the number.
 *
 * <p>A scalar number also keeps the value written, before any rounding to f32, for the uses
 * that read it when the program is compiled: a dim, an axis, an index, an optimizer's or an
 * initializer's argument are the same in an f32 program as in an f64 one.
 */
final class WeakTypes {
    private final Set<Constant> literals = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<Constant, Double> written = new IdentityHashMap<>();
    private final Map<Node, Boolean> weak = new IdentityHashMap<>();
    private final ArrayDeque<Node> stack = new ArrayDeque<>(); // isWeak's, reused: it is asked of every operand

    /** {@code c}, remembered as a number written in the program. */
    Constant literal(Constant c) {
        literals.add(c);
        return c;
    }

    /** {@code c}, a scalar written in the program as {@code value}, which its dtype may have rounded. */
    Constant literal(Constant c, double value) {
        written.put(c, value);
        return literal(c);
    }

    /** {@code copy}, a copy of {@code original} (renamed, moved or converted), weak if the original was. */
    <T extends Node> T copied(Node original, T copy) {
        if (original instanceof Constant o && copy instanceof Constant c && literals.contains(o)) {
            literals.add(c);
            if (written.containsKey(o)) written.put(c, written.get(o));
        }
        return copy;
    }

    /** The value a scalar number was written with, or null for any other node. */
    Double writtenValue(Node n) { return n instanceof Constant c ? written.get(c) : null; }

    /** Whether {@code n} is made of numbers written in the program only, without sampling. */
    boolean isWeak(Node n) {
        Boolean known = weak.get(n);
        if (known != null) return known;
        // iterative: an expression of literals can be a chain a million ops long (iterate)
        stack.clear();
        stack.push(n);
        while (!stack.isEmpty()) {
            Node top = stack.peek();
            if (weak.containsKey(top)) {
                stack.pop();
                continue;
            }
            if (top instanceof Constant c) {
                weak.put(top, literals.contains(c));
            } else if (!(top instanceof Apply a) || a.op() instanceof Stochastic) {
                weak.put(top, false);
            } else {
                boolean strongInput = false;
                for (Node in : a.inputs()) strongInput |= Boolean.FALSE.equals(weak.get(in));
                if (!strongInput) {
                    boolean ready = true;
                    for (Node in : a.inputs()) {
                        if (!weak.containsKey(in)) {
                            stack.push(in);
                            ready = false;
                        }
                    }
                    if (!ready) continue;
                }
                weak.put(top, !strongInput);
            }
            stack.pop();
        }
        return weak.get(n);
    }

    /**
     * The operands of one op, with the weak ones in the dtype of the strong ones when those
     * agree on one; as given otherwise (all weak, or strong operands of several dtypes, which
     * the op reports).
     */
    List<Node> unify(List<Node> operands) {
        Set<DType> strong = EnumSet.noneOf(DType.class);
        for (Node n : operands) if (!isWeak(n)) strong.add(n.type().dtype());
        if (strong.size() != 1) return operands;
        DType dtype = strong.iterator().next();
        var out = new ArrayList<Node>(operands.size());
        for (Node n : operands) out.add(isWeak(n) ? convert(n, dtype) : n);
        return out;
    }

    /** {@code n} in {@code dtype}: itself if it has that dtype or is strong, else rebuilt from its numbers converted. */
    Node coerce(Node n, DType dtype) { return isWeak(n) ? convert(n, dtype) : n; }

    /** A weak node rebuilt in {@code dtype}, each node at its position and under its name. */
    private Node convert(Node root, DType dtype) {
        if (root.type().dtype() == dtype) return root;
        Map<Node, Node> copies = new IdentityHashMap<>();
        for (Node n : Graph.topologicalOrder(List.of(root))) {
            Node copy;
            if (n instanceof Constant c) {
                copy = copied(c, converted(c, dtype));
            } else {
                Apply a = (Apply) n;
                try {
                    Apply rebuilt = Apply.at(a.pos(), a.op(), a.inputs().stream().map(copies::get).toList());
                    copy = a.name().isPresent() ? rebuilt.named(a.name().get()) : rebuilt;
                } catch (ShapeError e) {
                    return root; // an op whose attributes fix a dtype: left as it is, for the op using it to report
                }
            }
            copies.put(n, copy);
        }
        return copies.get(root);
    }

    private static Constant converted(Constant c, DType dtype) {
        Tensor value = c.value().astype(dtype);
        for (int i = 0; i < value.size(); i++) {
            double v = c.value().getFlat(i);
            if (Double.isFinite(v) && Double.isInfinite(value.getFlat(i))) {
                throw new GraftException(c.pos(), "the number " + Values.show(v) + " is too large for " + dtype
                        + ", the dtype of what it is combined with");
            }
        }
        Constant copy = Constant.of(value, new Type(dtype, c.type().dims())).at(c.pos());
        return c.name().isPresent() ? copy.named(c.name().get()) : copy;
    }
}
