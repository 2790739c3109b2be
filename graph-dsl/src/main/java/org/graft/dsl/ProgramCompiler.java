package org.graft.dsl;

import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.div;
import static org.graft.ops.Ops.equal;
import static org.graft.ops.Ops.greater;
import static org.graft.ops.Ops.greaterEqual;
import static org.graft.ops.Ops.less;
import static org.graft.ops.Ops.lessEqual;
import static org.graft.ops.Ops.matmul;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.neg;
import static org.graft.ops.Ops.notEqual;
import static org.graft.ops.Ops.pow;
import static org.graft.ops.Ops.slice;
import static org.graft.ops.Ops.sub;
import static org.graft.ops.Ops.take;
import static org.graft.ops.Ops.transpose;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.Interval;
import org.antlr.v4.runtime.tree.TerminalNode;

import org.graft.core.Apply;
import org.graft.core.Constant;
import org.graft.core.Dim;
import org.graft.core.GraftException;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.ShapeError;
import org.graft.core.SourcePos;
import org.graft.core.Type;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Tensor;
import org.graft.dsl.Builtins.Arg;
import org.graft.dsl.GraftParser.*;
import org.graft.ops.Slice;
import org.graft.ops.optim.Optimizer;

/**
 * The compiler from parse tree to graph. It walks the statements in order with a scope of
 * bindings, builds each expression through the {@link org.graft.ops.Ops} builders (so types
 * are checked as the graph grows), inlines fn calls, folds {@code const}s, and applies the
 * {@code --set} values. Every node it makes carries the position of the source that wrote it.
 */
final class ProgramCompiler extends GraftBaseVisitor<Value> {
    private final String file;
    private final Map<String, Tensor> set;
    private final Map<String, Integer> setDims = new HashMap<>(); // symbols fixed by --set values
    private final Scope global = new Scope(null);
    private Scope scope = global;
    /** A fn call being inlined, and where it was called. */
    private record Frame(FnDef fn, SourcePos at) {}

    private final Deque<Frame> calls = new ArrayDeque<>(); // innermost first
    private GraftException traced; // the error that already says which calls it happened in
    private int inlined; // fn calls inlined so far, iterate's steps included
    private final Map<String, SourcePos> symbols = new HashMap<>(); // the symbolic dims written so far, at their first use

    private final List<Input> inputs = new ArrayList<>();
    private final Map<Input, Tensor> inputValues = new LinkedHashMap<>();
    private final Map<Param, Initializer> params = new LinkedHashMap<>();
    private final Map<Param, Tensor> paramValues = new LinkedHashMap<>();
    private final Map<String, Node> bindings = new LinkedHashMap<>();
    private final Map<String, Node> outputs = new LinkedHashMap<>();
    private Program.Objective objective;
    private final Map<Param, Node> stateUpdates = new LinkedHashMap<>();
    private final Map<Param, SourcePos> updatedAt = new HashMap<>();
    private final Map<String, Node> metrics = new LinkedHashMap<>();

    private final DType forcedDtype;    // every type's dtype, or null for each type's own
    private final WeakTypes weakTypes = new WeakTypes();
    private final Values values;
    private final Set<DType> written = EnumSet.noneOf(DType.class);

    /** A compiler with {@code --set} values; a non-null {@code dtype} replaces the dtype of every type and number. */
    ProgramCompiler(String file, Map<String, Tensor> set, DType dtype) {
        this.file = file;
        this.set = new LinkedHashMap<>(set);
        this.forcedDtype = dtype;
        this.values = new Values(dtype != null ? dtype : DType.F64, weakTypes); // numbers in the forced dtype, else f64
    }

    Program compile(ProgramContext tree) {
        for (StatementContext s : tree.statement()) visit(s);
        if (!set.isEmpty()) {
            String name = set.keySet().iterator().next();
            Scope.Entry entry = global.lookup(name);
            if (entry != null) {
                throw new GraftException("--set " + name + ": " + name + " is a fn; --set gives values to inputs, params,"
                        + " consts and bindings");
            }
            throw new GraftException("--set " + name + ": the program binds no name " + name + Suggestions.didYouMean(name, global.visible()));
        }
        return new Program(file, inputs, inputValues, params, paramValues, setDims, bindings, outputs, objective,
                stateUpdates, metrics, written);
    }

    // ---- statements ---------------------------------------------------------------------------

    // INPUT NAME ':' type
    @Override
    public Value visitInputStmt(InputStmtContext ctx) {
        String name = declare(ctx.NAME(), "input");
        SourcePos at = pos(ctx.NAME());
        var input = new Input(name, type(ctx.type(), "input " + name), at);
        Tensor value = set.remove(name);
        if (value != null) inputValues.put(input, fit(name, input.type(), value, at));
        inputs.add(input);
        bindGlobal(name, input, at, "input");
        return null;
    }

    // PARAM NAME ':' type '=' expr
    @Override
    public Value visitParamStmt(ParamStmtContext ctx) {
        String name = declare(ctx.NAME(), "param");
        SourcePos at = pos(ctx.NAME());
        Type type = type(ctx.type(), "param " + name);
        var param = new Param(name, type, at);
        Initializer init = initializer(ctx.expr());
        if (!init.ranks().isEmpty() && !init.ranks().contains(type.rank())) {
            String ranks = init.ranks().stream().map(String::valueOf).collect(Collectors.joining(" or "));
            throw new ShapeError(pos(ctx.expr()), init.text() + " initializes a param of rank " + ranks + ", found " + type);
        }
        params.put(param, init);
        Tensor value = set.remove(name);
        if (value != null) paramValues.put(param, fit(name, type, value, at));
        bindGlobal(name, param, at, "param");
        return null;
    }

    // CONST NAME '=' expr
    @Override
    public Value visitConstStmt(ConstStmtContext ctx) {
        String name = declare(ctx.NAME(), "const");
        SourcePos at = pos(ctx.NAME());
        SourcePos symbol = symbols.get(name);
        if (symbol != null) {
            // the types written before stay symbolic in name, those after would take its value
            throw new GraftException(at, "const " + name + ": " + name + " is already a symbolic dim (at " + symbol.lineColumn()
                    + "); a const that sizes dims must come before them");
        }
        Tensor given = scope == global ? set.remove(name) : null;
        double value;
        if (given != null) {
            if (given.size() != 1 || given.rank() != 0) {
                throw new GraftException(at, "--set " + name + ": a const is a number, found a value of shape " + given.shape());
            }
            value = given.item();
        } else {
            value = values.constant(visit(ctx.expr()), pos(ctx.expr()), "const " + name);
        }
        Constant number = values.literal(value, at);
        Node node = weakTypes.copied(number, number.named(name));
        scope.bind(name, new Value.Expr(node), at, "const");
        if (scope == global) bindings.put(name, node);
        return null;
    }

    // FN NAME '(' names? ')' '=' expr
    @Override
    public Value visitFnStmt(FnStmtContext ctx) {
        defineFn(ctx.NAME(), ctx.names(), ctx.expr(), null);
        return null;
    }

    // FN NAME '(' names? ')' block
    @Override
    public Value visitFnBlockStmt(FnBlockStmtContext ctx) {
        defineFn(ctx.NAME(), ctx.names(), null, ctx.block());
        return null;
    }

    // NAME '=' expr
    @Override
    public Value visitBindStmt(BindStmtContext ctx) {
        bindOne(ctx.NAME(), ctx.expr(), null);
        return null;
    }

    /**
     * Binds the name to the expression's one value, as {@code NAME = EXPR} does; a check of
     * that value (a metric's rank) runs before any {@code --set} value replaces it. Returns the
     * node bound.
     */
    private Node bindOne(TerminalNode nameToken, ExprContext expr, Consumer<Node> check) {
        String name = declare(nameToken, "binding");
        SourcePos at = pos(nameToken);
        Value value = visit(expr);
        if (value instanceof Value.Tuple t) {
            throw new GraftException(pos(expr), "this gives " + t.describe() + "; bind them to as many names: "
                    + String.join(", ", Values.placeholderNames(t.items().size())) + " = ...");
        }
        if (value instanceof Value.Fn f) {
            throw new GraftException(pos(expr), f.describe() + " is a function, not a value: call it");
        }
        Node node = values.node(value, pos(expr));
        if (check != null) check.accept(node);
        return bind(name, node, at);
    }

    // NAME (',' NAME)+ '=' expr
    @Override
    public Value visitDestructureStmt(DestructureStmtContext ctx) {
        List<TerminalNode> names = ctx.NAME();
        Value value = visit(ctx.expr());
        if (!(value instanceof Value.Tuple t) || t.items().size() != names.size()) {
            throw new GraftException(pos(ctx.expr()), names.size() + " names are bound here, but the expression gives "
                    + (value instanceof Value.Tuple t2 ? t2.describe() : "one value"));
        }
        for (int i = 0; i < names.size(); i++) {
            String name = declare(names.get(i), "binding");
            bind(name, values.node(t.items().get(i), pos(ctx.expr())), pos(names.get(i)));
        }
        return null;
    }

    /** Binds a name written at {@code at} to a node, or at the top level to its {@code --set} value; returns the node bound. */
    private Node bind(String name, Node node, SourcePos at) {
        Tensor given = scope == global ? set.remove(name) : null;
        // Theano's givens: the binding becomes a constant before anything (grad included) reads it
        if (given != null) {
            Constant value = Constant.of(fit(name, node.type(), given, at), node.type()).named(name).at(at);
            node = weakTypes.isWeak(node) ? weakTypes.literal(value) : value;   // a number replaced is still a number
        } else {
            node = named(node, name);
        }
        scope.bind(name, new Value.Expr(node), at, "binding");
        if (scope == global) bindings.put(name, node);
        return node;
    }

    // OUTPUT names
    @Override
    public Value visitOutputStmt(OutputStmtContext ctx) {
        for (TerminalNode n : ctx.names().NAME()) {
            String name = n.getText();
            if (outputs.containsKey(name)) throw new GraftException(pos(n), name + " is already an output");
            outputs.put(name, values.node(lookup(n), pos(n)));
        }
        return null;
    }

    // direction=(MINIMIZE | MAXIMIZE) expr WITH NAME '(' args? ')'
    @Override
    public Value visitObjectiveStmt(ObjectiveStmtContext ctx) {
        String direction = ctx.direction.getText();
        SourcePos at = pos(ctx.direction);
        if (objective != null) {
            throw new GraftException(at, "a program has one objective; there is already one at " + objective.pos().lineColumn());
        }
        Node cost = values.node(visit(ctx.expr()), pos(ctx.expr()));
        if (cost.type().rank() != 0) {
            throw new GraftException(pos(ctx.expr()), direction + ": the objective must be a scalar, found " + cost.type());
        }
        String name = ctx.NAME().getText();
        var spec = Builtins.OPTIMIZERS.get(name);
        if (spec == null) {
            throw new GraftException(pos(ctx.NAME()), "unknown optimizer " + name + ": expected "
                    + Builtins.names(Builtins.OPTIMIZERS) + Suggestions.didYouMean(name, Builtins.OPTIMIZERS.keySet()));
        }
        Optimizer optimizer = buildingAt(pos(ctx.NAME()), name, () -> spec.call(values, this::inline, args(ctx.args()), pos(ctx.NAME())));
        String text = ctx.expr().getStart().getInputStream().getText(
                Interval.of(ctx.expr().getStart().getStartIndex(), ctx.expr().getStop().getStopIndex()));
        objective = new Program.Objective(cost, direction.equals("maximize"), optimizer, at, text);
        return null;
    }

    // UPDATE NAME '=' expr
    @Override
    public Value visitUpdateStmt(UpdateStmtContext ctx) {
        String name = ctx.NAME().getText();
        SourcePos at = pos(ctx.NAME());
        Scope.Entry entry = scope.lookup(name);
        if (entry == null) {
            var known = new ArrayList<String>();
            for (Param p : params.keySet()) known.add(p.label());
            throw new GraftException(at, "update: no param named " + name + Suggestions.didYouMean(name, known));
        }
        if (!entry.kind().equals("param")) {
            throw new GraftException(at, "update: " + name + " is " + withArticle(entry.kind()) + ", not a param");
        }
        var param = (Param) ((Value.Expr) entry.value()).node();
        SourcePos first = updatedAt.get(param);
        if (first != null) {
            throw new GraftException(at, "update: " + name + " is already updated (at " + first.lineColumn()
                    + "); a param is updated at most once");
        }
        Node value = weakTypes.coerce(values.node(visit(ctx.expr()), pos(ctx.expr())), param.type().dtype());
        if (!value.type().equals(param.type())) {
            throw new ShapeError(pos(ctx.expr()), "update " + name + ": the new value has type " + value.type()
                    + ", but param " + name + " has type " + param.type());
        }
        // an expression written in the statement itself is named after it, so that a dump of the roots says what it is
        stateUpdates.put(param, named(value, "update " + name));
        updatedAt.put(param, at);
        return null;
    }

    // METRIC NAME '=' expr
    @Override
    public Value visitMetricStmt(MetricStmtContext ctx) {
        String name = ctx.NAME().getText();
        Node node = bindOne(ctx.NAME(), ctx.expr(), value -> {
            if (value.type().rank() != 0) {
                throw new ShapeError(pos(ctx.expr()), "metric " + name + ": a metric must be a scalar, found " + value.type()
                        + " (take the mean over the batch)");
            }
        });
        metrics.put(name, node);
        return null;
    }

    // ---- expressions --------------------------------------------------------------------------

    // expr '[' subscript (',' subscript)* ']'
    @Override
    public Value visitIndexExpr(IndexExprContext ctx) {
        Node x = values.node(visit(ctx.expr()), pos(ctx.expr()));
        // NumPy's indexing: ranges, and numbers known when the program is compiled, are basic
        // indexing (a slice); any other index, an array literal or a value of the graph, is an
        // array of indices (take), and an axis it indexes is taken whole by the slice
        var basic = new ArrayList<Slice>();
        var arrays = new ArrayList<Node>();
        var arrayAt = new ArrayList<Integer>();
        for (SubscriptContext s : ctx.subscript()) {
            if (s instanceof IndexSubscriptContext i) {
                Value v = visit(i.expr());
                if (values.isKnownNumber(v)) {
                    basic.add(Slice.index(values.integer(v, pos(i), "an index")));
                } else {
                    arrays.add(values.node(v, pos(i)));
                    arrayAt.add(basic.size());
                    basic.add(Slice.all());
                }
            } else {
                var r = (RangeSubscriptContext) s;
                Integer start = r.start == null ? null : values.integer(visit(r.start), pos(r.start), "a slice bound");
                Integer stop = r.stop == null ? null : values.integer(visit(r.stop), pos(r.stop), "a slice bound");
                int step = r.step == null ? 1 : values.integer(visit(r.step), pos(r.step), "a slice step");
                basic.add(Slice.range(start, stop, step));
            }
        }
        SourcePos at = pos(ctx.getChild(1));
        if (arrays.isEmpty()) return build(at, () -> slice(x, basic.toArray(new Slice[0])));
        return build(at, () -> indexed(x, basic, arrays, arrayAt));
    }

    /**
     * NumPy's integer-array indexing: {@code x} sliced by {@code basic}, then read by the index
     * {@code arrays}, written at the subscripts {@code arrayAt}. The arrays and the integer
     * subscripts broadcast together (an integer drops its axis), and the dims they give replace
     * the arrays' axes where these are adjacent among the subscripts, or come first where a
     * slice separates them, as NumPy puts them.
     */
    private static Node indexed(Node x, List<Slice> basic, List<Node> arrays, List<Integer> arrayAt) {
        boolean sliced = basic.stream().anyMatch(s -> !(s instanceof Slice.Range r && r.isWhole() && r.step() == 1));
        Node y = sliced ? slice(x, basic.toArray(new Slice[0])) : x;
        // the axes of y the arrays index: an integer before an array has dropped its axis
        var axes = new ArrayList<Integer>();
        for (int at : arrayAt) {
            int dropped = 0;
            for (int i = 0; i < at; i++) if (basic.get(i) instanceof Slice.Index) dropped++;
            axes.add(at - dropped);
        }
        // NumPy's rule: the arrays and the integers together are "advanced"; adjacent, their dims stay in place
        int first = arrayAt.get(0), last = arrayAt.get(arrayAt.size() - 1);
        for (int i = 0; i < basic.size(); i++) {
            if (basic.get(i) instanceof Slice.Index) {
                first = Math.min(first, i);
                last = Math.max(last, i);
            }
        }
        boolean adjacent = true;
        for (int i = first; i <= last; i++) adjacent &= arrayAt.contains(i) || basic.get(i) instanceof Slice.Index;
        if (adjacent) return take(y, axes.get(0), arrays);
        // separated by a slice: the arrays' axes go first, in order, the others after them
        var perm = new ArrayList<>(axes);
        for (int i = 0; i < y.type().rank(); i++) if (!axes.contains(i)) perm.add(i);
        return take(transpose(y, perm.stream().mapToInt(Integer::intValue).toArray()), 0, arrays);
    }

    // expr '.' NAME
    @Override
    public Value visitMemberExpr(MemberExprContext ctx) {
        if (!ctx.NAME().getText().equals("T")) {
            throw new GraftException(pos(ctx.NAME()), "unknown member ." + ctx.NAME().getText() + ": the one member is .T (the transpose)");
        }
        Node x = values.node(visit(ctx.expr()), pos(ctx.expr()));
        if (x.type().rank() < 2) {
            throw new ShapeError(pos(ctx.NAME()), ".T swaps the last two axes, so it needs rank 2 or more, found " + x.type());
        }
        return build(pos(ctx.NAME()), () -> transpose(x));
    }

    // <assoc=right> expr '^' expr
    @Override
    public Value visitPowExpr(PowExprContext ctx) {
        List<Node> ab = operands(ctx.expr(0), ctx.expr(1));
        return build(pos(ctx.getChild(1)), () -> pow(ab.get(0), ab.get(1)));
    }

    // '-' expr
    @Override
    public Value visitNegExpr(NegExprContext ctx) {
        // a negative literal is a number, not the negation of one: -inf too
        if (ctx.expr() instanceof NumberExprContext n) return new Value.Expr(values.literal(-number(n.NUMBER()), pos(ctx)));
        if (ctx.expr() instanceof NameExprContext n && predefinedNumber(n.NAME().getText()) != null) {
            return new Value.Expr(values.literal(-predefinedNumber(n.NAME().getText()), pos(ctx)));
        }
        Node x = values.node(visit(ctx.expr()), pos(ctx.expr()));
        return build(pos(ctx), () -> neg(x));
    }

    // expr op=('*' | '/' | '@') expr
    @Override
    public Value visitMulExpr(MulExprContext ctx) {
        List<Node> ab = operands(ctx.expr(0), ctx.expr(1));
        Node a = ab.get(0), b = ab.get(1);
        return build(pos(ctx.op), () -> switch (ctx.op.getText()) {
            case "*" -> mul(a, b);
            case "/" -> div(a, b);
            default -> matmul(a, b);
        });
    }

    // expr op=('+' | '-') expr
    @Override
    public Value visitAddExpr(AddExprContext ctx) {
        List<Node> ab = operands(ctx.expr(0), ctx.expr(1));
        return build(pos(ctx.op), () -> ctx.op.getText().equals("+") ? add(ab.get(0), ab.get(1)) : sub(ab.get(0), ab.get(1)));
    }

    // expr op=('<' | '<=' | '>' | '>=' | '==' | '!=') expr
    @Override
    public Value visitCompareExpr(CompareExprContext ctx) {
        // Python reads 0 < x < 1 as two tests, the grammar as (0 < x) < 1: refused rather than
        // silently meaning the other thing
        if (ctx.expr(0) instanceof CompareExprContext) {
            throw new GraftException(pos(ctx.op), "comparisons do not chain: write (a < b) * (b < c) for both tests,"
                    + " or bracket the first to compare its 0 or 1");
        }
        List<Node> ab = operands(ctx.expr(0), ctx.expr(1));
        Node a = ab.get(0), b = ab.get(1);
        return build(pos(ctx.op), () -> switch (ctx.op.getText()) {
            case "<" -> less(a, b);
            case "<=" -> lessEqual(a, b);
            case ">" -> greater(a, b);
            case ">=" -> greaterEqual(a, b);
            case "==" -> equal(a, b);
            default -> notEqual(a, b);
        });
    }

    // NAME '(' args? ')'
    @Override
    public Value visitCallExpr(CallExprContext ctx) {
        String name = ctx.NAME().getText();
        SourcePos at = pos(ctx.NAME());
        Scope.Entry entry = scope.lookup(name);
        if (entry != null && entry.value() instanceof Value.Fn f) return inline(f.def(), args(ctx.args()), at);
        var spec = Builtins.FUNCTIONS.get(name);
        if (spec == null) {
            if (entry != null) throw new GraftException(at, name + " is " + withArticle(entry.kind()) + ", not a function");
            var known = new ArrayList<>(Builtins.FUNCTIONS.keySet());
            known.addAll(scope.visible());
            throw new GraftException(at, "unknown function " + name + Suggestions.didYouMean(name, known));
        }
        List<Arg> args = args(ctx.args());
        return buildingAt(at, name, () -> spec.call(values, this::inline, args, at));
    }

    // '(' expr ')'
    @Override
    public Value visitParenExpr(ParenExprContext ctx) { return visit(ctx.expr()); }

    // '[' (expr (',' expr)*)? ']'
    @Override
    public Value visitArrayExpr(ArrayExprContext ctx) {
        var items = new ArrayList<Value>();
        var positions = new ArrayList<SourcePos>();
        for (ExprContext e : ctx.expr()) {
            items.add(visit(e));
            positions.add(pos(e));
        }
        return new Value.Array(items, positions);
    }

    // NUMBER
    @Override
    public Value visitNumberExpr(NumberExprContext ctx) {
        return new Value.Expr(values.literal(number(ctx.NUMBER()), pos(ctx)));
    }

    // (TRUE | FALSE)
    @Override
    public Value visitBoolExpr(BoolExprContext ctx) { return new Value.Bool(ctx.TRUE() != null); }

    @Override
    public Value visitStringExpr(StringExprContext ctx) {
        String quoted = ctx.STRING().getText();
        return new Value.Text(quoted.substring(1, quoted.length() - 1));
    }

    // NAME
    @Override
    public Value visitNameExpr(NameExprContext ctx) { return lookup(ctx.NAME()); }

    // ---- functions ----------------------------------------------------------------------------

    private void defineFn(TerminalNode nameToken, NamesContext names, ExprContext body, BlockContext block) {
        String name = nameToken.getText();
        if (Builtins.FUNCTIONS.containsKey(name)) {
            throw new GraftException(pos(nameToken), "fn " + name + ": " + name + " is a built-in function; give the fn a name of its own");
        }
        declare(nameToken, "fn");
        var params = new ArrayList<String>();
        if (names != null) {
            for (TerminalNode p : names.NAME()) {
                if (params.contains(p.getText())) {
                    throw new GraftException(pos(p), "fn " + name + ": parameter " + p.getText() + " is listed twice");
                }
                params.add(p.getText());
            }
        }
        if (block != null) {
            // checked where the fn is written, so that one never called is checked too
            for (StatementContext s : block.statement()) {
                if (!(s instanceof BindStmtContext || s instanceof DestructureStmtContext || s instanceof ConstStmtContext
                        || s instanceof FnStmtContext || s instanceof FnBlockStmtContext)) {
                    throw new GraftException(pos(s), "'" + s.getStart().getText() + "' is not allowed inside a fn: its body"
                            + " binds names and defines consts and fns, then returns");
                }
            }
        }
        var def = new FnDef(name, params, body, block, scope, pos(nameToken));
        scope.bind(name, new Value.Fn(def), pos(nameToken), "fn");
    }

    /**
     * The most fn calls a program may inline. Each call copies its fn's body into the graph, so
     * a few lines can ask for billions of copies (fns that each call the one before twice); a
     * million takes seconds. A scan (and iterate) inlines its fn once, whatever its steps.
     */
    static final int MAX_INLINED = 1_000_000;

    /** The value of a call of {@code fn}: its body read in a fresh scope where its parameters are the arguments. */
    Value inline(FnDef fn, List<Arg> args, SourcePos at) {
        if (++inlined > MAX_INLINED) {
            throw new GraftException(at, "this call of " + fn.name() + " would inline more than " + MAX_INLINED
                    + " fn calls in all; each call copies the fn's body into the graph");
        }
        if (calls.stream().anyMatch(f -> f.fn() == fn)) {
            var cycle = new ArrayList<String>();
            for (var i = calls.descendingIterator(); i.hasNext(); ) {
                FnDef caller = i.next().fn();
                if (caller == fn || !cycle.isEmpty()) cycle.add(caller.name());
            }
            cycle.add(fn.name());
            String through = cycle.size() > 2 ? " (" + String.join(" -> ", cycle) + ")" : "";
            throw new GraftException(at, "fn " + fn.name() + " calls itself" + through + "; fns are inlined, so recursion is not allowed");
        }
        // a fn's parameters are all required, and bound the way a built-in's are
        var bound = new Value[fn.params().size()];
        new Builtins.Spec<Value>(fn.name(), fn.params(), bound.length, List.of(), null).bind(args, at, bound, new SourcePos[bound.length]);
        Scope outer = scope;
        scope = new Scope(fn.scope());
        calls.push(new Frame(fn, at));
        try {
            for (int i = 0; i < bound.length; i++) scope.bind(fn.params().get(i), bound[i], fn.pos(), "a parameter of " + fn.name());
            if (fn.body() != null) return visit(fn.body());
            for (StatementContext s : fn.block().statement()) visit(s);
            List<ExprContext> results = fn.block().expr();
            if (results.size() == 1) return visit(results.get(0));
            var items = new ArrayList<Value>();
            for (ExprContext e : results) items.add(visit(e));
            return new Value.Tuple(items);
        } catch (GraftException e) {
            if (e == traced) throw e;
            traced = e.within(at, trace());
            throw traced;
        } finally {
            calls.pop();
            scope = outer;
        }
    }

    /** The most calls an error lists; the rest are counted. */
    private static final int MAX_TRACE = 4;

    /**
     * The calls an error happened in, innermost first: {@code (in dense, called at 4:20) (in
     * layer, called at 5:5)}; of a long chain the innermost ones and the outermost.
     */
    private String trace() {
        var frames = new ArrayList<>(calls);
        var out = new StringBuilder();
        for (int i = 0; i < frames.size(); i++) {
            if (frames.size() > MAX_TRACE && i == MAX_TRACE - 1) {
                out.append(" (").append(frames.size() - MAX_TRACE).append(" more calls)");
                i = frames.size() - 1;
            }
            out.append(" (in ").append(frames.get(i).fn().name()).append(", called at ").append(frames.get(i).at().lineColumn()).append(')');
        }
        return out.toString();
    }

    /** The operands of one op, written at {@code a} and {@code b}: their numbers take the dtype of the other operand (see {@link WeakTypes}). */
    private List<Node> operands(ExprContext a, ExprContext b) {
        Node x = values.node(visit(a), pos(a)), y = values.node(visit(b), pos(b));
        return values.unify(List.of(x, y));
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** Builds a node where {@code at} wrote it: every node the builder makes, and any error it raises, is placed there. */
    private Value build(SourcePos at, Supplier<Node> builder) { return buildingAt(at, null, () -> new Value.Expr(builder.get())); }

    /**
     * Runs a builder with the nodes it makes placed at {@code at} when they are made
     * ({@link SourcePos#buildingAt}, as the gradient walker places a bprop at its op), so an
     * error raised on the way is placed there too; a bad argument is named ({@code what}).
     */
    private <T> T buildingAt(SourcePos at, String what, Supplier<T> builder) {
        return SourcePos.buildingAt(at, () -> {
            try {
                return builder.get();
            } catch (IllegalArgumentException e) {
                String message = e.getMessage();
                throw new GraftException(at, what == null || message.startsWith(what + ":") ? message : what + ": " + message);
            }
        });
    }

    /** A fresh name for this statement kind; an error if this scope has bound it already. */
    private String declare(TerminalNode token, String kind) {
        String name = token.getText();
        Scope.Entry earlier = scope.own(name);
        if (earlier != null) {
            throw new GraftException(pos(token), name + " is already bound (" + earlier.kind() + " at " + earlier.pos().lineColumn()
                    + "); every name is bound once");
        }
        return name;
    }

    private void bindGlobal(String name, Node node, SourcePos at, String kind) {
        global.bind(name, new Value.Expr(node), at, kind);
        bindings.put(name, node);
    }

    private Value lookup(TerminalNode token) {
        String name = token.getText();
        Scope.Entry e = scope.lookup(name);
        if (e == null) {
            if (predefinedNumber(name) != null) return new Value.Expr(values.literal(predefinedNumber(name), pos(token)));
            if (name.equals("none")) return new Value.None();
            if (Builtins.FUNCTIONS.containsKey(name)) {
                throw new GraftException(pos(token), name + " is a built-in function, not a value: call it as " + name
                        + "(...), or wrap it in a fn to pass it to iterate");
            }
            if (symbols.containsKey(name)) {
                throw new GraftException(pos(token), name + " is a symbolic dim, whose size is known only when values are fed:"
                        + " it can stand in a type, not in an expression");
            }
            throw new GraftException(pos(token), name + " is not bound" + Suggestions.didYouMean(name, scope.visible()));
        }
        return e.value();
    }

    /**
     * The number {@code inf} or {@code nan} stands for where no binding takes the name, else null.
     * They, and {@code none}, are names the language gives a meaning rather than keywords, as
     * Python's built-ins are, so a program that binds one of them (a binding {@code none}) keeps
     * its meaning.
     */
    private Double predefinedNumber(String name) {
        if (scope.lookup(name) != null) return null;
        return switch (name) {
            case "inf" -> Double.POSITIVE_INFINITY;
            case "nan" -> Double.NaN;
            default -> null;
        };
    }

    /** An unnamed op or constant takes the binding's name; anything else already has one. */
    private Node named(Node node, String name) {
        if (node.name().isPresent()) return node;
        if (node instanceof Apply a) return a.named(name);
        if (node instanceof Constant c) return weakTypes.copied(c, c.named(name));
        return node;
    }

    /** The type written at {@code ctx} for {@code what} ({@code param W}), which is named in an error. */
    private Type type(TypeContext ctx, String what) {
        DType dtype = DType.F64;
        if (ctx.dtype != null) {
            dtype = switch (ctx.dtype.getText()) {
                case "f64" -> DType.F64;
                case "f32" -> DType.F32;
                default -> throw new GraftException(pos(ctx.dtype), "unknown dtype " + ctx.dtype.getText() + ": expected f64 or f32");
            };
        }
        written.add(dtype);
        if (forcedDtype != null) dtype = forcedDtype;
        var dims = new ArrayList<Dim>();
        for (DimContext d : ctx.dim()) {
            if (d.NUMBER() != null) {
                double v = number(d.NUMBER());
                if (v != Math.rint(v) || v < 0 || v > Integer.MAX_VALUE) {
                    throw new GraftException(pos(d), "a dim is a whole number or a name, found " + d.getText());
                }
                dims.add(Dim.of((int) v));
            } else {
                String name = d.NAME().getText();
                Scope.Entry e = scope.lookup(name);
                // a const names a size; any other name is a symbolic dim
                if (e != null && e.kind().equals("const")) {
                    int size = values.integer(e.value(), pos(d), "the dim " + name);
                    if (size < 0) throw new GraftException(pos(d), "the dim " + name + " must be 0 or more, found " + size);
                    dims.add(Dim.of(size));
                } else {
                    symbols.putIfAbsent(name, pos(d));
                    dims.add(Dim.of(name));
                }
            }
        }
        try {
            return Type.of(dtype, dims.toArray());
        } catch (ShapeError e) { // more elements than a tensor holds
            throw new ShapeError(pos(ctx), what + ": " + e.detail());
        }
    }

    private Initializer initializer(ExprContext ctx) {
        String name;
        List<Arg> args;
        if (ctx instanceof NameExprContext n) {
            name = n.NAME().getText();
            args = List.of();
        } else if (ctx instanceof CallExprContext c) {
            name = c.NAME().getText();
            args = args(c.args());
        } else {
            throw new GraftException(pos(ctx), "expected an initializer: " + Builtins.names(Builtins.INITIALIZERS));
        }
        var spec = Builtins.INITIALIZERS.get(name);
        if (spec == null) {
            throw new GraftException(pos(ctx), "unknown initializer " + name + ": expected " + Builtins.names(Builtins.INITIALIZERS)
                    + Suggestions.didYouMean(name, Builtins.INITIALIZERS.keySet()));
        }
        return buildingAt(pos(ctx), name, () -> spec.call(values, this::inline, args, pos(ctx)));
    }

    private List<Arg> args(ArgsContext ctx) {
        var out = new ArrayList<Arg>();
        if (ctx == null) return out;
        for (ArgContext a : ctx.arg()) {
            out.add(new Arg(a.NAME() == null ? null : a.NAME().getText(), visit(a.expr()), pos(a), pos(a.expr())));
        }
        return out;
    }

    /**
     * A --set value checked against the type it replaces, in that type's dtype; its symbolic
     * dims must agree with the other --set values'.
     */
    private Tensor fit(String name, Type type, Tensor given, SourcePos at) {
        Tensor value = given.astype(type.dtype());
        String wrong = type.bind(value, setDims);
        if (wrong != null) throw new ShapeError(at, "--set " + name + ": " + wrong);
        return value;
    }

    private double number(TerminalNode token) {
        double v = Double.parseDouble(token.getText());
        if (Double.isInfinite(v)) throw new GraftException(pos(token), "the number " + token.getText() + " is too large for f64");
        return v;
    }

    private SourcePos pos(ParserRuleContext ctx) { return Parsing.at(file, ctx.getStart()); }

    private SourcePos pos(TerminalNode t) { return Parsing.at(file, t.getSymbol()); }

    private SourcePos pos(Token t) { return Parsing.at(file, t); }

    private SourcePos pos(org.antlr.v4.runtime.tree.ParseTree t) {
        return t instanceof TerminalNode n ? pos(n) : pos((ParserRuleContext) t);
    }

    /** {@code an input}, {@code a binding}; a kind such as {@code a parameter of f} has its article already. */
    private static String withArticle(String kind) {
        if (kind.startsWith("a ")) return kind;
        return ("aeiou".indexOf(kind.charAt(0)) >= 0 ? "an " : "a ") + kind;
    }

}
