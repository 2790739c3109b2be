package org.graft.core.runtime;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

import org.graft.core.Apply;
import org.graft.core.Constant;
import org.graft.core.GraftException;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.ShapeError;
import org.graft.core.Stochastic;
import org.graft.core.tensor.Tensor;

/**
 * A compiled graph: call it with one value per input, get one value per output; after each
 * call its updates are applied to their params.
 *
 * <p>The graph is laid out once as a linear schedule: every node gets a slot, every op step
 * knows the slots it reads, and each intermediate value is dropped after its last use. The
 * kernels are the ops' reference {@code fprop}s for now; the schedule is where buffer planning
 * and fused kernels will go.
 *
 * <p>A function owns a stream of random numbers for its {@link Stochastic} ops, which draw
 * from it in schedule order: every call draws fresh samples, and the same seed followed by the
 * same calls gives the same bits. The stream starts from {@link #DEFAULT_SEED}, so runs are
 * reproducible unless asked otherwise (as with Theano's {@code RandomStreams}); {@link #seed}
 * restarts it. The generator is the JDK's {@code L64X128MixRandom}, named rather than the
 * platform default, which may change between releases.
 */
public final class Function {
    /** The seed every compiled function's random stream starts from. */
    public static final long DEFAULT_SEED = 12345;

    private static final RandomGeneratorFactory<RandomGenerator> STREAMS = RandomGeneratorFactory.of("L64X128MixRandom");

    private final List<Input> inputs;
    private final List<Node> outputs;
    private final List<Param> updated;
    private final Node[] schedule;
    private final int[][] reads;        // slots read by each step
    private final int[][] dropAfter;    // slots whose last reader is each step
    private final int[] outputSlots;
    private final int[] updateSlots;
    private RandomGenerator stream = randomStream(DEFAULT_SEED);
    private boolean guarded;

    Function(List<Input> inputs, List<Node> outputs, Map<Param, Node> updates, List<Node> order) {
        this.inputs = List.copyOf(inputs);
        this.outputs = outputs;
        this.updated = List.copyOf(updates.keySet());
        this.schedule = order.toArray(new Node[0]);

        var slot = new IdentityHashMap<Node, Integer>();
        for (int i = 0; i < schedule.length; i++) slot.put(schedule[i], i);
        int[] lastRead = new int[schedule.length];
        reads = new int[schedule.length][];
        for (int i = 0; i < schedule.length; i++) {
            List<Node> in = schedule[i].inputs();
            reads[i] = new int[in.size()];
            for (int k = 0; k < in.size(); k++) {
                reads[i][k] = slot.get(in.get(k));
                lastRead[reads[i][k]] = i;
            }
        }
        outputSlots = outputs.stream().mapToInt(slot::get).toArray();
        updateSlots = updates.values().stream().mapToInt(slot::get).toArray();
        for (int s : outputSlots) lastRead[s] = schedule.length;   // results live to the end
        for (int s : updateSlots) lastRead[s] = schedule.length;
        var drops = new ArrayList<List<Integer>>();
        for (int i = 0; i < schedule.length; i++) drops.add(new ArrayList<>());
        for (int s = 0; s < schedule.length; s++) {
            if (lastRead[s] < schedule.length && lastRead[s] > s) drops.get(lastRead[s]).add(s);
        }
        dropAfter = drops.stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toArray(int[][]::new);
    }

    /**
     * A stream of Graft's generator, {@code L64X128MixRandom}, from {@code seed}: what random ops
     * and param initializers draw from, named so that a JDK upgrade does not change the bits.
     */
    public static RandomGenerator randomStream(long seed) { return STREAMS.create(seed); }

    public List<Input> inputs() { return inputs; }

    public List<Node> outputs() { return outputs; }

    /**
     * Restarts the random stream from {@code seed}: the calls that follow draw the same samples
     * as they would after any other restart from the same seed, in this function or in another
     * compiled from the same graph. The stream is shared by all calls, so calls made from several
     * threads at once draw from it in no defined order.
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
     * check reads every element once, so it is off by default.
     *
     * @return this function
     */
    public Function guardNonFinite(boolean on) {
        guarded = on;
        return this;
    }

    /** Runs the function with one value per input, in the order of {@link #inputs()}. */
    public List<Tensor> call(Tensor... values) { return call(List.of(values)); }

    private List<Tensor> last = List.of();

    /**
     * Runs the function with one value per input, in the order of {@link #inputs()}, keeping
     * the outputs for {@link #output} and {@link #scalar}: the form a training loop calls, which
     * allocates nothing in the steady state.
     */
    public void run(Tensor... values) { last = call(List.of(values)); }

    /** Output {@code i} of the last {@link #run}. */
    public Tensor output(int i) { return last.get(i); }

    /** The value of output {@code i} of the last {@link #run}, which must have one element. */
    public double scalar(int i) { return last.get(i).item(); }

    public List<Tensor> call(List<Tensor> values) {
        if (values.size() != inputs.size()) {
            throw new GraftException("expected " + inputs.size() + " values for the inputs "
                    + Compiler.labels(inputs) + ", found " + values.size());
        }
        var fed = new IdentityHashMap<Input, Tensor>();
        for (int i = 0; i < values.size(); i++) fed.put(inputs.get(i), values.get(i));
        return run(fed);
    }

    /** Runs the function with the value of every input given by name. */
    public List<Tensor> call(Map<Input, Tensor> values) {
        for (Input in : inputs) {
            if (!values.containsKey(in)) throw new GraftException(in.pos(), "no value for input " + in.label());
        }
        return run(values);
    }

    private List<Tensor> run(Map<Input, Tensor> fed) {
        Map<String, Integer> dims = bindInputs(fed);
        var values = new Tensor[schedule.length];
        for (int i = 0; i < schedule.length; i++) {
            Node n = schedule[i];
            if (n instanceof Input in) values[i] = fed.get(in);
            else if (n instanceof Param p) values[i] = read(p, p.value(), dims);
            else if (n instanceof Constant c) values[i] = read(c, c.value(), dims);
            else values[i] = step((Apply) n, reads[i], values, dims);
            if (guarded) checkFinite(n, values[i]);
            for (int s : dropAfter[i]) values[s] = null;
        }
        var results = new ArrayList<Tensor>(outputSlots.length);
        for (int s : outputSlots) results.add(values[s]);
        for (int k = 0; k < updated.size(); k++) updated.get(k).set(values[updateSlots[k]]);
        return results;
    }

    /** Stops at a value that is not finite, saying which node made it and where in the value it is. */
    private static void checkFinite(Node n, Tensor value) {
        for (int k = 0, size = value.size(); k < size; k++) {
            if (!Double.isFinite(value.getFlat(k))) {
                String what = n instanceof Apply a ? Apply.call(a.op(), a.inputs()) + " gave"
                        : (n instanceof Input ? "input " : n instanceof Param ? "param " : "constant ") + n.label() + " holds";
                throw new NonFiniteError(n, what, value, k);
            }
        }
    }

    /** Checks every fed value against its input's type, binding the symbolic dims. */
    private Map<String, Integer> bindInputs(Map<Input, Tensor> fed) {
        var dims = new HashMap<String, Integer>();
        for (Input in : inputs) {
            String wrong = in.type().bind(fed.get(in), dims);
            if (wrong != null) throw new ShapeError(in.pos(), "input " + in.label() + ": " + wrong);
        }
        return dims;
    }

    /** A leaf's value; a param or constant with symbolic dims binds them too, and they must agree with the inputs'. */
    private static Tensor read(Node leaf, Tensor value, Map<String, Integer> dims) {
        if (!leaf.type().isConcrete()) {
            String wrong = leaf.type().bind(value, dims);
            if (wrong != null) {
                String what = leaf instanceof Param ? "param " + leaf.label() : leaf.name().map(n -> "constant " + n).orElse(leaf.label());
                throw new ShapeError(leaf.pos(), what + ": " + wrong);
            }
        }
        return value;
    }

    private Tensor step(Apply a, int[] reads, Tensor[] values, Map<String, Integer> dims) {
        var args = new ArrayList<Tensor>(reads.length);
        for (int s : reads) args.add(values[s]);
        Tensor out;
        try {
            out = a.op() instanceof Stochastic s ? s.sample(args, stream) : a.op().fprop(args);
        } catch (GraftException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new GraftException(a.pos(), Apply.call(a.op(), a.inputs()) + ": " + e.getMessage());
        }
        // an op whose kernel disagrees with its type rule is a bug in the op: say which
        String wrong = a.type().bind(out, dims);
        if (wrong != null) {
            throw new GraftException(a.pos(), "fprop of " + a.op().name() + " disagrees with its type rule: " + wrong);
        }
        return out;
    }
}
