package org.graft.core.runtime;

import java.util.List;
import java.util.random.RandomGenerator;

import org.graft.core.Input;
import org.graft.core.Node;
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
 * <p>Its random ops draw from the stream {@link #run} is given: the stream of the function whose
 * kernel runs the loop, so the draws of every step follow each other in that one stream.
 */
public final class Loop {
    private final Function function;
    private final Tensor[] fed;
    private final Plan plan;
    private final int[] outputSlots;

    /**
     * The function from {@code inputs} to {@code outputs}, compiled with the standard rewrites and
     * planned for inputs of these dtypes and shapes.
     */
    public Loop(List<Input> inputs, List<? extends Node> outputs, DType[] dtypes, Shape[] shapes) {
        function = Compiler.compile(inputs, outputs);
        fed = new Tensor[inputs.size()];
        // tensors whose arrays the loop writes in place before each run: they never leave it
        for (int i = 0; i < fed.length; i++) fed[i] = Tensor.zeros(dtypes[i], shapes[i]);
        plan = function.prepared(fed);
        outputSlots = function.outputSlots();
    }

    /**
     * The array input {@code i} is read from: f64 values, whatever the input's dtype (an f32
     * input is rounded to f32 when the step runs), to be written before each {@link #run}.
     */
    public double[] input(int i) { return fed[i].storage(); }

    /**
     * Runs the function once on what the input arrays hold, drawing from {@code stream}; the
     * outputs are then in {@link #output}'s arrays until the next run.
     */
    public void run(RandomGenerator stream) {
        function.drawFrom(stream);
        plan.run(fed);
    }

    /**
     * The array output {@code i} is computed in: a {@code double[]} for an f64 output, a
     * {@code float[]} for an f32 one, at least as long as the output (arrays are shared by size).
     * It may be an input's own array, when the output is that input.
     */
    public Object output(int i) { return plan.buffers[outputSlots[i]]; }
}
