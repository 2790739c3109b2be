package org.graft.dsl;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

import org.graft.core.Dim;
import org.graft.core.GraftException;
import org.graft.core.Graph;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.SourcePos;
import org.graft.core.runtime.Function;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.graft.ops.Ops;
import org.graft.ops.optim.Optimizer;

/**
 * A compiled Graft program: its inputs, params, named bindings, outputs, objective, state
 * updates and metrics, as graphs ready to compile into functions. Params get their values
 * from {@link #initialize}.
 */
public final class Program {

    /** {@code minimize cost with optimizer} (or {@code maximize}), written as {@code text} at {@code pos}. */
    public record Objective(Node cost, boolean maximize, Optimizer optimizer, SourcePos pos, String text) {}

    private final String file;
    private final List<Input> inputs;
    private final Map<Input, Tensor> inputValues;
    private final Map<Param, Initializer> params;
    private final Map<Param, Tensor> paramValues;
    private final Map<String, Integer> setDims;
    private final Map<String, Node> bindings;
    private final Map<String, Node> outputs;
    private final Objective objective;
    private final Map<Param, Node> stateUpdates;
    private final Map<String, Node> metrics;
    private final Set<DType> writtenDtypes;

    Program(String file, List<Input> inputs, Map<Input, Tensor> inputValues, Map<Param, Initializer> params,
            Map<Param, Tensor> paramValues, Map<String, Integer> setDims, Map<String, Node> bindings,
            Map<String, Node> outputs, Objective objective, Map<Param, Node> stateUpdates, Map<String, Node> metrics,
            Set<DType> writtenDtypes) {
        this.file = file;
        this.inputs = List.copyOf(inputs);
        this.inputValues = Collections.unmodifiableMap(new LinkedHashMap<>(inputValues));
        this.params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        this.paramValues = Map.copyOf(paramValues);
        this.setDims = Map.copyOf(setDims);
        this.bindings = Collections.unmodifiableMap(new LinkedHashMap<>(bindings));
        this.outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
        this.objective = objective;
        this.stateUpdates = Collections.unmodifiableMap(new LinkedHashMap<>(stateUpdates));
        this.metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        this.writtenDtypes = writtenDtypes.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(writtenDtypes));
    }

    /** The file name diagnostics use. */
    public String file() { return file; }

    /**
     * The dtypes the program's types are written in ({@code f64} for a type without one), in
     * the order of {@link DType}, before a dtype given to the compiler replaced them; empty for
     * a program without types.
     */
    public Set<DType> writtenDtypes() { return writtenDtypes; }

    /** The inputs, in the order they are declared. */
    public List<Input> inputs() { return inputs; }

    /** The values given to inputs with {@code --set}. */
    public Map<Input, Tensor> inputValues() { return inputValues; }

    /** Every param, trained or state, in the order they are declared. */
    public List<Param> params() { return List.copyOf(params.keySet()); }

    /** The params the objective's optimizer trains: every param that no {@code update} statement sets, in declaration order. */
    public List<Param> trainedParams() { return params.keySet().stream().filter(p -> !stateUpdates.containsKey(p)).toList(); }

    /**
     * The {@code update NAME = EXPR} statements, in order: each param there is state, set to
     * its expression's value at every training step instead of trained.
     */
    public Map<Param, Node> stateUpdates() { return stateUpdates; }

    /** The {@code metric NAME = EXPR} statements, in order: scalars that training evaluates on the test split. */
    public Map<String, Node> metrics() { return metrics; }

    /** The {@code output} names and their nodes, in order; empty when the program has none. */
    public Map<String, Node> outputs() { return outputs; }

    public Optional<Objective> objective() { return Optional.ofNullable(objective); }

    /** Every top-level name (inputs, params, consts, bindings) and its node, in the order bound. */
    public Map<String, Node> bindings() { return bindings; }

    /**
     * The training step's updates, in one map: the objective's optimizer applied to the
     * {@linkplain #trainedParams() trained params} (to the negated objective for
     * {@code maximize}), then the {@linkplain #stateUpdates() state updates}. Compiled into one
     * function they are simultaneous, as Theano's: every new value is computed from the values
     * before the step. A program with state updates and no objective gives just those. Call it
     * after {@link #initialize}, since the optimizer's state takes the shapes of the params' values.
     */
    public Map<Param, Node> updates() { return updates(null); }

    /**
     * The same, with the learning rate {@code lr} (a scalar node: a param that a schedule sets
     * between steps, say) in place of the optimizer's own; null for the optimizer's own.
     */
    public Map<Param, Node> updates(Node lr) {
        if (objective == null && stateUpdates.isEmpty()) {
            throw new GraftException("the program " + file + " has no minimize or maximize objective and no update statement");
        }
        var updates = new LinkedHashMap<Param, Node>();
        if (objective != null) updates.putAll(objectiveUpdates(lr));
        updates.putAll(stateUpdates);
        return updates;
    }

    /**
     * The objective's part of {@link #updates(Node)}: its optimizer applied to the
     * {@linkplain #trainedParams() trained params} (to the negated objective for
     * {@code maximize}), with the learning rate {@code lr}, or the optimizer's own for null;
     * without the state updates.
     *
     * @throws GraftException if the program has no objective, or no param to train
     */
    public Map<Param, Node> objectiveUpdates(Node lr) {
        if (objective == null) throw new GraftException("the program " + file + " has no minimize or maximize objective");
        List<Param> trained = trainedParams();
        if (trained.isEmpty()) {
            throw new GraftException(objective.pos(), (objective.maximize() ? "maximize" : "minimize") + ": no param to train"
                    + (params.isEmpty() ? "" : "; every param is state, set by an update statement"));
        }
        // the step's gradients and the optimizer's nodes (maximize's negation too) are placed at the objective
        Optimizer optimizer = objective.optimizer();
        return SourcePos.buildingAt(objective.pos(), () -> {
            Node cost = objective.maximize() ? Ops.neg(objective.cost()) : objective.cost();
            return lr == null ? optimizer.updates(cost, trained) : optimizer.updates(cost, trained, lr);
        });
    }

    /**
     * What {@code graft print} and {@code graft dot} show: the outputs, then the objective, the
     * metrics and the state updates' new values, each once; for a program with none of them,
     * every top-level binding that no other one uses.
     */
    public List<Node> roots() {
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        var roots = new ArrayList<Node>();
        var wanted = new ArrayList<Node>(outputs.values());
        if (objective != null) wanted.add(objective.cost());
        wanted.addAll(metrics.values());
        wanted.addAll(stateUpdates.values());
        for (Node n : wanted) if (seen.add(n)) roots.add(n);
        if (!roots.isEmpty()) return roots;
        Set<Node> used = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node n : Graph.topologicalOrder(bindings.values())) used.addAll(n.inputs());
        for (Node n : bindings.values()) if (!used.contains(n) && !roots.contains(n)) roots.add(n);
        return roots;
    }

    /**
     * Gives every param a value: those set with {@code --set} keep it, the others take their
     * initializer's, drawn in declaration order from a stream seeded with {@code seed}. A
     * param's symbolic dims take the sizes the {@code --set} values gave them.
     */
    public void initialize(long seed) { initialize(seed, Map.of()); }

    /**
     * As {@link #initialize(long)}, with sizes for symbolic dims that no {@code --set} value
     * fixed (a data set's width, say); they must agree with those that one did.
     */
    public void initialize(long seed, Map<String, Integer> dims) {
        var sizes = new HashMap<>(setDims);
        for (var d : dims.entrySet()) {
            Integer known = sizes.putIfAbsent(d.getKey(), d.getValue());
            if (known != null && !known.equals(d.getValue())) {
                throw new GraftException("the dim " + d.getKey() + " is " + d.getValue() + " here but " + known + " in the --set values");
            }
        }
        RandomGenerator random = Function.randomStream(seed); // the generator the random ops draw from too
        for (var entry : params.entrySet()) {
            Param p = entry.getKey();
            Tensor given = paramValues.get(p);
            p.set(given != null ? given : entry.getValue().draw().apply(p.type().dtype(), shape(p, sizes), random));
        }
    }

    /**
     * One line for {@code graft check}: what the program declares and computes. Params that
     * are state are counted among the params, and said apart: {@code 5 params (2 state, 2410 numbers)}.
     */
    public String summary() {
        var parts = new ArrayList<String>();
        parts.add(count(inputs.size(), "input"));
        var paramNotes = new ArrayList<String>();
        if (!stateUpdates.isEmpty()) paramNotes.add(stateUpdates.size() + " state");
        elements().ifPresent(paramNotes::add);
        parts.add(count(params.size(), "param") + (paramNotes.isEmpty() ? "" : " (" + String.join(", ", paramNotes) + ")"));
        parts.add(count(outputs.size(), "output"));
        if (!metrics.isEmpty()) parts.add(count(metrics.size(), "metric"));
        String text = file + ": ok: " + String.join(", ", parts);
        if (objective != null) {
            text += "; " + (objective.maximize() ? "maximizes " : "minimizes ") + objective.text()
                    + " with " + objective.optimizer();
        }
        return text;
    }

    /** How many numbers the params hold, when every dim is known. */
    private Optional<String> elements() {
        long total = 0;
        for (Param p : params.keySet()) {
            if (!p.type().isConcrete()) return Optional.empty();
            total += p.type().shape().size();
        }
        return params.isEmpty() ? Optional.empty() : Optional.of(count((int) Math.min(total, Integer.MAX_VALUE), "number"));
    }

    private static String count(int n, String what) { return n + " " + what + (n == 1 ? "" : "s"); }

    private static Shape shape(Param p, Map<String, Integer> sizes) {
        int[] dims = new int[p.type().rank()];
        for (int i = 0; i < dims.length; i++) {
            Dim d = p.type().dims().get(i);
            if (d instanceof Dim.Size s) dims[i] = s.n();
            else {
                Integer n = sizes.get(((Dim.Var) d).name());
                if (n == null) {
                    throw new GraftException(p.pos(), "param " + p.label() + ": the size of dim " + d
                            + " is not known; give a value to an input that has it (--set)");
                }
                dims[i] = n;
            }
        }
        try {
            return Shape.of(dims);
        } catch (IllegalArgumentException e) { // more elements than a tensor holds
            throw new GraftException(p.pos(), "param " + p.label() + ": " + e.getMessage());
        }
    }
}
