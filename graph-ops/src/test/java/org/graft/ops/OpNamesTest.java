package org.graft.ops;

import static org.graft.ops.Ops.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.graft.core.Apply;
import org.graft.core.Input;
import org.graft.core.Node;

/** Each op prints, and fails, under its name in the language contract (LANGUAGE.md). */
class OpNamesTest {

    @Test
    void everyOpIsNamedAsInTheLanguage() {
        Input x = input("x", 2, 3), p = input("p", 2, 3);
        var nodes = new LinkedHashMap<String, Node>();
        for (Node n : List.of(neg(x), exp(x), log(x), log1p(x), expm1(x), sqrt(x), square(x), abs(x), sign(x),
                reciprocal(x), sigmoid(x), tanh(x), relu(x), softplus(x), sin(x), cos(x), erf(x),
                add(x, p), sub(x, p), mul(x, p), div(x, p), pow(x, p), maximum(x, p), minimum(x, p),
                less(x, p), lessEqual(x, p), greater(x, p), greaterEqual(x, p), equal(x, p), notEqual(x, p),
                where(x, x, p), clip(x, x, p),
                sum(x), mean(x), max(x), min(x), logsumexp(x), argmax(x), argmin(x), prod(x), var(x), std(x), norm(x), cumsum(x, 0), cumprod(x, 1),
                matmul(x, transpose(p)), transpose(x, 1, 0), solve(matmul(x, transpose(p)), x),
                reshape(x, 6), concat(List.of(x, p), 0), slice(x, Slice.index(0)), oneHot(x, 4),
                tile(x, 2), repeat(x, 2, 0), flip(x), pad(x, new int[][] {{1, 1}, {0, 0}}), padReflect(x, new int[][] {{1, 1}, {1, 1}}),
                tril(x), triu(x),
                zerosLike(x), onesLike(x), fill(x, 2),
                softmax(x), logSoftmax(x), softmaxCrossEntropy(x, p), binaryCrossEntropy(x, p), bceWithLogits(x, p),
                normalLike(x), uniformLike(x), bernoulli(p), stopGradient(x), gradClip(x, -1, 1), gradScale(x, 0.5),
                erfc(x), erfcx(x), erfinv(x), log2(x), log10(x), exp2(x), log1mexp(x), logit(x), sinh(x), cosh(x), tan(x),
                asinh(x), acosh(x), atanh(x), atan(x), gammaln(x), digamma(x), polygamma(1, x), floor(x), ceil(x), round(x),
                isnan(x), isinf(x), isfinite(x), nanToNum(x), atan2(x, p), logaddexp(x, p), xlogy(x, p), xlog1py(x, p), fmod(x, p),
                mod(x, p), leakyRelu(x), elu(x), selu(x), gelu(x), silu(x), softsign(x), hardSigmoid(x), hardTanh(x), mish(x))) {
            nodes.put(((Apply) n).op().name(), n);
        }
        assertEquals(List.of("neg", "exp", "log", "log1p", "expm1", "sqrt", "square", "abs", "sign",
                "reciprocal", "sigmoid", "tanh", "relu", "softplus", "sin", "cos", "erf",
                "add", "sub", "mul", "div", "pow", "maximum", "minimum",
                "less", "less_equal", "greater", "greater_equal", "equal", "not_equal", "where", "clip",
                "sum", "mean", "max", "min", "logsumexp", "argmax", "argmin", "prod", "var", "std", "norm", "cumsum", "cumprod", "matmul", "transpose",
                "solve", "reshape", "concat", "slice", "one_hot", "tile", "repeat", "flip", "pad", "pad_reflect", "tril", "triu",
                "zeros_like", "ones_like", "fill",
                "softmax", "log_softmax", "softmax_cross_entropy", "binary_cross_entropy", "bce_with_logits",
                "normal_like", "uniform_like", "bernoulli", "stop_gradient", "grad_clip", "grad_scale",
                "erfc", "erfcx", "erfinv", "log2", "log10", "exp2", "log1mexp", "logit", "sinh", "cosh", "tan",
                "asinh", "acosh", "atanh", "atan", "gammaln", "digamma", "polygamma", "floor", "ceil", "round",
                "isnan", "isinf", "isfinite", "nan_to_num", "atan2", "logaddexp", "xlogy", "xlog1py", "fmod",
                "mod", "leaky_relu", "elu", "selu", "gelu", "silu", "softsign", "hard_sigmoid", "hard_tanh", "mish"), List.copyOf(nodes.keySet()));
        assertEquals("slice", split(x, 3, 1).get(0).op().name());    // split is a builder of slices, not an op
    }

    @Test
    void theOpsOfLabelsAndGatheringAreNamedAsInTheLanguage() {
        Input x = input("x", 2, 3), i = input("i", 2), p = input("p", 2, 3);
        var names = new ArrayList<String>();
        for (Node n : List.of(take(x, i, 1), takeAlongAxis(x, p, 1), nll(x, i, -100, false), crossEntropy(x, i, 0, -100, false))) {
            names.add(((Apply) n).op().name());
        }
        assertEquals(List.of("take", "take_along_axis", "nll", "cross_entropy"), names);
    }
}
