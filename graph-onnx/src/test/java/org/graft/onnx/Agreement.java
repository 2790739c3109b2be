package org.graft.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.graft.core.tensor.DType;
import org.graft.core.tensor.Tensor;

/**
 * How closely ONNX Runtime's outputs must equal Graft's. f64: within 1e-12 of each element,
 * relative to the larger of the element and a thousandth of the output's largest magnitude, or
 * for an output whose elements are sums (a product, a reduction, a convolution, a pool) the
 * output's largest magnitude: a sum that cancels to near 0, added up in another order, keeps only
 * the digits of its terms. f32: within {@value #F32_ULPS} f32 ulps of the same: ONNX Runtime's
 * f32 sigmoid and tanh are approximations good to a few ulps, where Graft rounds the exact value
 * once, and its f32 sums add in another order (the autoencoders' reconstructions, after two
 * products of 500 and 64 terms and two sigmoids, differ by up to 6 ulps). ONNX Runtime's f32
 * {@code Sigmoid} is good to an ulp of 0.5, not of its result (sigmoid(-10), 4.5e-5, comes out
 * 25,000 of its own ulps off): its results are held to ulps of 0.5.
 */
final class Agreement {
    private Agreement() {}

    static final double F64_RELATIVE = 1e-12;
    static final int F32_ULPS = 8;

    /** The output's largest finite magnitude. */
    static double largest(Tensor t) {
        double largest = 0;
        for (int i = 0; i < t.size(); i++) if (Double.isFinite(t.getFlat(i))) largest = Math.max(largest, Math.abs(t.getFlat(i)));
        return largest;
    }

    /** For an output of elements: each element's error relative to the larger of it and a thousandth of the largest. */
    static void assertAgrees(Tensor expected, Tensor actual, String what) { assertAgrees(expected, actual, what, largest(expected) / 1000); }

    /** Each element's error relative to the larger of it and {@code floor}. */
    static void assertAgrees(Tensor expected, Tensor actual, String what, double floor) {
        assertEquals(expected.shape(), actual.shape(), what + ": shape");
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.getFlat(i), a = actual.getFlat(i);
            if (Double.compare(e, a) == 0 || Double.isNaN(e) && Double.isNaN(a)) continue;
            double scale = Math.max(Math.abs(e), floor);
            double tolerance = expected.dtype() == DType.F32 ? F32_ULPS * Math.ulp((float) scale) : F64_RELATIVE * scale;
            double ratio = Math.abs(a - e) / tolerance;
            if (!(ratio <= worst)) {
                worst = ratio;
                at = i;
            }
        }
        if (worst > 1) {
            throw new AssertionError(what + ": element " + at + " is " + actual.getFlat(at) + " in ONNX Runtime and "
                    + expected.getFlat(at) + " in Graft, " + worst + " times the tolerance");
        }
    }
}
