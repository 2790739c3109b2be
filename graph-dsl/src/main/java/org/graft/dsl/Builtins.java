package org.graft.dsl;

import static org.graft.ops.Ops.split;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.graft.core.GradientError;
import org.graft.core.GraftException;
import org.graft.core.Node;
import org.graft.core.ShapeError;
import org.graft.core.SourcePos;
import org.graft.core.Type;
import org.graft.core.grad.GradTable;
import org.graft.core.tensor.Tensor;
import org.graft.ops.Builtin;
import org.graft.ops.Registry;
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
                out.add(i < required ? params.get(i) : params.get(i) + " = " + Builtin.show(defaults.get(i - required)));
            }
            return "(" + String.join(", ", out) + ")";
        }

        private String arity() {
            int n = params.size();
            String count = n + " argument" + (n == 1 ? "" : "s");
            return (required == n ? count : "at most " + count) + " " + signature();
        }
    }

    /** What {@code iterate} needs of the compiler: a call of a fn, inlined (see {@code ProgramCompiler.inline}). */
    interface Inliner { Value inline(FnDef fn, List<Arg> args, SourcePos at); }

    /**
     * The arguments of one call, matched to their parameters, with conversions that say what was
     * expected: {@code args} and {@code positions} hold, by parameter, the value given and where it
     * was written (null where none was given), and {@code at} is where the call was written.
     */
    record Call(Values values, Inliner inliner, Spec<?> spec, Value[] args, SourcePos[] positions, SourcePos at) {

        boolean given(String param) { return args[index(param)] != null; }

        Value value(String param) { return args[index(param)]; }

        SourcePos pos(String param) { return positions[index(param)] != null ? positions[index(param)] : at; }

        Node node(String param) { return values.node(value(param), pos(param)); }

        /** The operands of one op, their numbers in the dtype of the others (see {@link WeakTypes}). */
        List<Node> operands(String... params) {
            return values.unify(Arrays.stream(params).map(this::node).toList());
        }

        double number(String param) {
            int i = index(param);
            if (args[i] == null) return ((Number) spec.defaults().get(i - spec.required())).doubleValue();
            return values.constant(args[i], pos(param), spec.name() + ": " + param);
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
            if (args[i] == null) return ((Number) spec.defaults().get(i - spec.required())).intValue();
            return values.integer(args[i], pos(param), spec.name() + ": " + param);
        }


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
            if (args[i] == null) return (Boolean) spec.defaults().get(i - spec.required());
            if (args[i] instanceof Value.Bool b) return b.value();
            throw new GraftException(pos(param), spec.name() + ": " + param + " must be true or false, found " + args[i].describe());
        }

        /** An array literal (or a tuple) of operands. */
        List<Node> nodes(String param) {
            return values.items(value(param), pos(param), spec.name() + ": " + param).stream()
                    .map(v -> values.node(v, pos(param))).toList();
        }

        /** An array literal of integers known when the program is compiled. */
        int[] integers(String param) {
            return values.items(value(param), pos(param), spec.name() + ": " + param).stream()
                    .mapToInt(v -> values.integer(v, pos(param), spec.name() + ": " + param)).toArray();
        }

        FnDef fn(String param) {
            if (value(param) instanceof Value.Fn f) return f.def();
            throw new GraftException(pos(param), spec.name() + ": " + param + " must name a fn, found " + value(param).describe());
        }

        Object defaultOf(String param) {
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

    /**
     * An op's built-in, from its registration ({@link Registry}): its parameters and defaults as
     * declared beside the op, each argument read as its parameter's kind says.
     */
    private static Spec<Value> op(Builtin b) {
        var names = b.params().stream().map(Builtin.Param::name).toList();
        var defaults = b.params().stream().filter(Builtin.Param::optional).map(Builtin.Param::defaultValue).toList();
        return new Spec<>(b.name(), names, names.size() - defaults.size(), defaults, c -> new Value.Expr(b.build().apply(new OpArgs(c, b))));
    }

    /**
     * A call's arguments as an op's build reads them: its operands unified together (their numbers
     * take the dtype of the others), an axis checked against the first operand's type where it is
     * written, and what a parameter left out stands for.
     */
    private static final class OpArgs implements Builtin.Args {
        private final Call call;
        private final Builtin builtin;
        private Map<String, Node> operands; // made when first asked: unified together

        OpArgs(Call call, Builtin builtin) {
            this.call = call;
            this.builtin = builtin;
        }

        @Override
        public Node operand(String name) {
            if (operands == null) {
                var names = builtin.params().stream().filter(p -> p.kind() == Builtin.Kind.OPERAND).map(Builtin.Param::name).toList();
                List<Node> unified = call.operands(names.toArray(new String[0]));
                operands = new LinkedHashMap<>();
                for (int i = 0; i < names.size(); i++) operands.put(names.get(i), unified.get(i));
            }
            return operands.get(name);
        }

        @Override
        public List<Node> operands(String name) { return call.values().unify(call.nodes(name)); }

        @Override
        public Integer axis(String name) {
            if (!call.given(name) && call.defaultOf(name) == null) return null;
            Type of = firstOperand();
            return of == null ? call.integer(name) : call.axis(name, of);
        }

        /** The type of the first operand, an axis's reference; null when there is none (an empty list). */
        private Type firstOperand() {
            for (Builtin.Param p : builtin.params()) {
                if (p.kind() == Builtin.Kind.OPERAND) return operand(p.name()).type();
                if (p.kind() == Builtin.Kind.OPERANDS) {
                    List<Node> list = operands(p.name());
                    return list.isEmpty() ? null : list.get(0).type();
                }
            }
            return null;
        }

        @Override
        public int integer(String name) { return call.integer(name); }

        @Override
        public int[] integers(String name) { return call.given(name) ? call.integers(name) : null; }

        @Override
        public double number(String name) { return call.number(name); }

        @Override
        public Double optionalNumber(String name) { return call.given(name) || call.defaultOf(name) != null ? call.number(name) : null; }

        @Override
        public boolean bool(String name) { return call.bool(name); }

        @Override
        public SourcePos pos(String name) { return call.pos(name); }
    }

    /**
     * The docs' rows of the functions of the language that are not ops, beside the ops' rows
     * in {@code docs/ops.md} ({@code OpsDocTest} keeps the tables to the registry and these).
     */
    static final List<Registry.Entry> LANGUAGE_ONLY = List.of(
            new Registry.Entry(null, Builtin.operator("`split(x, parts, axis = 0)`", "`split(x, parts, axis)`", "a tuple of `parts` "
                    + "equal slices; an error if the axis is symbolic or not divisible"), Registry.Section.SHAPE),
            new Registry.Entry(null, Builtin.operator("`grad(cost, x)`, `grad(cost, [x, y])`", "`grad(cost, x)`, `grad(cost, List)`",
                    "cost must be a scalar; the result has x's type and is a graph, so it differentiates again; a list gives a "
                            + "tuple of gradients from one walk"), Registry.Section.DIFFERENTIATION),
            new Registry.Entry(null, Builtin.operator("`iterate(f, x0, k)`", "", "f applied k times, inlined: k copies of its body"),
                    Registry.Section.DIFFERENTIATION));

    static {
        Registry.functions().forEach((name, b) -> FUNCTIONS.put(name, op(b)));
        add(FUNCTIONS, "split", List.of("x", "parts", "axis"), List.of(0), c -> {
            Node x = c.node("x");
            List<Value> pieces = split(x, c.integer("parts"), c.axis("axis", x.type())).stream().<Value>map(Value.Expr::new).toList();
            // one piece is a value, not a tuple: no statement could bind a tuple of one
            return pieces.size() == 1 ? pieces.get(0) : new Value.Tuple(pieces);
        });
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
