package org.graft.core.runtime;

import java.util.random.RandomGenerator;

import org.graft.core.Apply;
import org.graft.core.blas.Blas;
import org.graft.core.blas.Gemm;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;

/**
 * What an op is told when it makes a {@link Kernel} for one node of a plan: the concrete
 * shapes, the dtype, the slots of the buffers it reads and writes, and the function's services
 * (the GEMM back end, the random stream, scratch arrays).
 */
public final class Site {
    private final Apply node;
    private final DType dtype;
    private final Shape out;
    private final Shape[] in;
    private final int slot;
    private final int[] slots;
    private final Function function;

    Site(Apply node, DType dtype, Shape out, Shape[] in, int slot, int[] slots, Function function) {
        this.node = node;
        this.dtype = dtype;
        this.out = out;
        this.in = in;
        this.slot = slot;
        this.slots = slots;
        this.function = function;
    }

    /** The node the kernel computes. */
    public Apply node() { return node; }

    /**
     * The dtype of the buffers the kernel sees: f64 for {@link org.graft.core.Op#kernel}, even
     * for an f32 node (whose values it sees widened); f32 for {@link org.graft.core.Op#kernelF32}.
     */
    public DType dtype() { return dtype; }

    /** The output's shape. */
    public Shape out() { return out; }

    public int arity() { return in.length; }

    /** The shape of input {@code i}. */
    public Shape in(int i) { return in[i]; }

    /** The slot of the output's buffer. */
    public int slot() { return slot; }

    /** The slot of input {@code i}'s buffer. */
    public int slot(int i) { return slots[i]; }

    /** The matrix-product back end for a product of these dimensions, routed by its size once. */
    public Gemm gemm(int m, int n, int k) { return Blas.gemm(m, n, k); }

    /** The function's random stream as it is now: call it when the kernel runs, not when it is made. */
    public RandomGenerator random() { return function.stream(); }
}
