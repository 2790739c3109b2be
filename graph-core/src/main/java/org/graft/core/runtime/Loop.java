package org.graft.core.runtime;

import java.util.List;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.random.Lxm;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * A compiled function run many times over, by a kernel that loops (a scan's step): made for one
 * set of input shapes, it holds an array per input that the caller writes before each
 * {@link #run} and hands out the arrays its outputs are computed in, so a step allocates nothing
 * and looks nothing up. The function is rewritten and planned as any other, so its elementwise
 * chains are fused and its products are GEMMs.
 *
 * <p>Its inputs are arrays of their own dtypes, {@code float[]} for an f32 input, which the
 * caller writes in place or {@linkplain #bind binds} (a value that does not change from run to
 * run, such as a scan's weights, is bound once and read where it lives), so a run converts and
 * copies nothing.
 *
 * <p>Its random ops draw from the stream {@link #run} is given: the stream of the function whose
 * kernel runs the loop, so the draws of every step follow each other in that one stream.
 */
public final class Loop {
    private final Function function;
    private final Plan plan;
    private final Object[] inputs;      // the array each input is written in
    private final int[] outputSlots;

    /**
     * The function from {@code inputs} to {@code outputs}, compiled with the standard rewrites and
     * planned for inputs of these dtypes and shapes.
     */
    public Loop(List<Input> inputs, List<? extends Node> outputs, DType[] dtypes, Shape[] shapes) {
        function = Compiler.compile(inputs, outputs);
        var fed = new Tensor[inputs.size()];
        for (int i = 0; i < fed.length; i++) fed[i] = Tensor.zeros(dtypes[i], shapes[i]);
        plan = function.prepared(fed);
        this.inputs = new Object[fed.length];
        for (int i = 0; i < fed.length; i++) {
            Object read = plan.input(i);
            // an input no output reads still takes its writes, into an array nothing reads
            this.inputs[i] = read != null ? read : dtypes[i] == DType.F32 ? new float[shapes[i].size()] : new double[shapes[i].size()];
        }
        outputSlots = function.outputSlots();
    }

    /**
     * The array input {@code i} is read from, to be written before each {@link #run}: a
     * {@code double[]} for an f64 input, a {@code float[]} for an f32 one.
     */
    public Object input(int i) { return inputs[i]; }

    /**
     * Makes the runs that follow read input {@code i} from {@code array} (of the input's dtype, at
     * least as long as its value), which they never write, instead of from {@link #input}'s array.
     */
    public void bind(int i, Object array) { plan.bindInput(i, array); }

    /**
     * Runs the function once on what the input arrays hold, drawing from {@code stream}; the
     * outputs are then in {@link #output}'s arrays until the next run.
     */
    public void run(Lxm stream) {
        function.drawFrom(stream);
        plan.runBound();
    }

    /**
     * The array output {@code i} is computed in: a {@code double[]} for an f64 output, a
     * {@code float[]} for an f32 one, at least as long as the output (arrays are shared by size).
     * It may be an input's own array, when the output is that input.
     */
    public Object output(int i) { return plan.buffers[outputSlots[i]]; }
}
