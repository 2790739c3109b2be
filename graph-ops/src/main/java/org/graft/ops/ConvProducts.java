package org.graft.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

import org.graft.core.blas.Blas;
import org.graft.core.blas.Gemm;
import org.graft.core.blas.Parallel;

/**
 * The three products of a 2-d convolution — its output, its gradient with respect to the input
 * (a transposed convolution) and with respect to the filters — by im2col onto the back end's
 * GEMM, on the buffers of one dtype ({@code double[]} or {@code float[]}).
 *
 * <p>Images are taken a chunk at a time: a chunk's patches, one column per image and spot, make
 * one matrix, so each group of each chunk is one GEMM of {@code fg x patch} filters against
 * {@code patch x (chunk * spots)} patch values, large enough for the back end to run at speed
 * and small enough to stay in cache's reach ({@link #COLUMN_BYTES}). The index of every patch
 * value is computed once, as are the scratch matrices, when the products are made (a plan
 * makes them once per node), so nothing is allocated per call. The GEMM reads whole arrays
 * from offset 0 (the native back end copies them), which is why a chunk's results go through
 * scratch matrices and not straight into the NCHW buffers.
 *
 * <p>On more than one thread ({@code graft.threads}) a call of at least {@link #PARALLEL_FROM}
 * multiply-adds gives each thread a share of the images, chunked and computed as above in
 * scratch of its own, its products on that thread alone: im2col and col2im, which take as long
 * as the products at LeNet's sizes, are split with them. The shares depend only on the batch
 * and the thread count, so results are the same from run to run to the bit; the filters'
 * gradient, summed per share and then across them, differs in its last bits from one thread's.
 */
final class ConvProducts<A> implements IntConsumer {
    /**
     * The most bytes an im2col matrix holds: 1 MiB, about a core's second-level cache, so that the
     * matrix the patches are copied into is still there when the product (and its copy for the
     * native back end) reads it. With 2^20 values (4 MiB in f32, 8 in f64) LeNet's two layers
     * over a batch of 100 took 1.3 to 2.2 times as long (ConvBenchmark, one thread; bench/README.md).
     */
    static final int COLUMN_BYTES = 1 << 20;

    /**
     * The fewest multiply-adds of a call that is split over the pool's threads, as many images
     * each, as a matrix product is split from as many.
     */
    static final long PARALLEL_FROM = 1L << 20;

    private final ConvGeometry g;
    private final Dense<A> dense;
    private final Gemm gemm;
    private final int[] index;   // every patch value's offset, or, for a stride of 1 across, null and
    private final int[] runs;    // runs of adjacent values (ConvGeometry.patchRuns), copied whole
    private final int chunk, patch, spots;
    private final Parallel pool;           // null: all the images on the calling thread
    private final List<Share> shares;      // share p is the images [n p / parts, n (p + 1) / parts)
    private Pass pass;                     // the call under way, for the shares
    private A in, other, out;

    private enum Pass { FORWARD, INPUT_GRAD, FILTER_GRAD }

    private ConvProducts(ConvGeometry g, Dense<A> dense, int bytesPerValue, Gemm gemm, Parallel pool) {
        this.g = g;
        this.dense = dense;
        this.gemm = gemm;
        this.runs = g.spec().sw() == 1 ? g.patchRuns() : null;
        this.index = runs == null ? g.patchIndex() : null;
        this.patch = g.patch();
        this.spots = g.spots();
        this.chunk = chunk(g, bytesPerValue);
        boolean split = pool != null && pool.parts() > 1 && g.n() >= pool.parts()
                && (long) g.n() * g.f() * patch * spots >= PARALLEL_FROM;
        this.pool = split ? pool : null;
        int parts = split ? pool.parts() : 1;
        this.shares = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) shares.add(new Share(g.n() * p / parts, g.n() * (p + 1) / parts, p > 0));
    }

    /** The products on f64 buffers, split over the shared pool when large enough. */
    static ConvProducts<double[]> f64(ConvGeometry g, Gemm gemm) { return f64(g, gemm, Parallel.shared()); }

    static ConvProducts<float[]> f32(ConvGeometry g, Gemm gemm) { return f32(g, gemm, Parallel.shared()); }

    /** The products split over {@code pool}'s threads when large enough, or not split if it is null. */
    static ConvProducts<double[]> f64(ConvGeometry g, Gemm gemm, Parallel pool) { return new ConvProducts<>(g, Dense.F64, Double.BYTES, gemm, pool); }

    static ConvProducts<float[]> f32(ConvGeometry g, Gemm gemm, Parallel pool) { return new ConvProducts<>(g, Dense.F32, Float.BYTES, gemm, pool); }

    /** Images per chunk: as many as keep an im2col matrix within {@link #COLUMN_BYTES}, at least one. */
    static int chunk(ConvGeometry g, int bytesPerValue) {
        long perImage = (long) Math.max(g.patch(), g.fg()) * g.spots() * bytesPerValue;
        return (int) Math.max(1, Math.min(g.n(), COLUMN_BYTES / Math.max(1, perImage)));
    }

    /** The back end for a full chunk's products, chosen by their size as a matrix product's is. */
    static Gemm gemm(ConvGeometry g, int bytesPerValue) { return Blas.gemm(g.fg(), chunk(g, bytesPerValue) * g.spots(), g.patch()); }

    /** How many threads share the images: 1, or the pool's threads. */
    int parts() { return shares.size(); }

    /** {@code y [n, f, oh, ow] = conv(x [n, c, h, w], W [f, c / groups, kh, kw])}. */
    void forward(A x, A weights, A y) { run(Pass.FORWARD, x, weights, y); }

    /**
     * {@code gx [n, c, h, w]}, the gradient of {@code <gy, conv(x, W)>} with respect to x: each
     * output's patch of filters added back where it was read from (col2im).
     */
    void inputGrad(A gy, A weights, A gx) { run(Pass.INPUT_GRAD, gy, weights, gx); }

    /**
     * {@code gW [f, c / groups, kh, kw]}, the gradient of {@code <gy, conv(x, W)>} with respect to W:
     * each share's sum over its images, then the shares' sums added in their order, so the
     * result depends on the number of threads but not on which thread ran which share.
     */
    void filterGrad(A x, A gy, A gw) {
        if (g.n() == 0) {
            dense.zero(gw, 0, g.f() * patch);
            return;
        }
        run(Pass.FILTER_GRAD, x, gy, gw);
        for (int p = 1; p < shares.size(); p++) dense.add(shares.get(p).sum, 0, gw, 0, g.f() * patch);
    }

    private void run(Pass pass, A in, A other, A out) {
        this.pass = pass;
        this.in = in;
        this.other = other;
        this.out = out;
        try {
            Parallel.run(pool, this);
        } finally {
            this.in = this.other = this.out = null;
        }
    }

    /** Runs the call under way on share {@code p}'s images. */
    @Override
    public void accept(int p) {
        Share s = shares.get(p);
        switch (pass) {
            case FORWARD: s.forward(in, other, out); break;
            case INPUT_GRAD: s.inputGrad(in, other, out); break;
            case FILTER_GRAD: s.filterGrad(in, other, p == 0 ? out : s.sum); break;
            default: throw new IllegalStateException("internal error: pass " + pass);
        }
    }

    /**
     * One thread's images and the scratch it works in: the chunk's im2col matrix, its rows of
     * outputs, a group's filters and their gradient, and, for every share but the first, its sum
     * of the filters' gradient.
     */
    private final class Share {
        private final int from, to;
        private final A col, rows, filters, filterGrad, sum;

        Share(int from, int to, boolean sums) {
            this.from = from;
            this.to = to;
            int columns = Math.min(chunk, Math.max(1, to - from)) * spots;
            this.col = dense.alloc(patch * columns);
            this.rows = dense.alloc(g.fg() * columns);
            // one group's filters and their gradient, copied out of and added into the [f, ...] arrays
            this.filters = g.spec().groups() == 1 ? null : dense.alloc(g.fg() * patch);
            this.filterGrad = g.spec().groups() == 1 ? null : dense.alloc(g.fg() * patch);
            this.sum = sums ? dense.alloc(g.f() * patch) : null;
        }

        void forward(A x, A weights, A y) {
            for (int first = from; first < to; first += chunk) {
                int images = Math.min(chunk, to - first), columns = images * spots;
                for (int group = 0; group < g.spec().groups(); group++) {
                    im2col(x, first, images, group);
                    dense.gemm(gemm, false, false, g.fg(), columns, patch, groupFilters(weights, group), col, false, rows);
                    for (int i = 0; i < images; i++) {
                        for (int k = 0; k < g.fg(); k++) {
                            System.arraycopy(rows, k * columns + i * spots, y, outputAt(first + i, group, k), spots);
                        }
                    }
                }
            }
        }

        void inputGrad(A gy, A weights, A gx) {
            int image = g.c() * g.h() * g.w();
            dense.zero(gx, from * image, to * image);
            for (int first = from; first < to; first += chunk) {
                int images = Math.min(chunk, to - first), columns = images * spots;
                for (int group = 0; group < g.spec().groups(); group++) {
                    gatherRows(gy, first, images, group);
                    dense.gemm(gemm, true, false, patch, columns, g.fg(), groupFilters(weights, group), rows, false, col);
                    col2im(gx, first, images, group);
                }
            }
        }

        /** The sum over this share's images into {@code gw}, which it overwrites. */
        void filterGrad(A x, A gy, A gw) {
            int groupSize = g.fg() * patch;
            if (g.spec().groups() > 1) dense.zero(gw, 0, g.f() * patch);
            for (int first = from; first < to; first += chunk) {
                int images = Math.min(chunk, to - first), columns = images * spots;
                for (int group = 0; group < g.spec().groups(); group++) {
                    im2col(x, first, images, group);
                    gatherRows(gy, first, images, group);
                    if (g.spec().groups() == 1) {
                        dense.gemm(gemm, false, true, g.fg(), patch, columns, rows, col, first > from, gw);
                    } else {
                        dense.gemm(gemm, false, true, g.fg(), patch, columns, rows, col, false, filterGrad);
                        dense.add(filterGrad, 0, gw, group * groupSize, groupSize);
                    }
                }
            }
        }

        /**
         * The chunk's patches of one group as columns: {@code col[r, i * spots + s]}. With a stride of 1
         * across, a patch row's run along an output row is the same for every image, so it is read
         * from the runs once and copied for each image in turn.
         */
        private void im2col(A x, int first, int images, int group) {
            int columns = images * spots, oh = g.oh(), ow = g.ow(), image = g.c() * g.h() * g.w();
            for (int r = 0; r < patch; r++) {
                if (runs == null) {
                    for (int i = 0; i < images; i++) dense.gather(x, imageAt(first + i, group), index, r * spots, col, r * columns + i * spots, spots);
                    continue;
                }
                for (int oy = 0, at = 3 * r * oh; oy < oh; oy++, at += 3) {
                    int lo = runs[at + 1], hi = runs[at + 2];
                    for (int i = 0, src = imageAt(first, group) + runs[at], dst = r * columns + oy * ow; i < images; i++, src += image, dst += spots) {
                        if (lo > 0) dense.zero(col, dst, dst + lo);
                        dense.copy(x, src, col, dst + lo, hi - lo);
                        if (hi < ow) dense.zero(col, dst + hi, dst + ow);
                    }
                }
            }
        }

        /**
         * The columns of {@code col} added back onto the inputs they were read from, the adjoint of
         * {@link #im2col}, a run at a time for all the chunk's images as there. An input's terms all
         * come from its own image, so they are still added in the order of the patch's rows, then
         * of the output positions.
         */
        private void col2im(A gx, int first, int images, int group) {
            int columns = images * spots, oh = g.oh(), ow = g.ow(), image = g.c() * g.h() * g.w();
            for (int r = 0; r < patch; r++) {
                if (runs == null) {
                    for (int i = 0; i < images; i++) dense.scatterAdd(col, r * columns + i * spots, index, r * spots, gx, imageAt(first + i, group), spots);
                    continue;
                }
                for (int oy = 0, at = 3 * r * oh; oy < oh; oy++, at += 3) {
                    int lo = runs[at + 1], hi = runs[at + 2];
                    for (int i = 0, dst = imageAt(first, group) + runs[at], src = r * columns + oy * ow + lo; i < images; i++, dst += image, src += spots) {
                        dense.add(col, src, gx, dst, hi - lo);
                    }
                }
            }
        }

        /** The chunk's outputs of one group's filters as rows: {@code rows[k, i * spots + s]}. */
        private void gatherRows(A gy, int first, int images, int group) {
            int columns = images * spots;
            for (int i = 0; i < images; i++) {
                for (int k = 0; k < g.fg(); k++) {
                    System.arraycopy(gy, outputAt(first + i, group, k), rows, k * columns + i * spots, spots);
                }
            }
        }

        /** One group's filters, {@code [fg, patch]}, as an array of its own when there are several groups. */
        private A groupFilters(A weights, int group) {
            if (g.spec().groups() == 1) return weights;
            int size = g.fg() * patch;
            System.arraycopy(weights, group * size, filters, 0, size);
            return filters;
        }
    }

    /** Where image {@code i}'s channels of {@code group} start in x. */
    private int imageAt(int i, int group) { return (i * g.c() + group * g.cg()) * g.h() * g.w(); }

    /** Where output {@code [i, group * fg + k]} starts in y. */
    private int outputAt(int i, int group, int k) { return (i * g.f() + group * g.fg() + k) * spots; }

    /** The loops that differ between {@code double[]} and {@code float[]}. */
    private interface Dense<A> {
        A alloc(int n);

        /** {@code dst[to + s] = src[base + index[at + s]]}, or 0 where the index is -1, for {@code s < count}. */
        void gather(A src, int base, int[] index, int at, A dst, int to, int count);

        /** {@code dst[base + index[at + s]] += src[from + s]} where the index is not -1. */
        void scatterAdd(A src, int from, int[] index, int at, A dst, int base, int count);

        void zero(A a, int from, int to);

        /**
         * {@code dst[to + s] = src[from + s]}, by System.arraycopy on arrays typed as what they are:
         * the JIT then calls the copy stub of that type directly, which beats a loop even on
         * im2col's runs of 8 values (LeNet's second layer), where arraycopy on the generic
         * {@code A} went through the stub that checks the types first and lost to the loop.
         */
        void copy(A src, int from, A dst, int to, int count);

        /** {@code dst[to + s] += src[from + s]}. */
        void add(A src, int from, A dst, int to, int count);

        /** {@code c = op(a) op(b)}, or {@code c += op(a) op(b)} when accumulating. */
        void gemm(Gemm gemm, boolean transA, boolean transB, int m, int n, int k, A a, A b, boolean accumulate, A c);

        Dense<double[]> F64 = new Dense<>() {
            public double[] alloc(int n) { return new double[n]; }

            public void gather(double[] src, int base, int[] index, int at, double[] dst, int to, int count) {
                for (int s = 0; s < count; s++) {
                    int k = index[at + s];
                    dst[to + s] = k < 0 ? 0.0 : src[base + k];
                }
            }

            public void scatterAdd(double[] src, int from, int[] index, int at, double[] dst, int base, int count) {
                for (int s = 0; s < count; s++) {
                    int k = index[at + s];
                    if (k >= 0) dst[base + k] += src[from + s];
                }
            }

            public void zero(double[] a, int from, int to) { java.util.Arrays.fill(a, from, to, 0.0); }

            public void copy(double[] src, int from, double[] dst, int to, int count) { System.arraycopy(src, from, dst, to, count); }

            public void add(double[] src, int from, double[] dst, int to, int count) {
                for (int s = 0; s < count; s++) dst[to + s] += src[from + s];
            }

            public void gemm(Gemm gemm, boolean transA, boolean transB, int m, int n, int k, double[] a, double[] b,
                             boolean accumulate, double[] c) {
                gemm.dgemm(transA, transB, m, n, k, 1.0, a, b, accumulate ? 1.0 : 0.0, c);
            }
        };

        Dense<float[]> F32 = new Dense<>() {
            public float[] alloc(int n) { return new float[n]; }

            public void gather(float[] src, int base, int[] index, int at, float[] dst, int to, int count) {
                for (int s = 0; s < count; s++) {
                    int k = index[at + s];
                    dst[to + s] = k < 0 ? 0f : src[base + k];
                }
            }

            public void scatterAdd(float[] src, int from, int[] index, int at, float[] dst, int base, int count) {
                for (int s = 0; s < count; s++) {
                    int k = index[at + s];
                    if (k >= 0) dst[base + k] += src[from + s];
                }
            }

            public void zero(float[] a, int from, int to) { java.util.Arrays.fill(a, from, to, 0f); }

            public void copy(float[] src, int from, float[] dst, int to, int count) { System.arraycopy(src, from, dst, to, count); }

            public void add(float[] src, int from, float[] dst, int to, int count) {
                for (int s = 0; s < count; s++) dst[to + s] += src[from + s];
            }

            public void gemm(Gemm gemm, boolean transA, boolean transB, int m, int n, int k, float[] a, float[] b,
                             boolean accumulate, float[] c) {
                gemm.sgemm(transA, transB, m, n, k, 1f, a, b, accumulate ? 1f : 0f, c);
            }
        };
    }
}
