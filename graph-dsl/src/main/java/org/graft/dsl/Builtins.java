package org.graft.dsl;

import static org.graft.ops.Ops.split;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.graft.core.Apply;
import org.graft.core.Constant;
import org.graft.core.GradientError;
import org.graft.core.GraftException;
import org.graft.core.Node;
import org.graft.core.ShapeError;
import org.graft.core.SourcePos;
import org.graft.core.Type;
import org.graft.core.grad.GradTable;
import org.graft.core.grad.GradTable.Disconnected;
import org.graft.core.runtime.Compiler;
import org.graft.core.tensor.Tensor;
import org.graft.ops.Builtin;
import org.graft.ops.Loops;
import org.graft.ops.Ops;
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

    /**
     * A fn as a scan's step: inlined once, on the placeholders of the carried values and slices,
     * giving what it returns (one value or several) as nodes.
     */
    private static Loops.Step step(Call c, FnDef f) {
        return (carried, slices) -> {
            var args = new ArrayList<Arg>();
            for (Node n : carried) args.add(new Arg(null, new Value.Expr(n), c.pos("f")));
            for (Node n : slices) args.add(new Arg(null, new Value.Expr(n), c.pos("f")));
            Value out = c.inliner().inline(f, args, c.at());
            List<Value> items = out instanceof Value.Tuple t ? t.items() : List.of(out);
            return items.stream().map(v -> c.values().node(v, c.at())).toList();
        };
    }

    /** What {@code iterate} and {@code scan} need of the compiler: a call of a fn, inlined (see {@code ProgramCompiler.inline}). */
    interface Inliner { Value inline(FnDef fn, List<Arg> args, SourcePos at); }

    /**
     * The arguments of one call, matched to their parameters, with conversions that say what was
     * expected: {@code args} and {@code positions} hold, by parameter, the value given and where it
     * was written (null where none was given), and {@code at} is where the call was written.
     */
    record Call(Values values, Inliner inliner, Spec<?> spec, Value[] args, SourcePos[] positions, SourcePos at) {

        /** Whether the call gives the parameter a value: it is neither left out nor written {@code none}. */
        boolean given(String param) { return args[index(param)] != null && !(args[index(param)] instanceof Value.None); }

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

        /** A finite number of 0 or more, such as a weight decay. */
        double nonNegative(String param) {
            double v = number(param);
            if (!(v >= 0 && v < Double.POSITIVE_INFINITY)) {
                throw new GraftException(pos(param), spec.name() + ": expected a finite " + param + " >= 0, found " + Values.show(v));
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

        /**
         * One value, or several given as a list {@code [h, c]} or a tuple (what a fn returning
         * {@code h, c} gives): a scan's carried values, its sequences.
         */
        List<Node> several(String param) {
            Value v = value(param);
            if (v instanceof Value.Array || v instanceof Value.Tuple) return nodes(param);
            return List.of(node(param));
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

        /** An array literal of pairs of integers known when the program is compiled: {@code [[0, 0], [1, 2]]}. */
        int[][] integerPairs(String param) {
            String what = spec.name() + ": " + param;
            List<Value> items = values.items(value(param), pos(param), what);
            int[][] out = new int[items.size()][];
            for (int i = 0; i < out.length; i++) {
                if (!(items.get(i) instanceof Value.Array pair) || pair.items().size() != 2) {
                    throw new GraftException(pos(param), what + " must be a list of pairs such as [[0, 0], [1, 2]], found "
                            + items.get(i).describe() + " as element " + i);
                }
                out[i] = pair.items().stream().mapToInt(v -> values.integer(v, pos(param), what)).toArray();
            }
            return out;
        }

        /** A whole number for both image axes, or a pair {@code [along h, along w]}: {@code {h, w}}. */
        int[] pair(String param) {
            int i = index(param);
            if (args[i] == null) {
                int n = ((Number) spec.defaults().get(i - spec.required())).intValue();
                return new int[] {n, n};
            }
            String what = spec.name() + ": " + param;
            if (args[i] instanceof Value.Array a) {
                if (a.items().size() != 2) {
                    throw new GraftException(pos(param), what + " must be a whole number or a pair [along h, along w], found " + a.describe());
                }
                return a.items().stream().mapToInt(v -> values.integer(v, pos(param), what)).toArray();
            }
            int n = values.integer(args[i], pos(param), what);
            return new int[] {n, n};
        }

        /** A string given for the parameter, or null where it is given otherwise. */
        String word(String param) { return value(param) instanceof Value.Text t ? t.text() : null; }

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
            if (call.value(name) instanceof Value.None) {
                if (param(name).kind() == Builtin.Kind.AXIS_OR_NONE) return null;
                throw new GraftException(call.pos(name), builtin.name() + ": " + name + " must be a whole number, found none");
            }
            if (!call.given(name) && call.defaultOf(name) == null) return null;
            Type of = firstOperand();
            return of == null ? call.integer(name) : call.axis(name, of);
        }

        private Builtin.Param param(String name) {
            return builtin.params().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
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
        public int[] integers(String name) { return call.given(name) || !param(name).optional() ? call.integers(name) : null; }

        @Override
        public int[][] integerPairs(String name) { return call.integerPairs(name); }

        @Override
        public int[] pair(String name) { return call.given(name) || call.defaultOf(name) != null ? call.pair(name) : null; }

        @Override
        public String word(String name) { return call.word(name); }

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
            new Registry.Entry(null, Builtin.operator("`grad(cost, x, consider_constant = [])`, `grad(cost, [x, y])`",
                    "`grad(cost, x)`, `grad(cost, List)`, `grad(cost, List, considerConstant)`, `grad(cost, List, Map knownGrads, "
                            + "considerConstant)`", "cost must be a scalar; the result has x's type and is a graph, so it "
                            + "differentiates again; a list gives a tuple of gradients from one walk. No gradient passes below a "
                            + "node of `consider_constant` (Theano's), which may still be x. Java's `knownGrads` (Theano's "
                            + "`known_grads`) start the walk from gradients known for some nodes, **added** to what the cost sends "
                            + "them (PyTorch's `backward` sums; Theano replaces); the language writes them with `vjp`"),
                    Registry.Section.DIFFERENTIATION),
            new Registry.Entry(null, Builtin.operator("`vjp(y, x, u)`, `vjp([y1, y2], x, [u1, u2])`", "`vjp(y, x, u)`",
                    "uᵀ dy/dx, of x's type, for u of y's type: the gradient of sum(y * u) without forming it. Lists of outputs "
                            + "and their gradients are known gradients: one walk gives the gradient of Σ sum(yᵢ uᵢ); x may be a "
                            + "list, as for `grad`"), Registry.Section.DIFFERENTIATION),
            new Registry.Entry(null, Builtin.operator("`jvp(y, x, v)`", "`jvp(y, x, v)`", "dy/dx · v, of y's type, for v of x's "
                    + "type: forward mode (Theano's R-op), one walk in topological order. Each op's tangent is its own rule where it "
                    + "has one (softmax, log_softmax, logsumexp, softmax_cross_entropy, gemm, solve), the bprop with the tangent as "
                    + "cotangent for elementwise ops, the op applied to the tangents for linear ones (sums, shapes, transposes) and "
                    + "one term per operand for matmul and vdot, and the transpose of the op's bprop otherwise (max, min, ...). "
                    + "`grad_clip` and `grad_scale` pass the tangent unchanged, `stop_gradient` stops it"),
                    Registry.Section.DIFFERENTIATION),
            new Registry.Entry(null, Builtin.operator("`jacobian(y, x)`", "`jacobian(y, x)`", "dy/dx of type y.dims + x.dims "
                    + "(`jacobian` of a `[3]` by a `[2, 2]` is `[3, 2, 2]`), in x's dtype; the dims must be sizes. Row by row in "
                    + "reverse mode (PyTorch's `jacobian`, JAX's `jacrev`): one gradient walk per element of y; **one walk in all** "
                    + "when every op between x and y is elementwise and y has x's type, the Jacobian being diagonal"),
                    Registry.Section.DIFFERENTIATION),
            new Registry.Entry(null, Builtin.operator("`hessian(cost, x)`", "`hessian(cost, x)`", "the Jacobian of `grad(cost, x)`, of "
                    + "type x.dims + x.dims: about one gradient graph per element of x, one in all for a sum of elementwise functions. "
                    + "The cost must depend on x; a gradient that does not (a linear cost's) gives zeros"),
                    Registry.Section.DIFFERENTIATION),
            new Registry.Entry(null, Builtin.operator("`hvp(cost, x, v)`", "`hvp(cost, x, v)`", "H v, of x's type, without forming H: "
                    + "forward mode over the gradient (`jvp` of `grad(cost, x)` along v), about twice the gradient's graph (JAX's "
                    + "`hvp`); the double vjp gives the same numbers in a graph some 7% larger (389 against 417 nodes for the first "
                    + "weight of a 16-layer tanh classifier, whose gradient has 180)"),
                    Registry.Section.DIFFERENTIATION),
            new Registry.Entry(null, Builtin.operator("`iterate(f, x0, k)`", "", "f applied k times: a scan without sequences "
                    + "that keeps the last value, one node however large k (of numbers written in the program only, computed "
                    + "when the program is compiled)"), Registry.Section.DIFFERENTIATION),
            new Registry.Entry(null, Builtin.operator("`scan(f, h0, xs, reverse = false, truncate = 0, steps = none)`",
                    "`hs = scan(step, h0, xs)`, `hs, cs = scan(lstm, [h0, c0], [xs])`", "Theano's scan: f(h..., x...) along "
                    + "xs's leading axis from h0, the states after every step stacked [t, ...] (then any further values f "
                    + "returns, stacked); several carried values or sequences as lists; one node and one compiled step "
                    + "whatever t, which may be symbolic; its gradient is back-propagation through time, a scan the other "
                    + "way, cut every truncate steps (PyTorch's detach-every-k); reverse runs from the last element and "
                    + "stacks in xs's order; without xs, steps = k"), Registry.Section.DIFFERENTIATION),
            new Registry.Entry(null, Builtin.operator("`eye(n, m = none, k = 0)`", "`eye(n)`, `eye(n, m, k)`", "NumPy's: the n × m matrix "
                    + "(n × n without m) of zeros with ones on diagonal k (k > 0 above the main one)"), Registry.Section.CONSTRUCTORS),
            new Registry.Entry(null, Builtin.operator("`arange(start, stop = none, step = 1)`", "`arange(stop)`, `arange(start, stop, "
                    + "step)`", "NumPy's and PyTorch's: start, start + step, ... while before stop, ⌈(stop - start) / step⌉ numbers, "
                    + "element i computed as start + i step; with one number, 0 to it (`arange(5)` is [0, 1, 2, 3, 4]); none where "
                    + "stop is not ahead of start in step's direction (NumPy; PyTorch refuses); step 0 or a bound that is not finite "
                    + "is an error"), Registry.Section.CONSTRUCTORS),
            new Registry.Entry(null, Builtin.operator("`linspace(start, stop, num = 50)`", "`linspace(start, stop, num)`", "num numbers "
                    + "from start to stop, both included, evenly spaced (NumPy's default num); computed as PyTorch does, the first "
                    + "half counted up from start and the second down from stop, so both ends are exact"), Registry.Section.CONSTRUCTORS));

    /**
     * A constructor's numbers as a value of the program: checked against the most a constant made when the program
     * is compiled may hold ({@link Values#MAX_CONSTANT_ELEMENTS}) before it is made, then weak as any number written.
     */
    private static Value constructed(Call c, long elements, Supplier<Constant> make) {
        if (elements > Values.MAX_CONSTANT_ELEMENTS) {
            throw new GraftException(c.at(), c.spec().name() + ": the result would hold " + String.format("%,d", elements)
                    + " numbers; a constant made when the program is compiled holds at most "
                    + String.format("%,d", Values.MAX_CONSTANT_ELEMENTS));
        }
        return new Value.Expr(c.values().numbers(make.get().value(), c.at()));
    }

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
        add(FUNCTIONS, "grad", List.of("cost", "x", "consider_constant"), List.of(List.of()), c -> {
            Node cost = scalar(c, "cost");
            List<Node> held = c.given("consider_constant") ? list(c, "consider_constant").nodes() : List.of();
            return variables(c, "x", wrt -> GradTable.grad(cost, wrt, Map.of(), held, Disconnected.RAISE));
        });
        // vjp(y, x, u), or vjp([y1, y2], x, [u1, u2]) for outputs with known gradients, in one walk
        add(FUNCTIONS, "vjp", List.of("y", "x", "u"), List.of(), c -> {
            // a list of outputs takes a list of gradients; one output takes one, which may be an array literal
            boolean several = c.value("y") instanceof Value.Array;
            Written ys = list(c, "y"), us = several ? list(c, "u") : new Written(List.of(c.node("u")), List.of(c.pos("u")));
            if (ys.nodes().size() != us.nodes().size()) {
                throw new GraftException(c.pos("u"), "vjp: " + ys.nodes().size() + " outputs and " + us.nodes().size()
                        + " output gradients; each output needs one of its type");
            }
            var seeds = new LinkedHashMap<Node, Node>();
            for (int i = 0; i < ys.nodes().size(); i++) {
                List<Node> pair = c.values().unify(List.of(ys.nodes().get(i), us.nodes().get(i)));
                Node y = pair.get(0), u = pair.get(1);
                if (!u.type().equals(y.type())) {
                    throw new ShapeError(us.at().get(i), "vjp: the gradient of " + y.label() + " must have its type " + y.type()
                            + ", found " + u.type());
                }
                seeds.merge(y, u, Ops::add);
            }
            return variables(c, "x", wrt -> GradTable.vjp(seeds, wrt, List.of(), Disconnected.RAISE));
        });
        add(FUNCTIONS, "jvp", List.of("y", "x", "v"), List.of(), c -> {
            List<Node> xv = c.operands("x", "v"); // v's numbers in x's dtype
            return derivative(c, () -> Ops.jvp(c.node("y"), xv.get(0), xv.get(1)));
        });
        add(FUNCTIONS, "jacobian", List.of("y", "x"), List.of(), c -> derivative(c, () -> Ops.jacobian(c.node("y"), c.node("x"))));
        add(FUNCTIONS, "hessian", List.of("cost", "x"), List.of(),
                c -> derivative(c, () -> Ops.hessian(scalar(c, "cost"), c.node("x"))));
        add(FUNCTIONS, "hvp", List.of("cost", "x", "v"), List.of(), c -> {
            List<Node> xv = c.operands("x", "v");
            return derivative(c, () -> Ops.hvp(scalar(c, "cost"), xv.get(0), xv.get(1)));
        });
        add(FUNCTIONS, "iterate", List.of("f", "x0", "k"), List.of(), c -> {
            FnDef f = c.fn("f");
            if (f.params().size() != 1) {
                throw new GraftException(c.pos("f"), "iterate: f must take one argument, found fn " + f.name()
                        + "(" + String.join(", ", f.params()) + ")");
            }
            int k = c.integer("k");
            if (k < 0) throw new GraftException(c.pos("k"), "iterate: k must be 0 or more, found " + k);
            // a scan without sequences keeping the last value: one node, however many steps
            Node last = Loops.scan(step(c, f), f.params(), List.of(c.node("x0")), List.of(), k, false, 0, false).get(0);
            Apply scan = (Apply) last.inputs().get(0);
            if (scan.op().isRandom() || !scan.inputs().stream().allMatch(c.values()::isWeak)) return new Value.Expr(last);
            // of numbers written in the program only: a number too, computed now, weak as any expression of numbers
            Tensor value = Compiler.compile(List.of(), List.of(last)).call().get(0);
            return new Value.Expr(c.values().numbers(value, c.at()));
        });
        add(FUNCTIONS, "scan", List.of("f", "h0", "xs", "reverse", "truncate", "steps"), Arrays.asList(null, false, 0, null), c -> {
            FnDef f = c.fn("f");
            List<Node> inits = c.several("h0");
            List<Node> sequences = c.given("xs") ? c.several("xs") : List.of();
            if (f.params().size() != inits.size() + sequences.size()) {
                throw new GraftException(c.pos("f"), "scan: f takes the carried values, then one slice of each sequence: "
                        + inits.size() + " + " + sequences.size() + " arguments, but fn " + f.name() + "("
                        + String.join(", ", f.params()) + ") takes " + f.params().size());
            }
            int truncate = c.integer("truncate");
            if (truncate < 0) throw new GraftException(c.pos("truncate"), "scan: truncate must be 0 (none) or more, found " + truncate);
            int steps = -1;
            if (sequences.isEmpty()) {
                if (!c.given("steps")) {
                    throw new GraftException(c.at(), "scan: without sequences xs, give the number of steps (steps = k)");
                }
                steps = c.integer("steps");
                if (steps < 0) throw new GraftException(c.pos("steps"), "scan: steps must be 0 or more, found " + steps);
            } else if (c.given("steps")) {
                throw new GraftException(c.pos("steps"), "scan: steps is for a scan without sequences; the sequences' "
                        + "leading dim counts the steps of this one");
            }
            List<Node> results = Loops.scan(step(c, f), f.params(), inits, sequences, steps, c.bool("reverse"), truncate, true);
            if (results.size() == 1) return new Value.Expr(results.get(0));
            return new Value.Tuple(results.stream().<Value>map(Value.Expr::new).toList());
        });

        // the constructors make constants of numbers known when the program is compiled: no op, and weak as numbers written
        add(FUNCTIONS, "eye", List.of("n", "m", "k"), Arrays.asList(null, 0), c -> {
            int n = c.integer("n"), m = c.given("m") ? c.integer("m") : n, k = c.integer("k");
            return constructed(c, (long) Math.max(n, 0) * Math.max(m, 0), () -> Ops.eye(n, m, k));
        });
        add(FUNCTIONS, "arange", List.of("start", "stop", "step"), Arrays.asList(null, 1.0), c -> {
            double start = c.given("stop") ? c.number("start") : 0, stop = c.given("stop") ? c.number("stop") : c.number("start");
            double step = c.number("step");
            return constructed(c, Ops.arangeSize(start, stop, step), () -> Ops.arange(start, stop, step));
        });
        add(FUNCTIONS, "linspace", List.of("start", "stop", "num"), List.of(50), c -> {
            double start = c.number("start"), stop = c.number("stop");
            int num = c.integer("num");
            return constructed(c, num, () -> Ops.linspace(start, stop, num));
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
        // Glorot & Bengio (2010), eq. 16: U(-a, a) with a = sqrt(6 / (fan_in + fan_out)); for filters
        // [f, c, kh, kw] each fan counts the taps too, c kh kw in and f kh kw out, as PyTorch and Keras
        add(INITIALIZERS, "glorot_uniform", List.of(), List.of(), c -> new Initializer("glorot_uniform", List.of(2, 4), (d, s, r) -> {
            int taps = s.rank() == 4 ? s.dim(2) * s.dim(3) : 1;
            double a = Math.sqrt(6.0 / ((s.dim(0) + s.dim(1)) * (double) taps));
            return Tensor.uniform(d, s, -a, a, r);
        }));

        // the optimizers check their hyper-parameters too; checked here, a bad one is shown where it is written.
        // Their arguments are torch.optim's, in its order, with its defaults (but for momentum's mu = 0.9).
        add(OPTIMIZERS, "sgd", List.of("lr", "weight_decay"), List.of(0.0),
                c -> new Optimizer.Sgd(c.positive("lr"), c.nonNegative("weight_decay")));
        add(OPTIMIZERS, "momentum", List.of("lr", "mu", "weight_decay"), List.of(0.9, 0.0),
                c -> new Optimizer.Momentum(c.positive("lr"), c.fraction("mu"), c.nonNegative("weight_decay")));
        add(OPTIMIZERS, "nesterov", List.of("lr", "mu", "weight_decay"), List.of(0.9, 0.0),
                c -> new Optimizer.Nesterov(c.positive("lr"), c.fraction("mu"), c.nonNegative("weight_decay")));
        add(OPTIMIZERS, "adam", List.of("lr", "beta1", "beta2", "eps", "weight_decay", "amsgrad"), List.of(0.9, 0.999, 1e-8, 0.0, false),
                c -> new Optimizer.Adam(c.positive("lr"), c.fraction("beta1"), c.fraction("beta2"), c.positive("eps"),
                        c.nonNegative("weight_decay"), c.bool("amsgrad")));
        add(OPTIMIZERS, "adamw", List.of("lr", "beta1", "beta2", "eps", "weight_decay", "amsgrad"), List.of(0.9, 0.999, 1e-8, 0.01, false),
                c -> new Optimizer.AdamW(c.positive("lr"), c.fraction("beta1"), c.fraction("beta2"), c.positive("eps"),
                        c.nonNegative("weight_decay"), c.bool("amsgrad")));
        add(OPTIMIZERS, "rmsprop", List.of("lr", "alpha", "eps", "weight_decay", "momentum", "centered"), List.of(0.99, 1e-8, 0.0, 0.0, false),
                c -> new Optimizer.RmsProp(c.positive("lr"), c.fraction("alpha"), c.positive("eps"), c.nonNegative("weight_decay"),
                        c.fraction("momentum"), c.bool("centered")));
        add(OPTIMIZERS, "adagrad", List.of("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"), List.of(0.0, 0.0, 0.0, 1e-10),
                c -> new Optimizer.Adagrad(c.positive("lr"), c.nonNegative("lr_decay"), c.nonNegative("weight_decay"),
                        c.nonNegative("initial_accumulator_value"), c.positive("eps")));
        add(OPTIMIZERS, "adadelta", List.of("lr", "rho", "eps", "weight_decay"), List.of(1.0, 0.9, 1e-6, 0.0),
                c -> new Optimizer.Adadelta(c.positive("lr"), c.fraction("rho"), c.positive("eps"), c.nonNegative("weight_decay")));
    }

    /** A list argument's nodes and where each is written; a single value is a list of one. */
    private record Written(List<Node> nodes, List<SourcePos> at) {}

    private static Written list(Call c, String param) {
        if (!(c.value(param) instanceof Value.Array list)) return new Written(List.of(c.node(param)), List.of(c.pos(param)));
        var nodes = new ArrayList<Node>();
        for (int i = 0; i < list.items().size(); i++) nodes.add(c.values().node(list.items().get(i), list.positions().get(i)));
        return new Written(nodes, list.positions());
    }

    /** The scalar a derivative of a cost needs. */
    private static Node scalar(Call c, String param) {
        Node cost = c.node(param);
        if (cost.type().rank() != 0) {
            throw new GraftException(c.pos(param), c.spec().name() + ": the " + param + " must be a scalar, found " + cost.type());
        }
        return cost;
    }

    /**
     * The derivatives with respect to the variable or the list of variables {@code param}: one
     * value for one, a tuple for a list, from one walk, as Theano's {@code grad(cost, [a, b])};
     * one call per variable would walk the graph once each.
     */
    private static Value variables(Call c, String param, Function<List<Node>, List<Node>> walk) {
        Written wrt = list(c, param);
        List<Node> out = positioned(() -> walk.apply(wrt.nodes()), wrt, c.pos(param));
        if (!(c.value(param) instanceof Value.Array)) return new Value.Expr(out.get(0));
        return new Value.Tuple(out.stream().<Value>map(Value.Expr::new).toList());
    }

    /** A derivative with respect to one variable, x, in the direction v when there is one. */
    private static Value derivative(Call c, Supplier<Node> build) {
        Written x = list(c, "x");
        if (!c.spec().params().contains("v")) return new Value.Expr(positioned(build, x, c.pos("x")));
        // a direction of the wrong type is shown where the call writes it, not where it was declared
        var args = new Written(List.of(x.nodes().get(0), c.node("v")), List.of(x.at().get(0), c.pos("v")));
        return new Value.Expr(positioned(build, args, c.pos("x")));
    }

    /**
     * Builds a derivative with respect to {@code wrt}: an error about one of the nodes of
     * {@code wrt} is shown where the call writes it, not where the node was declared; any other
     * error in differentiating, at {@code all}.
     */
    private static <T> T positioned(Supplier<T> build, Written wrt, SourcePos all) {
        try {
            return build.get();
        } catch (GradientError | ShapeError e) {
            for (int i = 0; i < wrt.nodes().size(); i++) {
                if (!e.pos().equals(wrt.nodes().get(i).pos())) continue;
                throw e instanceof ShapeError ? new ShapeError(wrt.at().get(i), e.detail()) : new GradientError(wrt.at().get(i), e.detail());
            }
            if (e instanceof ShapeError) throw e;
            throw new GradientError(all, e.detail());
        }
    }

    /** The names of a table, for messages: {@code zeros, ones, ...}. */
    static String names(Map<String, ? extends Spec<?>> table) {
        return table.values().stream().map(s -> s.params().isEmpty() ? s.name() : s.name() + s.signature())
                .collect(Collectors.joining(", "));
    }
}
