package org.graft.dsl;

import static org.graft.ops.Ops.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import org.graft.core.GradientError;
import org.graft.core.GraftException;
import org.graft.core.Node;
import org.graft.core.ShapeError;
import org.graft.core.SourcePos;
import org.graft.core.Type;
import org.graft.core.grad.GradTable;
import org.graft.core.tensor.Tensor;
import org.graft.ops.optim.Optimizer;

/**
 * The built-in names of the language, in three tables: functions, param initializers and
 * optimizers. Each entry lists its arguments in order, with the defaults of the optional
 * ones; one binder matches a call's positional and named arguments to them, so every
 * built-in checks arity and names the same way.
 */
final class Builtins {
    private Builtins() {}

    /**
     * An argument as written: its name if given as {@code name = value}, its value, where the
     * argument starts (for errors in the call's shape: a name given twice) and where its value
     * starts (for errors in the value: an axis out of range).
     */
    record Arg(String name, Value value, SourcePos pos, SourcePos valuePos) {
        Arg(String name, Value value, SourcePos pos) { this(name, value, pos, pos); }
    }

    /** A built-in: its arguments (those after {@code required} are optional, with defaults) and what it builds. */
    record Spec<T>(String name, List<String> params, int required, List<Object> defaults, Function<Call, T> build) {

        /** Matches the arguments to the parameters and builds, reading values through {@code values}. */
        T call(Values values, Inliner inliner, List<Arg> args, SourcePos at) {
            var bound = new Value[params.size()];
            var boundAt = new SourcePos[params.size()];
            bind(args, at, bound, boundAt);
            return build.apply(new Call(values, inliner, this, bound, boundAt, at));
        }

        /**
         * Matches the arguments of a call at {@code at} to the parameters, Python's way:
         * positional ones in order, then named ones, each parameter once, every required one
         * given. Fills in each parameter's value and where the value is written; those not
         * given stay null.
         */
        void bind(List<Arg> args, SourcePos at, Value[] bound, SourcePos[] boundAt) {
            boolean named = false;
            int position = 0;
            for (Arg a : args) {
                int i;
                if (a.name() == null) {
                    if (named) throw new GraftException(a.pos(), name + ": a positional argument follows a named one");
                    if (position >= params.size()) {
                        throw new GraftException(a.pos(), name + " takes " + arity() + ", found " + args.size());
                    }
                    i = position++;
                } else {
                    named = true;
                    i = params.indexOf(a.name());
                    if (i < 0) {
                        throw new GraftException(a.pos(), name + " has no argument named " + a.name()
                                + "; it takes " + signature());
                    }
                }
                if (bound[i] != null) throw new GraftException(a.pos(), name + ": argument " + params.get(i) + " is given twice");
                bound[i] = a.value();
                boundAt[i] = a.valuePos();
            }
            for (int i = 0; i < required; i++) {
                if (bound[i] == null) {
                    throw new GraftException(at, name + ": missing argument " + params.get(i) + " (it takes " + signature() + ")");
                }
            }
        }

        String signature() {
            var out = new ArrayList<String>();
            for (int i = 0; i < params.size(); i++) {
                out.add(i < required ? params.get(i) : params.get(i) + " = " + showDefault(defaults.get(i - required)));
            }
            return "(" + String.join(", ", out) + ")";
        }

        private String arity() {
            int n = params.size();
            String count = n + " argument" + (n == 1 ? "" : "s");
            return (required == n ? count : "at most " + count) + " " + signature();
        }

        /** A default as the language writes it: {@code none}, {@code 0.9}, {@code 1e-8}. */
        private static String showDefault(Object v) {
            if (v == null) return "none";
            return v instanceof Double d ? Values.show(d) : String.valueOf(v);
        }
    }

    /** What {@code iterate} needs of the compiler: a call of a fn, inlined (see {@code ProgramCompiler.inline}). */
    interface Inliner { Value inline(FnDef fn, List<Arg> args, SourcePos at); }

    /** The arguments of one call, matched to their parameters, with conversions that say what was expected. */
    static final class Call {
        private final Values convert;
        private final Inliner inliner;
        private final Spec<?> spec;
        private final Value[] values;
        private final SourcePos[] positions;
        private final SourcePos at;

        Call(Values convert, Inliner inliner, Spec<?> spec, Value[] values, SourcePos[] positions, SourcePos at) {
            this.convert = convert;
            this.inliner = inliner;
            this.spec = spec;
            this.values = values;
            this.positions = positions;
            this.at = at;
        }

        SourcePos at() { return at; }

        Values values() { return convert; }

        Inliner inliner() { return inliner; }

        boolean given(String param) { return values[index(param)] != null; }

        Value value(String param) { return values[index(param)]; }

        SourcePos pos(String param) { return positions[index(param)] != null ? positions[index(param)] : at; }

        Node node(String param) { return convert.node(value(param), pos(param)); }

        /** The operands of one op, their numbers in the dtype of the others (see {@link WeakTypes}). */
        List<Node> operands(String... params) {
            return convert.unify(Arrays.stream(params).map(this::node).toList());
        }

        double number(String param) {
            int i = index(param);
            if (values[i] == null) return ((Number) spec.defaults().get(i - spec.required())).doubleValue();
            return convert.constant(values[i], pos(param), spec.name() + ": " + param);
        }

        /** A number that must be finite and above 0, such as a learning rate. */
        double positive(String param) {
            double v = number(param);
            if (!(v > 0 && v < Double.POSITIVE_INFINITY)) {
                throw new GraftException(pos(param), spec.name() + ": expected a finite " + param + " > 0, found " + Values.show(v));
            }
            return v;
        }

        /** A number in [0, 1), such as a decay rate. */
        double fraction(String param) {
            double v = number(param);
            if (!(v >= 0 && v < 1)) throw new GraftException(pos(param), spec.name() + ": expected 0 <= " + param + " < 1, found " + Values.show(v));
            return v;
        }

        int integer(String param) {
            int i = index(param);
            if (values[i] == null) return ((Number) spec.defaults().get(i - spec.required())).intValue();
            return convert.integer(values[i], pos(param), spec.name() + ": " + param);
        }

        /** An optional axis of a value of type {@code of}, or null for the default "none" (every axis, for reductions). */
        Integer optionalAxis(String param, Type of) { return given(param) || defaultOf(param) != null ? axis(param, of) : null; }

        /**
         * An axis of a value of type {@code of} (negative ones count from the end), checked here so
         * that an axis out of range is shown where it is written.
         */
        int axis(String param, Type of) {
            int axis = integer(param);
            if (axis < -of.rank() || axis >= of.rank()) {
                throw new ShapeError(pos(param), spec.name() + ": " + param + " " + axis + " is out of range for " + of
                        + " (rank " + of.rank() + ")");
            }
            return axis;
        }

        boolean bool(String param) {
            int i = index(param);
            if (values[i] == null) return (Boolean) spec.defaults().get(i - spec.required());
            if (values[i] instanceof Value.Bool b) return b.value();
            throw new GraftException(pos(param), spec.name() + ": " + param + " must be true or false, found " + values[i].describe());
        }

        /** An array literal (or a tuple) of operands. */
        List<Node> nodes(String param) {
            return convert.items(value(param), pos(param), spec.name() + ": " + param).stream()
                    .map(v -> convert.node(v, pos(param))).toList();
        }

        /** An array literal of integers known when the program is compiled. */
        int[] integers(String param) {
            return convert.items(value(param), pos(param), spec.name() + ": " + param).stream()
                    .mapToInt(v -> convert.integer(v, pos(param), spec.name() + ": " + param)).toArray();
        }

        FnDef fn(String param) {
            if (value(param) instanceof Value.Fn f) return f.def();
            throw new GraftException(pos(param), spec.name() + ": " + param + " must name a fn, found " + value(param).describe());
        }

        private Object defaultOf(String param) {
            int i = index(param);
            return i < spec.required() ? null : spec.defaults().get(i - spec.required());
        }

        private int index(String param) {
            int i = spec.params().indexOf(param);
            if (i < 0) throw new IllegalArgumentException(spec.name() + " has no parameter " + param);
            return i;
        }
    }

    // ---- the tables ---------------------------------------------------------------------------

    static final Map<String, Spec<Value>> FUNCTIONS = new LinkedHashMap<>();
    static final Map<String, Spec<Initializer>> INITIALIZERS = new LinkedHashMap<>();
    static final Map<String, Spec<Optimizer>> OPTIMIZERS = new LinkedHashMap<>();

    private static <T> void add(Map<String, Spec<T>> table, String name, List<String> params, List<Object> defaults,
                                Function<Call, T> build) {
        table.put(name, new Spec<>(name, params, params.size() - defaults.size(), defaults, build));
    }

    private static void function(String name, List<String> params, List<Object> defaults, Function<Call, Node> build) {
        add(FUNCTIONS, name, params, defaults, c -> new Value.Expr(build.apply(c)));
    }

    private static void unary(String name, UnaryOperator<Node> f) { function(name, List.of("x"), List.of(), c -> f.apply(c.node("x"))); }

    private interface Pairwise { Node apply(Node a, Node b); }

    private static void binary(String name, String a, String b, Pairwise f) {
        function(name, List.of(a, b), List.of(), c -> {
            List<Node> ab = c.operands(a, b);
            return f.apply(ab.get(0), ab.get(1));
        });
    }

    private interface Reduction { Node apply(Node x, int[] axes, boolean keepdims); }

    /** A reduction over {@code axis}, or over every axis to a scalar when none is given. */
    private static void reduction(String name, Reduction f) {
        function(name, List.of("x", "axis", "keepdims"), Arrays.asList(null, false), c -> {
            Node x = c.node("x");
            Integer axis = c.optionalAxis("axis", x.type());
            int[] axes = axis == null ? java.util.stream.IntStream.range(0, x.type().rank()).toArray() : new int[] {axis};
            return f.apply(x, axes, c.bool("keepdims"));
        });
    }

    static {
        unary("exp", x -> exp(x));
        unary("log", x -> log(x));
        unary("log1p", x -> log1p(x));
        unary("expm1", x -> expm1(x));
        unary("sqrt", x -> sqrt(x));
        unary("square", x -> square(x));
        unary("abs", x -> abs(x));
        unary("sign", x -> sign(x));
        unary("reciprocal", x -> reciprocal(x));
        unary("sigmoid", x -> sigmoid(x));
        unary("tanh", x -> tanh(x));
        unary("relu", x -> relu(x));
        unary("softplus", x -> softplus(x));
        unary("sin", x -> sin(x));
        unary("cos", x -> cos(x));
        binary("maximum", "a", "b", (a, b) -> maximum(a, b));
        binary("minimum", "a", "b", (a, b) -> minimum(a, b));
        binary("pow", "a", "b", (a, b) -> pow(a, b));
        function("where", List.of("c", "a", "b"), List.of(), c -> {
            List<Node> cab = c.operands("c", "a", "b");
            return where(cab.get(0), cab.get(1), cab.get(2));
        });
        function("clip", List.of("x", "lo", "hi"), List.of(), c -> {
            List<Node> xs = c.operands("x", "lo", "hi");
            return clip(xs.get(0), xs.get(1), xs.get(2));
        });

        reduction("sum", (x, axes, k) -> sum(x, axes, k));
        reduction("mean", (x, axes, k) -> mean(x, axes, k));
        reduction("max", (x, axes, k) -> max(x, axes, k));
        reduction("min", (x, axes, k) -> min(x, axes, k));
        reduction("logsumexp", (x, axes, k) -> logsumexp(x, axes, k));
        reduction("argmax", (x, axes, k) -> argmax(x, axes, k));
        reduction("argmin", (x, axes, k) -> argmin(x, axes, k));

        function("softmax", List.of("x", "axis"), List.of(-1), c -> {
            Node x = c.node("x");
            return softmax(x, c.axis("axis", x.type()));
        });
        function("log_softmax", List.of("x", "axis"), List.of(-1), c -> {
            Node x = c.node("x");
            return logSoftmax(x, c.axis("axis", x.type()));
        });
        binary("softmax_cross_entropy", "logits", "onehot", (z, t) -> softmaxCrossEntropy(z, t));
        binary("binary_cross_entropy", "p", "t", (p, t) -> binaryCrossEntropy(p, t));
        binary("bce_with_logits", "logits", "t", (z, t) -> bceWithLogits(z, t));

        function("reshape", List.of("x", "shape"), List.of(), c -> reshape(c.node("x"), c.integers("shape")));
        function("broadcast_to", List.of("x", "shape"), List.of(), c -> broadcastTo(c.node("x"), c.integers("shape")));
        function("concat", List.of("xs", "axis"), List.of(0), c -> {
            List<Node> xs = c.values().unify(c.nodes("xs"));
            return concat(xs, xs.isEmpty() ? c.integer("axis") : c.axis("axis", xs.get(0).type()));
        });
        add(FUNCTIONS, "split", List.of("x", "parts", "axis"), List.of(0), c -> {
            Node x = c.node("x");
            List<Value> pieces = split(x, c.integer("parts"), c.axis("axis", x.type())).stream().<Value>map(Value.Expr::new).toList();
            // one piece is a value, not a tuple: no statement could bind a tuple of one
            return pieces.size() == 1 ? pieces.get(0) : new Value.Tuple(pieces);
        });
        function("transpose", List.of("x", "perm"), Arrays.asList((Object) null), c -> {
            Node x = c.node("x");
            if (c.given("perm")) return transpose(x, c.integers("perm"));
            if (x.type().rank() < 2) {
                throw new ShapeError(c.pos("x"), "transpose: without perm it swaps the last two axes, so x needs rank 2 or more, found "
                        + x.type());
            }
            return transpose(x);
        });
        function("one_hot", List.of("labels", "k"), List.of(), c -> oneHot(c.node("labels"), c.integer("k")));
        unary("zeros_like", x -> zerosLike(x));
        unary("ones_like", x -> onesLike(x));
        function("fill", List.of("x", "value"), List.of(), c -> fill(c.node("x"), c.number("value")));

        function("normal_like", List.of("x", "mean", "std"), List.of(0.0, 1.0),
                c -> normalLike(c.node("x"), c.number("mean"), c.number("std")));
        function("uniform_like", List.of("x", "lo", "hi"), List.of(0.0, 1.0),
                c -> uniformLike(c.node("x"), c.number("lo"), c.number("hi")));
        unary("bernoulli", x -> bernoulli(x));

        // grad(cost, x), or grad(cost, [a, b, ...]) for a tuple of gradients from one walk, as
        // Theano's grad(cost, [a, b]): one call per variable would walk the graph once each
        add(FUNCTIONS, "grad", List.of("cost", "x"), List.of(), c -> {
            Node cost = c.node("cost");
            if (cost.type().rank() != 0) {
                throw new GraftException(c.pos("cost"), "grad: the cost must be a scalar, found " + cost.type());
            }
            if (!(c.value("x") instanceof Value.Array list)) {
                return new Value.Expr(grad(cost, List.of(c.node("x")), List.of(c.pos("x")), c.pos("x")).get(0));
            }
            var wrt = new ArrayList<Node>();
            for (int i = 0; i < list.items().size(); i++) wrt.add(c.values().node(list.items().get(i), list.positions().get(i)));
            return new Value.Tuple(grad(cost, wrt, list.positions(), c.pos("x")).stream().<Value>map(Value.Expr::new).toList());
        });
        unary("stop_gradient", x -> stopGradient(x));
        add(FUNCTIONS, "iterate", List.of("f", "x0", "k"), List.of(), c -> {
            FnDef f = c.fn("f");
            if (f.params().size() != 1) {
                throw new GraftException(c.pos("f"), "iterate: f must take one argument, found fn " + f.name()
                        + "(" + String.join(", ", f.params()) + ")");
            }
            int k = c.integer("k");
            if (k < 0) throw new GraftException(c.pos("k"), "iterate: k must be 0 or more, found " + k);
            if (k > ProgramCompiler.MAX_INLINED) {
                throw new GraftException(c.pos("k"), "iterate: k must be at most " + ProgramCompiler.MAX_INLINED
                        + ", found " + k + "; each step copies the fn's body into the graph");
            }
            Value x = c.value("x0");
            for (int i = 0; i < k; i++) x = c.inliner().inline(f, List.of(new Arg(null, x, c.pos("x0"))), c.at());
            return x;
        });

        add(INITIALIZERS, "zeros", List.of(), List.of(), c -> new Initializer("zeros", (d, s, r) -> Tensor.zeros(d, s)));
        add(INITIALIZERS, "ones", List.of(), List.of(), c -> new Initializer("ones", (d, s, r) -> Tensor.ones(d, s)));
        add(INITIALIZERS, "constant", List.of("v"), List.of(), c -> {
            double v = c.number("v");
            return new Initializer("constant(" + v + ")", (d, s, r) -> Tensor.full(d, s, v));
        });
        add(INITIALIZERS, "normal", List.of("mean", "std"), List.of(), c -> {
            double mean = c.number("mean"), std = c.number("std");
            if (!(std >= 0)) throw new GraftException(c.pos("std"), "normal: std must be 0 or more, found " + Values.show(std));
            return new Initializer("normal(" + mean + ", " + std + ")", (d, s, r) -> Tensor.normal(d, s, mean, std, r));
        });
        add(INITIALIZERS, "uniform", List.of("lo", "hi"), List.of(), c -> {
            double lo = c.number("lo"), hi = c.number("hi");
            if (!(lo < hi)) throw new GraftException(c.at(), "uniform: lo must be below hi, found " + Values.show(lo) + " and " + Values.show(hi));
            return new Initializer("uniform(" + lo + ", " + hi + ")", (d, s, r) -> Tensor.uniform(d, s, lo, hi, r));
        });
        // Glorot & Bengio (2010), eq. 16: U(-a, a) with a = sqrt(6 / (fan_in + fan_out))
        add(INITIALIZERS, "glorot_uniform", List.of(), List.of(), c -> new Initializer("glorot_uniform", 2, (d, s, r) -> {
            double a = Math.sqrt(6.0 / (s.dim(0) + s.dim(1)));
            return Tensor.uniform(d, s, -a, a, r);
        }));

        // the optimizers check their hyper-parameters too; checked here, a bad one is shown where it is written
        add(OPTIMIZERS, "sgd", List.of("lr"), List.of(), c -> Optimizer.sgd(c.positive("lr")));
        add(OPTIMIZERS, "momentum", List.of("lr", "mu"), List.of(0.9), c -> Optimizer.momentum(c.positive("lr"), c.fraction("mu")));
        add(OPTIMIZERS, "adam", List.of("lr", "beta1", "beta2", "eps"), List.of(0.9, 0.999, 1e-8),
                c -> Optimizer.adam(c.positive("lr"), c.fraction("beta1"), c.fraction("beta2"), c.positive("eps")));
    }

    /**
     * The gradients of {@code cost} with respect to {@code wrt}, written at {@code at}: an error
     * is shown at the argument, not where a variable was declared; at the variable it names,
     * else at {@code all}.
     */
    private static List<Node> grad(Node cost, List<Node> wrt, List<SourcePos> at, SourcePos all) {
        try {
            return GradTable.grad(cost, wrt);
        } catch (GradientError e) {
            for (int i = 0; i < wrt.size(); i++) if (e.pos().equals(wrt.get(i).pos())) throw new GradientError(at.get(i), e.detail());
            throw new GradientError(all, e.detail());
        }
    }

    /** The names of a table, for messages: {@code zeros, ones, ...}. */
    static String names(Map<String, ? extends Spec<?>> table) {
        return table.values().stream().map(s -> s.params().isEmpty() ? s.name() : s.name() + s.signature())
                .collect(Collectors.joining(", "));
    }
}
