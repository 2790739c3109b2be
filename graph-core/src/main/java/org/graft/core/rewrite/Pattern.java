package org.graft.core.rewrite;

import java.util.List;
import java.util.function.Predicate;

import org.graft.core.Node;
import org.graft.core.Op;

/**
 * The left side of a rule: a small tree that a node either matches or not.
 *
 * <pre>{@code
 * static final Var X = var("x");
 * on(Log.class, on(Sigmoid.class, X))            // log(sigmoid(x)), binding x
 * on(Mul.class, X, scalar(1.0))                   // x * 1
 * on(Sub.class, X, X)                             // x - x: the same node twice
 * on(Sum.class, on(Exp.class, X)).as(S)           // the sum node itself is bound to S
 * }</pre>
 */
public sealed interface Pattern permits Pattern.Var, Pattern.OpPattern, Pattern.Scalar, Pattern.Any, Pattern.Bound,
        Pattern.Guarded {

    /** Matches any node and binds it; a variable used twice must match the same node twice. */
    record Var(String name) implements Pattern {}

    /** An op of this class (or a subclass) whose inputs match these patterns, one for one. */
    record OpPattern(Class<? extends Op> op, List<Pattern> inputs) implements Pattern {
        public OpPattern { inputs = List.copyOf(inputs); }
    }

    /** A constant every element of which is {@code value}. */
    record Scalar(double value) implements Pattern {}

    /** Matches any node, binding nothing. */
    record Any() implements Pattern {}

    /** The node the pattern matched, bound to a variable as well. */
    record Bound(Pattern pattern, Var var) implements Pattern {}

    /** A pattern whose node must also satisfy a condition. */
    record Guarded(Pattern pattern, Predicate<Node> guard) implements Pattern {}

    static Var var(String name) { return new Var(name); }

    static Pattern on(Class<? extends Op> op, Pattern... inputs) { return new OpPattern(op, List.of(inputs)); }

    static Pattern scalar(double value) { return new Scalar(value); }

    static Pattern any() { return new Any(); }

    /** This pattern, with the node it matches bound to {@code var}. */
    default Pattern as(Var var) { return new Bound(this, var); }

    /** This pattern, matching only nodes that satisfy {@code guard}. */
    default Pattern where(Predicate<Node> guard) { return new Guarded(this, guard); }
}
