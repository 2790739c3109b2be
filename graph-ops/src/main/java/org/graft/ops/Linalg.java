package org.graft.ops;

import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.broadcastTo;
import static org.graft.ops.Ops.expandDims;
import static org.graft.ops.Ops.gemm;
import static org.graft.ops.Ops.matmul;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.neg;
import static org.graft.ops.Ops.solve;
import static org.graft.ops.Ops.squeeze;
import static org.graft.ops.Ops.sub;
import static org.graft.ops.Ops.transpose;
import static org.graft.ops.Ops.vdot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

import org.graft.core.Apply;
import org.graft.core.Dim;
import org.graft.core.Grad;
import org.graft.core.Linear;
import org.graft.core.Multilinear;
import org.graft.core.Node;
import org.graft.core.Op;
import org.graft.core.ShapeError;
import org.graft.core.Type;
import org.graft.core.blas.Parallel;
import org.graft.core.kernel.Kernel;
import org.graft.core.kernel.Kernels;
import org.graft.core.kernel.Site;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * Linear algebra: the matrix product and transposes, the cheaper forms the specialize rules
 * rewrite products into (a GEMM with transposed operands and a bias, a dot product), and the
 * solution of a linear system.
 */
public sealed interface Linalg extends Op {

    /**
     * The matrix product for ranks 1 and 2, as NumPy's {@code matmul}: a rank-1 left operand
     * is a row vector, a rank-1 right operand a column vector, and that axis is dropped from
     * the result ({@code [k] @ [k]} is the dot product, a scalar).
     */
    record MatMul() implements Linalg, Multilinear {
        public static final Builtin BUILTIN = Builtin.operator("`a @ b`", "`matmul(a, b)`", "rank 2 @ rank 2; a rank-1 left operand is a row, a rank-1 right operand a "
                + "column, and that axis is dropped (`[k] @ [k]` is a scalar), as NumPy");

        @Override
        public String name() { return "matmul"; }

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 2);
            Type a = in.get(0), b = in.get(1);
            if (a.rank() < 1 || a.rank() > 2 || b.rank() < 1 || b.rank() > 2) {
                throw new ShapeError("takes operands of rank 1 or 2, found " + a + " @ " + b);
            }
            if (a.dtype() != b.dtype()) throw new ShapeError("dtypes differ: " + a + " @ " + b);
            if (!a.dim(-1).equals(b.dim(0))) throw new ShapeError("inner dimensions differ: " + a + " @ " + b);
            var dims = new ArrayList<Dim>();
            if (a.rank() == 2) dims.add(a.dim(0));
            if (b.rank() == 2) dims.add(b.dim(1));
            return a.withDims(dims);
        }

        @Override
        public Tensor fprop(List<Tensor> in) { return in.get(0).matmul(in.get(1)); }

        // a vector is a matrix of one row on the left, of one column on the right: the same array either way
        @Override
        public Kernel kernel(Site site) { return gemmKernel(site, new Gemm(false, false), rows(site), depth(site), columns(site)); }

        @Override
        public Kernel kernelF32(Site site) { return gemmKernelF32(site, new Gemm(false, false), rows(site), depth(site), columns(site)); }

        private static int rows(Site site) { return site.in(0).rank() == 2 ? site.in(0).dim(0) : 1; }

        private static int depth(Site site) { return site.in(0).dim(-1); }

        private static int columns(Site site) { return site.in(1).rank() == 2 ? site.in(1).dim(1) : 1; }

        // For matrices, Y = AB gives dA = G Bᵀ and dB = Aᵀ G. Vectors are made matrices first
        // (a row [1, k], a column [k, 1]) and their gradients squeezed back.
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            Node a = in.get(0), b = in.get(1);
            boolean rowA = a.type().rank() == 1, colB = b.type().rank() == 1;
            Node am = rowA ? expandDims(a, 0) : a;
            Node bm = colB ? expandDims(b, 1) : b;
            Node g = rowA ? expandDims(gy, 0) : gy;
            if (colB) g = expandDims(g, g.type().rank());
            Node ga = matmul(g, transpose(bm));
            Node gb = matmul(transpose(am), g);
            return List.of(Grad.of(rowA ? squeeze(ga, 0) : ga), Grad.of(colB ? squeeze(gb, 1) : gb));
        }
    }

    /**
     * Permutes the axes: axis {@code i} of the result is axis {@code perm[i]} of the input, as
     * NumPy's {@code transpose(x, perm)}. {@code x.T} is the permutation that swaps the last two.
     */
    record Transpose(List<Integer> perm) implements Linalg, Linear {
        public static final Builtin BUILTIN = Builtin.of("transpose", List.of(Builtin.Param.operand("x"), Builtin.Param.optionalIntegers("perm")), Transpose::build,
                "axis i of the result is axis `perm[i]` of x, as NumPy; without perm it swaps the last two axes, which `x.T` "
                + "writes too").written("`x.T`, `transpose(x)`, `transpose(x, perm)`").java("`transpose(x)`, `transpose(x, perm...)`");

        public Transpose { perm = List.copyOf(perm); }

        /** The language's {@code transpose(x, perm)}: without perm it swaps the last two axes, which needs rank 2 or more. */
        private static Node build(Builtin.Args a) {
            Node x = a.operand("x");
            int[] perm = a.integers("perm");
            if (perm != null) return transpose(x, perm);
            if (x.type().rank() < 2) {
                throw new ShapeError(a.pos("x"), "transpose: without perm it swaps the last two axes, so x needs rank 2 or more, found "
                        + x.type());
            }
            return transpose(x);
        }

        /** The permutation swapping the last two of {@code rank} axes ({@code [1, 0]} below rank 2, which no input fits). */
        static Transpose ofLastTwo(int rank) {
            if (rank < 2) return new Transpose(List.of(1, 0));
            var perm = new ArrayList<Integer>();
            for (int i = 0; i < rank; i++) perm.add(i);
            Collections.swap(perm, rank - 2, rank - 1);
            return new Transpose(perm);
        }

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 1);
            Type x = in.get(0);
            if (perm.size() != x.rank()) {
                throw new ShapeError("perm " + perm + " has " + perm.size() + (perm.size() == 1 ? " axis" : " axes") + ", but " + x
                        + " has rank " + x.rank());
            }
            if (!perm.stream().sorted().toList().equals(IntStream.range(0, x.rank()).boxed().toList())) {
                throw new ShapeError("perm " + perm + " is not a permutation of the axes of " + x);
            }
            var dims = new ArrayList<Dim>();
            for (int axis : perm) dims.add(x.dims().get(axis));
            return x.withDims(dims);
        }

        @Override
        public Tensor fprop(List<Tensor> in) { return in.get(0).transpose(perm.stream().mapToInt(Integer::intValue).toArray()); }

        // output element i reads the input element at the same index with the axes permuted back
        @Override
        public Kernel kernel(Site site) {
            Shape x = site.in(0), y = site.out();
            int[] strides = x.strides();
            int[] gather = new int[y.size()];
            for (int i = 0; i < gather.length; i++) {
                int[] index = y.unravel(i);
                for (int axis = 0; axis < index.length; axis++) gather[i] += index[axis] * strides[perm.get(axis)];
            }
            int in = site.slot(0), out = site.slot();
            return b -> {
                double[] v = (double[]) b[in], w = (double[]) b[out];
                for (int i = 0; i < gather.length; i++) w[i] = v[gather[i]];
            };
        }

        // a permutation's adjoint is its inverse
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(Apply.of(new Transpose(inverse()), gy))); }

        private List<Integer> inverse() {
            Integer[] inv = new Integer[perm.size()];
            for (int i = 0; i < perm.size(); i++) inv[perm.get(i)] = i;
            return Arrays.asList(inv);
        }
    }

    /**
     * The general matrix product of BLAS: {@code op(a) op(b)}, plus {@code c} when it is given as
     * a third input, where {@code op} transposes an operand whose flag is set. The operands have
     * rank 2 and are read as stored, so no transpose is formed; the bias {@code c} broadcasts
     * to the product's shape without changing it ({@code [n]} or {@code [1, n]} for a bias per
     * column, also {@code [m, 1]}, a scalar or {@code [m, n]}) and the product is added onto
     * it in the same pass. The specialize rules build it from {@code matmul(transpose(a), b) + c}.
     */
    /**
     * BLAS's {@code alpha op(a) op(b) + c}: inputs {@code a, b}, then, when {@code scaled}, a
     * scalar {@code s} that multiplies alpha (a learning rate that is a param or an input), then
     * the bias {@code c} if there is one.
     */
    record Gemm(boolean transA, boolean transB, double alpha, boolean scaled) implements Linalg {
        public static final Builtin BUILTIN = Builtin.operator("", "`gemm(a, b, transA, transB)`, with a bias `c` and `alpha`", "internal: BLAS's "
                + "`alpha op(a) op(b) + c`, which the specialize rules build from products of transposes, biases and scalar factors");

        public Gemm(boolean transA, boolean transB) { this(transA, transB, 1.0, false); }

        public Gemm(boolean transA, boolean transB, double alpha) { this(transA, transB, alpha, false); }

        public Gemm {
            if (!Double.isFinite(alpha)) throw new IllegalArgumentException("gemm's alpha must be finite, found " + alpha);
        }

        /** The index of the bias among the inputs, when there is one. */
        public int biasIndex() { return scaled ? 3 : 2; }

        // the kernel copies c into the output, then adds the product onto it
        @Override
        public int accumulatesInto() { return biasIndex(); }

        // alpha = 1, the product as it is, goes unsaid
        @Override
        public String describe() {
            return name() + "{transA=" + transA + ", transB=" + transB + (alpha == 1 ? "" : ", alpha=" + alpha)
                    + (scaled ? ", scaled" : "") + "}";
        }

        @Override
        public Type type(List<Type> in) {
            int bias = biasIndex();
            if (in.size() != bias && in.size() != bias + 1) {
                throw new ShapeError("gemm takes " + bias + " or " + (bias + 1) + " inputs, found " + in.size());
            }
            Type a = in.get(0), b = in.get(1);
            if (a.rank() != 2 || b.rank() != 2) throw new ShapeError("takes operands of rank 2, found " + operands(a, b));
            if (a.dtype() != b.dtype()) throw new ShapeError("dtypes differ: " + operands(a, b));
            Dim m = a.dim(transA ? 1 : 0), k = a.dim(transA ? 0 : 1);
            Dim k2 = b.dim(transB ? 1 : 0), n = b.dim(transB ? 0 : 1);
            if (!k.equals(k2)) throw new ShapeError("inner dimensions differ: " + operands(a, b));
            Type y = a.withDims(List.of(m, n));
            if (scaled && (!in.get(2).isScalar() || in.get(2).dtype() != a.dtype())) {
                throw new ShapeError("the scale " + in.get(2) + " is not a scalar of the product's dtype " + a.dtype());
            }
            if (in.size() > bias && !broadcastsTo(in.get(bias), y)) {
                throw new ShapeError("the bias " + in.get(bias) + " does not broadcast to the product's " + y);
            }
            return y;
        }

        @Override
        public Tensor fprop(List<Tensor> in) {
            Tensor a = in.get(0), b = in.get(1);
            Tensor product = Tensor.gemm(a, transA, b, transB);
            // the kernel hands BLAS one alpha: the product of the two factors, rounded once
            double factor = scaled ? alpha * in.get(2).item() : alpha;
            if (factor != 1) product = product.map(v -> factor * v);
            return in.size() > biasIndex() ? in.get(biasIndex()).add(product) : product;
        }

        @Override
        public Kernel kernel(Site site) {
            return gemmKernel(site, this, site.out().dim(0), site.in(0).dim(transA ? 0 : 1), site.out().dim(1));
        }

        @Override
        public Kernel kernelF32(Site site) {
            return gemmKernelF32(site, this, site.out().dim(0), site.in(0).dim(transA ? 0 : 1), site.out().dim(1));
        }

        // Y = α s op(A) op(B) + c. The product's operands get dop(A) = αs G op(B)ᵀ and dop(B) = αs op(A)ᵀ G;
        // where op transposes, the operand gets the transpose of that (dA = αs op(B) Gᵀ for Y = αsAᵀB,
        // dB = αs Gᵀ op(A) for Y = αsABᵀ), again a product with the transposes read, not formed.
        // The scale gets α <G, op(A) op(B)>, the bias G, which the walker sums back to its shape.
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            Node a = in.get(0), b = in.get(1);
            Node g = alpha == 1 ? gy : mul(gy, alpha);
            if (scaled) g = mul(g, in.get(2));
            Node ga = transA ? product(b, transB, g, true) : product(g, false, b, !transB);
            Node gb = transB ? product(g, true, a, transA) : product(a, !transA, g, false);
            var grads = new ArrayList<>(List.of(Grad.of(ga), Grad.of(gb)));
            if (scaled) grads.add(Grad.of(vdot(gy, gemm(a, b, transA, transB, alpha))));
            if (in.size() > biasIndex()) grads.add(Grad.of(gy));
            return grads;
        }

        // the product is linear in each of a, b and the scale, and the bias adds its own tangent
        @Override
        public Grad jvp(List<Node> in, Node y, List<Node> tangents) {
            int factors = biasIndex();
            Node products = Multilinear.tangent(new Gemm(transA, transB, alpha, scaled), in.subList(0, factors),
                    tangents.subList(0, factors));
            Node bias = in.size() > factors && tangents.get(factors) != null ? broadcastTo(tangents.get(factors), y) : null;
            return Grad.of(products == null ? bias : bias == null ? products : add(products, bias));
        }

        private String operands(Type a, Type b) { return a + (transA ? ".T" : "") + " @ " + b + (transB ? ".T" : ""); }

        /** {@code op(x) op(y)}: a plain matmul when neither operand is transposed. */
        private static Node product(Node x, boolean transX, Node y, boolean transY) {
            return transX || transY ? gemm(x, y, transX, transY) : matmul(x, y);
        }

        /** Whether {@code c} broadcasts to {@code y} leaving it as it is: each of c's dims, from the right, is 1 or y's. */
        private static boolean broadcastsTo(Type c, Type y) {
            if (c.dtype() != y.dtype() || c.rank() > y.rank()) return false;
            for (int i = 1; i <= c.rank(); i++) {
                if (!c.dim(-i).isOne() && !c.dim(-i).equals(y.dim(-i))) return false;
            }
            return true;
        }
    }

    /**
     * The sum of the elementwise products of two operands of the same type, a scalar: NumPy's
     * {@code vdot} for real numbers, {@code sum(x * y)} in one pass without forming the product.
     * The kernels ({@link DotSums}) sum in a fixed order, the same at every thread count, so the
     * result is the same at every run; an f32 vdot sums the floats' exact products in double and
     * rounds once, which is the f64 kernel's result on the widened floats, rounded.
     */
    record Dot() implements Linalg, Multilinear {
        public static final Builtin BUILTIN = Builtin.operator("", "`vdot(x, y)`", "internal: `sum(x * y)` over every element in one pass, which specialize builds");

        @Override
        public String name() { return "vdot"; }

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 2);
            Type x = in.get(0), y = in.get(1);
            if (!x.equals(y)) throw new ShapeError("takes operands of the same type, found " + x + " and " + y);
            return Type.scalar(x.dtype());
        }

        @Override
        public Tensor fprop(List<Tensor> in) { return Tensor.scalar(in.get(0).dtype(), in.get(0).dot(in.get(1))); }

        @Override
        public Kernel kernel(Site site) {
            int x = site.slot(0), y = site.slot(1), out = site.slot();
            var sums = new DotSums(site.in(0).size());
            return b -> ((double[]) b[out])[0] = sums.of(b[x], b[y]);
        }

        @Override
        public Kernel kernelF32(Site site) {
            int x = site.slot(0), y = site.slot(1), out = site.slot();
            var sums = new DotSums(site.in(0).size());
            return b -> ((float[]) b[out])[0] = (float) sums.of(b[x], b[y]);
        }

        // d/dx Σ xᵢyᵢ = y and d/dy = x, each scaled by the scalar gy
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            return List.of(Grad.of(mul(gy, in.get(1))), Grad.of(mul(gy, in.get(0))));
        }
    }

    /**
     * vdot's sums over {@code double[]} or {@code float[]} operands of n elements, products in
     * double. The elements come in chunks of {@link #CHUNK}, whose sums are added in order. Within
     * a chunk, {@link #LANES} running sums each take every 256th element, a loop the JIT turns into
     * vector instructions, and are added four at a time at the end: one running sum waited 4
     * cycles per element on the last addition, and four (i mod 4, still scalar) took 1.0 ns an
     * element over 392,000, where the lanes take 0.5: in f64, and in f32 for x·x (an L2
     * penalty's W), whose floats are widened a block at a time, since C2 in JDK 17 does not
     * vectorize a conversion between floats and doubles inside a loop. Below {@link #LANES}
     * elements four running sums do. On several threads, from {@link #PARALLEL_FROM} elements,
     * each takes a range of whole chunks, so the bits do not depend on the number of threads.
     */
    final class DotSums implements IntConsumer {
        static final int LANES = 256, CHUNK = 1 << 14, PARALLEL_FROM = 1 << 16;

        /**
         * The unused doubles after each part's sums and block, so that no two threads write
         * near each other: the parts' arrays are made side by side, and each part rewrites its
         * own every 256 elements. Side by side, vdot over 392,000 floats took 344 us on two
         * threads against 118 on one; 128 bytes apart, 106-145; 512 bytes apart, 75 (a
         * throwaway harness on the AMD EPYC host, bench/README.md).
         */
        static final int APART = 64;

        private final int n, chunks;
        private final Parallel pool;   // null: every chunk on the calling thread
        private final double[][] lanes, widened;            // a part's running sums, and its block of widened floats
        private final double[] chunkSums;
        private Object u, v;                                // the call's operands, for the parts

        DotSums(int n) { this(n, n >= PARALLEL_FROM ? Parallel.shared() : null); }

        /** The sums with their chunks shared over {@code pool}'s threads, or all on the caller if it is null. */
        DotSums(int n, Parallel pool) {
            this.n = n;
            this.chunks = Math.max(1, (n + CHUNK - 1) / CHUNK);
            this.pool = pool != null && pool.parts() > 1 && n >= LANES ? pool : null;
            int parts = pool == null ? 1 : pool.parts();
            this.lanes = new double[parts][n < LANES ? 0 : LANES + APART];
            this.widened = new double[parts][n < LANES ? 0 : LANES + APART];
            this.chunkSums = new double[chunks];
        }

        /** {@code Σ u[i] v[i]} over the n elements, u and v both {@code double[]} or both {@code float[]}. */
        double of(Object u, Object v) {
            if (n < LANES) return u instanceof double[] d ? four(d, (double[]) v) : four((float[]) u, (float[]) v);
            this.u = u;
            this.v = v;
            try {
                Parallel.run(pool, this);
            } finally {
                this.u = this.v = null;
            }
            double s = 0;
            for (double c : chunkSums) s += c;
            return s;
        }

        /** Part p's range of chunks. */
        @Override
        public void accept(int p) {
            int parts = lanes.length;
            for (int c = chunks * p / parts, end = chunks * (p + 1) / parts; c < end; c++) {
                int from = c * CHUNK, to = Math.min(n, from + CHUNK);
                chunkSums[c] = u instanceof double[] d ? lanes(d, (double[]) v, from, to, lanes[p])
                        : lanes((float[]) u, (float[]) v, from, to, lanes[p], widened[p]);
            }
        }

        private static double lanes(double[] u, double[] v, int from, int to, double[] acc) {
            Arrays.fill(acc, 0.0);
            int whole = to - (to - from) % LANES;
            for (int i = from; i < whole; i += LANES) {
                for (int j = 0; j < LANES; j++) acc[j] += u[i + j] * v[i + j];
            }
            for (int j = 0; whole + j < to; j++) acc[j] += u[whole + j] * v[whole + j];
            return sum(acc);
        }

        // the same sums on the floats' products, exact in double: x·x from a widened block
        private static double lanes(float[] u, float[] v, int from, int to, double[] acc, double[] w) {
            Arrays.fill(acc, 0.0);
            int whole = to - (to - from) % LANES;
            for (int i = from; i < whole; i += LANES) {
                if (u == v) {
                    for (int j = 0; j < LANES; j++) w[j] = u[i + j];
                    for (int j = 0; j < LANES; j++) acc[j] += w[j] * w[j];
                } else {
                    for (int j = 0; j < LANES; j++) acc[j] += (double) u[i + j] * v[i + j];
                }
            }
            for (int j = 0; whole + j < to; j++) acc[j] += (double) u[whole + j] * v[whole + j];
            return sum(acc);
        }

        private static double sum(double[] acc) {
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (int j = 0; j < LANES; j += 4) {
                s0 += acc[j];
                s1 += acc[j + 1];
                s2 += acc[j + 2];
                s3 += acc[j + 3];
            }
            return (s0 + s1) + (s2 + s3);
        }

        private double four(double[] u, double[] v) {
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            int i = 0;
            for (; i + 3 < n; i += 4) {
                s0 += u[i] * v[i];
                s1 += u[i + 1] * v[i + 1];
                s2 += u[i + 2] * v[i + 2];
                s3 += u[i + 3] * v[i + 3];
            }
            for (; i < n; i++) s0 += u[i] * v[i];
            return (s0 + s1) + (s2 + s3);
        }

        private double four(float[] u, float[] v) {
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            int i = 0;
            for (; i + 3 < n; i += 4) {
                s0 += (double) u[i] * v[i];
                s1 += (double) u[i + 1] * v[i + 1];
                s2 += (double) u[i + 2] * v[i + 2];
                s3 += (double) u[i + 3] * v[i + 3];
            }
            for (; i < n; i++) s0 += (double) u[i] * v[i];
            return (s0 + s1) + (s2 + s3);
        }
    }

    /**
     * The solution x of {@code a x = b} for a square matrix a and a vector or matrix b of
     * right-hand sides (NumPy's {@code linalg.solve}), by Gaussian elimination with partial
     * pivoting (LAPACK's {@code gesv}). A singular a, where elimination meets a column with no
     * nonzero pivot, is an error when the values are fed, as NumPy's {@code LinAlgError}; a
     * nearly singular one gives large values, as there.
     */
    record Solve() implements Linalg {
        public static final Builtin BUILTIN = Builtin.binary("solve", "a", "b", Ops::solve, "x with a x = b for a square a `[n, n]` and "
                + "b `[n]` or `[n, k]` (NumPy's `linalg.solve`), by Gaussian elimination with partial pivoting (LAPACK's `gesv`); a "
                + "singular a (a column with no nonzero pivot) is an error when the values are fed, as NumPy's `LinAlgError`. "
                + "d/db = solve(aᵀ, g), d/da = -solve(aᵀ, g) xᵀ; the tangent is solve(a, db - da x)");

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 2);
            Type a = in.get(0), b = in.get(1);
            if (a.rank() != 2 || !a.dim(0).equals(a.dim(1))) throw new ShapeError("a must be a square matrix, found " + a);
            if (b.rank() < 1 || b.rank() > 2) throw new ShapeError("b must be a vector or a matrix, found " + b);
            if (a.dtype() != b.dtype()) throw new ShapeError("dtypes differ: " + a + " and " + b);
            if (!b.dim(0).equals(a.dim(0))) throw new ShapeError("a " + a + " has " + a.dim(0) + " rows, b " + b + " has " + b.dim(0));
            return b;
        }

        @Override
        public Tensor fprop(List<Tensor> in) {
            Tensor a = in.get(0), b = in.get(1);
            double[] x = b.toArray();
            eliminate(a.toArray(), a.shape().dim(0), x, columns(b.shape()));
            return Tensor.of(b.dtype(), b.shape(), x);
        }

        // a is copied into scratch made once, where elimination overwrites it; b into the output, where x is formed
        @Override
        public Kernel kernel(Site site) {
            int n = site.in(0).dim(0), k = columns(site.in(1));
            double[] scratch = new double[n * n];
            int a = site.slot(0), b = site.slot(1), out = site.slot();
            return buf -> {
                System.arraycopy((double[]) buf[a], 0, scratch, 0, n * n);
                double[] x = (double[]) buf[out];
                System.arraycopy((double[]) buf[b], 0, x, 0, n * k);
                eliminate(scratch, n, x, k);
            };
        }

        // x = a⁻¹ b: db = a⁻ᵀ g, and da = -a⁻ᵀ g xᵀ = -db xᵀ, an outer product for a vector b
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            Node gb = solve(transpose(in.get(0)), gy);
            Node ga = y.type().rank() == 1 ? neg(matmul(expandDims(gb, 1), expandDims(y, 0))) : neg(matmul(gb, transpose(y)));
            return List.of(Grad.of(ga), Grad.of(gb));
        }

        // a x = b gives da x + a dx = db, so dx = a⁻¹ (db - da x)
        @Override
        public Grad jvp(List<Node> in, Node y, List<Node> tangents) {
            Node da = tangents.get(0), db = tangents.get(1);
            Node rhs = da == null ? db : db == null ? neg(matmul(da, y)) : sub(db, matmul(da, y));
            return Grad.of(solve(in.get(0), rhs));
        }

        /** The right-hand sides: 1 for a vector b, its columns for a matrix. */
        private static int columns(Shape b) { return b.rank() == 2 ? b.dim(1) : 1; }

        /**
         * Solves {@code a x = b} in place: {@code a} ({@code n x n}, row-major) is overwritten by
         * the elimination, {@code x} holds b ({@code n x k}) and is left holding the solution.
         * At each column the row with the largest magnitude there becomes the pivot row.
         */
        static void eliminate(double[] a, int n, double[] x, int k) {
            for (int col = 0; col < n; col++) {
                int pivot = col;
                for (int r = col + 1; r < n; r++) if (Math.abs(a[r * n + col]) > Math.abs(a[pivot * n + col])) pivot = r;
                if (a[pivot * n + col] == 0) {
                    throw new IllegalArgumentException("a is singular: elimination finds no nonzero pivot in column " + col);
                }
                if (pivot != col) {
                    swap(a, pivot * n + col, col * n + col, n - col);
                    swap(x, pivot * k, col * k, k);
                }
                double p = a[col * n + col];
                for (int r = col + 1; r < n; r++) {
                    double f = a[r * n + col] / p;
                    for (int c = col + 1; c < n; c++) a[r * n + c] -= f * a[col * n + c];
                    for (int j = 0; j < k; j++) x[r * k + j] -= f * x[col * k + j];
                }
            }
            for (int r = n - 1; r >= 0; r--) { // back substitution through the upper triangle
                for (int j = 0; j < k; j++) {
                    double s = x[r * k + j];
                    for (int c = r + 1; c < n; c++) s -= a[r * n + c] * x[c * k + j];
                    x[r * k + j] = s / a[r * n + r];
                }
            }
        }

        /** Swaps the {@code length} elements from {@code i} with those from {@code j}. */
        private static void swap(double[] v, int i, int j, int length) {
            for (int e = 0; e < length; e++) {
                double t = v[i + e];
                v[i + e] = v[j + e];
                v[j + e] = t;
            }
        }
    }

    /**
     * {@code alpha op(a) op(b)}, plus a third operand broadcast into the output first and added
     * through the GEMM's beta, as one call to the back end: the product's shapes are known, so
     * nothing is decided per call.
     */
    /**
     * The kernel of {@code op}: BLAS's GEMM with beta = 1 onto the bias copied into the output,
     * or beta = 0 without one; a scaled product reads its scale when it runs and hands BLAS
     * {@code alpha * s}.
     */
    private static Kernel gemmKernel(Site site, Gemm op, int m, int k, int n) {
        var gemm = site.gemm(m, n, k);
        boolean transA = op.transA(), transB = op.transB();
        double alpha = op.alpha();
        int a = site.slot(0), b = site.slot(1), out = site.slot(), scale = op.scaled() ? site.slot(2) : -1;
        if (site.arity() == op.biasIndex()) {
            return buf -> gemm.dgemm(transA, transB, m, n, k, scale < 0 ? alpha : alpha * ((double[]) buf[scale])[0],
                    (double[]) buf[a], (double[]) buf[b], 0.0, (double[]) buf[out]);
        }
        var bias = Kernels.Broadcast.of(site.in(op.biasIndex()), site.out());
        int c = site.slot(op.biasIndex());
        return buf -> {
            double[] y = (double[]) buf[out], addend = (double[]) buf[c];
            if (addend != y) bias.into(addend, y); // the plan may give an update its param's own storage
            gemm.dgemm(transA, transB, m, n, k, scale < 0 ? alpha : alpha * ((double[]) buf[scale])[0],
                    (double[]) buf[a], (double[]) buf[b], 1.0, y);
        };
    }

    /** The same on float buffers, for f32: single-precision GEMM does twice the work per cycle. */
    private static Kernel gemmKernelF32(Site site, Gemm op, int m, int k, int n) {
        var gemm = site.gemm(m, n, k);
        boolean transA = op.transA(), transB = op.transB();
        double alpha = op.alpha();
        int a = site.slot(0), b = site.slot(1), out = site.slot(), scale = op.scaled() ? site.slot(2) : -1;
        if (site.arity() == op.biasIndex()) {
            return buf -> gemm.sgemm(transA, transB, m, n, k, (float) (scale < 0 ? alpha : alpha * ((float[]) buf[scale])[0]),
                    (float[]) buf[a], (float[]) buf[b], 0f, (float[]) buf[out]);
        }
        var bias = Kernels.Broadcast.of(site.in(op.biasIndex()), site.out());
        int c = site.slot(op.biasIndex());
        return buf -> {
            float[] y = (float[]) buf[out], addend = (float[]) buf[c];
            if (addend != y) bias.into(addend, y);
            gemm.sgemm(transA, transB, m, n, k, (float) (scale < 0 ? alpha : alpha * ((float[]) buf[scale])[0]),
                    (float[]) buf[a], (float[]) buf[b], 1f, y);
        };
    }
}
