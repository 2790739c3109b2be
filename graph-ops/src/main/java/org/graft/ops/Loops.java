package org.graft.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.graft.core.Apply;
import org.graft.core.Constant;
import org.graft.core.Dim;
import org.graft.core.Grad;
import org.graft.core.Graph;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Op;
import org.graft.core.ShapeError;
import org.graft.core.SharedKernel;
import org.graft.core.TupleOp;
import org.graft.core.Type;
import org.graft.core.blas.Blas;
import org.graft.core.grad.GradTable.Disconnected;
import org.graft.core.grad.GradTable;
import org.graft.core.kernel.Kernel;
import org.graft.core.kernel.Site;
import org.graft.core.ops.Part;
import org.graft.core.runtime.Loop;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * Loops over time: {@link Scan}, Theano's {@code scan}, which runs a step graph along the leading
 * axis of its sequences carrying state from step to step, and the two ops its gradient (back-
 * propagation through time) is written with: {@link Shift}, the states before each step from the
 * states after it, and {@link StepMask}, where a truncated gradient is cut.
 *
 * <p>A scan is one node, however long its sequences: the step is a graph of its own, compiled
 * once per shapes and run as a loop ({@link Loop}), so the graph, its compile time and its plan
 * do not grow with the number of steps, and the length may be a symbolic dim.
 */
public sealed interface Loops extends Op {

    /**
     * The step of a scan: a graph from its {@link #inputs} — the carried values, one slice of each
     * sequence, the non-sequences, in that order — to its {@link #outputs}: the carried values'
     * next values, in the carried values' types, then the per-step outputs.
     */
    record Body(List<Input> inputs, List<Node> outputs) {
        public Body {
            inputs = List.copyOf(inputs);
            outputs = List.copyOf(outputs);
        }
    }

    /**
     * What a scan's step computes, as graph, from placeholders of its carried values and of one
     * slice of each sequence: the carried values' next values, in order, then any per-step outputs.
     */
    @FunctionalInterface
    interface Step {
        List<Node> apply(List<Node> carried, List<Node> slices);
    }

    /**
     * Traces {@code step} into a scan over {@code sequences} from the initial values
     * {@code inits}, and gives its results: each carried value's states after every step,
     * {@code [t, ...]}, then each per-step output stacked. The step is called once, on
     * placeholders named {@code names} (the carried values', then the slices'); whatever it reads
     * from outside them — params, inputs, values computed before the scan — becomes a
     * non-sequence input of the scan, so gradients reach it; constants stay in the step, and so
     * do random draws, which are drawn afresh at every step. Without sequences, {@code length}
     * is the number of steps (else it is ignored: the sequences' leading dim is). Without
     * {@code stacked}, each carried value's result is its last value instead of all of them.
     */
    static List<Node> scan(Step step, List<String> names, List<? extends Node> inits, List<? extends Node> sequences,
                           int length, boolean reverse, int truncate, boolean stacked) {
        int c = inits.size(), s = sequences.size();
        if (names.size() != c + s) throw new IllegalArgumentException("scan: " + names.size() + " names for " + (c + s) + " placeholders");
        var placeholders = new ArrayList<Input>(c + s);
        for (int j = 0; j < c; j++) placeholders.add(new Input(names.get(j), inits.get(j).type()));
        for (int q = 0; q < s; q++) {
            Type t = sequences.get(q).type();
            if (t.rank() == 0) {
                throw new ShapeError(sequences.get(q).pos(), "scan: sequence " + sequences.get(q).label()
                        + " is a scalar; a sequence has a leading axis of steps");
            }
            placeholders.add(new Input(names.get(c + q), t.withDims(t.dims().subList(1, t.rank()))));
        }
        List<Node> outs = step.apply(List.copyOf(placeholders.subList(0, c)), List.copyOf(placeholders.subList(c, c + s)));
        if (outs.size() < c) {
            throw new ShapeError("scan: the step gives " + outs.size() + " values for " + c + " carried values");
        }
        // the step is what depends on a placeholder or draws; what it reads from outside is a non-sequence
        Map<Node, Boolean> inside = new IdentityHashMap<>();
        for (Input p : placeholders) inside.put(p, true);
        List<Node> order = Graph.topologicalOrder(outs);
        for (Node n : order) {
            if (n instanceof Apply a && (a.op().isRandom() || a.inputs().stream().anyMatch(inside::containsKey))) inside.put(n, true);
        }
        // a matrix the step reads transposed stays transposed inside it, where the product folds
        // the transpose into its flags (matmul(h, Wᵀ) -> gemm(h, W, transB)); lifted out, it would
        // be a copy of W made at every call of the scan, and the step's product would read that
        for (Node n : order) {
            if (!inside.containsKey(n)) continue;
            for (Node x : n.inputs()) if (!inside.containsKey(x) && isMatrixTranspose(x)) inside.put(x, true);
        }
        var free = new LinkedHashMap<Node, Node>();
        for (Node n : order) {
            if (!inside.containsKey(n)) continue;
            for (Node x : n.inputs()) if (!inside.containsKey(x) && !(x instanceof Constant)) free.computeIfAbsent(x, Loops::placeholder);
        }
        for (Node o : outs) if (!inside.containsKey(o) && !(o instanceof Constant)) free.computeIfAbsent(o, Loops::placeholder);
        var bodyInputs = new ArrayList<Input>(placeholders);
        for (Node p : free.values()) bodyInputs.add((Input) p);
        var body = new Body(bodyInputs, Graph.replace(outs, free));
        var in = new ArrayList<Node>(inits);
        in.addAll(sequences);
        in.addAll(free.keySet());
        Node scan = Apply.of(new Scan(body, c, s, Collections.nCopies(c, stacked), s == 0 ? length : -1, reverse, truncate), in);
        var results = new ArrayList<Node>(outs.size());
        for (int r = 0; r < outs.size(); r++) results.add(Apply.of(new Part(r), scan));
        return results;
    }

    private static boolean isMatrixTranspose(Node n) {
        return n instanceof Apply a && a.op() instanceof Linalg.Transpose t && t.perm().equals(List.of(1, 0));
    }

    private static Input placeholder(Node outside) { return new Input(outside.label(), outside.type(), outside.pos()); }

    /**
     * {@code step} applied along the leading axis of the sequences, carrying values from step to
     * step (Theano's {@code scan}, JAX's {@code lax.scan}). Its inputs are the carried values'
     * initial values ({@code carries} of them), the sequences ({@code sequences}, each
     * {@code [t, ...]} with one t), then the non-sequences (what the step reads that does not
     * change: weights). Its results are, for each carried value, its values after every step
     * stacked {@code [t, ...]} where {@code stacked} says so, else its last value; then each
     * per-step output stacked. With {@code reverse} the steps run from the last element of the
     * sequences to the first, and every stacked result is still in the sequences' order (as
     * JAX's {@code reverse=True}). Without sequences the number of steps is {@code length}.
     *
     * <p>The gradient is a scan running the other way (back-propagation through time) over the
     * states before each step, which the step's vector-Jacobian product recomputes its
     * intermediates from: what the backward pass keeps per step is the carried values, not the
     * step's intermediates. With {@code truncate = k > 0} the gradient stops at the carried
     * values entering steps k, 2k, ... (counted from the first step run): PyTorch's
     * truncated back-propagation that detaches the state every k steps.
     */
    record Scan(Body body, int carries, int sequences, List<Boolean> stacked, int length, boolean reverse, int truncate)
            implements Loops, TupleOp {

        public Scan {
            stacked = List.copyOf(stacked);
            if (carries < 0 || sequences < 0 || carries + sequences > body.inputs().size()) {
                throw new IllegalArgumentException("a scan's step has " + body.inputs().size() + " inputs, fewer than "
                        + carries + " carried values and " + sequences + " sequences");
            }
            if (body.outputs().size() < carries) {
                throw new IllegalArgumentException("a scan's step gives " + body.outputs().size() + " values for "
                        + carries + " carried values");
            }
            if (stacked.size() != carries) throw new IllegalArgumentException("stacked needs one flag per carried value");
            if (sequences == 0 && length < 0) throw new IllegalArgumentException("a scan without sequences needs a length");
        }

        int nonSequences() { return body.inputs().size() - carries - sequences; }

        int outputs() { return body.outputs().size() - carries; }

        @Override
        public String describe() {
            return "scan{carries=" + carries + ", sequences=" + sequences + ", non_sequences=" + nonSequences()
                    + ", outputs=" + outputs() + ", stacked=" + stacked + (sequences == 0 ? ", length=" + length : "")
                    + ", reverse=" + reverse + (truncate > 0 ? ", truncate=" + truncate : "") + "}";
        }

        @Override
        public List<Node> innerGraph() { return body.outputs(); }

        @Override
        public boolean isRandom() {
            for (Node n : Graph.topologicalOrder(body.outputs())) if (n instanceof Apply a && a.op().isRandom()) return true;
            return false;
        }

        @Override
        public List<Type> types(List<Type> in) {
            List<Input> placeholders = body.inputs();
            Op.requireArity(this, in, placeholders.size());
            Dim steps = sequences == 0 ? Dim.of(length) : null;
            for (int i = 0; i < in.size(); i++) {
                Type given = in.get(i), want = placeholders.get(i).type();
                boolean sequence = i >= carries && i < carries + sequences;
                String what = i < carries ? "carried value " + i : sequence ? "sequence " + (i - carries)
                        : "non-sequence " + (i - carries - sequences);
                if (sequence) {
                    if (given.rank() == 0) throw new ShapeError(what + " is a scalar; a sequence has a leading axis of steps");
                    if (steps == null) steps = given.dim(0);
                    else if (!steps.equals(given.dim(0))) {
                        throw new ShapeError(what + " has " + given.dim(0) + " steps, the sequences before it " + steps);
                    }
                    given = given.withDims(given.dims().subList(1, given.rank()));
                }
                if (!given.equals(want)) throw new ShapeError(what + ": the step takes " + want + ", found " + given);
            }
            var out = new ArrayList<Type>();
            for (int j = 0; j < carries; j++) {
                Type next = body.outputs().get(j).type();
                if (!next.equals(in.get(j))) {
                    throw new ShapeError("the step gives carried value " + j + " as " + next + ", which enters it as " + in.get(j));
                }
                out.add(stacked.get(j) ? along(steps, next) : next);
            }
            for (int m = 0; m < outputs(); m++) out.add(along(steps, body.outputs().get(carries + m).type()));
            return out;
        }

        private static Type along(Dim steps, Type t) {
            var dims = new ArrayList<Dim>(t.rank() + 1);
            dims.add(steps);
            dims.addAll(t.dims());
            return t.withDims(dims);
        }

        /**
         * The loop: the step compiled once for these shapes, its inputs in the scan's dtypes; at
         * each run the non-sequences bound where they live (read in place by every step, never
         * copied, and {@linkplain Blas#hold held} over the steps, so that the native products copy
         * a weight matrix once per run, not once per step) and the carried values copied into the
         * step's inputs, then per step each sequence's slice copied in, the step run, its results
         * copied out (into the stacked results) and back into the carried inputs.
         */
        @Override
        public Kernel kernel(Site site) {
            int inputs = body.inputs().size(), results = body.outputs().size();
            Shape[] shapes = new Shape[inputs];
            DType[] dtypes = new DType[inputs];
            int steps = sequences == 0 ? length : site.in(carries).dim(0);
            for (int i = 0; i < inputs; i++) {
                Shape s = site.in(i);
                boolean sequence = i >= carries && i < carries + sequences;
                shapes[i] = sequence ? Shape.of(Arrays.copyOfRange(s.dims(), 1, s.rank())) : s;
                dtypes[i] = body.inputs().get(i).type().dtype();
            }
            var loop = new Loop(body.inputs(), body.outputs(), dtypes, shapes);
            int[] size = new int[results]; // each result's elements per step
            Shape[] parts = site.parts();
            for (int r = 0; r < results; r++) size[r] = r < carries ? shapes[r].size() : perStep(parts[r]);
            // a carried value's next value, until every one is read (an output may be another's input);
            // a stacked one is read back from its row of the result, which nothing else writes
            Object[] next = new Object[carries];
            for (int j = 0; j < carries; j++) {
                if (!stacked.get(j)) next[j] = dtypes[j] == DType.F32 ? new float[size[j]] : new double[size[j]];
            }
            int slot = site.slot();
            int[] in = new int[inputs];
            for (int i = 0; i < inputs; i++) in[i] = site.slot(i);
            Object[] fixed = new Object[inputs - carries - sequences]; // the non-sequences' arrays of the run
            return b -> {
                Object[] out = (Object[]) b[slot];
                for (int j = 0; j < carries; j++) copy(b[in[j]], 0, loop.input(j), 0, shapes[j].size());
                for (int i = carries + sequences; i < inputs; i++) {
                    loop.bind(i, b[in[i]]);
                    fixed[i - carries - sequences] = b[in[i]];
                }
                Blas.Hold held = Blas.hold(fixed);
                try {
                    for (int s = 0; s < steps; s++) {
                        int t = reverse ? steps - 1 - s : s;
                        for (int q = carries; q < carries + sequences; q++) {
                            int n = shapes[q].size();
                            copy(b[in[q]], t * n, loop.input(q), 0, n);
                        }
                        loop.run(site.random());
                        for (int r = 0; r < size.length; r++) {
                            boolean along = r >= carries || stacked.get(r);
                            if (along) copy(loop.output(r), 0, out[r], t * size[r], size[r]);
                        }
                        for (int j = 0; j < carries; j++) if (!stacked.get(j)) copy(loop.output(j), 0, next[j], 0, size[j]);
                        for (int j = 0; j < carries; j++) {
                            if (stacked.get(j)) copy(out[j], t * size[j], loop.input(j), 0, size[j]);
                            else copy(next[j], 0, loop.input(j), 0, size[j]);
                        }
                    }
                } finally {
                    held.close();
                }
                for (int j = 0; j < carries; j++) if (!stacked.get(j)) copy(loop.input(j), 0, out[j], 0, size[j]);
            };
        }

        /**
         * Back-propagation through time: a scan the other way whose step is this step's
         * vector-Jacobian product at the states before each step. It carries the gradient of the
         * carried values and a running sum of the non-sequences' gradients, and gives each
         * sequence's gradient per step.
         */
        @Override
        public List<Grad> bprop(List<Node> in, Node y, List<Node> gys) {
            if (isRandom()) { // its vector-Jacobian product would recompute the step, drawing other numbers
                var why = Grad.notDifferentiable("the step draws random numbers, which back-propagation through time "
                        + "would draw again; hold the scan constant (stop_gradient)");
                return Collections.nCopies(in.size(), why);
            }
            int c = carries, p = nonSequences();
            Node states = y;
            if (stacked.contains(false) && c > 0) { // the states of every step, which a last value alone does not give
                var all = Collections.nCopies(c, true);
                states = Apply.of(new Scan(body, c, sequences, all, length, reverse, truncate), in);
            }
            var inits = new ArrayList<Node>();
            var seqs = new ArrayList<Node>();
            var placeholders = new ArrayList<Input>();
            var lambdas = new ArrayList<Input>();
            var sums = new ArrayList<Input>();
            for (int j = 0; j < c; j++) {
                Node g = stacked.get(j) ? null : gys.get(j);
                inits.add(g != null ? g : Ops.zerosLike(in.get(j)));
                lambdas.add(new Input("d" + body.inputs().get(j).label(), in.get(j).type()));
            }
            for (int k = 0; k < p; k++) {
                Node w = in.get(c + sequences + k);
                inits.add(Ops.zerosLike(w));
                sums.add(new Input("d" + body.inputs().get(c + sequences + k).label(), w.type()));
            }
            placeholders.addAll(lambdas);
            placeholders.addAll(sums);
            // the step's inputs, again: the state before each step, each sequence's slice, the non-sequences
            var replace = new LinkedHashMap<Node, Node>();
            var stepInputs = new ArrayList<Input>();
            for (int j = 0; j < c; j++) {
                Input h = body.inputs().get(j);
                seqs.add(Apply.of(new Shift(reverse), Apply.of(new Part(j), states), in.get(j)));
                stepInputs.add(new Input(h.label(), h.type()));
            }
            for (int q = 0; q < sequences; q++) {
                Input x = body.inputs().get(c + q);
                seqs.add(in.get(c + q));
                stepInputs.add(new Input(x.label(), x.type()));
            }
            placeholders.addAll(stepInputs);
            var given = new ArrayList<Input>(); // the cotangents of the stacked results at each step
            var givenOf = new ArrayList<Integer>();
            for (int r = 0; r < body.outputs().size(); r++) {
                boolean along = r >= c || stacked.get(r);
                if (!along || gys.get(r) == null) continue;
                seqs.add(gys.get(r));
                Input g = new Input("g" + r, body.outputs().get(r).type());
                given.add(g);
                givenOf.add(r);
            }
            placeholders.addAll(given);
            Input mask = null;
            if (truncate > 0 && c > 0) {
                seqs.add(Apply.of(new StepMask(truncate, reverse), seqs.get(0)));
                mask = new Input("kept", Type.scalar(in.get(0).type().dtype()));
                placeholders.add(mask);
            }
            var weights = new ArrayList<Input>();
            for (int k = 0; k < p; k++) {
                Input w = body.inputs().get(c + sequences + k);
                weights.add(new Input(w.label(), w.type()));
            }
            placeholders.addAll(weights);
            for (int i = 0; i < body.inputs().size(); i++) {
                replace.put(body.inputs().get(i), i < c + sequences ? stepInputs.get(i) : weights.get(i - c - sequences));
            }
            List<Node> again = Graph.replace(body.outputs(), replace);
            // cotangents: each carried value's, plus what its stacked result is given at this step
            // in insertion order, which orders the walk: the same graph, and the same sums, every time
            Map<Node, Node> cotangents = new LinkedHashMap<>();
            for (int j = 0; j < c; j++) {
                int at = givenOf.indexOf(j);
                Node u = at < 0 ? lambdas.get(j) : Ops.add(lambdas.get(j), given.get(at));
                cotangents.merge(again.get(j), u, (a, b2) -> Ops.add(a, b2));
            }
            for (int i = 0; i < givenOf.size(); i++) {
                int r = givenOf.get(i);
                if (r >= c) cotangents.merge(again.get(r), given.get(i), (a, b2) -> Ops.add(a, b2));
            }
            var wrt = new ArrayList<Node>(stepInputs);
            wrt.addAll(weights);
            List<Node> d = GradTable.vjp(cotangents, wrt, List.of(), Disconnected.ZEROS);
            var outputs = new ArrayList<Node>();
            for (int j = 0; j < c; j++) outputs.add(mask == null ? d.get(j) : Ops.mul(d.get(j), mask));
            for (int k = 0; k < p; k++) outputs.add(Ops.add(sums.get(k), d.get(c + sequences + k)));
            for (int q = 0; q < sequences; q++) outputs.add(d.get(c + q));
            var back = new Scan(new Body(placeholders, outputs), c + p, seqs.size(), Collections.nCopies(c + p, false),
                    seqs.isEmpty() ? length : -1, !reverse, 0);
            var backIn = new ArrayList<Node>(inits);
            backIn.addAll(seqs);
            backIn.addAll(in.subList(c + sequences, in.size()));
            Node result = Apply.of(back, backIn);
            var grads = new ArrayList<Grad>();
            for (int j = 0; j < c; j++) grads.add(Grad.of(Apply.of(new Part(j), result)));
            for (int q = 0; q < sequences; q++) grads.add(Grad.of(Apply.of(new Part(c + p + q), result)));
            for (int k = 0; k < p; k++) grads.add(Grad.of(Apply.of(new Part(c + k), result)));
            return grads;
        }
    }

    /**
     * The states before each step from the states after it: {@code out[0] = first} and
     * {@code out[t] = s[t - 1]}; reversed, {@code out[t] = s[t + 1]} and {@code out[T - 1] = first}.
     * Linear; its gradient shifts the other way ({@link Unshift}).
     */
    record Shift(boolean reverse) implements Loops, SharedKernel {
        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 2);
            Type s = in.get(0), first = in.get(1);
            if (s.rank() == 0 || !s.withDims(s.dims().subList(1, s.rank())).equals(first)) {
                throw new ShapeError("shift: expected states [t, ...] and a first state of one step's type, found "
                        + s + " and " + first);
            }
            return s;
        }

        @Override
        public Tensor fprop(List<Tensor> in) {
            Tensor s = in.get(0);
            double[] out = new double[s.size()];
            shift(s.storage(), in.get(1).storage(), out, s.shape().dim(0), in.get(1).size(), reverse);
            return Tensor.of(s.dtype(), s.shape(), out);
        }

        @Override
        public Kernel kernel(Site site) {
            int steps = site.out().dim(0), n = site.in(1).size();
            int s = site.slot(0), f = site.slot(1), o = site.slot();
            return b -> shift(b[s], b[f], b[o], steps, n, reverse);
        }

        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            return List.of(Grad.of(Apply.of(new Unshift(reverse), gy)), Grad.of(Apply.of(new StepAt(reverse), gy)));
        }
    }

    /**
     * One step of a stacked tensor {@code [t, ...]}: its first, or with {@code last} its last
     * ({@code x[0]}, {@code x[-1]} on a leading dim that may be symbolic); zeros when there are no
     * steps, as the gradient of a state that enters none.
     */
    record StepAt(boolean last) implements Loops, SharedKernel {
        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 1);
            Type x = in.get(0);
            if (x.rank() == 0) throw new ShapeError(name() + ": expected a tensor [t, ...], found a scalar");
            return x.withDims(x.dims().subList(1, x.rank()));
        }

        @Override
        public Tensor fprop(List<Tensor> in) {
            Tensor x = in.get(0);
            Shape step = Shape.of(Arrays.copyOfRange(x.shape().dims(), 1, x.rank()));
            double[] out = new double[step.size()];
            take(x.storage(), out, x.shape().dim(0), step.size(), last);
            return Tensor.of(x.dtype(), step, out);
        }

        @Override
        public Kernel kernel(Site site) {
            int steps = site.in(0).dim(0), n = site.out().size(), x = site.slot(0), o = site.slot();
            return b -> take(b[x], b[o], steps, n, last);
        }

        private static void take(Object x, Object out, int steps, int n, boolean last) {
            if (steps == 0) fill(out, 0, n);
            else copy(x, last ? (steps - 1) * n : 0, out, 0, n);
        }

        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(Apply.of(new PutStepAt(last), gy, in.get(0)))); }
    }

    /**
     * The adjoint of {@link StepAt}: zeros of {@code like}'s shape {@code [t, ...]} with {@code g}
     * as the first step, or the last.
     */
    record PutStepAt(boolean last) implements Loops, SharedKernel {
        @Override
        public boolean readsValues(int i) { return i == 0; }

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 2);
            Type g = in.get(0), like = in.get(1);
            if (like.rank() == 0 || !like.withDims(like.dims().subList(1, like.rank())).equals(g)) {
                throw new ShapeError(name() + ": expected one step of " + like + ", found " + g);
            }
            return like;
        }

        @Override
        public Tensor fprop(List<Tensor> in) {
            Tensor g = in.get(0), like = in.get(1);
            double[] out = new double[like.size()];
            put(g.storage(), out, like.shape().dim(0), g.size(), last);
            return Tensor.of(like.dtype(), like.shape(), out);
        }

        @Override
        public Kernel kernel(Site site) {
            int steps = site.out().dim(0), n = site.in(0).size(), g = site.slot(0), o = site.slot();
            return b -> put(b[g], b[o], steps, n, last);
        }

        private static void put(Object g, Object out, int steps, int n, boolean last) {
            fill(out, 0, steps * n);
            if (steps > 0) copy(g, 0, out, last ? (steps - 1) * n : 0, n);
        }

        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            return List.of(Grad.of(Apply.of(new StepAt(last), gy)), Grad.disconnected());
        }
    }

    /**
     * The adjoint of {@link Shift} with respect to the states: {@code out[t] = g[t + 1]} and
     * {@code out[T - 1] = 0}; reversed, {@code out[t] = g[t - 1]} and {@code out[0] = 0}.
     */
    record Unshift(boolean reverse) implements Loops, SharedKernel {
        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 1);
            if (in.get(0).rank() == 0) throw new ShapeError("unshift: expected a tensor [t, ...], found a scalar");
            return in.get(0);
        }

        @Override
        public Tensor fprop(List<Tensor> in) {
            Tensor g = in.get(0);
            double[] out = new double[g.size()];
            int steps = g.shape().dim(0);
            unshift(g.storage(), out, steps, steps == 0 ? 0 : g.size() / steps, reverse);
            return Tensor.of(g.dtype(), g.shape(), out);
        }

        @Override
        public Kernel kernel(Site site) {
            int steps = site.out().dim(0), n = steps == 0 ? 0 : site.out().size() / steps;
            int g = site.slot(0), o = site.slot();
            return b -> unshift(b[g], b[o], steps, n, reverse);
        }

        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            Node zeros = Ops.zerosLike(Apply.of(new StepAt(false), gy));
            return List.of(Grad.of(Apply.of(new Shift(reverse), gy, zeros)));
        }
    }

    /**
     * Where a truncated gradient is kept: {@code [t]}, 0 at the steps whose carried input is
     * detached (every k-th step run, after the first), 1 elsewhere, for the sequence it reads
     * the length of.
     */
    record StepMask(int every, boolean reverse) implements Loops, SharedKernel {
        @Override
        public boolean readsValues(int i) { return false; }

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 1);
            Type s = in.get(0);
            if (s.rank() == 0) throw new ShapeError("step_mask: expected a sequence [t, ...], found a scalar");
            return s.withDims(List.of(s.dim(0)));
        }

        @Override
        public Tensor fprop(List<Tensor> in) {
            int steps = in.get(0).shape().dim(0);
            double[] out = new double[steps];
            mask(out, steps);
            return Tensor.of(in.get(0).dtype(), Shape.of(steps), out);
        }

        @Override
        public Kernel kernel(Site site) {
            int steps = site.out().dim(0), o = site.slot();
            return b -> mask(b[o], steps);
        }

        private void mask(Object out, int steps) {
            for (int t = 0; t < steps; t++) {
                int run = reverse ? steps - 1 - t : t; // the step's place in the order the steps run
                double kept = run > 0 && run % every == 0 ? 0 : 1;
                if (out instanceof double[] d) d[t] = kept;
                else ((float[]) out)[t] = (float) kept;
            }
        }

        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.disconnected()); }
    }

    // ---- the loops' arithmetic on the buffers of either dtype ---------------------------------

    private static void shift(Object s, Object first, Object out, int steps, int n, boolean reverse) {
        if (steps == 0) return;
        if (reverse) {
            copy(s, n, out, 0, (steps - 1) * n);
            copy(first, 0, out, (steps - 1) * n, n);
        } else {
            copy(s, 0, out, n, (steps - 1) * n);
            copy(first, 0, out, 0, n);
        }
    }

    private static void unshift(Object g, Object out, int steps, int n, boolean reverse) {
        if (steps == 0) return;
        if (reverse) {
            copy(g, 0, out, n, (steps - 1) * n);
            fill(out, 0, n);
        } else {
            copy(g, n, out, 0, (steps - 1) * n);
            fill(out, (steps - 1) * n, n);
        }
    }

    private static void fill(Object a, int from, int n) {
        if (a instanceof double[] d) Arrays.fill(d, from, from + n, 0);
        else Arrays.fill((float[]) a, from, from + n, 0);
    }

    /** {@code n} elements from {@code src[from]} to {@code dst[to]}, between arrays of either dtype. */
    static void copy(Object src, int from, Object dst, int to, int n) {
        if (src.getClass() == dst.getClass()) System.arraycopy(src, from, dst, to, n);
        else if (src instanceof double[] d) {
            float[] f = (float[]) dst;
            for (int i = 0; i < n; i++) f[to + i] = (float) d[from + i];
        } else {
            float[] f = (float[]) src;
            double[] d = (double[]) dst;
            for (int i = 0; i < n; i++) d[to + i] = f[from + i];
        }
    }

    /** The elements of one step of a result stacked along its leading axis. */
    private static int perStep(Shape stacked) {
        int n = 1;
        for (int k = 1; k < stacked.rank(); k++) n *= stacked.dim(k);
        return n;
    }
}
