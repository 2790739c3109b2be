package org.graft.ops;

import static org.graft.ops.Ops.grad;
import static org.graft.ops.Ops.matmul;
import static org.graft.ops.Ops.param;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.sub;
import static org.graft.ops.Ops.sum;
import static org.graft.ops.Ops.tanh;
import static org.graft.ops.Ops.transpose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.SplittableRandom;

import net.jqwik.api.Example;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.Type;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Function;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.graft.ops.optim.Optimizer;

/**
 * A plan holds its large params for the native products while no kernel writes them
 * ({@code Plan.runBound}, {@code Blas.hold}): a product reading a held W reads the copy made at
 * the step's first product that read it. A tied W, read by three products a step and then
 * updated in place, must train as the same step with W fed as an input each time (never held)
 * and updated outside the plan: a copy kept from the step before would be a whole update off.
 */
class HeldParamsTest {
    private static final double LR = 0.01;

    @Example
    void aTiedWeightReadByThreeProductsAStepTrainsAsOneFedEachStep() {
        for (DType dtype : DType.values()) {
            var random = new SplittableRandom(31);
            Tensor w0 = Tensor.uniform(dtype, Shape.of(256, 128), -0.1, 0.1, random); // 32,768 elements: held
            Tensor xs = Tensor.uniform(dtype, Shape.of(20, 256), -1, 1, random);
            Input x = new Input("x", Type.of(dtype, 20, 256)), fed = new Input("W", Type.of(w0));
            Param w = param("W", w0);
            Function step = Compiler.compile(List.of(x), List.of(loss(x, w)), Optimizer.sgd(LR).updates(loss(x, w), List.of(w)));
            Function gradient = Compiler.compile(List.of(x, fed), List.of(grad(loss(x, fed), fed)));
            Tensor want = w0;
            for (int s = 0; s < 4; s++) {
                step.call(xs);
                Tensor g = gradient.call(xs, want).get(0);
                Tensor before = want;
                want = before.zip(g, (a, b) -> dtype == DType.F32 ? (float) ((float) a - (float) (LR * b)) : a - LR * b);
                double tolerance = dtype == DType.F32 ? 1e-5 : 1e-12;
                for (int i = 0; i < want.size(); i++) {
                    double v = want.getFlat(i);
                    assertEquals(v, w.value().getFlat(i), tolerance * (1 + Math.abs(v)), dtype + ", step " + s + ", element " + i);
                }
            }
        }
    }

    /** {@code |tanh(x W) Wᵀ - x|²}: W read by the forward's two products and, transposed or not, by the backward's. */
    private static Node loss(Node x, Node w) {
        return sum(square(sub(matmul(tanh(matmul(x, w)), transpose(w, 1, 0)), x)));
    }
}
