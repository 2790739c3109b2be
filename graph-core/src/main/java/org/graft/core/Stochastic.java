package org.graft.core;

import java.util.List;
import java.util.random.RandomGenerator;

import org.graft.core.tensor.Tensor;

/**
 * An op that draws random numbers: its output is a sample, so it depends on a stream of
 * random bits as well as on its inputs. The compiled {@link org.graft.core.runtime.Function}
 * that runs it owns that stream and hands it to {@link #sample} in schedule order, so the same
 * seed followed by the same calls gives the same bits.
 *
 * <p>Rewrites must recognise these ops and leave them alone:
 * <ul>
 *   <li>constant folding never folds one, even when every input is a constant (a folded
 *       sample would be drawn once, at compile time, and then repeat at every call);</li>
 *   <li>merging never merges two of them, even when their ops and inputs are equal (two
 *       {@code normal_like(x)} are independent samples, not one value used twice).</li>
 * </ul>
 */
public interface Stochastic extends Op {

    /**
     * Draws one sample for these input values, taking as many numbers from {@code stream} as
     * it needs. A sampler reads the stream in a fixed order, so its output is a function of the
     * inputs and the stream's state.
     */
    Tensor sample(List<Tensor> inputs, RandomGenerator stream);

    /**
     * Refused with an {@link UnsupportedOperationException}: a sample needs the stream, which
     * belongs to the compiled function running the op. Call {@link #sample} instead.
     */
    @Override
    default Tensor fprop(List<Tensor> inputs) {
        throw new UnsupportedOperationException(name() + " draws random numbers, so it has no fprop: "
                + "call sample(inputs, stream), as a compiled Function does with the stream it owns");
    }
}
