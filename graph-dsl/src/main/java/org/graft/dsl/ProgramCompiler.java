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
import static org.graft.ops.Ops.transpose;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.Interval;
import org.antlr.v4.runtime.tree.TerminalNode;

import org.graft.core.Apply;
import org.graft.core.Constant;
import org.graft.core.Dim;
import org.graft.core.GradientError;
import org.graft.core.GraftException;
import org.graft.core.Graph;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.ShapeError;
import org.graft.core.SourcePos;
import org.graft.core.Stochastic;
import org.graft.core.Type;
import org.graft.core.runtime.Compiler;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
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
    private final Map<Param, Builtins.Init> params = new LinkedHashMap<>();
    private final Map<Param, Tensor> paramValues = new LinkedHashMap<>();
    private final Map<String, Node> bindings = new LinkedHashMap<>();
    private final Map<String, Node> outputs = new LinkedHashMap<>();
    private Program.Objective objective;
    private final Map<Param, Node> stateUpdates = new LinkedHashMap<>();
    private final Map<Param, SourcePos> updatedAt = new HashMap<>();
    private final Map<String, Node> metrics = new LinkedHashMap<>();

    private final DType forcedDtype;    // every type's dtype, or null for each type's own
    private final DType literalDtype;   // the dtype numbers are made in, before they meet another
    private final WeakTypes weakTypes = new WeakTypes();
    private final Set<DType> written = EnumSet.noneOf(DType.class);

    /** A compiler with {@code --set} values; a non-null {@code dtype} replaces the dtype of every type and number. */
    ProgramCompiler(String file, Map<String, Tensor> set, DType dtype) {
        this.file = file;
        this.set = new LinkedHashMap<>(set);
        this.forcedDtype = dtype;
        this.literalDtype = dtype != null ? dtype : DType.F64;
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
            throw new GraftException("--set " + name + ": the program binds no name " + name + suggest(name, global.visible()));
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
        Builtins.Init init = initializer(ctx.expr());
        if (init.rank() != Builtins.Init.ANY_RANK && init.rank() != type.rank()) {
            throw new ShapeError(pos(ctx.expr()), init.text() + " initializes a param of rank " + init.rank() + ", found " + type);
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
            value = constant(visit(ctx.expr()), pos(ctx.expr()), "const " + name);
        }
        Constant number = literal(value, at);
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
                    + String.join(", ", placeholderNames(t.items().size())) + " = ...");
        }
        if (value instanceof Value.Fn f) {
            throw new GraftException(pos(expr), f.describe() + " is a function, not a value: call it");
        }
        Node node = node(value, pos(expr));
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
            bind(name, node(t.items().get(i), pos(ctx.expr())), pos(names.get(i)));
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
            outputs.put(name, node(lookup(n), pos(n)));
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
        Node cost = node(visit(ctx.expr()), pos(ctx.expr()));
        if (cost.type().rank() != 0) {
            throw new GraftException(pos(ctx.expr()), direction + ": the objective must be a scalar, found " + cost.type());
        }
        String name = ctx.NAME().getText();
        var spec = Builtins.OPTIMIZERS.get(name);
        if (spec == null) {
            throw new GraftException(pos(ctx.NAME()), "unknown optimizer " + name + ": expected "
                    + Builtins.names(Builtins.OPTIMIZERS) + suggest(name, Builtins.OPTIMIZERS.keySet()));
        }
        Optimizer optimizer = buildingAt(pos(ctx.NAME()), name, () -> spec.call(this, args(ctx.args()), pos(ctx.NAME())));
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
            throw new GraftException(at, "update: no param named " + name + suggest(name, known));
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
        Node value = weakTypes.coerce(node(visit(ctx.expr()), pos(ctx.expr())), param.type().dtype());
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
        Node x = node(visit(ctx.expr()), pos(ctx.expr()));
        var index = new ArrayList<Slice>();
        for (SubscriptContext s : ctx.subscript()) {
            if (s instanceof IndexSubscriptContext i) {
                index.add(Slice.index(integer(visit(i.expr()), pos(i), "an index")));
            } else {
                var r = (RangeSubscriptContext) s;
                Integer start = r.start == null ? null : integer(visit(r.start), pos(r.start), "a slice bound");
                Integer stop = r.stop == null ? null : integer(visit(r.stop), pos(r.stop), "a slice bound");
                int step = r.step == null ? 1 : integer(visit(r.step), pos(r.step), "a slice step");
                index.add(Slice.range(start, stop, step));
            }
        }
        return build(pos(ctx.getChild(1)), () -> slice(x, index.toArray(new Slice[0])));
    }

    // expr '.' NAME
    @Override
    public Value visitMemberExpr(MemberExprContext ctx) {
        if (!ctx.NAME().getText().equals("T")) {
            throw new GraftException(pos(ctx.NAME()), "unknown member ." + ctx.NAME().getText() + ": the one member is .T (the transpose)");
        }
        Node x = node(visit(ctx.expr()), pos(ctx.expr()));
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
        // a negative literal is a number, not the negation of one
        if (ctx.expr() instanceof NumberExprContext n) return new Value.Expr(literal(-number(n.NUMBER()), pos(ctx)));
        Node x = node(visit(ctx.expr()), pos(ctx.expr()));
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
            throw new GraftException(at, "unknown function " + name + suggest(name, known));
        }
        List<Arg> args = args(ctx.args());
        return buildingAt(at, name, () -> spec.call(this, args, at));
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
        return new Value.Expr(literal(number(ctx.NUMBER()), pos(ctx)));
    }

    // (TRUE | FALSE)
    @Override
    public Value visitBoolExpr(BoolExprContext ctx) { return new Value.Bool(ctx.TRUE() != null); }

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
     * a few lines can ask for billions of copies (iterate with a huge k, fns that each call the
     * one before twice); a million takes seconds.
     */
    static final int MAX_INLINED = 1_000_000;

    /** The value of a call of {@code fn}: its body read in a fresh scope where its parameters are the arguments. */
    Value inline(FnDef fn, List<Arg> args, SourcePos at) {
        if (++inlined > MAX_INLINED) {
            throw new GraftException(at, "this call of " + fn.name() + " would inline more than " + MAX_INLINED
                    + " fn calls in all; each call, and each step of iterate, copies the fn's body into the graph");
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

    // ---- values -------------------------------------------------------------------------------

    /** The graph node a value stands for where one is needed: a number, a tensor. */
    Node node(Value v, SourcePos at) {
        if (v instanceof Value.Expr e) return e.node();
        if (v instanceof Value.Bool b) return literal(b.value() ? 1 : 0, at);
        if (v instanceof Value.Array a) return weakTypes.literal(Constant.of(literal(arrayConstant(a, at), at)).at(at));
        if (v instanceof Value.Tuple t) {
            throw new GraftException(at, "this gives " + t.describe() + " where one is needed; bind them first: "
                    + String.join(", ", placeholderNames(t.items().size())) + " = ...");
        }
        throw new GraftException(at, v.describe() + " is a function, not a value: call it");
    }

    /** The operands of one op, written at {@code a} and {@code b}: their numbers take the dtype of the other operand (see {@link WeakTypes}). */
    private List<Node> operands(ExprContext a, ExprContext b) {
        Node x = node(visit(a), pos(a)), y = node(visit(b), pos(b));
        return weakTypes.unify(List.of(x, y));
    }

    /** The operands of one op, with their numbers in the dtype of the others (see {@link WeakTypes}). */
    List<Node> unify(List<Node> operands) { return weakTypes.unify(operands); }

    /** A number written in the program, at {@code at}: a weak scalar constant in the program's literal dtype. */
    private Constant literal(double v, SourcePos at) {
        return weakTypes.literal(Constant.of(literal(Tensor.scalar(v), at)).at(at), v);
    }

    /** The numbers of a literal in the program's literal dtype; one too large for it is an error at {@code at}. */
    private Tensor literal(Tensor value, SourcePos at) {
        Tensor t = value.astype(literalDtype);
        for (int i = 0; i < t.size(); i++) {
            if (Double.isInfinite(t.getFlat(i)) && Double.isFinite(value.getFlat(i))) {
                throw new GraftException(at, "the number " + Builtins.show(value.getFlat(i)) + " is too large for " + literalDtype);
            }
        }
        return t;
    }

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
            if (m instanceof Input || m instanceof Param || m instanceof Apply a && a.op() instanceof Stochastic) {
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

    /** The most numbers a tensor computed at compile time (for a const, an index, an axis) may hold. */
    static final long MAX_CONSTANT_ELEMENTS = 10_000_000;

    /** How many numbers a value of this type holds; a symbolic dim counts as 1. */
    private static long elements(Type type) {
        long n = 1;
        for (Dim d : type.dims()) if (d instanceof Dim.Size s) n = Math.min(n * s.n(), Long.MAX_VALUE / Integer.MAX_VALUE);
        return n;
    }

    /** A whole number known when the program is compiled. */
    int integer(Value v, SourcePos at, String what) {
        double x = constant(v, at, what);
        if (x != Math.rint(x)) throw new GraftException(at, what + " must be a whole number, found " + Builtins.show(x));
        if (Math.abs(x) > Integer.MAX_VALUE) throw new GraftException(at, what + " is out of range, found " + Builtins.show(x));
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
            if (Builtins.FUNCTIONS.containsKey(name)) {
                throw new GraftException(pos(token), name + " is a built-in function, not a value: call it as " + name
                        + "(...), or wrap it in a fn to pass it to iterate");
            }
            if (symbols.containsKey(name)) {
                throw new GraftException(pos(token), name + " is a symbolic dim, whose size is known only when values are fed:"
                        + " it can stand in a type, not in an expression");
            }
            throw new GraftException(pos(token), name + " is not bound" + suggest(name, scope.visible()));
        }
        return e.value();
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
                    int size = integer(e.value(), pos(d), "the dim " + name);
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

    private Builtins.Init initializer(ExprContext ctx) {
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
                    + suggest(name, Builtins.INITIALIZERS.keySet()));
        }
        return buildingAt(pos(ctx), name, () -> spec.call(this, args, pos(ctx)));
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

    private static List<String> placeholderNames(int n) {
        var out = new ArrayList<String>();
        for (int i = 0; i < n; i++) out.add(String.valueOf((char) ('a' + Math.min(i, 25))));
        return out;
    }

    /**
     * {@code ; did you mean h?} for a near miss, else nothing. A near miss differs in case
     * alone, or by at most 2 edits and at most one per two characters, so that a short name
     * such as {@code z} is not taken for a misspelt {@code x}.
     */
    static String suggest(String name, Iterable<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String k : known) {
            int d = k.equalsIgnoreCase(name) ? 0 : distance(name, k);
            if (d < bestDistance && 2 * d <= name.length() && !k.equals(name)) {
                best = k;
                bestDistance = d;
            }
        }
        return best == null ? "" : "; did you mean " + best + "?";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
