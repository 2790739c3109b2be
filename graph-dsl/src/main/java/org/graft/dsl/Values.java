package org.graft.dsl;

import java.util.ArrayList;
import java.util.List;

import org.graft.core.Apply;
import org.graft.core.Constant;
import org.graft.core.Dim;
import org.graft.core.GraftException;
import org.graft.core.Graph;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.SourcePos;
import org.graft.core.Stochastic;
import org.graft.core.Type;
import org.graft.core.runtime.Compiler;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.graft.ops.Builtin;

/**
 * What the values of expressions become where the program needs them: graph nodes (numbers
 * and array literals made weak constants, see {@link WeakTypes}), and numbers known when the
 * program is compiled (a const, an axis, a size). The compiler and the built-ins both read
 * their arguments through it.
 */
final class Values {
    private final DType literalDtype;   // the dtype numbers are made in, before they meet another
    private final WeakTypes weakTypes;

    Values(DType literalDtype, WeakTypes weakTypes) {
        this.literalDtype = literalDtype;
        this.weakTypes = weakTypes;
    }

    /** The graph node a value stands for where one is needed: a number, a tensor. */
    Node node(Value v, SourcePos at) {
        if (v instanceof Value.Expr e) return e.node();
        if (v instanceof Value.Bool b) return literal(b.value() ? 1 : 0, at);
        if (v instanceof Value.Array a) return numbers(arrayConstant(a, at), at);
        if (v instanceof Value.Tuple t) {
            throw new GraftException(at, "this gives " + t.describe() + " where one is needed; bind them first: "
                    + String.join(", ", placeholderNames(t.items().size())) + " = ...");
        }
        if (v instanceof Value.None) {
            throw new GraftException(at, "none is not a value: it stands for an argument left out, as in axis = none");
        }
        if (v instanceof Value.Text t) {
            throw new GraftException(at, t.describe() + " is not a value: a string names one of an argument's choices, "
                    + "as in padding = \"same\"");
        }
        throw new GraftException(at, v.describe() + " is a function, not a value: call it");
    }

    /** The operands of one op, with their numbers in the dtype of the others (see {@link WeakTypes}). */
    List<Node> unify(List<Node> operands) { return weakTypes.unify(operands); }

    /** A number written in the program, at {@code at}: a weak scalar constant in the program's literal dtype. */
    Constant literal(double v, SourcePos at) {
        return weakTypes.literal(Constant.of(literal(Tensor.scalar(v), at)).at(at), v);
    }

    /**
     * Numbers the program writes or makes when it is compiled (an array literal, {@code eye(3)}),
     * at {@code at}: a weak constant in the program's literal dtype.
     */
    Constant numbers(Tensor value, SourcePos at) { return weakTypes.literal(Constant.of(literal(value, at)).at(at)); }

    /** The numbers of a literal in the program's literal dtype; one too large for it is an error at {@code at}. */
    Tensor literal(Tensor value, SourcePos at) {
        Tensor t = value.astype(literalDtype);
        for (int i = 0; i < t.size(); i++) {
            if (Double.isInfinite(t.getFlat(i)) && Double.isFinite(value.getFlat(i))) {
                throw new GraftException(at, "the number " + show(value.getFlat(i)) + " is too large for " + literalDtype);
            }
        }
        return t;
    }

    /** Whether {@code n} is made of numbers written in the program only ({@link WeakTypes#isWeak}). */
    boolean isWeak(Node n) { return weakTypes.isWeak(n); }

    /** The elements of an array literal or a tuple, where a list is expected. */
    List<Value> items(Value v, SourcePos at, String what) {
        if (v instanceof Value.Array a) return a.items();
        if (v instanceof Value.Tuple t) return t.items();
        throw new GraftException(at, what + " must be a list such as [a, b], found " + v.describe());
    }

    /** A number known when the program is compiled: from literals and consts only. */
    double constant(Value v, SourcePos at, String what) {
        if (v instanceof Value.Bool b) return b.value() ? 1 : 0;
        if (!(v instanceof Value.Expr e)) {
            throw new GraftException(at, what + " must be a number, found " + v.describe());
        }
        Node n = e.node();
        if (n.type().rank() != 0) throw new GraftException(at, what + " must be a number, found a value of type " + n.type());
        for (Node m : Graph.topologicalOrder(List.of(n))) {
            if (fed(m)) {
                String kind = m instanceof Input ? "input " : m instanceof Param ? "param " : "a random ";
                throw new GraftException(at, what + " must be known when the program is compiled (from numbers and consts), but it uses "
                        + kind + m.label());
            }
            // without inputs or params every dim is a size; the compiler computes the number, so it must fit in memory
            if (elements(m.type()) > MAX_CONSTANT_ELEMENTS) {
                throw new GraftException(at, what + " is computed when the program is compiled, and that would take a tensor of type "
                        + m.type() + "; the most it may take is " + MAX_CONSTANT_ELEMENTS + " numbers");
            }
        }
        Double written = weakTypes.writtenValue(n); // before an f32 program rounded it
        if (written != null) return written;
        if (n instanceof Constant c) return c.value().item();
        return Compiler.compile(List.of(), List.of(n)).call().get(0).item();
    }

    /** Whether {@code v} is a number known when the program is compiled: a scalar of literals and consts, or a boolean. */
    boolean isKnownNumber(Value v) {
        if (v instanceof Value.Bool) return true;
        if (!(v instanceof Value.Expr e) || e.node().type().rank() != 0) return false;
        return Graph.topologicalOrder(List.of(e.node())).stream().noneMatch(Values::fed);
    }

    /** Whether a node's value is known only when the program runs: an input, a param or a sample. */
    private static boolean fed(Node m) {
        return m instanceof Input || m instanceof Param || m instanceof Apply a && a.op() instanceof Stochastic;
    }

    /** The most numbers a tensor computed at compile time (for a const, an index, an axis) may hold. */
    static final long MAX_CONSTANT_ELEMENTS = 10_000_000;

    /** How many numbers a value of this type holds; a symbolic dim counts as 1. */
    private static long elements(Type type) {
        long n = 1;
        for (Dim d : type.dims()) if (d instanceof Dim.Size s) n = Shape.times(n, s.n());
        return n;
    }

    /** A whole number known when the program is compiled. */
    int integer(Value v, SourcePos at, String what) {
        double x = constant(v, at, what);
        if (x != Math.rint(x)) throw new GraftException(at, what + " must be a whole number, found " + show(x));
        if (Math.abs(x) > Integer.MAX_VALUE) throw new GraftException(at, what + " is out of range, found " + show(x));
        return (int) x;
    }

    private Tensor arrayConstant(Value.Array a, SourcePos at) {
        var shape = new ArrayList<Integer>();
        var data = new ArrayList<Double>();
        flatten(a, 0, shape, data, at);
        return Tensor.of(Shape.of(shape.stream().mapToInt(Integer::intValue).toArray()),
                data.stream().mapToDouble(Double::doubleValue).toArray());
    }

    // nested arrays must be regular: every array at one depth has the length of the first;
    // an error is placed at the element (v, written at {@code at}) that breaks the rule
    private void flatten(Value v, int depth, List<Integer> shape, List<Double> data, SourcePos at) {
        if (v instanceof Value.Array a) {
            if (depth == shape.size()) {
                if (!data.isEmpty()) throw new GraftException(at, "this array is ragged: expected a number here, found a row");
                shape.add(a.items().size());
            } else if (shape.get(depth) != a.items().size()) {
                throw new GraftException(at, "this array is ragged: expected a row of " + shape.get(depth)
                        + " like the first, found " + a.describe());
            }
            for (int i = 0; i < a.items().size(); i++) flatten(a.items().get(i), depth + 1, shape, data, a.positions().get(i));
        } else {
            if (depth != shape.size()) throw new GraftException(at, "this array is ragged: expected a row here, found a number");
            data.add(constant(v, at, "an array element"));
        }
    }

    /** {@code a, b, c}: names to show how a tuple of n values is bound. */
    static List<String> placeholderNames(int n) {
        var out = new ArrayList<String>();
        for (int i = 0; i < n; i++) out.add(String.valueOf((char) ('a' + Math.min(i, 25))));
        return out;
    }

    /** A number as the language writes it: {@code 2}, {@code -0.5}, {@code 1e-8}, {@code 1e12}. */
    static String show(double v) { return Builtin.show(v); }
}
