package org.graft.core.runtime;

import org.graft.core.kernel.Kernel;
import org.graft.core.kernel.Site;
import org.graft.core.tensor.DType;

/**
 * An f64 kernel run for an f32 node: its f32 operands are widened into double arrays of its
 * own, and its result narrowed back. Widening is exact and narrowing rounds once, so the result
 * is the f64 computation correctly rounded to float, as the op's reference semantics in f32.
 */
final class Widened implements Kernel {
    private final Kernel inner;
    private final int slot;
    private final int[] slots;
    private final boolean[] narrowOperand;
    private final Object[] view;    // the inner kernel's buffers: double shadows where the plan has floats

    Widened(Kernel inner, Site site, DType[] operandTypes, int slots) {
        this.inner = inner;
        this.slot = site.slot();
        this.slots = new int[site.arity()];
        this.narrowOperand = new boolean[site.arity()];
        this.view = new Object[slots];
        for (int i = 0; i < site.arity(); i++) {
            this.slots[i] = site.slot(i);
            narrowOperand[i] = operandTypes[i] == DType.F32;
            if (narrowOperand[i]) view[site.slot(i)] = new double[site.in(i).size()];
        }
        view[slot] = new double[site.out().size()];
    }

    @Override
    public void run(Object[] buffers) {
        for (int i = 0; i < slots.length; i++) {
            if (narrowOperand[i]) {
                float[] f = (float[]) buffers[slots[i]];
                double[] d = (double[]) view[slots[i]];
                for (int k = 0; k < d.length; k++) d[k] = f[k];
            } else view[slots[i]] = buffers[slots[i]];
        }
        inner.run(view);
        double[] d = (double[]) view[slot];
        float[] f = (float[]) buffers[slot];
        for (int k = 0; k < d.length; k++) f[k] = (float) d[k];
    }
}
