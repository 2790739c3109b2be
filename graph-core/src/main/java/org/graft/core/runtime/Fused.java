package org.graft.core.runtime;

import java.util.Arrays;

import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;

/**
 * A chain of {@link Elementwise} ops run as one loop: the elements are taken in blocks that fit
 * in the first-level cache, each operand's block is loaded once (broadcast as needed), and every
 * op of the chain runs over the block before the next block is touched. An op is called once
 * per block, so there is no call per element, and the intermediate values never reach memory.
 *
 * <p>When the whole value fits in one block and is f64, operands of the output's shape are read
 * where they are and the last op writes straight into the output: a small chain copies nothing.
 *
 * <p>In f32 every intermediate value is rounded to float as the op that made it finishes, so a
 * fused chain gives the bits that the ops give one at a time.
 */
final class Fused implements Kernel {
    /** Elements per block: 1024 doubles, 8 KiB per operand, so a chain's blocks stay in L1. */
    static final int BLOCK = 1024;

    /**
     * From this many elements a chain is split across the kernel threads, each taking a fixed
     * run of blocks: below it, waking the threads costs more than the loop.
     */
    static final int PARALLEL_FROM = 1 << 16;

    private enum Load { SAME, SCALAR, PERIODIC, GATHER }

    private final Elementwise[] ops;
    private final int[][] args;         // registers each op reads
    private final int[] result;         // register each op writes
    private final int[] externalSlot;   // buffer slot of each operand from outside the chain
    private final Load[] load;
    private final int[] period;         // PERIODIC: the operand's size
    private final int[][] gather;       // GATHER: the operand's element for each output element
    private final int outSlot;
    private final int size;
    private final boolean f32;
    private final boolean direct;       // one f64 block: no copies
    private final Part[] parts;         // one set of registers per thread
    private final Parallel parallel;    // null: one thread
    private final java.util.function.IntConsumer runPart = this::runPart;
    private Object[] current;           // the buffers of the call in progress, for the parts

    /** The registers one thread computes in. */
    private static final class Part {
        final double[][] registers;
        final double[][][] argv;        // per op, its operands' current arrays

        Part(double[][] registers, double[][][] argv) {
            this.registers = registers;
            this.argv = argv;
        }
    }

    /**
     * @param ops        the chain in schedule order; the last one's value is the output
     * @param args       for each op, the registers of its operands: {@code 0..externals-1} are the
     *                   operands from outside, {@code externals + j} is op {@code j}'s value
     * @param externals  the slots and shapes of the operands from outside
     */
    Fused(Elementwise[] ops, int[][] args, int[] externalSlot, Shape[] externalShape, int outSlot, Shape out, DType dtype) {
        this.ops = ops;
        this.args = args;
        this.externalSlot = externalSlot;
        this.outSlot = outSlot;
        this.size = out.size();
        this.f32 = dtype == DType.F32;
        this.direct = !f32 && size <= BLOCK;
        int e = externalSlot.length;
        result = new int[ops.length];
        for (int j = 0; j < ops.length; j++) result[j] = e + j;
        load = new Load[e];
        period = new int[e];
        gather = new int[e][];
        for (int i = 0; i < e; i++) {
            Shape s = externalShape[i];
            if (s.equals(out)) load[i] = Load.SAME;
            else if (s.size() == 1) load[i] = Load.SCALAR;
            else if (trailing(s, out)) {
                load[i] = Load.PERIODIC;
                period[i] = s.size();
            } else {
                load[i] = Load.GATHER;
                gather[i] = s.broadcastIndex(out);
            }
        }
        Parallel pool = size >= PARALLEL_FROM ? Parallel.shared() : null;
        parallel = pool != null && pool.parts() > 1 ? pool : null;
        parts = new Part[parallel == null ? 1 : parallel.parts()];
        int block = Math.min(size, BLOCK);
        for (int p = 0; p < parts.length; p++) {
            var registers = new double[e + ops.length][];
            for (int r = 0; r < registers.length; r++) {
                boolean readInPlace = direct && r < e && load[r] == Load.SAME;
                boolean writtenInPlace = direct && r == registers.length - 1;
                registers[r] = readInPlace || writtenInPlace ? null : new double[block];
            }
            var argv = new double[ops.length][][];
            for (int j = 0; j < ops.length; j++) argv[j] = new double[args[j].length][];
            parts[p] = new Part(registers, argv);
        }
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

    @Override
    public void run(Object[] buffers) {
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

    /** Part {@code p} of {@code parts.length} takes an equal share of whole blocks. */
    private void runPart(int p) {
        int blocks = (size + BLOCK - 1) / BLOCK;
        int from = (int) ((long) blocks * p / parts.length) * BLOCK;
        int to = Math.min(size, (int) ((long) blocks * (p + 1) / parts.length) * BLOCK);
        runBlocks(current, parts[p], from, to);
    }

    private void runBlocks(Object[] buffers, Part part, int from, int to) {
        double[][] registers = part.registers;
        int e = externalSlot.length;
        if (direct) {
            for (int i = 0; i < e; i++) if (load[i] == Load.SAME) registers[i] = (double[]) buffers[externalSlot[i]];
            registers[registers.length - 1] = (double[]) buffers[outSlot];
        }
        for (int j = 0; j < ops.length; j++) {
            for (int k = 0; k < args[j].length; k++) part.argv[j][k] = registers[args[j][k]];
        }
        for (int start = from; start < to; start += BLOCK) {
            int n = Math.min(BLOCK, to - start);
            for (int i = 0; i < e; i++) {
                if (!(direct && load[i] == Load.SAME)) loadBlock(registers[i], i, buffers[externalSlot[i]], start, n);
            }
            for (int j = 0; j < ops.length; j++) {
                double[] r = registers[result[j]];
                ops[j].apply(part.argv[j], r, n);
                if (f32) for (int i = 0; i < n; i++) r[i] = (float) r[i];
            }
            if (!direct) store(registers[registers.length - 1], buffers[outSlot], start, n);
        }
    }

    private void loadBlock(double[] r, int i, Object source, int start, int n) {
        if (source instanceof double[] d) {
            switch (load[i]) {
                case SAME -> System.arraycopy(d, start, r, 0, n);
                case SCALAR -> Arrays.fill(r, 0, n, d[0]);
                case PERIODIC -> {
                    int p = period[i];
                    for (int k = 0, j = start % p; k < n; k++) {
                        r[k] = d[j];
                        if (++j == p) j = 0;
                    }
                }
                case GATHER -> {
                    int[] g = gather[i];
                    for (int k = 0; k < n; k++) r[k] = d[g[start + k]];
                }
            }
        } else {
            float[] f = (float[]) source;
            switch (load[i]) {
                case SAME -> { for (int k = 0; k < n; k++) r[k] = f[start + k]; }
                case SCALAR -> Arrays.fill(r, 0, n, f[0]);
                case PERIODIC -> {
                    int p = period[i];
                    for (int k = 0, j = start % p; k < n; k++) {
                        r[k] = f[j];
                        if (++j == p) j = 0;
                    }
                }
                case GATHER -> {
                    int[] g = gather[i];
                    for (int k = 0; k < n; k++) r[k] = f[g[start + k]];
                }
            }
        }
    }

    private static void store(double[] r, Object target, int start, int n) {
        if (target instanceof double[] d) System.arraycopy(r, 0, d, start, n);
        else {
            float[] f = (float[]) target;
            for (int k = 0; k < n; k++) f[start + k] = (float) r[k];
        }
    }
}
