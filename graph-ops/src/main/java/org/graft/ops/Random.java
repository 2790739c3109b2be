package org.graft.ops;

import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

import org.graft.core.Grad;
import org.graft.core.Node;
import org.graft.core.Op;
import org.graft.core.Stochastic;
import org.graft.core.Type;
import org.graft.core.kernel.Kernel;
import org.graft.core.kernel.Site;
import org.graft.core.random.Lxm;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * Samples, drawn from the stream of the compiled function that runs them: a fresh sample at
 * every call, the same bits for the same seed. A sample has no gradient. {@code normal_like}
 * and {@code uniform_like} read only their input's shape, so no gradient is asked of them;
 * {@code bernoulli} reads its probabilities, and asking for a gradient through it is an error
 * unless {@code stop_gradient} says none should pass. A gradient through a continuous sample is
 * written in the graph instead: {@code mu + exp(logvar / 2) * normal_like(mu)}.
 */
public sealed interface Random extends Stochastic {

    @Override
    default Type type(List<Type> in) {
        Op.requireArity(this, in, 1);
        return in.get(0);
    }

    /** Independent draws from N(mean, std²), one per element of the input, whose values are not read. */
    record NormalLike(double mean, double std) implements Random {
        public static final Builtin BUILTIN = Builtin.of("normal_like", List.of(Builtin.Param.operand("x"), Builtin.Param.number("mean", 0.0), Builtin.Param.number("std", 1.0)),
                a -> Ops.normalLike(a.operand("x"), a.number("mean"), a.number("std")), "x lends only its shape")
                .java("`normalLike(x)`, `normalLike(x, mean, std)`");

        public NormalLike {
            if (!(Double.isFinite(mean) && Double.isFinite(std) && std >= 0)) {
                throw new IllegalArgumentException("normal_like needs a finite mean and a finite std >= 0, found mean "
                        + mean + ", std " + std);
            }
        }

        @Override
        public boolean readsValues(int i) { return false; } // only the shape of the input is read

        @Override
        public Tensor sample(List<Tensor> in, RandomGenerator stream) {
            return Tensor.normal(in.get(0).dtype(), in.get(0).shape(), mean, std, stream);
        }

        // the draws of Tensor.normal, in the same order; on one thread, as a Gaussian takes a
        // varying number of the stream's draws (the ziggurat's rejections)
        @Override
        public Kernel kernel(Site site) {
            int out = site.slot(), n = site.out().size();
            return b -> {
                double[] y = (double[]) b[out];
                Lxm stream = site.random();
                for (int i = 0; i < n; i++) y[i] = mean + std * stream.nextGaussian();
            };
        }

        // only the shape of the input is read
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.disconnected()); }
    }

    /** Independent draws from U[lo, hi), one per element of the input, whose values are not read. */
    record UniformLike(double lo, double hi) implements Random {
        public static final Builtin BUILTIN = Builtin.of("uniform_like", List.of(Builtin.Param.operand("x"), Builtin.Param.number("lo", 0.0), Builtin.Param.number("hi", 1.0)),
                a -> Ops.uniformLike(a.operand("x"), a.number("lo"), a.number("hi")), "U[lo, hi); x lends only its shape")
                .java("`uniformLike(x)`, `uniformLike(x, lo, hi)`");

        public UniformLike {
            // hi - lo finite also rules out infinite and NaN bounds, given lo < hi
            if (!(lo < hi && Double.isFinite(hi - lo))) {
                throw new IllegalArgumentException("uniform_like needs finite bounds lo < hi, found lo " + lo + ", hi " + hi);
            }
        }

        @Override
        public boolean readsValues(int i) { return false; } // only the shape of the input is read

        @Override
        public Tensor sample(List<Tensor> in, RandomGenerator stream) {
            return Tensor.uniform(in.get(0).dtype(), in.get(0).shape(), lo, hi, stream);
        }

        // as Tensor.uniform in f32: a draw that rounds up to hi is moved just below it
        @Override
        public Kernel kernelF32(Site site) {
            int out = site.slot();
            return Draws.of(site, 1, (b, from, to, stream) -> {
                float[] y = (float[]) b[out];
                for (int i = from; i < to; i++) {
                    float v = (float) (lo + (hi - lo) * stream.nextDouble());
                    while (v >= hi) v = Math.nextDown(v);
                    y[i] = v;
                }
                return -1;
            });
        }

        // the draws of Tensor.uniform, in the same order
        @Override
        public Kernel kernel(Site site) {
            int out = site.slot();
            return Draws.of(site, 1, (b, from, to, stream) -> {
                double[] y = (double[]) b[out];
                for (int i = from; i < to; i++) y[i] = lo + (hi - lo) * stream.nextDouble();
                return -1;
            });
        }

        // only the shape of the input is read
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.disconnected()); }
    }

    /**
     * 1 with probability p, else 0, independently for each element of p. Each element draws
     * u ~ U[0, 1) and gives [u < p], so p = 0 never gives 1 and p = 1 always does. A p outside
     * [0, 1] (or NaN) is an error naming the value and its index, not a silent clamp.
     *
     * <p>In f64 u is the stream's 53-bit {@code nextDouble}. In f32 u is a float uniform of 24
     * random bits, k 2^-24 (two of them from each 64 bits of the stream, {@link #uniformF32}):
     * it is exact in float, below 1, so p = 1 still always fires, and the probability of a 1 is
     * p rounded up to a multiple of 2^-24 (6e-8), finer than p's own float rounding near 1; it
     * halves the stream's work and compares in float.
     */
    record Bernoulli() implements Random {
        public static final Builtin BUILTIN = Builtin.of("bernoulli", List.of(Builtin.Param.operand("p")), a -> Ops.bernoulli(a.operand("p")), "1 where u < p for u ~ U[0, 1): p = 0 never fires, p = 1 always does; p "
                + "outside [0, 1] is an error naming the value and its index. A gradient through it is an error (wrap it in "
                + "`stop_gradient` if none should pass)");

        @Override
        public Tensor sample(List<Tensor> in, RandomGenerator stream) {
            Tensor p = in.get(0);
            for (int i = 0; i < p.size(); i++) check(p.getFlat(i), p.shape(), i);
            if (p.dtype() == DType.F32) {
                float[] q = new float[p.size()], y = new float[p.size()];
                for (int i = 0; i < q.length; i++) q[i] = (float) p.getFlat(i);
                drawF32(q, y, 0, q.length, stream);
                double[] out = new double[y.length];
                for (int i = 0; i < out.length; i++) out[i] = y[i];
                return Tensor.of(DType.F32, p.shape(), out);
            }
            return Tensor.uniform(p.shape(), 0, 1, stream).zip(p, (u, q) -> u < q ? 1.0 : 0.0);
        }

        // every probability is checked before any is drawn, as in sample, so a bad one draws nothing
        @Override
        public Kernel kernel(Site site) {
            int in = site.slot(0), out = site.slot();
            return Draws.of(site, 1, (b, from, to, stream) -> {
                double[] p = (double[]) b[in], y = (double[]) b[out];
                for (int i = from; i < to; i++) if (!(p[i] >= 0 && p[i] <= 1)) return i;
                for (int i = from; i < to; i++) {
                    int fired = stream.nextDouble() < p[i] ? 1 : 0; // an int select, no branch (drawF32)
                    y[i] = fired;
                }
                return -1;
            }, refusal(site));
        }

        @Override
        public Kernel kernelF32(Site site) {
            int in = site.slot(0), out = site.slot();
            return Draws.of(site, 2, (b, from, to, stream) -> {
                float[] p = (float[]) b[in], y = (float[]) b[out];
                for (int i = from; i < to; i++) if (!(p[i] >= 0 && p[i] <= 1)) return i;
                drawF32(p, y, from, to, stream);
                return -1;
            }, refusal(site));
        }

        // the samples are a step function of p: zero slope almost everywhere, a jump where u = p
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            return List.of(Grad.notDifferentiable("its samples are 0 or 1, a step function of the probabilities"));
        }
    }

    /**
     * {@code bernoulli(sigmoid(x))} in one pass: 1 with probability σ(x), the logit x (PyTorch's
     * {@code Bernoulli(logits=x)}), the RBM's sampling of its units. Specialize makes it where
     * nothing else reads the sigmoid ({@code Specialize}); it draws what the two ops draw from the
     * same stream, to the bit: σ computed as {@link Unary.Sigmoid} computes it, compared with the
     * same uniforms in the same order, without the probabilities' buffer and the pass that checks
     * them (σ is in [0, 1] but for a NaN x, still an error).
     */
    record BernoulliLogits() implements Random {
        public static final Builtin BUILTIN = Builtin.operator("", "`bernoulliLogits(x)`", "internal: `bernoulli(sigmoid(x))` "
                + "in one pass, drawing what the two draw; specialize builds it");

        @Override
        public Tensor sample(List<Tensor> in, RandomGenerator stream) {
            return new Bernoulli().sample(List.of(new Unary.Sigmoid().fprop(in)), stream);
        }

        // two passes: σ from the table for every element (NaN only for a NaN logit, refused there,
        // before any draw), then the draws, each settled by the table's value unless u is too near
        // it (Special.drawSigmoid); in one loop the table's branches and the draw's made a draw
        // take 14.5 ns, in two 4
        @Override
        public Kernel kernel(Site site) {
            int in = site.slot(0), out = site.slot();
            double[] near = new double[site.out().size()];
            return Draws.of(site, 1, (b, from, to, stream) -> {
                double[] x = (double[]) b[in], y = (double[]) b[out];
                for (int i = from; i < to; i++) if (Double.isNaN(near[i] = Special.sigmoidNear(x[i]))) return i;
                for (int i = from; i < to; i++) {
                    int fired = Special.drawSigmoid(stream.nextDouble(), near[i], x[i]);
                    y[i] = fired;
                }
                return -1;
            }, refusal(site));
        }

        @Override
        public Kernel kernelF32(Site site) {
            int in = site.slot(0), out = site.slot();
            double[] near = new double[site.out().size()];
            return Draws.of(site, 2, (b, from, to, stream) -> {
                float[] x = (float[]) b[in], y = (float[]) b[out];
                for (int i = from; i < to; i++) if (Double.isNaN(near[i] = Special.sigmoidNear(x[i]))) return i;
                long bits = 0;
                for (int i = from; i < to; i++) {
                    if ((i & 1) == 0) bits = stream.nextLong();
                    int fired = Special.drawSigmoidF32(uniformF32(bits, i), near[i], x[i]);
                    y[i] = fired;
                }
                return -1;
            }, refusal(site));
        }

        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            return List.of(Grad.notDifferentiable("its samples are 0 or 1, a step function of the logits"));
        }
    }

    /** The error for a refused element {@code i} of operand 0, from its value: the kernels' side of {@link #check}. */
    private static Draws.Refusal refusal(Site site) {
        int in = site.slot(0);
        Shape shape = site.out();
        return (b, i) -> check(b[in] instanceof double[] d ? d[i] : ((float[]) b[in])[i], shape, i);
    }

    private static void check(double p, Shape shape, int i) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("probability " + p + " at " + Arrays.toString(shape.unravel(i)) + " is outside [0, 1]");
        }
    }

    /**
     * y[i] = [u_i < p_i] for float uniforms u_i, i in [from, to) (from even), in order, one 64-bit
     * draw for each two. The draws' loops select an int 1 or 0 into a variable of its own and
     * store that: written as {@code y[i] = u < p ? 1f : 0f}, C2 compiled a branch, which a random
     * outcome mispredicts half the time (8 ns a draw against 1.8, and 9.8 against 2.2 for f64's
     * nextDouble).
     */
    private static void drawF32(float[] p, float[] y, int from, int to, RandomGenerator stream) {
        long bits = 0;
        for (int i = from; i < to; i++) {
            if ((i & 1) == 0) bits = stream.nextLong();
            int fired = uniformF32(bits, i) < p[i] ? 1 : 0;
            y[i] = fired;
        }
    }

    /**
     * The float uniform of element {@code i} from the 64 bits drawn for it and its neighbour: 24
     * of them, the top for an even i and the next for an odd one, times 2^-24, so k 2^-24 with k
     * uniform in [0, 2^24): exact in float and below 1. It is made as the double it equals,
     * 1 + k 2^-24 put together in bits, minus 1, which compares with a float p as the float
     * would, without converting k.
     */
    private static double uniformF32(long bits, int i) {
        long k = (i & 1) == 0 ? bits >>> 40 : (bits >>> 16) & 0xFFFFFF;
        return Double.longBitsToDouble(0x3FF0_0000_0000_0000L | k << 28) - 1.0; // the bits of 1.0, k in the top of the fraction
    }
}
