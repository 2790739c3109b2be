package org.graft.core.runtime;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.graft.core.Apply;
import org.graft.core.Constant;
import org.graft.core.Dim;
import org.graft.core.Elementwise;
import org.graft.core.GraftException;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.ShapeError;
import org.graft.core.Type;
import org.graft.core.blas.Blas;
import org.graft.core.kernel.Kernel;
import org.graft.core.kernel.Kernels;
import org.graft.core.kernel.Site;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * A function's schedule made concrete for one set of input shapes: every node has its shape,
 * every computed value a buffer, every step a kernel. Made once per shapes and reused by every
 * call with those shapes, so a call only runs kernels.
 *
 * <p>Buffers are planned from liveness: walking the schedule, a value takes a free buffer of its
 * dtype and length and gives it back after its last reader has run.
 * Elementwise ops of one shape are fused into loops ({@link Fused}), a loop's outputs writing over
 * operands of their shape whose last reader it is, so {@code relu(x @ w + b)} needs one buffer
 * and Adam's new m, v and param are written over the old ones in one pass. Inputs are read where
 * the caller's tensors hold them, params where they live. An update whose kernel reads its param
 * where it writes (a loop, a GEMM's c) and runs after every other reader of the param is
 * written over the param's storage; any other update is computed into a buffer of its own,
 * which then becomes the param's storage in exchange for the old one. Either way a step copies
 * no param.
 */
final class Plan {
    private final Function function;
    private final Node[] schedule;
    private final Shape[] shapes;
    private final Shape[][] partShapes;          // for a node of several results, each one's shape; else null
    private final DType[] dtypes;
    final Object[] buffers;

    private final Shape[] inputShapes;          // the key: the fed shapes...
    private final DType[] inputDtypes;
    private final Param[] params;               // ...and the params' shapes
    private final Shape[] paramShapes;
    private final int[] inputSlot;              // -1 for an input no output reads
    private final int[] paramSlot;
    private final int[] leafSlots;              // inputs, params and constants, for the guard

    private final List<Apply> fallbacks = new ArrayList<>(); // the nodes whose op has no kernel
    private final Kernel[] kernels;
    private final int[] kernelSlot;             // the node each kernel computes (a loop's last)
    private final int[] computed;               // every value a kernel writes into a buffer of the plan
    private final boolean guarded;

    private final Param[] updated;
    private final int[] updateSlot;
    private final Object[] updateBuffer;        // the array each update is exchanged through
    private final boolean[] updateCopies;       // the update's value is read elsewhere: copy it first
    private final int[] updatedInPlace;         // the param's slot when the update is written over its storage, else -1
    /**
     * The fewest elements of a param held for the products ({@link #runBound}): a smaller one is
     * copied in a microsecond, and a step of small params (the tiny MLP's, 0.6 us) should not pay
     * for a hold.
     */
    static final int HOLD_FROM = 1 << 12;

    private final int[] heldParams;            // the params of at least HOLD_FROM elements
    private final Object[] held;                // their arrays, held for the products while nothing writes them
    private final int holdUntil;                // the first kernel that writes a param in place, or kernels.length

    Plan(Function function, Node[] schedule, int[][] reads, List<Input> inputs, Tensor[] fed,
         int[] outputSlots, Param[] updated, int[] updateSlots, boolean guarded) {
        this.function = function;
        this.schedule = schedule;
        this.guarded = guarded;
        this.updated = updated;
        this.updateSlot = updateSlots;
        int count = schedule.length;

        // shapes: the fed inputs bind the symbolic dims, which every other node then takes
        var dims = new HashMap<String, Integer>();
        inputShapes = new Shape[fed.length];
        inputDtypes = new DType[fed.length];
        for (int i = 0; i < fed.length; i++) {
            Input in = inputs.get(i);
            String wrong = in.type().bind(fed[i], dims);
            if (wrong != null) throw new ShapeError(in.pos(), "input " + in.label() + ": " + wrong);
            inputShapes[i] = fed[i].shape();
            inputDtypes[i] = fed[i].dtype();
        }
        params = Arrays.stream(schedule).filter(n -> n instanceof Param).toArray(Param[]::new);
        paramSlot = java.util.stream.IntStream.range(0, count).filter(i -> schedule[i] instanceof Param).toArray();
        paramShapes = new Shape[params.length];
        for (int k = 0; k < params.length; k++) {
            paramShapes[k] = params[k].shape();
            bindLeaf(params[k], paramShapes[k], dims);
        }
        shapes = new Shape[count];
        partShapes = new Shape[count][];
        dtypes = new DType[count];
        for (int i = 0; i < count; i++) {
            Node n = schedule[i];
            if (n instanceof Constant c) bindLeaf(c, c.value().shape(), dims);
            shapes[i] = concrete(n, n.type(), dims);
            dtypes[i] = n.type().dtype();
            if (n.type().isTuple()) {
                List<Type> parts = n.type().parts();
                partShapes[i] = new Shape[parts.size()];
                for (int k = 0; k < parts.size(); k++) partShapes[i][k] = concrete(n, parts.get(k), dims);
            }
        }
        inputSlot = new int[inputs.size()];
        Arrays.fill(inputSlot, -1);
        for (int i = 0; i < count; i++) {
            if (schedule[i] instanceof Input in) inputSlot[inputs.indexOf(in)] = i;
        }

        boolean[] root = new boolean[count];
        for (int s : outputSlots) root[s] = true;
        for (int s : updateSlots) root[s] = true;
        boolean[] fixed = fixedValues(reads);
        int[][] readers = readers(reads);
        int[] group = fusion(readers, fixed);
        Kernel[] made = new Kernel[count]; // kernels made while planning, kept for the steps
        Kernels.Sum[] summed = summedInLoops(reads, readers, group, fixed, root, made);
        int[] at = new int[count];         // where each node is computed: its loop's last op, the loop a sum feeds, or itself
        for (int i = 0; i < count; i++) at[i] = group[i] >= 0 ? group[i] : summed[i] != null ? group[readers[i][0]] : i;
        int[] partner = jointKernels(reads, readers, group, summed, fixed, root, at, made);
        int[] lastUse = lastUses(reads, at, root, fixed);
        var members = new HashMap<Integer, List<Integer>>(); // each loop's ops, in schedule order
        for (int i = 0; i < count; i++) if (group[i] >= 0) members.computeIfAbsent(group[i], r -> new ArrayList<>()).add(i);
        boolean[] escapes = new boolean[count]; // a loop's member read outside it, or a root: one of the loop's outputs
        for (int i = 0; i < count; i++) {
            if (group[i] < 0) continue;
            escapes[i] = root[i];
            for (int r : readers[i]) escapes[i] |= group[r] != group[i];
        }
        var layouts = new HashMap<Integer, ChainLayout>();
        int[] register = new int[count], registerOf = new int[count], pending = new int[count]; // scratch for the layouts
        Arrays.fill(registerOf, -1);
        for (var chain : members.entrySet()) {
            layouts.put(chain.getKey(), ChainLayout.of(chain.getKey(), chain.getValue(), group, reads, escapes, register,
                    registerOf, pending));
        }
        // the operands a step may write over: a loop's from outside but the sums it computes itself, a GEMM's c
        int[][] overwritable = new int[count][];
        for (int i = 0; i < count; i++) {
            overwritable[i] = group[i] >= 0 ? Arrays.stream(layouts.get(group[i]).external()).filter(e -> summed[e] == null).toArray()
                    : accumulated(i, reads);
        }

        boolean[] leaf = new boolean[count];
        for (int i = 0; i < count; i++) leaf[i] = !(schedule[i] instanceof Apply);
        updateCopies = new boolean[updated.length];
        updatedInPlace = new int[updated.length];
        placeUpdates(outputSlots, leaf, fixed, root, group, lastUse, overwritable);
        buffers = buffers(leaf, fixed, group, at, partner, layouts, lastUse, overwritable);

        // kernels: one per step, a chain's at its last op; the fixed ones run once, now
        var steps = new ArrayList<Kernel>();
        var stepSlots = new ArrayList<Integer>();
        var once = new ArrayList<Kernel>();
        var onceSlots = new ArrayList<Integer>();
        for (int i = 0; i < count; i++) {
            if (leaf[i] || at[i] != i) continue;
            Kernel k = group[i] == i ? chain(i, members.get(i), layouts.get(i), summed, reads)
                    : made[i] != null ? made[i] : kernel((Apply) schedule[i], i, reads[i]);
            (fixed[i] ? once : steps).add(k);
            (fixed[i] ? onceSlots : stepSlots).add(i);
        }
        kernels = steps.toArray(new Kernel[0]);
        kernelSlot = stepSlots.stream().mapToInt(Integer::intValue).toArray();
        heldParams = java.util.stream.IntStream.range(0, params.length).filter(k -> paramShapes[k].size() >= HOLD_FROM).toArray();
        held = new Object[heldParams.length];
        holdUntil = firstWriteOfAParam(at);
        computed = java.util.stream.IntStream.range(0, count)
                .filter(i -> !leaf[i] && !fixed[i] && summed[i] == null && (group[i] < 0 || escapes[i])).toArray();
        leafSlots = java.util.stream.IntStream.range(0, count).filter(i -> leaf[i]).toArray();
        bindInputs(fed);
        bindLeaves();
        execute(once.toArray(new Kernel[0]), onceSlots.stream().mapToInt(Integer::intValue).toArray());

        updateBuffer = new Object[updated.length];
        for (int u = 0; u < updated.length; u++) {
            int s = updateSlots[u];
            if (updateCopies[u]) updateBuffer[u] = allocate(dtypes[s], shapes[s].size());
        }
    }

    // ---- the steps of planning -----------------------------------------------------------------

    /**
     * The values fixed by the shapes, computed once when the plan is made: a node is fixed when
     * it reads only constants and other fixed nodes, or reads an input for its shape alone
     * (zeros_like, count, the like of a broadcast), so the gradient seed's 1/n is computed once
     * per plan, not at every call. A random op never is.
     */
    private boolean[] fixedValues(int[][] reads) {
        boolean[] fixed = new boolean[schedule.length];
        for (int i = 0; i < fixed.length; i++) {
            Node n = schedule[i];
            if (n instanceof Constant) fixed[i] = true;
            else if (n instanceof Apply a && !a.op().isRandom()) {
                boolean f = true;
                for (int k = 0; k < reads[i].length; k++) f &= fixed[reads[i][k]] || !a.op().readsValues(k);
                fixed[i] = f;
            }
        }
        return fixed;
    }

    /**
     * Fusion: for each node, the loop it is computed in (the slot of the loop's last op, where
     * the loop runs), -1 for a node in none. An elementwise node that is neither fixed nor read
     * by a fixed node joins the loop of its elementwise readers of its shape and dtype, merging
     * their loops when they are several (Adam's m, v and param updates, which share the gradient
     * and read each other, become one loop over W, g, m and v): one pass over the operands instead
     * of one per chain. A member whose value is read outside its loop, or is a root, is one of the
     * loop's outputs, so it joins only when every reader outside runs after the loop, which runs
     * at its last member. Nothing fuses under the guard, which checks every value.
     */
    private int[] fusion(int[][] readers, boolean[] fixed) {
        int count = schedule.length;
        int[] group = new int[count];
        Arrays.fill(group, -1);
        var members = new HashMap<Integer, List<Integer>>();
        for (int i = count - 1; i >= 0; i--) {
            if (!fusible(schedule[i])) continue;
            group[i] = i;
            members.computeIfAbsent(i, g -> new ArrayList<>()).add(i);
            if (guarded || fixed[i]) continue;
            var loops = new ArrayList<Integer>(); // the loops of i's readers it may join, latest first
            for (int r : readers[i]) {
                int g = group[r];
                if (g >= 0 && !fixed[r] && shapes[i].equals(shapes[r]) && dtypes[i] == dtypes[r] && !loops.contains(g)) loops.add(g);
            }
            loops.sort(java.util.Collections.reverseOrder());
            // all of them merged if that is legal, else the latest one alone that i may join
            if (loops.size() > 1 && joins(i, loops, group, members, readers)) continue;
            for (int g : loops) if (joins(i, List.of(g), group, members, readers)) break;
        }
        return group;
    }

    /**
     * Merges node {@code i}'s own loop and {@code loops} (latest first) into the latest of them,
     * unless a value of a member that moves would then be read outside the loop before it runs:
     * true if merged. The latest loop's own members stay where they run, so they need no look.
     */
    private static boolean joins(int i, List<Integer> loops, int[] group, Map<Integer, List<Integer>> members, int[][] readers) {
        int at = loops.get(0);
        var moved = new ArrayList<Integer>(members.get(i));
        for (int g : loops.subList(1, loops.size())) moved.addAll(members.get(g));
        for (int m : moved) {
            for (int r : readers[m]) if (r <= at && group[r] != i && !loops.contains(group[r])) return false;
        }
        members.remove(i);
        for (int g : loops.subList(1, loops.size())) members.remove(g);
        for (int m : moved) group[m] = at;
        members.get(at).addAll(moved);
        return true;
    }

    /**
     * The sums computed in the loop that reads them, by slot (null for every other node): a sum
     * whose every reader is in one loop of the sum's shape and dtype, that is neither a root nor
     * fixed, and whose kernel computes any block of its output ({@link Kernels.Sum#blockwise}).
     * Such a loop is the update of a bias, {@code b - lr sum_to(delta)}: the column sum is then
     * taken block by block as the loop loads its operands, not by a kernel of its own into a
     * buffer of its own. The sum then runs where the loop runs, later than its own place, so the
     * value it reads lives until then ({@link #lastUses}); the loop must not read that value
     * directly too, since it may write over an operand of its shape. Never under the guard, which
     * checks every value. The sums' kernels are kept in {@code made}, to be used where a sum
     * stays a step.
     */
    private Kernels.Sum[] summedInLoops(int[][] reads, int[][] readers, int[] group, boolean[] fixed, boolean[] root, Kernel[] made) {
        var summed = new Kernels.Sum[schedule.length];
        if (guarded) return summed;
        for (int i = 0; i < schedule.length; i++) {
            if (!(schedule[i] instanceof Apply a) || group[i] >= 0 || fixed[i] || root[i] || partShapes[i] != null
                    || reads[i].length != 1 || readers[i].length == 0) continue;
            int loop = group[readers[i][0]];
            boolean fits = loop >= 0 && !fixed[loop] && shapes[loop].equals(shapes[i]) && dtypes[loop] == dtypes[i];
            for (int r : readers[i]) fits &= group[r] == loop;
            for (int r : readers[reads[i][0]]) fits &= group[r] != loop;
            if (!fits) continue;
            made[i] = kernel(a, i, reads[i]);
            if (made[i] instanceof Kernels.Sum sum && sum.blockwise()) summed[i] = sum;
        }
        return summed;
    }

    /**
     * The nodes computed by the kernel of an earlier node, which computes both ({@link
     * org.graft.core.Op#kernelWith}): for each node, the later one its kernel computes too, or -1.
     * The later node is a reader of the earlier one's first operand whose operands are all
     * computed before the earlier one runs (so its value can be computed there), neither a root
     * nor in a loop nor fixed; it then runs where the earlier one does ({@code at}), and its
     * kernel is the pair's, kept in {@code made}. Softmax cross-entropy and its gradient are such
     * a pair, which take the same exps. Never under the guard, which checks the value of each
     * kernel.
     */
    private int[] jointKernels(int[][] reads, int[][] readers, int[] group, Kernels.Sum[] summed, boolean[] fixed,
                               boolean[] root, int[] at, Kernel[] made) {
        int count = schedule.length;
        int[] partner = new int[count];
        Arrays.fill(partner, -1);
        if (guarded) return partner;
        for (int i = 0; i < count; i++) {
            if (!alone(i, group, summed, fixed, at, made) || reads[i].length == 0) continue;
            for (int j : readers[reads[i][0]]) {
                if (j <= i || root[j] || dtypes[j] != dtypes[i] || !alone(j, group, summed, fixed, at, made)) continue;
                boolean ready = true;
                for (int r : reads[j]) ready &= !(schedule[r] instanceof Apply) || fixed[r] || at[r] < i;
                if (!ready) continue;
                Kernel both = ((Apply) schedule[i]).op().kernelWith(((Apply) schedule[j]).op(), site(i, reads[i], dtypes[i]),
                        site(j, reads[j], dtypes[j]));
                if (both == null) continue;
                made[i] = both;
                partner[i] = j;
                at[j] = i;
                break;
            }
        }
        return partner;
    }

    /** True for a node computed by a kernel of its own so far: not in a loop, not fixed, of one result. */
    private boolean alone(int i, int[] group, Kernels.Sum[] summed, boolean[] fixed, int[] at, Kernel[] made) {
        return schedule[i] instanceof Apply && group[i] < 0 && summed[i] == null && !fixed[i] && at[i] == i && made[i] == null
                && partShapes[i] == null;
    }

    /** For each value, the steps that read it, each once. */
    private static int[][] readers(int[][] reads) {
        int count = reads.length;
        int[] n = new int[count];
        for (int i = 0; i < count; i++) for (int k = 0; k < reads[i].length; k++) if (firstRead(reads[i], k)) n[reads[i][k]]++;
        int[][] readers = new int[count][];
        for (int s = 0; s < count; s++) readers[s] = new int[n[s]];
        Arrays.fill(n, 0);
        for (int i = 0; i < count; i++) {
            for (int k = 0; k < reads[i].length; k++) if (firstRead(reads[i], k)) readers[reads[i][k]][n[reads[i][k]]++] = i;
        }
        return readers;
    }

    /**
     * For each value, the step after which nothing reads it: a node is read where it is computed
     * ({@code at}: where its loop's last op runs, for a member of a loop or a sum computed in one).
     * Roots and fixed values live throughout ({@link Integer#MAX_VALUE}).
     */
    private static int[] lastUses(int[][] reads, int[] at, boolean[] root, boolean[] fixed) {
        int count = reads.length;
        int[] lastUse = new int[count];
        Arrays.fill(lastUse, -1);
        for (int i = 0; i < count; i++) {
            for (int s : reads[i]) lastUse[s] = Math.max(lastUse[s], at[i]);
        }
        for (int i = 0; i < count; i++) if (root[i] || fixed[i]) lastUse[i] = Integer.MAX_VALUE;
        return lastUse;
    }

    /**
     * Where each update goes. It is computed over its param's storage when its kernel writes
     * over the param ({@code overwritable}: a loop, or the c of a GEMM), nothing reads the
     * param after that kernel, and neither is an output; else into a buffer of its own, exchanged
     * afterwards, which it first copies when its value is read elsewhere too. Not in place
     * under the guard, whose stopped calls must change nothing.
     */
    private void placeUpdates(int[] outputSlots, boolean[] leaf, boolean[] fixed, boolean[] root, int[] group, int[] lastUse,
                              int[][] overwritable) {
        Arrays.fill(updatedInPlace, -1);
        for (int u = 0; u < updated.length; u++) {
            int s = updateSlot[u];
            boolean shared = leaf[s] || fixed[s];
            for (int o : outputSlots) shared |= o == s;
            for (int v = 0; v < updated.length; v++) shared |= v != u && updateSlot[v] == s;
            updateCopies[u] = shared;
            int p = slotOf(updated[u]);
            if (shared || guarded || p < 0 || root[p] || lastUse[p] != (group[s] >= 0 ? group[s] : s)) continue;
            if (indexOf(overwritable[s], p) >= 0) updatedInPlace[u] = p;
        }
    }

    /**
     * The first kernel that writes over a param's storage (an update in place), or the number of
     * kernels: before it, no kernel writes any param.
     */
    private int firstWriteOfAParam(int[] at) {
        int first = kernels.length;
        for (int u = 0; u < updated.length; u++) {
            if (updatedInPlace[u] < 0) continue;
            int k = indexOf(kernelSlot, at[updateSlot[u]]);
            first = Math.min(first, k < 0 ? 0 : k); // not found: hold nothing, to be safe
        }
        return first;
    }

    /**
     * The buffers, planned from liveness: walking the schedule, a value takes over an operand
     * it may write over that dies here (of its dtype and shape), else a free array of its
     * dtype and length, and gives its own back after its last reader. Constants are read where
     * they are (narrowed for f32), f32 inputs get an array to be converted into, updates and
     * fixed values arrays of their own, and an update written in place its param's storage. A
     * loop's outputs all take theirs where the loop runs, at its last member.
     */
    private Object[] buffers(boolean[] leaf, boolean[] fixed, int[] group, int[] at, int[] partner,
                             Map<Integer, ChainLayout> layouts, int[] lastUse, int[][] overwritable) {
        int count = schedule.length;
        Object[] buffers = new Object[count];
        for (int i = 0; i < count; i++) {
            Node n = schedule[i];
            if (n instanceof Constant c) buffers[i] = dtypes[i] == DType.F32 ? narrow(c.value().storage()) : c.value().storage();
            else if (n instanceof Input && dtypes[i] == DType.F32) buffers[i] = new float[shapes[i].size()];
        }
        boolean[] dedicated = new boolean[count];
        for (int u = 0; u < updated.length; u++) dedicated[updateSlot[u]] = !leaf[updateSlot[u]];
        for (int i = 0; i < count; i++) dedicated[i] |= fixed[i] && !leaf[i] || partShapes[i] != null;
        var free = new HashMap<Integer, List<Object>>(); // by length; f64 and f32 arrays both, told apart by class
        var dying = new ArrayList<List<Integer>>(count);  // the values whose last reader runs at each step
        for (int i = 0; i < count; i++) dying.add(new ArrayList<>());
        for (int s = 0; s < count; s++) if (lastUse[s] >= 0 && lastUse[s] < count) dying.get(lastUse[s]).add(s);
        for (int i = 0; i < count; i++) {
            if (leaf[i] || at[i] != i) continue;
            int[] values = group[i] == i ? layouts.get(i).outputs() : partner[i] >= 0 ? new int[] {i, partner[i]} : new int[] {i};
            for (int v : values) buffers[v] = buffer(v, i, leaf, dedicated, lastUse, overwritable, free, buffers);
            for (int s : dying.get(i)) {
                if (lastUse[s] == i && !leaf[s] && buffers[s] != null && !dedicated[s]) give(free, buffers[s]);
            }
        }
        return buffers;
    }

    /**
     * The buffer of value {@code v}, computed by the kernel at step {@code at}: an array per
     * result of an op of several results (which its Part nodes copy out), an array of its own
     * (none for an update written in place), an operand that dies at {@code at} and that the
     * kernel may write over, or a free array.
     */
    private Object buffer(int v, int at, boolean[] leaf, boolean[] dedicated, int[] lastUse, int[][] overwritable,
                          Map<Integer, List<Object>> free, Object[] buffers) {
        if (partShapes[v] != null) {
            Object[] parts = new Object[partShapes[v].length];
            for (int k = 0; k < parts.length; k++) parts[k] = allocate(schedule[v].type().parts().get(k).dtype(), partShapes[v][k].size());
            return parts;
        }
        if (dedicated[v]) return indexOfSlot(updateSlot, updatedInPlace, v) < 0 ? allocate(dtypes[v], shapes[v].size()) : null;
        for (int e : overwritable[v]) {
            if (!leaf[e] && lastUse[e] == at && dtypes[e] == dtypes[v] && shapes[e].equals(shapes[v])) {
                lastUse[e] = -1; // handed over: not freed after this step
                return buffers[e];
            }
        }
        return take(free, dtypes[v], shapes[v].size());
    }

    // ---- planning helpers --------------------------------------------------------------------

    /** A leaf with symbolic dims binds them; they must agree with the inputs'. */
    private static void bindLeaf(Node leaf, Shape shape, Map<String, Integer> dims) {
        if (leaf.type().isConcrete()) return;
        String wrong = leaf.type().bind(shape, dims);
        if (wrong != null) {
            String what = leaf instanceof Param ? "param " + leaf.label() : leaf.name().map(n -> "constant " + n).orElse(leaf.label());
            throw new ShapeError(leaf.pos(), what + ": " + wrong);
        }
    }

    /** The shape of {@code t}, the type of {@code n} or of one of its parts, with the dims the inputs bound. */
    private static Shape concrete(Node n, Type t, Map<String, Integer> dims) {
        int[] out = new int[t.rank()];
        for (int i = 0; i < out.length; i++) {
            Dim d = t.dims().get(i);
            if (d instanceof Dim.Size s) out[i] = s.n();
            else {
                Integer bound = dims.get(((Dim.Var) d).name());
                if (bound == null) throw new ShapeError(n.pos(), "the dim " + d + " of " + n.label() + " is bound by no input");
                out[i] = bound;
            }
        }
        try {
            return Shape.of(out);
        } catch (IllegalArgumentException e) { // more elements than a tensor holds, with these input shapes
            throw new ShapeError(n.pos(), n.label() + ": " + e.getMessage());
        }
    }

    /** True unless operand {@code k} of a step repeats an earlier one ({@code x + x} reads x once). */
    private static boolean firstRead(int[] reads, int k) {
        for (int j = 0; j < k; j++) if (reads[j] == reads[k]) return false;
        return true;
    }

    private static boolean fusible(Node n) {
        return n instanceof Apply a && a.op() instanceof Elementwise && !a.op().isRandom();
    }

    /**
     * How a loop's registers are laid out: its operands from outside, each once in order of
     * first use, in the first registers; for each member, the registers it reads and the one it
     * writes. A member's value takes a register freed by a value whose last reader in the loop
     * has run, so a loop of a thousand ops needs as many registers as values live at once; the
     * last member's value takes the last register. The loop's other outputs keep their
     * registers to the end of each block, when they are copied out: {@code outputs} are their
     * slots, then the last member's, and {@code outputRegister} their registers.
     */
    private record ChainLayout(int[] external, int[][] args, int[] target, int registers, int[] outputs, int[] outputRegister) {

        /**
         * The layout of the loop ending at {@code root}. {@code register}, {@code registerOf} and
         * {@code pending} are scratch arrays over the slots, shared by every loop: a value's
         * register is recorded with the loop it is for, so no array is cleared between loops.
         */
        static ChainLayout of(int root, List<Integer> members, int[] group, int[][] reads, boolean[] escapes, int[] register,
                              int[] registerOf, int[] pending) {
            var external = new ArrayList<Integer>();
            for (int m : members) {
                pending[m] = 0;
                for (int s : reads[m]) {
                    if (group[s] != root && registerOf[s] != root) {
                        registerOf[s] = root;
                        register[s] = external.size();
                        external.add(s);
                    }
                }
            }
            for (int m : members) { // how many of the loop's ops read each member's value
                int[] in = reads[m];
                for (int k = 0; k < in.length; k++) if (group[in[k]] == root && firstRead(in, k)) pending[in[k]]++;
            }
            var free = new ArrayDeque<Integer>();
            int next = external.size();
            var args = new int[members.size()][];
            var target = new int[members.size()];
            var outputs = new ArrayList<Integer>();
            var outputRegister = new ArrayList<Integer>();
            for (int m = 0; m < args.length; m++) {
                int[] in = reads[members.get(m)];
                args[m] = new int[in.length];
                for (int k = 0; k < in.length; k++) args[m][k] = register[in[k]];
                for (int k = 0; k < in.length; k++) {
                    // after its last reader in the loop a value's register is free, for this very op too, unless it is an output
                    if (group[in[k]] == root && firstRead(in, k) && --pending[in[k]] == 0 && !escapes[in[k]]) free.push(register[in[k]]);
                }
                if (m == args.length - 1) break;
                target[m] = free.isEmpty() ? next++ : free.pop();
                register[members.get(m)] = target[m];
                registerOf[members.get(m)] = root;
                if (escapes[members.get(m)]) {
                    outputs.add(members.get(m));
                    outputRegister.add(target[m]);
                }
            }
            target[args.length - 1] = next;
            outputs.add(root);
            outputRegister.add(next);
            return new ChainLayout(external.stream().mapToInt(Integer::intValue).toArray(), args, target, next + 1,
                    outputs.stream().mapToInt(Integer::intValue).toArray(), outputRegister.stream().mapToInt(Integer::intValue).toArray());
        }
    }

    /** The loop's kernel; an operand that is a sum computed in the loop is read from the value it sums. */
    private Kernel chain(int root, List<Integer> members, ChainLayout layout, Kernels.Sum[] summed, int[][] reads) {
        int[] external = layout.external();
        var ops = new Elementwise[members.size()];
        for (int m = 0; m < ops.length; m++) ops[m] = (Elementwise) ((Apply) schedule[members.get(m)]).op();
        int[] externalSlots = new int[external.length];
        Shape[] externalShapes = new Shape[external.length];
        Kernels.Sum[] sums = new Kernels.Sum[external.length];
        for (int e = 0; e < external.length; e++) {
            sums[e] = summed[external[e]];
            externalSlots[e] = sums[e] == null ? external[e] : reads[external[e]][0];
            externalShapes[e] = shapes[external[e]];
        }
        return new Fused(ops, layout.args(), layout.target(), layout.registers(), externalSlots, externalShapes, sums,
                layout.outputs(), layout.outputRegister(), shapes[root], dtypes[root]);
    }

    /**
     * The input slot a non-fused node's kernel adds onto ({@link org.graft.core.Op#accumulatesInto}),
     * as a list of none or one; none when the kernel reads that value as another operand too,
     * which it would then read after overwriting it.
     */
    private int[] accumulated(int i, int[][] reads) {
        if (!(schedule[i] instanceof Apply a)) return new int[0];
        int j = a.op().accumulatesInto();
        if (j < 0 || j >= reads[i].length) return new int[0];
        for (int k = 0; k < reads[i].length; k++) if (k != j && reads[i][k] == reads[i][j]) return new int[0];
        return new int[] {reads[i][j]};
    }

    /** The slot of a param, or -1 where nothing in the schedule reads it. */
    private int slotOf(Param p) {
        for (int k = 0; k < params.length; k++) if (params[k] == p) return paramSlot[k];
        return -1;
    }

    /** The update whose root is {@code slot} and that is written in place, or -1. */
    private static int indexOfSlot(int[] updateSlots, int[] inPlace, int slot) {
        for (int u = 0; u < updateSlots.length; u++) if (updateSlots[u] == slot && inPlace[u] >= 0) return u;
        return -1;
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) if (a[i] == v) return i;
        return -1;
    }

    /** The op's own kernel, an f64 kernel between widened copies for an f32 node, or its fprop. */
    private Kernel kernel(Apply a, int slot, int[] reads) {
        Shape[] in = new Shape[reads.length];
        DType[] inTypes = new DType[reads.length];
        for (int k = 0; k < reads.length; k++) {
            in[k] = shapes[reads[k]];
            inTypes[k] = dtypes[reads[k]];
        }
        if (partShapes[slot] != null) { // an op of several results has one kernel for either dtype
            Kernel own = a.op().kernel(new Site(dtypes[slot], shapes[slot], in, slot, reads, function::stream, partShapes[slot]));
            if (own == null) throw new IllegalStateException(a.op().name() + " has several results and no kernel");
            return own;
        }
        var site = site(slot, reads, DType.F64);
        if (dtypes[slot] == DType.F32) {
            Kernel own = a.op().kernelF32(site(slot, reads, DType.F32));
            if (own != null) return own;
            Kernel wide = a.op().kernel(site);
            return wide != null ? new Widened(wide, site, inTypes, schedule.length) : fallback(a, site, dtypes[slot]);
        }
        Kernel own = a.op().kernel(site);
        return own != null ? own : fallback(a, site, DType.F64);
    }

    /** The site of the node in {@code slot}, for a kernel on buffers of {@code dtype}. */
    private Site site(int slot, int[] reads, DType dtype) {
        Shape[] in = new Shape[reads.length];
        for (int k = 0; k < reads.length; k++) in[k] = shapes[reads[k]];
        return new Site(dtype, shapes[slot], in, slot, reads, function::stream);
    }

    private Kernel fallback(Apply a, Site site, DType dtype) {
        fallbacks.add(a);
        return new Fallback(a, site, dtype, function);
    }

    /** The nodes whose op has no kernel and runs its reference {@code fprop}, allocating at every call. */
    List<Apply> fallbacks() { return List.copyOf(fallbacks); }

    private static Object allocate(DType dtype, int size) {
        return dtype == DType.F32 ? new float[size] : new double[size];
    }

    /**
     * A free array of exactly {@code size} elements of the dtype, or a new one. Only exact
     * lengths are reused: the native GEMM no longer copies whole arrays (it copies the matrix's
     * extent), but a longer array would still be a larger working set for every kernel.
     */
    private static Object take(Map<Integer, List<Object>> free, DType dtype, int size) {
        Class<?> kind = dtype == DType.F32 ? float[].class : double[].class;
        List<Object> arrays = free.get(size);
        if (arrays != null) {
            for (int k = 0; k < arrays.size(); k++) {
                if (arrays.get(k).getClass() == kind) return arrays.remove(k);
            }
        }
        return allocate(dtype, size);
    }

    private static void give(Map<Integer, List<Object>> free, Object array) {
        free.computeIfAbsent(java.lang.reflect.Array.getLength(array), n -> new ArrayList<>()).add(array);
    }

    private static float[] narrow(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) out[i] = (float) values[i];
        return out;
    }

    // ---- what the plan is, for tests -----------------------------------------------------------

    /** The number of kernels a call runs. */
    int steps() { return kernels.length; }

    /** The number of distinct arrays the plan's computed values live in. */
    int arrays() {
        var seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<Object, Boolean>());
        for (int s : computed) seen.add(buffers[s]);
        return seen.size();
    }

    // ---- calling -----------------------------------------------------------------------------

    /** True when this plan was made for these fed shapes and the params' present shapes. */
    boolean fits(Tensor[] fed) {
        for (int i = 0; i < fed.length; i++) {
            if (fed[i].dtype() != inputDtypes[i] || !fed[i].shape().equals(inputShapes[i])) return false;
        }
        // a param's shape changes only with its storage (set makes a new array), so a param still
        // in the array this plan last read needs no second look
        for (int k = 0; k < params.length; k++) {
            if (params[k].storage() != buffers[paramSlot[k]] && !params[k].shape().equals(paramShapes[k])) return false;
        }
        return true;
    }

    /** Runs every step, then applies the updates; the outputs stay in {@link #buffers} until the next call. */
    void run(Tensor[] fed) {
        bindInputs(fed);
        runBound();
    }

    /**
     * {@link #run} on what the inputs' arrays ({@link #input}) hold now, converting nothing: a
     * {@link Loop}'s step, whose inputs are written in place between runs.
     */
    void runBound() {
        bindLeaves();
        if (guarded) for (int s : leafSlots) checkFinite(s);
        // the params are held (Blas.hold) until the first kernel that writes one: a W read by
        // several products (an autoencoder's tied W, a layer's forward and backward products)
        // is copied into the native library's memory once a step, not at each of them
        if (held.length == 0) {
            execute(kernels, kernelSlot);
        } else {
            for (int k = 0; k < held.length; k++) held[k] = buffers[paramSlot[heldParams[k]]];
            Blas.Hold hold = Blas.hold(held);
            try {
                execute(kernels, kernelSlot, hold, holdUntil);
            } finally {
                hold.close();
                Arrays.fill(held, null);
            }
        }
        applyUpdates();
    }

    /** The updates, after the kernels: copied where read elsewhere too, then exchanged with their params' storage. */
    private void applyUpdates() {
        for (int u = 0; u < updated.length; u++) {
            if (updateCopies[u]) {
                Object value = buffers[updateSlot[u]];
                System.arraycopy(value, 0, updateBuffer[u], 0, java.lang.reflect.Array.getLength(updateBuffer[u]));
            }
        }
        for (int u = 0; u < updated.length; u++) {
            if (updatedInPlace[u] >= 0) updated[u].changed();
            else if (updateCopies[u]) updateBuffer[u] = updated[u].exchange(updateBuffer[u]);
            else buffers[updateSlot[u]] = updated[u].exchange(buffers[updateSlot[u]]);
        }
    }

    /** Points the inputs' slots at this call's inputs (converting f32 inputs into the plan's own arrays). */
    private void bindInputs(Tensor[] fed) {
        for (int i = 0; i < fed.length; i++) {
            int s = inputSlot[i];
            if (s < 0) continue;
            if (buffers[s] instanceof float[] f) {
                double[] d = fed[i].storage();
                for (int k = 0; k < f.length; k++) f[k] = (float) d[k];
            } else buffers[s] = fed[i].storage();
        }
    }

    /**
     * The array input {@code i} is read from: a {@code double[]} for an f64 input (the last
     * call's tensor's storage), the plan's own {@code float[]} for an f32 one; null when nothing
     * reads the input.
     */
    Object input(int i) { return inputSlot[i] < 0 ? null : buffers[inputSlot[i]]; }

    /**
     * Makes input {@code i} read from {@code array} (of the input's dtype, at least as long as
     * its value) until the next {@link #run} binds it again; the plan never writes a leaf's array.
     */
    void bindInput(int i, Object array) {
        if (inputSlot[i] >= 0) buffers[inputSlot[i]] = array;
    }

    /** Points the params' slots at their storage, and each update written in place at its param's. */
    private void bindLeaves() {
        for (int k = 0; k < params.length; k++) buffers[paramSlot[k]] = params[k].storage();
        for (int u = 0; u < updated.length; u++) {
            if (updatedInPlace[u] >= 0) buffers[updateSlot[u]] = buffers[updatedInPlace[u]];
        }
    }

    /** Runs {@code steps} in order, saying at which node a kernel failed, and checking each value under the guard. */
    private void execute(Kernel[] steps, int[] slots) { execute(steps, slots, Blas.Hold.NONE, 0); }

    /** {@link #execute(Kernel[], int[])}, ending {@code hold} before step {@code until}. */
    private void execute(Kernel[] steps, int[] slots, Blas.Hold hold, int until) {
        int step = 0;
        try {
            for (; step < steps.length; step++) {
                if (step == until) hold.close();
                steps[step].run(buffers);
                if (guarded) checkFinite(slots[step]);
            }
        } catch (GraftException e) {
            throw e;
        } catch (RuntimeException e) {
            Apply a = (Apply) schedule[slots[step]];
            throw new GraftException(a.pos(), Apply.call(a.op(), a.inputs()) + ": " + e.getMessage());
        }
    }

    /** The value in slot {@code s} as a new tensor. */
    Tensor value(int s) {
        return Tensor.of(dtypes[s], shapes[s], widen(buffers[s], shapes[s].size()));
    }

    /** The number of elements of the value in slot {@code s}. */
    int size(int s) { return shapes[s].size(); }

    /** Element {@code k} of the value in slot {@code s}. */
    double element(int s, int k) {
        Object b = buffers[s];
        return b instanceof double[] d ? d[k] : ((float[]) b)[k];
    }

    private static double[] widen(Object array, int size) {
        if (array instanceof double[] d) return Arrays.copyOf(d, size);
        float[] f = (float[]) array;
        double[] out = new double[size];
        for (int i = 0; i < size; i++) out[i] = f[i];
        return out;
    }

    /** Stops at a value that is not finite, saying which node made it and where in the value it is. */
    private void checkFinite(int s) {
        if (partShapes[s] != null) return; // its parts are checked as their Part nodes copy them out
        int size = shapes[s].size();
        for (int k = 0; k < size; k++) {
            if (!Double.isFinite(element(s, k))) {
                Node n = schedule[s];
                String what = n instanceof Apply a ? Apply.call(a.op(), a.inputs()) + " gave"
                        : (n instanceof Input ? "input " : n instanceof Param ? "param " : "constant ") + n.label() + " holds";
                throw new NonFiniteError(n, what, value(s), k);
            }
        }
    }
}
