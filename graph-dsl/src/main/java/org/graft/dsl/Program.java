package org.graft.dsl;

import java.util.ArrayList;
import java.util.Collections;
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
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.graft.ops.Ops;
import org.graft.ops.optim.Optimizer;

/**
 * A compiled Graft program: its inputs, params, named bindings, outputs and objective, as
 * graphs ready to compile into functions. Params get their values from {@link #initialize}.
 */
public final class Program {

    /** {@code minimize cost with optimizer} (or {@code maximize}), written as {@code text} at {@code pos}. */
    public record Objective(Node cost, boolean maximize, Optimizer optimizer, SourcePos pos, String text) {}

    private final String file;
    private final List<Input> inputs;
    private final Map<Input, Tensor> inputValues;
    private final Map<Param, Builtins.Init> params;
    private final Map<Param, Tensor> paramValues;
    private final Map<String, Integer> setDims;
    private final Map<String, Node> bindings;
    private final Map<String, Node> outputs;
    private final Objective objective;

    Program(String file, List<Input> inputs, Map<Input, Tensor> inputValues, Map<Param, Builtins.Init> params,
            Map<Param, Tensor> paramValues, Map<String, Integer> setDims, Map<String, Node> bindings,
            Map<String, Node> outputs, Objective objective) {
        this.file = file;
        this.inputs = List.copyOf(inputs);
        this.inputValues = Collections.unmodifiableMap(new LinkedHashMap<>(inputValues));
        this.params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        this.paramValues = Map.copyOf(paramValues);
        this.setDims = Map.copyOf(setDims);
        this.bindings = Collections.unmodifiableMap(new LinkedHashMap<>(bindings));
        this.outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
        this.objective = objective;
    }

    /** The file name diagnostics use. */
    public String file() { return file; }

    /** The inputs, in the order they are declared. */
    public List<Input> inputs() { return inputs; }

    /** The values given to inputs with {@code --set}. */
    public Map<Input, Tensor> inputValues() { return inputValues; }

    /** The params, in the order they are declared. */
    public List<Param> params() { return List.copyOf(params.keySet()); }

    /** The {@code output} names and their nodes, in order; empty when the program has none. */
    public Map<String, Node> outputs() { return outputs; }

    public Optional<Objective> objective() { return Optional.ofNullable(objective); }

    /** Every top-level name (inputs, params, consts, bindings) and its node, in the order bound. */
    public Map<String, Node> bindings() { return bindings; }

    /**
     * The training step's updates: the objective's optimizer applied to every param (to the
     * negated objective for {@code maximize}). Call it after {@link #initialize}, since the
     * optimizer's state takes the shapes of the params' values.
     */
    public Map<Param, Node> updates() {
        if (objective == null) throw new GraftException("the program " + file + " has no minimize or maximize objective");
        Node cost = objective.maximize() ? Ops.neg(objective.cost()) : objective.cost();
        return objective.optimizer().updates(cost, params());
    }

    /**
     * What {@code graft print} and {@code graft dot} show: the outputs, then the objective if
     * it is not one of them; for a program with neither, every top-level binding that no other
     * one uses.
     */
    public List<Node> roots() {
        var roots = new ArrayList<Node>(outputs.values());
        if (objective != null && !roots.contains(objective.cost())) roots.add(objective.cost());
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
            p.set(given != null ? given : entry.getValue().draw().apply(shape(p, sizes), random));
        }
    }

    /** One line for {@code graft check}: what the program declares and computes. */
    public String summary() {
        var parts = new ArrayList<String>();
        parts.add(count(inputs.size(), "input"));
        parts.add(count(params.size(), "param") + elements());
        parts.add(count(outputs.size(), "output"));
        String text = file + ": ok: " + String.join(", ", parts);
        if (objective != null) {
            text += "; " + (objective.maximize() ? "maximizes " : "minimizes ") + objective.text()
                    + " with " + objective.optimizer();
        }
        return text;
    }

    private String elements() {
        long total = 0;
        for (Param p : params.keySet()) {
            if (!p.type().isConcrete()) return "";
            total += p.type().shape().size();
        }
        return params.isEmpty() ? "" : " (" + count((int) Math.min(total, Integer.MAX_VALUE), "number") + ")";
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
        return Shape.of(dims);
    }
}
