package org.graft.core.runtime;

import java.util.Arrays;
import java.util.function.IntConsumer;

import org.graft.core.Elementwise;
import org.graft.core.blas.Parallel;
import org.graft.core.kernel.Kernel;
import org.graft.core.kernel.Kernels;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;

/**
 * {@link Elementwise} ops of one shape run as one loop: the elements are taken in blocks that fit
 * in the first-level cache, and every op runs over a block before the next block is touched. An
 * op is called once per block, so there is no call per element, and an intermediate value's
 * block is still in the cache when the next op reads it. A loop may have several outputs (an
 * optimizer's new moments beside the new param). Each but the last op's is copied out of its
 * register at the end of each block, after every op has read the block, so an output may be
 * written over an operand; in place, an op writes such an output itself when no later op reads
 * an operand in the output's array (Adam's new moment over the old one, which only the moment's
 * own op reads).
 *
 * <p>An op reads and writes its arrays at the same indices ({@link Elementwise#apply}), so that
 * C2 vectorizes it. That leaves two ways to run a chain:
 * <ul>
 *   <li><b>In place</b>, when every operand has the output's shape or is a scalar (and the
 *       registers below hold at most {@link #IN_PLACE_MOST} numbers), or the whole value is one
 *       block: block {@code [s, e)} is computed from elements {@code [s, e)} of
 *       the operands, read where they are, and the last op writes straight into the output. A
 *       value computed in the chain, and a scalar operand, go into registers as long as the
 *       output, of which a block at a time is touched; a scalar's register is filled again only
 *       when its value changes (a constant once), each thread filling its own blocks. A scalar
 *       that every op reading it {@linkplain Elementwise#takesScalar takes as one element}
 *       (Adam's bias corrections, which change at every step) needs no such register.</li>
 *   <li><b>Blocked</b>, when an operand is broadcast along some dims (a bias) or summed: every
 *       operand's block is loaded into a register of one block, indexed from 0, the ops run
 *       there, and the output's block is copied out. A bias's register as long as the output
 *       would be written and read back from beyond L1 on every block, where a block's register
 *       stays in L1.</li>
 * </ul>
 * Adam's update of 50,000 floats, its corrections changing every call, took 50-52 us in place
 * against 69-78 blocked ({@code UpdateBenchmark}); a harness's single chains over [100, 500]
 * gained less, and more in f64 than in f32 (bench/README.md).
 *
 * <p>An operand may be a sum of a larger value down to the loop's shape (a bias's gradient, the
 * column sum of a batch of deltas, feeding the bias's update): its block is summed from that
 * value when it is loaded ({@link Kernels.Sum#block}), with the bits the sum's own kernel gives,
 * so the sum costs no kernel, no buffer and no pass of its own.
 *
 * <p>An f32 chain computes in float registers with the ops' {@link Elementwise#applyF32}, each of
 * which rounds its own results once, so a fused chain gives the bits that the ops give one at a
 * time.
 */
final class Fused implements Kernel {
    /** Elements per block: 1024 doubles, 8 KiB per operand, so a chain's blocks stay in L1. */
    static final int BLOCK = 1024;

    /**
     * From this much work, its elements times its ops, a chain is split across the kernel
     * threads, each taking a fixed run of blocks: below it, handing a part to a thread costs
     * more than the part saves. The ops count because the chain makes a pass over each block
     * per op: on two threads a chain of four ops with a sigmoid over 20,000 floats took 37-53 us
     * split against 71-72 whole, where a chain of two cheap ops over as many took 14 us whole
     * and once 30 split, probably while the worker was being woken.
     */
    static final int PARALLEL_FROM = 1 << 16;

    /**
     * The most numbers a chain in place keeps in registers as long as its output (128 MiB in
     * f64): a larger one runs blocked, in 8 KiB per register and thread, so that a chain over
     * an array of hundreds of millions of numbers does not need several more of its size.
     * A chain with two intermediate values over a 784 x 500 matrix needs two such registers,
     * 784,000 numbers (Adam's update needs none: its scalars are taken as one element).
     */
    static final long IN_PLACE_MOST = 1L << 24;

    /**
     * How an operand from outside gets to the ops: read where it is (in place), or loaded into a
     * register block by block, or a scalar that every op reading it {@linkplain Elementwise#takesScalar
     * takes as one element} (SCALAR_AS_IS: copied into an array of one element at each call, which
     * all threads read, whichever way the chain runs; the array a slot holds may be longer).
     * A broadcast operand is PERIODIC when it repeats whole along the leading dims (a bias),
     * REPEATED when each of its elements stands for a run of the output's (a [n, 1] column
     * scaling the rows of [n, k]), and GATHER otherwise, read through a table of indices. The
     * first two are loaded in runs by {@link System#arraycopy} and {@link Arrays#fill}, which
     * are vectorized, where a table takes two loads per element and no vectors.
     */
    private enum Load { SAME, SCALAR, SCALAR_AS_IS, PERIODIC, REPEATED, GATHER, SUM }

    /**
     * The shortest run a PERIODIC or REPEATED operand is loaded in: a shorter one goes element by
     * element, since a call of arraycopy or fill per few elements costs more than it copies.
     */
    static final int RUN_FROM = 16;

    private final Elementwise[] ops;
    private final int[][] args;         // registers each op reads
    private final int[] target;         // the register each op writes
    private final int[] externalSlot;   // buffer slot of each operand from outside the chain
    private final Load[] load;
    private final int[] period;         // PERIODIC: the operand's size; REPEATED: the run each of its elements stands for
    private final int[][] gather;       // GATHER: the operand's element for each output element
    private final Kernels.Sum[] summed; // SUM: the sum, whose input is in the operand's slot
    private final int[] outSlot;        // the outputs' buffers, the last op's last
    private final int[] outRegister;    // the registers they are copied from; in place, the last op writes its output itself
    private final int size;
    private final boolean f32;
    private final boolean inPlace;      // operands of the output's shape read in place, the output written in place
    private final int[] inPlaceOp;      // in place: the operands that are buffers read in place, as op,
    private final int[] inPlaceArg;     // operand index,
    private final int[] inPlaceSlot;    // and slot; other operands' registers are bound when the loop is made, outputs' by bindOutputs
    private final Part[] parts;         // one set of registers per thread; in place, one set shared
    // in place, for each output but the last op's: the first op that writes its register, the
    // register's own array (made when first needed), and whether this call's op writes the
    // output's buffer itself
    private final int[] firstWriter;
    private final Object[] ownRegister;
    private final boolean[] outDirect;
    private final Object[] scalarAsIs;  // SCALAR_AS_IS: the operand's array of one element, which every part reads; else null
    private final Parallel parallel;    // null: one thread
    private final IntConsumer runPart = this::runPart;
    private Object[] current;           // the buffers of the call in progress, for the parts

    /**
     * The registers one thread computes in: {@code double[]} or {@code float[]}, one per operand
     * from outside, then those the ops' values take turns in, the last the output's; null where
     * the register is a buffer read or written in place. Blocked, each is one block long; in
     * place, as long as the output, and the threads share them, each touching its own blocks.
     */
    private static final class Part {
        final Object[] registers;
        final Object[][] argv;          // per op, its operands' current arrays
        final double[] sums;            // an f32 loop's sums in double, before rounding; else null
        // per scalar operand, the bits of the value its register holds: +0.0, all bits 0, in a new register
        final long[] scalarBits;

        Part(Object[] registers, Object[][] argv, double[] sums) {
            this.registers = registers;
            this.argv = argv;
            this.scalarBits = new long[registers.length];
            this.sums = sums;
        }
    }

    /**
     * @param ops           the chain in schedule order; the last one's value is the output
     * @param args          for each op, the registers of its operands: {@code 0..externals-1} are
     *                      the operands from outside, the others hold values of earlier ops
     * @param target        for each op, the register it writes: at least {@code externals}, the
     *                      last op's {@code registers - 1}; a register is reused once its value
     *                      is dead, so a long chain needs few
     * @param registerCount how many registers there are
     * @param externalSlot  the slots of the operands from outside; for a summed one, the slot of
     *                      the value it sums
     * @param externalShape their shapes
     * @param summed        for each operand from outside, the sum that computes it from the value
     *                      in its slot ({@linkplain Kernels.Sum#blockwise blockwise}, of the output's
     *                      shape), or null for one read as it is
     * @param outSlot       the buffers of the loop's outputs, the last op's last
     * @param outRegister   the registers the outputs are in; none but the last op's may be reused
     */
    Fused(Elementwise[] ops, int[][] args, int[] target, int registerCount, int[] externalSlot, Shape[] externalShape,
          Kernels.Sum[] summed, int[] outSlot, int[] outRegister, Shape out, DType dtype) {
        this.ops = ops;
        this.args = args;
        this.target = target;
        this.externalSlot = externalSlot;
        this.outSlot = outSlot;
        this.outRegister = outRegister;
        this.size = out.size();
        this.f32 = dtype == DType.F32;
        int e = externalSlot.length;
        load = new Load[e];
        period = new int[e];
        gather = new int[e][];
        this.summed = summed;
        scalarAsIs = new Object[e];
        boolean sums = false;
        for (int i = 0; i < e; i++) {
            Shape s = externalShape[i];
            if (summed[i] != null) {
                load[i] = Load.SUM;
                sums = true;
            } else if (s.equals(out)) load[i] = Load.SAME;
            else if (s.size() == 1) load[i] = takenAsScalar(ops, args, i) ? Load.SCALAR_AS_IS : Load.SCALAR;
            else if (trailing(s, out)) {
                load[i] = Load.PERIODIC;
                period[i] = s.size();
            } else if (repeated(s, out) >= RUN_FROM) {
                load[i] = Load.REPEATED;
                period[i] = repeated(s, out);
            } else {
                load[i] = Load.GATHER;
                gather[i] = s.broadcastIndex(out);
            }
        }
        boolean broadcast = false;
        int fullRegisters = 0;
        for (int r = 0; r < registerCount; r++) {
            if (r < e) {
                broadcast |= load[r] != Load.SAME && load[r] != Load.SCALAR && load[r] != Load.SCALAR_AS_IS;
                if (load[r] == Load.SCALAR) fullRegisters++;
            } else if (r < registerCount - 1 && !outputRegister(r)) fullRegisters++;
        }
        this.inPlace = inPlace(size, broadcast, fullRegisters);
        Parallel pool = (long) size * ops.length >= PARALLEL_FROM ? Parallel.shared() : null;
        parallel = pool != null && pool.parts() > 1 ? pool : null;
        parts = new Part[parallel == null ? 1 : parallel.parts()];
        int length = inPlace ? size : BLOCK;
        Object[] shared = null;
        for (int p = 0; p < parts.length; p++) {
            var registers = p > 0 && inPlace ? shared : new Object[registerCount];
            for (int r = 0; registers != shared && r < registers.length; r++) {
                // in place, an output's register is made only if an op needs it (bindOutputs)
                boolean buffer = inPlace && (r < e ? load[r] == Load.SAME : r == registers.length - 1 || outputRegister(r));
                if (r < e && load[r] == Load.SCALAR_AS_IS) {
                    if (scalarAsIs[r] == null) scalarAsIs[r] = f32 ? new float[1] : new double[1];
                    registers[r] = scalarAsIs[r];
                } else registers[r] = buffer ? null : f32 ? new float[length] : new double[length];
            }
            shared = registers;
            var argv = new Object[ops.length][];
            for (int j = 0; j < ops.length; j++) {
                argv[j] = f32 ? new float[args[j].length][] : new double[args[j].length][];
                for (int k = 0; k < args[j].length; k++) argv[j][k] = registers[args[j][k]];
            }
            parts[p] = new Part(registers, argv, sums && f32 ? new double[Math.min(size, BLOCK)] : null);
        }
        // the last register is written, never read, by the ops
        var reads = new java.util.ArrayList<int[]>();
        for (int j = 0; inPlace && j < ops.length; j++) {
            for (int k = 0; k < args[j].length; k++) {
                int r = args[j][k];
                if (r < e && load[r] == Load.SAME) reads.add(new int[] {j, k, externalSlot[r]});
            }
        }
        firstWriter = new int[outSlot.length - 1];
        ownRegister = new Object[outSlot.length - 1];
        outDirect = new boolean[outSlot.length - 1];
        for (int o = 0; o < firstWriter.length; o++) {
            int writer = 0;
            while (target[writer] != outRegister[o]) writer++;
            firstWriter[o] = writer;
        }
        inPlaceOp = reads.stream().mapToInt(a -> a[0]).toArray();
        inPlaceArg = reads.stream().mapToInt(a -> a[1]).toArray();
        inPlaceSlot = reads.stream().mapToInt(a -> a[2]).toArray();
    }

    /**
     * Whether a chain of {@code size} elements runs in place: when it is one block, or when no
     * operand is broadcast along some dims or summed and the registers it would need as long as
     * the output, {@code fullRegisters} of them, hold at most {@link #IN_PLACE_MOST} numbers.
     */
    static boolean inPlace(int size, boolean broadcast, int fullRegisters) {
        return size <= BLOCK || !broadcast && (long) fullRegisters * size <= IN_PLACE_MOST;
    }

    /** True when every op that reads operand {@code r} takes it as one element. */
    private static boolean takenAsScalar(Elementwise[] ops, int[][] args, int r) {
        for (int j = 0; j < ops.length; j++) {
            for (int k = 0; k < args[j].length; k++) if (args[j][k] == r && !ops[j].takesScalar(k)) return false;
        }
        return true;
    }

    /** True when register {@code r} holds one of the outputs but the last op's. */
    private boolean outputRegister(int r) {
        for (int o = 0; o < outRegister.length - 1; o++) if (outRegister[o] == r) return true;
        return false;
    }

    /** True when {@code s}, without its leading 1s, is a trailing run of {@code out}'s dims: the operand repeats with period s.size(). */
    private static boolean trailing(Shape s, Shape out) {
        int[] d = s.dims(), o = out.dims();
        int lead = 0;
        while (lead < d.length && d[lead] == 1) lead++;
        int k = d.length - lead;
        if (k > o.length) return false;
        for (int i = 0; i < k; i++) if (d[lead + i] != o[o.length - k + i]) return false;
        return true;
    }

    /**
     * The run of output elements each element of {@code s} stands for when {@code s}, aligned to
     * the right of {@code out} as broadcasting aligns it, is {@code out}'s leading dims followed
     * by 1s: {@code [n, 1]} in {@code [n, k]} stands for runs of k. 0 when it is not so.
     */
    static int repeated(Shape s, Shape out) {
        int[] d = s.dims(), o = out.dims();
        int pad = o.length - d.length;
        if (pad < 0) return 0;
        int ones = o.length; // the axes from here on are 1 in s
        while (ones > pad && d[ones - 1 - pad] == 1) ones--;
        for (int a = 0; a < ones; a++) if ((a < pad ? 1 : d[a - pad]) != o[a]) return 0;
        int run = 1;
        for (int a = ones; a < o.length; a++) run *= o[a];
        return run;
    }

    @Override
    public void run(Object[] buffers) {
        for (int i = 0; i < scalarAsIs.length; i++) {
            if (scalarAsIs[i] instanceof double[] d) d[0] = ((double[]) buffers[externalSlot[i]])[0];
            else if (scalarAsIs[i] instanceof float[] f) f[0] = ((float[]) buffers[externalSlot[i]])[0];
        }
        if (inPlace) bindOutputs(buffers);
        if (parallel == null) {
            runBlocks(buffers, parts[0], 0, size);
            return;
        }
        current = buffers;
        try {
            parallel.run(runPart);
        } finally {
            current = null;
        }
    }

    /**
     * In place, points each output's register but the last op's at the output's buffer, so that
     * its op writes the output itself rather than a register copied out block by block, unless
     * an op after the first that writes the register reads an operand in that same array (an
     * update written over its param, read again later in the chain): that op must still see the
     * operand's value, so the output stays in its register. Arrays are compared, not slots, since
     * an update's slot holds its param's storage.
     */
    private void bindOutputs(Object[] buffers) {
        int e = externalSlot.length;
        for (int o = 0; o < outDirect.length; o++) {
            Object out = buffers[outSlot[o]];
            boolean clash = false;
            for (int j = firstWriter[o] + 1; j < ops.length; j++) {
                for (int r : args[j]) clash |= r < e && buffers[externalSlot[r]] == out;
            }
            outDirect[o] = !clash;
            int register = outRegister[o];
            if (clash && ownRegister[o] == null) ownRegister[o] = f32 ? new float[size] : new double[size];
            Object array = clash ? ownRegister[o] : out;
            if (parts[0].registers[register] == array) continue;
            parts[0].registers[register] = array; // the parts share their registers in place
            for (Part part : parts) {
                for (int j = 0; j < ops.length; j++) {
                    for (int k = 0; k < args[j].length; k++) if (args[j][k] == register) part.argv[j][k] = array;
                }
            }
        }
    }

    /** Part {@code p} of {@code parts.length} takes an equal share of whole blocks. */
    private void runPart(int p) {
        int blocks = (size + BLOCK - 1) / BLOCK;
        int from = (int) ((long) blocks * p / parts.length) * BLOCK;
        int to = Math.min(size, (int) ((long) blocks * (p + 1) / parts.length) * BLOCK);
        runBlocks(current, parts[p], from, to);
    }

    private void runBlocks(Object[] buffers, Part part, int from, int to) {
        if (from >= to) return; // a part with no block: in place, the registers are another part's too
        Object[] registers = part.registers;
        int e = externalSlot.length, last = registers.length - 1, outputs = outSlot.length;
        Object output = inPlace ? buffers[outSlot[outputs - 1]] : registers[last];
        if (inPlace) for (int b = 0; b < inPlaceOp.length; b++) part.argv[inPlaceOp[b]][inPlaceArg[b]] = buffers[inPlaceSlot[b]];
        for (int i = 0; i < e; i++) {
            // in place, the part's own elements of the register the parts share; blocked, its one block
            if (load[i] == Load.SCALAR) fill(registers[i], buffers[externalSlot[i]], inPlace ? from : 0, inPlace ? to : Math.min(size, BLOCK), part.scalarBits, i);
        }
        int lastOp = ops.length - 1;
        for (int start = from; start < to; start += BLOCK) {
            int n = Math.min(BLOCK, to - start);
            // where the block is in the registers: at its own place in place, at 0 blocked; a
            // broadcast operand is loaded at 0 either way, since in place it has one block
            int lo = inPlace ? start : 0, hi = lo + n;
            for (int i = 0; i < e; i++) {
                if (load[i] == Load.SUM) summed[i].block(buffers[externalSlot[i]], registers[i], part.sums, start, n);
                else if (load[i] != Load.SCALAR && load[i] != Load.SCALAR_AS_IS && !(inPlace && load[i] == Load.SAME)) {
                    loadBlock(registers[i], i, buffers[externalSlot[i]], start, n);
                }
            }
            if (f32) {
                for (int j = 0; j < lastOp; j++) ops[j].applyF32((float[][]) part.argv[j], (float[]) registers[target[j]], lo, hi);
                ops[lastOp].applyF32((float[][]) part.argv[lastOp], (float[]) output, lo, hi);
            } else {
                for (int j = 0; j < lastOp; j++) ops[j].apply((double[][]) part.argv[j], (double[]) registers[target[j]], lo, hi);
                ops[lastOp].apply((double[][]) part.argv[lastOp], (double[]) output, lo, hi);
            }
            for (int o = 0; o < outputs - 1; o++) {
                if (!inPlace || !outDirect[o]) System.arraycopy(registers[outRegister[o]], lo, buffers[outSlot[o]], start, n);
            }
            if (!inPlace) System.arraycopy(output, 0, buffers[outSlot[outputs - 1]], start, n);
        }
    }

    /**
     * Fills elements {@code [from, to)} of scalar operand {@code i}'s register with the source's
     * value, unless they hold those bits already.
     */
    private static void fill(Object register, Object source, int from, int to, long[] bits, int i) {
        if (register instanceof double[] r) {
            double v = ((double[]) source)[0];
            long b = Double.doubleToRawLongBits(v);
            if (b == bits[i]) return;
            Arrays.fill(r, from, to, v);
            bits[i] = b;
        } else {
            float v = ((float[]) source)[0];
            long b = Float.floatToRawIntBits(v);
            if (b == bits[i]) return;
            Arrays.fill((float[]) register, from, to, v);
            bits[i] = b;
        }
    }

    private void loadBlock(Object register, int i, Object source, int start, int n) {
        if (load[i] == Load.SAME) {
            System.arraycopy(source, start, register, 0, n);
        } else if (load[i] == Load.PERIODIC && period[i] >= RUN_FROM) {
            int p = period[i];
            for (int k = 0, j = start % p; k < n; k += p - j, j = 0) System.arraycopy(source, j, register, k, Math.min(p - j, n - k));
        } else if (load[i] == Load.REPEATED) {
            int q = period[i];
            for (int k = 0, j = start / q, left = q - start % q; k < n; k += left, j++, left = q) {
                if (register instanceof double[] r) Arrays.fill(r, k, Math.min(k + left, n), ((double[]) source)[j]);
                else Arrays.fill((float[]) register, k, Math.min(k + left, n), ((float[]) source)[j]);
            }
        } else if (register instanceof double[] r) {
            double[] d = (double[]) source;
            if (load[i] == Load.PERIODIC) {
                int p = period[i];
                for (int k = 0, j = start % p; k < n; k++) {
                    r[k] = d[j];
                    if (++j == p) j = 0;
                }
            } else {
                int[] g = gather[i];
                for (int k = 0; k < n; k++) r[k] = d[g[start + k]];
            }
        } else {
            float[] r = (float[]) register, f = (float[]) source;
            if (load[i] == Load.PERIODIC) {
                int p = period[i];
                for (int k = 0, j = start % p; k < n; k++) {
                    r[k] = f[j];
                    if (++j == p) j = 0;
                }
            } else {
                int[] g = gather[i];
                for (int k = 0; k < n; k++) r[k] = f[g[start + k]];
            }
        }
    }
}
