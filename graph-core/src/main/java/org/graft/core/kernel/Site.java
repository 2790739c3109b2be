package org.graft.core.kernel;

import java.util.function.Supplier;

import org.graft.core.blas.Blas;
import org.graft.core.blas.Gemm;
import org.graft.core.random.Lxm;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;

/**
 * What an op is told when it makes a {@link Kernel} for one node of a plan: the concrete
 * shapes, the dtype, the slots of the buffers it reads and writes, and what a kernel needs
 * while it runs (the GEMM back end, the random stream).
 */
public final class Site {
    private final DType dtype;
    private final Shape out;
    private final Shape[] in;
    private final int slot;
    private final int[] slots;
    private final Supplier<Lxm> random;
    private final Shape[] parts;

    /**
     * A site for a kernel computing into {@code slot}, of shape {@code out}, from the buffers in
     * {@code slots}, of shapes {@code in}; {@code random} gives the random stream as it is when
     * the kernel runs.
     */
    public Site(DType dtype, Shape out, Shape[] in, int slot, int[] slots, Supplier<Lxm> random) {
        this(dtype, out, in, slot, slots, random, null);
    }

    /**
     * A site for the kernel of an op of several results ({@link org.graft.core.TupleOp}), whose
     * results have the shapes {@code parts}; {@code out} is then the empty shape.
     */
    public Site(DType dtype, Shape out, Shape[] in, int slot, int[] slots, Supplier<Lxm> random, Shape[] parts) {
        this.parts = parts;
        this.dtype = dtype;
        this.out = out;
        this.in = in;
        this.slot = slot;
        this.slots = slots;
        this.random = random;
    }

    /**
     * The dtype of the buffers the kernel sees: f64 for {@link org.graft.core.Op#kernel}, even
     * for an f32 node (whose values it sees widened); f32 for {@link org.graft.core.Op#kernelF32}.
     */
    public DType dtype() { return dtype; }

    /** The output's shape. */
    public Shape out() { return out; }

    public int arity() { return in.length; }

    /** The shapes of the results of an op of several results; null for one of one result. */
    public Shape[] parts() { return parts == null ? null : parts.clone(); }

    /** The shape of input {@code i}. */
    public Shape in(int i) { return in[i]; }

    /** The slot of the output's buffer. */
    public int slot() { return slot; }

    /** The slot of input {@code i}'s buffer. */
    public int slot(int i) { return slots[i]; }

    /** The matrix-product back end for a product of these dimensions, routed by its size once. */
    public Gemm gemm(int m, int n, int k) { return Blas.gemm(m, n, k); }

    /** The random stream as it is now: call it when the kernel runs, not when it is made. */
    public Lxm random() { return random.get(); }
}
