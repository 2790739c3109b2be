package org.graft.core.runtime;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.graft.core.Apply;
import org.graft.core.GraftException;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.Stochastic;
import org.graft.core.random.Lxm;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * A compiled graph: call it with one value per input, get one value per output; after each
 * call its updates are applied to their params.
 *
 * <p>The graph is laid out once as a linear schedule. At the first call with given input
 * shapes the schedule becomes a {@link Plan}: every node gets its concrete shape, every value a
 * buffer planned from liveness, every step a kernel made for those shapes, chains of elementwise
 * ops one fused loop. Plans are cached per input shapes, so the calls that follow only run
 * kernels: a call through {@link #run} allocates nothing once its plan exists.
 *
 * <p>A function owns a stream of random numbers for its {@link Stochastic} ops, which draw
 * from it in schedule order: every call draws fresh samples, and the same seed followed by the
 * same calls gives the same bits. The stream starts from {@link #DEFAULT_SEED}, so runs are
 * reproducible unless asked otherwise (as with Theano's {@code RandomStreams}); {@link #seed}
 * restarts it. The generator is the JDK's {@code L64X128MixRandom}, named rather than the
 * platform default, which may change between releases, and made again as {@link Lxm} so that a
 * kernel can split its draws over threads and still draw, to the bit, what one thread would.
 *
 * <p>A function holds its buffers, so it runs one call at a time: calls from several threads
 * must take turns.
 */
public final class Function {
    /** The seed every compiled function's random stream starts from. */
    public static final long DEFAULT_SEED = 12345;

    private final List<Input> inputs;
    private final List<Node> outputs;
    private final Param[] updated;
    private final Node[] schedule;
    private final int[][] reads;        // slots read by each step
    private final int[] outputSlots;
    private final int[] updateSlots;
    private final Map<List<Shape>, Plan> plans = new HashMap<>();
    private Plan last;                  // the plan of the last call: the next one most likely fits it too
    private Lxm stream = randomStream(DEFAULT_SEED);
    private boolean guarded;

    Function(List<Input> inputs, List<Node> outputs, Map<Param, Node> updates, List<Node> order) {
        this.inputs = List.copyOf(inputs);
        this.outputs = outputs;
        this.updated = updates.keySet().toArray(new Param[0]);
        this.schedule = updatesLast(order, outputs, updates.values()).toArray(new Node[0]);

        var slot = new IdentityHashMap<Node, Integer>(schedule.length);
        for (int i = 0; i < schedule.length; i++) slot.put(schedule[i], i);
        reads = new int[schedule.length][];
        for (int i = 0; i < schedule.length; i++) {
            List<Node> in = schedule[i].inputs();
            reads[i] = new int[in.size()];
            for (int k = 0; k < in.size(); k++) reads[i][k] = slot.get(in.get(k));
        }
        outputSlots = outputs.stream().mapToInt(slot::get).toArray();
        updateSlots = updates.values().stream().mapToInt(slot::get).toArray();
    }

    /**
     * The order with every update that no node reads and that is not an output moved to the end:
     * still an order of the graph, and one where an update runs after every other reader of its
     * param, so that the plan can write it over the param's storage. A random op stays where it
     * is, so the draws keep the order of the graph as built.
     */
    private static List<Node> updatesLast(List<Node> order, List<Node> outputs, Collection<Node> updates) {
        Set<Node> read = Collections.newSetFromMap(new IdentityHashMap<>(order.size()));
        for (Node n : order) read.addAll(n.inputs());
        read.addAll(outputs);
        Set<Node> last = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node u : updates) {
            if (!read.contains(u) && u instanceof Apply a && !a.op().isRandom()) last.add(u);
        }
        var out = new ArrayList<Node>(order.size());
        for (Node n : order) if (!last.contains(n)) out.add(n);
        for (Node n : order) if (last.contains(n)) out.add(n);
        return out;
    }

    /**
     * A stream of Graft's generator, {@code L64X128MixRandom} ({@link Lxm}), from {@code seed}:
     * what random ops and param initializers draw from, named so that a JDK upgrade does not
     * change the bits.
     */
    public static Lxm randomStream(long seed) { return new Lxm(seed); }

    public List<Input> inputs() { return inputs; }

    public List<Node> outputs() { return outputs; }

    /** The random stream as it is now, for kernels of random ops. */
    Lxm stream() { return stream; }

    /**
     * Restarts the random stream from {@code seed}: the calls that follow draw the same samples
     * as they would after any other restart from the same seed, in this function or in another
     * compiled from the same graph.
     *
     * @return this function, so that {@code compile(...).seed(7)} reads as one step
     */
    public Function seed(long seed) {
        stream = randomStream(seed);
        return this;
    }

    /**
     * Turns the non-finite guard on or off. With it on, every value a call reads or computes is
     * checked as soon as it exists, and the first NaN or infinity stops the call with a
     * {@link NonFiniteError} at the node that produced it: an input or param that holds one, or
     * the first op whose finite operands gave one. Nothing is updated by a stopped call. The
     * check reads every element once, and elementwise chains run op by op so that every value
     * is seen, so it is off by default.
     *
     * @return this function
     */
    public Function guardNonFinite(boolean on) {
        if (on != guarded) {
            plans.clear();
            last = null;
        }
        guarded = on;
        return this;
    }

    /** Runs the function with one value per input, in the order of {@link #inputs()}. */
    public List<Tensor> call(Tensor... values) {
        run(values);
        var results = new ArrayList<Tensor>(outputSlots.length);
        for (int i = 0; i < outputSlots.length; i++) results.add(output(i));
        return results;
    }

    public List<Tensor> call(List<Tensor> values) { return call(values.toArray(new Tensor[0])); }

    /** Runs the function with the value of every input given by name. */
    public List<Tensor> call(Map<Input, Tensor> values) {
        var fed = new Tensor[inputs.size()];
        for (int i = 0; i < fed.length; i++) {
            Input in = inputs.get(i);
            if (!values.containsKey(in)) throw new GraftException(in.pos(), "no value for input " + in.label());
            fed[i] = values.get(in);
        }
        return call(fed);
    }

    /**
     * Runs the function with one value per input, in the order of {@link #inputs()}, keeping
     * the outputs for {@link #output} and {@link #scalar}: the form a training loop calls, which
     * allocates nothing once the plan for these shapes exists.
     */
    public void run(Tensor... values) {
        if (values.length != inputs.size()) {
            throw new GraftException("expected " + inputs.size() + " values for the inputs "
                    + Compiler.labels(inputs) + ", found " + values.length);
        }
        Plan plan = last;
        if (plan == null || !plan.fits(values)) plan = planFor(values);
        last = null; // a call that fails leaves no plan whose outputs could be read
        plan.run(values);
        last = plan;
    }

    /**
     * Makes the plan for inputs of these values' shapes and dtypes without running it, so that
     * the first call does not pay for planning; the values themselves are not read.
     *
     * @return this function
     */
    public Function prepare(Tensor... values) {
        if (values.length != inputs.size()) {
            throw new GraftException("expected " + inputs.size() + " values for the inputs "
                    + Compiler.labels(inputs) + ", found " + values.length);
        }
        planFor(values);
        return this;
    }

    /** The plan for inputs of these values' shapes and dtypes, for a {@link Loop} that runs it directly. */
    Plan prepared(Tensor[] values) {
        last = planFor(values);
        return last;
    }

    /** The slots of the outputs in a plan's buffers. */
    int[] outputSlots() { return outputSlots.clone(); }

    /** Makes the random ops draw from {@code shared}, the stream of the function whose loop runs this one. */
    void drawFrom(Lxm shared) { stream = shared; }

    private Plan planFor(Tensor[] values) {
        var key = new ArrayList<Shape>();
        for (Tensor v : values) key.add(v.shape());
        for (Node n : schedule) if (n instanceof Param p) key.add(p.shape());
        Plan plan = plans.get(key);
        if (plan == null || !plan.fits(values)) {
            plan = new Plan(this, schedule, reads, inputs, values, outputSlots, updated, updateSlots, guarded);
            plans.put(key, plan);
        }
        return plan;
    }

    /** Output {@code i} of the last {@link #run}, as a new tensor. */
    public Tensor output(int i) { return lastPlan().value(outputSlots[i]); }

    /** The value of output {@code i} of the last {@link #run}, which must have one element. */
    public double scalar(int i) {
        Plan plan = lastPlan();
        int s = outputSlots[i];
        if (plan.size(s) != 1) throw new IllegalStateException("output " + i + " has " + plan.size(s) + " elements, not one");
        return plan.element(s, 0);
    }

    /**
     * The nodes of the last call's plan whose op has no kernel and runs its reference
     * {@code fprop}, which allocates at every call: empty when a call allocates nothing.
     */
    public List<Apply> fallbacks() { return lastPlan().fallbacks(); }

    /** The plan of the last call, for tests. */
    Plan plan() { return lastPlan(); }

    /** The number of plans made so far, for tests. */
    int plans() { return plans.size(); }

    private Plan lastPlan() {
        if (last == null) throw new IllegalStateException("the function has not run");
        return last;
    }
}
