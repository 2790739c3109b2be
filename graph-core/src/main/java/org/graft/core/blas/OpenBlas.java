package org.graft.core.blas;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_dgemm;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import java.util.Arrays;
import java.util.function.IntConsumer;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * The native back end: OpenBLAS as the JavaCPP presets ship it, one jar per platform, so no
 * system install is needed. JavaCPP extracts the library from that jar into its cache
 * ({@code ~/.javacpp/cache}) and loads it from there.
 *
 * <p>Every buffer of the runtime stays an ordinary Java array, which EJML and our own loops use
 * as well, so the operands go to {@code cblas_?gemm} through native scratch memory kept by each
 * calling thread and grown as needed: the {@code m x k} and {@code k x n} values the product
 * reads are copied in, {@code c}'s {@code m x n} too when {@code beta != 0}, and {@code c}'s
 * back out. Handing JavaCPP the Java arrays instead made JNI copy each whole array in and back
 * out on every call, inputs included, into memory it allocated per call (an mmap with page
 * faults for a 3 MB W): 98 of the 470-565 us of a 20 x 784 x 500 product.
 *
 * <p>OpenBLAS runs on one thread. A product of at least {@link #SPLIT_FROM} multiply-adds is
 * split over the threads of {@link Parallel}: each computes a band of {@code c}, rows or
 * columns ({@link #splitByRows}), in its own single-threaded call on offsets into the same
 * scratch, and copies its band back; the copies in are split too, a share of every operand per
 * thread, in a job of their own before the bands. OpenBLAS's own threads meet by spinning, which on a
 * machine whose cores are shared made two threads slower than one (bench/README.md, "Why two
 * threads lose"). Where a product is cut depends only on its shape and the thread count, so
 * its result is the same from run to run to the bit; it may differ from the unsplit product in
 * the last bits, within the product's rounding bound, because OpenBLAS picks its kernel by the
 * shape of each band (a band one column wide goes through its matrix-vector path). A product
 * called from a part of a job on the pool (a convolution's share of the images) runs whole on
 * that part's thread: the other threads are busy with their own parts.
 *
 * <p>An array the calling thread {@linkplain Blas#hold holds} is copied into native memory of its
 * own at the first product that reads it, and read from there by the products after it until
 * the hold ends: a scan's W, read by each of the RBM's 30 products a step, is copied once.
 * Where short products are turned ({@link #turnsHeld}), a held array read by many of them gets
 * a transposed copy too, held with it.
 */
final class OpenBlas implements Gemm {
    /**
     * Products of fewer multiply-adds than this run on the calling thread alone: below it,
     * handing half to a worker costs more than it saves (BackendBench epochs).
     */
    static final long SPLIT_FROM = 1L << 20;

    // one per thread that calls a product: its scratch is read by the parts of its products only
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * The most multiply-adds OpenBLAS runs with its small-matrix kernels, which read the
     * operands where they are instead of packing them into panels first: its permit on the
     * AVX-512 cores (SkylakeX, Cooperlake, Sapphire Rapids) is M N K at most 100³.
     */
    static final long SMALL_PRODUCT = 1_000_000;

    /**
     * The rows or columns of c one call computes, where a product with a short side is cut into
     * calls small enough for those kernels, and the longest short side that is cut. A product
     * of 20 rows (the RBM's, the autoencoders' at batch 20) spends as long packing its large
     * operand as multiplying: cut into bands of 32 columns it took 0.5-0.65 of the whole call's
     * time in f32 and 0.8 in f64, with b or its transpose (BackendBench bands); bands of 64
     * columns (1.0 million multiply-adds) took as long as the whole call, and so did bands of 96
     * of a product with a transposed b.
     */
    static final int BAND = 32;

    /**
     * The shallowest product cut into bands: at LeNet's convolutions, k = 20 or 25 deep, the
     * calls of 32 rows cost more than the packing they save (up to 1.46 times the whole call
     * with a transposed b), and so did a side of 50 or 500 not cut (bench/README.md).
     */
    static final int BAND_FROM_DEPTH = 256;

    private final String version;
    private final Parallel pool;   // null: every product on the calling thread
    private final boolean smallKernels;
    private final boolean turnsShortRows;

    private OpenBlas(String version, Parallel pool, boolean smallKernels) {
        this.version = version;
        this.pool = pool;
        this.smallKernels = smallKernels;
        // measured on x86-64 only (Haswell's and Zen's kernels); elsewhere products go as they are
        this.turnsShortRows = !smallKernels && "amd64".equals(System.getProperty("os.arch"));
    }

    /**
     * Loads the native library (100-250 ms the first time in a JVM), sets it to one thread and
     * splits large products over a pool of {@code threads}. Throws whatever the loading
     * throws: {@link UnsatisfiedLinkError} when there is no library for this platform,
     * {@link NoClassDefFoundError} when JavaCPP is not on the class path.
     */
    static OpenBlas load(int threads) {
        return load(threads, smallKernels(System.getenv("OPENBLAS_CORETYPE"), hasAvx512()));
    }

    /** {@link #load(int)}, with or without the bands for OpenBLAS's small-matrix kernels ({@link #band}). */
    static OpenBlas load(int threads, boolean smallKernels) {
        Loader.load(openblas_nolapack.class);
        org.bytedeco.openblas.presets.openblas_nolapack.blas_set_num_threads(1);
        String v = openblas_nolapack.OPENBLAS_VERSION.strip(); // " OpenBLAS 0.3.30 "
        return new OpenBlas(v.startsWith("OpenBLAS ") ? v.substring("OpenBLAS ".length()) : v,
                threads > 1 ? Parallel.withThreads(threads) : null, smallKernels);
    }

    /**
     * OpenBLAS's names of the x86-64 cores whose kernels it can be told to run, in lower case:
     * {@code OPENBLAS_CORETYPE}, read when the library loads, makes it run that core's kernels
     * whatever the processor, and a name not among them leaves the choice to it.
     */
    private static final java.util.Set<String> CORES = java.util.Set.of("katmai", "coppermine", "northwood", "prescott",
            "banias", "atom", "core2", "penryn", "dunnington", "nehalem", "athlon", "opteron", "opteron_sse3", "barcelona",
            "nano", "sandybridge", "bobcat", "bulldozer", "piledriver", "haswell", "steamroller", "excavator", "zen",
            "skylakex", "cooperlake", "sapphirerapids");

    /** The cores among {@link #CORES} whose kernels have small-matrix variants: the AVX-512 ones. */
    private static final java.util.Set<String> SMALL_KERNEL_CORES = java.util.Set.of("skylakex", "cooperlake", "sapphirerapids");

    /**
     * Whether OpenBLAS runs kernels with small-matrix variants, given {@code OPENBLAS_CORETYPE}
     * ({@code coretype}, null when unset) and whether the processor is an x86-64 one with AVX-512.
     * On its own, OpenBLAS (built for every core, as the JavaCPP presets build it) picks an
     * AVX-512 core's kernels wherever the processor has AVX-512. A core named in the variable is
     * run instead, and the bands would cost where its kernels have no such variants: with {@code OPENBLAS_CORETYPE=Haswell}
     * on an AVX-512 processor, a 20 x 784 x 500 product cut into bands took 1.02-1.12 times the
     * whole call (BackendBench bands), where with the AVX-512 kernels it took 0.58-0.83.
     */
    static boolean smallKernels(String coretype, boolean avx512) {
        String core = coretype == null ? "" : coretype.strip().toLowerCase(java.util.Locale.ROOT);
        return avx512 && (!CORES.contains(core) || SMALL_KERNEL_CORES.contains(core));
    }

    /**
     * Whether this x86-64 processor has AVX-512. The presets do not expose the core OpenBLAS
     * chose, so Linux's /proc/cpuinfo says what the processor has; elsewhere the products are
     * not cut, as before.
     */
    private static boolean hasAvx512() {
        if (!"amd64".equals(System.getProperty("os.arch"))) return false;
        try (var lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("flags")).findFirst().map(l -> l.contains(" avx512f")).orElse(false);
        } catch (java.io.IOException | RuntimeException e) {
            return false; // no /proc: another system, where products are called whole
        }
    }

    /**
     * The rows or columns of c a call computes: {@link #BAND} where the product is too large
     * for OpenBLAS's small-matrix kernels, its side not cut (across the side it is split along,
     * {@link #byRows}) is at most {@link #BAND} long, it is at least {@link #BAND_FROM_DEPTH}
     * deep, and a band fits those kernels; else all of them.
     */
    int band(int m, int n, int k) {
        if (!smallKernels || (long) m * n * k <= SMALL_PRODUCT || k < BAND_FROM_DEPTH) return Integer.MAX_VALUE;
        long across = byRows(m, n) ? n : m;
        return across <= BAND && (long) BAND * across * k <= SMALL_PRODUCT ? BAND : Integer.MAX_VALUE;
    }

    @Override
    public String name() { return "openblas"; }

    /** OpenBLAS's version, e.g. {@code 0.3.30}. */
    String version() { return version; }

    /** Whether products with a short side are cut into bands for OpenBLAS's small-matrix kernels ({@link #band}). */
    boolean smallKernels() { return smallKernels; }

    /** The threads a large product is split over. */
    int threads() { return pool == null ? 1 : pool.parts(); }

    /** The JavaCPP platform whose library was loaded, e.g. {@code linux-x86_64}. */
    static String platform() { return Loader.getPlatform(); }

    /** Whether a product of these dimensions is split over the pool. */
    boolean splits(int m, int n, int k) { return pool != null && (long) m * n * k >= SPLIT_FROM && Math.max(m, n) >= pool.parts(); }

    /**
     * Whether a split product is cut into bands of rows of {@code c} rather than columns. Each
     * part packs the whole of the operand it does not cut: bands of rows pack all of b
     * ({@code k x n}), bands of columns all of a ({@code m x k}), so the cut goes across the
     * longer side, and the RBM's products of 20 rows by 500 or 784 columns split by columns.
     */
    static boolean byRows(int m, int n) { return m >= n; }

    /**
     * Whether a product split over the threads is cut into rows of {@code c}: as
     * {@link #byRows} says, and also where c has up to twice as many columns as rows and is
     * not cut into {@code band}s. An elementwise chain after the product (a weight gradient's
     * update) splits c into runs of rows, and each thread then reads the rows it wrote, not
     * half of each row written by the other; on a machine whose cores pass a cache line slowly
     * (200 ns on the AMD EPYC host) that costs more than packing a b at most twice a's size.
     * The vae's 500 x 100 x 784 weight gradient took 521-533 us on two threads cut into rows
     * against 741-746 cut into columns (bench/README.md).
     */
    static boolean splitByRows(int m, int n, int band) {
        return byRows(m, n) || band == Integer.MAX_VALUE && 2L * m >= n;
    }

    /** {@link Blas#hold} for the calling thread. */
    Blas.Hold hold(Object[] arrays) { return SCRATCH.get().hold(arrays); }

    @Override
    public void dgemm(boolean transA, boolean transB, int m, int n, int k,
                      double alpha, double[] a, double[] b, double beta, double[] c) {
        if (Trivial.done(transA, transB, m, n, k, alpha, a, b, beta, c)) return;
        Scratch s = SCRATCH.get();
        s.set(transA, transB, m, n, k, alpha, beta);
        s.operands(a, b, c);
        run(s);
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float alpha, float[] a, float[] b, float beta, float[] c) {
        if (Trivial.done(transA, transB, m, n, k, alpha, a, b, beta, c)) return;
        if (turns(transA, transB, m, n, k)) {
            sgemmTurned(m, n, k, alpha, a, b, beta, c);
            return;
        }
        Scratch s = SCRATCH.get();
        if (turnsHeld(transA, transB, m, n, k)) {
            float[] rows = s.transposeOfHeld(b, k, n, pool);
            if (rows != null) {
                sgemmTurned(m, n, k, alpha, a, rows, beta, c);
                return;
            }
        }
        s.set(transA, transB, m, n, k, alpha, beta);
        s.operands(a, b, c);
        run(s);
    }

    /**
     * Whether an f32 product {@code a b^T} with a short side of rows is computed turned, as
     * {@code (b a^T)^T}: where OpenBLAS runs x86-64 kernels with no small-matrix variants
     * (Haswell's, Zen's), the turned call took 0.54, 0.75 and 0.74 of the call as it is at 10,
     * 20 and 32 rows of 500 x 784 with Haswell's kernels, and 0.74-0.93 with Zen's (a throwaway
     * harness, bench/README.md). With b not transposed it took 0.78-0.96, and in f64 0.86-1.10:
     * too little to pay for turning c, so those go as they are.
     */
    boolean turns(boolean transA, boolean transB, int m, int n, int k) { return transB && turnable(transA, m, n, k); }

    // an f32 product of at most 32 rows of an untransposed a, 256 or more wide and deep, where
    // the kernels are an x86-64 core's without small-matrix variants: what turns and turnsHeld share
    private boolean turnable(boolean transA, int m, int n, int k) {
        return turnsShortRows && !transA && m <= BAND && n >= BAND_FROM_DEPTH && k >= BAND_FROM_DEPTH;
    }

    /**
     * Whether an f32 product {@code a b} with a short side of rows, its b held
     * ({@link Blas#hold}), is computed turned from a transposed copy of b, from the
     * {@value #TRANSPOSE_FROM_READ}rd such product of the hold on. With Haswell's kernels
     * OpenBLAS packs b as it is stored three to four times slower than stored transposed
     * (its generic packing routine, as the presets compile it, against the same routine in
     * Debian's build, which is vectorized): a 20 x 784 x 500 product took 335 us as called and
     * 233 us turned from b's transpose, 269 and 152 at 10 rows, 407 and 293 at 32
     * ({@code bench/openblas_builds.py}, bench/README.md). Transposing b (169 us at 784 x 500)
     * and copying the transpose in cost about two of those savings, so the third product of a
     * hold makes it: the RBM's W, read by each of its Gibbs chain's v W, is turned; an
     * autoencoder's, read twice a step, is not.
     */
    boolean turnsHeld(boolean transA, boolean transB, int m, int n, int k) { return !transB && turnable(transA, m, n, k); }

    /** The read of a held array, by a product {@link #turnsHeld} would turn, that makes its transposed copy. */
    static final int TRANSPOSE_FROM_READ = 3;

    // c = alpha a r^T + beta c, where r is [n, k] (b for a b^T, b's transpose for a b), as its
    // transpose t = alpha r a^T + beta c^T, [n, m] in the thread's turning array, which then goes
    // back into c; r is OpenBLAS's large operand either way, and is read from its held copy if
    // it has one. The turned product, n >= 256 rows, is not turned again.
    private void sgemmTurned(int m, int n, int k, float alpha, float[] a, float[] r, float beta, float[] c) {
        float[] t = SCRATCH.get().turning(m * n);
        if (beta != 0) transpose(c, m, n, t);
        sgemm(false, true, n, m, k, alpha, r, a, beta, t);
        transpose(t, n, m, c);
    }

    /** The rows x columns matrix x, row-major, into y as its transpose. */
    private static void transpose(float[] x, int rows, int columns, float[] y) {
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < columns; j++) y[j * rows + i] = x[i * columns + j];
        }
    }

    // a split product runs two jobs on the pool: the copies in, each part a share of every
    // operand, then the bands, each part reading all of a band's operands
    private void run(Scratch s) {
        try {
            int band = band(s.m, s.n, s.k);
            if (splits(s.m, s.n, s.k) && !pool.inPart()) {
                s.parts(pool.parts(), splitByRows(s.m, s.n, band), band);
                s.copying = true;
                pool.run(s);
                s.copied();
                pool.run(s);
            } else {
                s.parts(1, byRows(s.m, s.n), band);
                s.copying = true;
                s.accept(0);
                s.copied();
                s.accept(0);
            }
        } finally {
            s.release();
        }
    }

    /**
     * A calling thread's native copies of the operands, and the product in progress, which each
     * part copies a share of and then computes a band of. The views are positioned pointers
     * into the copies, one set per part, so parts running at once never move each other's.
     * Besides, the copies of the arrays the thread holds, kept while the holds last.
     */
    private static final class Scratch implements IntConsumer {
        // entries [0, holding) are the arrays held now, the innermost hold's last; the entries
        // past them keep their native memory for the holds to come (a scan holds its weights at
        // every step of training, and allocating 3 MB natively each time would fault its pages in)
        private Held[] held = {};
        private int holding;
        private Held ha, hb;   // the held copies the product in progress reads as a and b, or null

        private DoublePointer da, db, dc;   // null until a product of the dtype needs them
        private FloatPointer fa, fb, fc;
        private DoublePointer[] dav = {}, dbv = {}, dcv = {};
        private FloatPointer[] fav = {}, fbv = {}, fcv = {};

        // the product in progress, c = alpha op(a) op(b) + beta c, on the f64 or the f32 operands
        private boolean transA, transB, byRows, copying;
        private int m, n, k, parts, band;
        private double alpha, beta;
        private double[] a, b, c;
        private float[] af, bf, cf;
        private float[] turning = new float[0];   // a turned product's c (sgemmTurned), grown as needed

        /** The thread's array for a turned product's c, at least {@code size} long. */
        float[] turning(int size) {
            if (turning.length < size) turning = new float[size];
            return turning;
        }

        void set(boolean transA, boolean transB, int m, int n, int k, double alpha, double beta) {
            this.transA = transA;
            this.transB = transB;
            this.m = m;
            this.n = n;
            this.k = k;
            this.alpha = alpha;
            this.beta = beta;
        }

        Blas.Hold hold(Object[] arrays) {
            int from = holding;
            if (held.length < from + arrays.length) {
                Held[] more = Arrays.copyOf(held, from + arrays.length);
                for (int i = held.length; i < more.length; i++) more[i] = new Held();
                held = more;
            }
            for (Object x : arrays) held[holding++].start(x);
            return end(from);
        }

        // the holds that start at each depth, made once: a plan holds its params at every step,
        // which must allocate nothing
        private Blas.Hold[] ends = {};

        private Blas.Hold end(int from) {
            if (ends.length <= from) {
                Blas.Hold[] more = Arrays.copyOf(ends, from + 1);
                for (int i = ends.length; i < more.length; i++) {
                    int depth = i;
                    more[i] = () -> {
                        for (int j = depth; j < holding; j++) held[j].array = null;
                        holding = Math.min(holding, depth);
                    };
                }
                ends = more;
            }
            return ends[from];
        }

        // an array in force in the holds, or the transposed copy of one (Held#transposed)
        private Held held(Object array) {
            for (int i = holding - 1; i >= 0; i--) {
                if (held[i].array == array) return held[i];
                if (held[i].transposed != null && held[i].transposed.array == array) return held[i].transposed;
            }
            return null;
        }

        /**
         * The transpose, [columns, rows], of {@code b}, [rows, columns], when the thread holds b
         * and this is at least its {@value OpenBlas#TRANSPOSE_FROM_READ}rd read by a product that
         * would read it turned; made at that read (shared over {@code pool}'s threads), then held
         * with b. Null otherwise, and then the product reads b as it is.
         */
        float[] transposeOfHeld(float[] b, int rows, int columns, Parallel pool) {
            Held h = null;
            for (int i = holding - 1; i >= 0 && h == null; i--) if (held[i].array == b) h = held[i];
            if (h == null || ++h.turnedReads < TRANSPOSE_FROM_READ) return null;
            return h.transpose(rows, columns, pool);
        }

        /** The f64 operands, the native copies grown to hold them. */
        void operands(double[] a, double[] b, double[] c) {
            this.a = a;
            this.b = b;
            this.c = c;
            af = bf = cf = null;
            da = fit(da, m * k);
            db = fit(db, k * n);
            dc = fit(dc, m * n);
            holds(a, b, c);
        }

        void operands(float[] a, float[] b, float[] c) {
            af = a;
            bf = b;
            cf = c;
            this.a = this.b = this.c = null;
            fa = fit(fa, m * k);
            fb = fit(fb, k * n);
            fc = fit(fc, m * n);
            holds(a, b, c);
        }

        // which of the operands are held; a held c would be a broken promise, which would leave
        // its copy stale for the products after this one
        private void holds(Object a, Object b, Object c) {
            ha = hb = null;
            if (holding == 0) return;
            if (held(c) != null) throw new IllegalStateException("a product writes an array its thread holds unchanged (Blas.hold)");
            ha = held(a);
            hb = held(b);
        }

        /** Lets go of the Java arrays, so that a thread's scratch never keeps a dropped plan's buffers alive. */
        void release() {
            a = b = c = null;
            af = bf = cf = null;
            ha = hb = null;
        }

        /** After the copies in: the held operands' copies hold their arrays' values. */
        void copied() {
            copying = false;
            if (ha != null) ha.filled = true;
            if (hb != null) hb.filled = true;
        }

        /**
         * Splits the product in progress into {@code parts}, its bands of rows or of columns,
         * each computed in calls of at most {@code band} of them.
         */
        void parts(int parts, boolean byRows, int band) {
            this.parts = parts;
            this.byRows = byRows;
            this.band = band;
            // new views when there are more parts than views, or a copy has moved
            if (c != null && (dav.length < parts || dav[0].address() != da.address() || dbv[0].address() != db.address()
                    || dcv[0].address() != dc.address())) {
                dav = views(da, parts);
                dbv = views(db, parts);
                dcv = views(dc, parts);
            } else if (cf != null && (fav.length < parts || fav[0].address() != fa.address() || fbv[0].address() != fb.address()
                    || fcv[0].address() != fc.address())) {
                fav = views(fa, parts);
                fbv = views(fb, parts);
                fcv = views(fc, parts);
            }
            if (ha != null) ha.fit(parts);
            if (hb != null && hb != ha) hb.fit(parts);
        }

        /** Part {@code p}: its share of the copies in, or its band of c, computed and copied out. */
        @Override
        public void accept(int p) {
            if (copying) copyIn(p);
            else product(p);
        }

        // a's and b's values the product reads, and c's when beta != 0 (with beta = 0 OpenBLAS
        // does not read c), the p-th share of each
        private void copyIn(int p) {
            int aSize = m * k, bSize = k * n, cSize = beta == 0 ? 0 : m * n;
            int aLo = share(aSize, p), aHi = share(aSize, p + 1), bLo = share(bSize, p), bHi = share(bSize, p + 1);
            int cLo = share(cSize, p), cHi = share(cSize, p + 1);
            if (c != null) {
                if (ha == null) dav[p].position(aLo).put(a, aLo, aHi - aLo);
                if (hb == null) dbv[p].position(bLo).put(b, bLo, bHi - bLo);
                if (cHi > cLo) dcv[p].position(cLo).put(c, cLo, cHi - cLo);
            } else {
                if (ha == null) fav[p].position(aLo).put(af, aLo, aHi - aLo);
                if (hb == null) fbv[p].position(bLo).put(bf, bLo, bHi - bLo);
                if (cHi > cLo) fcv[p].position(cLo).put(cf, cLo, cHi - cLo);
            }
            // a held operand is copied whole, once per hold (a and b may be the one array)
            if (ha != null && !ha.filled) ha.copyIn(p, parts);
            if (hb != null && hb != ha && !hb.filled) hb.copyIn(p, parts);
        }

        private int share(int size, int p) { return (int) ((long) size * p / parts); }

        private void product(int p) {
            int extent = byRows ? m : n;
            int lo = share(extent, p), hi = share(extent, p + 1);
            if (lo == hi) return;
            for (int from = lo, to; from < hi; from = to) {
                to = (int) Math.min(hi, (long) from + band);
                bandOf(p, from, to);
            }
            int rows = byRows ? hi - lo : m, columns = byRows ? n : hi - lo;
            long cAt = byRows ? (long) lo * n : lo;
            if (c != null) {
                DoublePointer cv = dcv[p];
                if (columns == n) cv.position(cAt).get(c, (int) cAt, rows * n);
                else for (int i = 0; i < rows; i++) cv.position(cAt + (long) i * n).get(c, (int) cAt + i * n, columns);
            } else {
                FloatPointer cv = fcv[p];
                if (columns == n) cv.position(cAt).get(cf, (int) cAt, rows * n);
                else for (int i = 0; i < rows; i++) cv.position(cAt + (long) i * n).get(cf, (int) cAt + i * n, columns);
            }
        }

        // the rows or columns [lo, hi) of c, in one call into part p's views
        private void bandOf(int p, int lo, int hi) {
            // row-major leading dimensions: the stored row length of each operand
            int lda = transA ? m : k, ldb = transB ? k : n;
            long aAt = 0, bAt = 0, cAt;
            int rows = m, columns = n;
            if (byRows) {
                aAt = transA ? lo : (long) lo * k;
                cAt = (long) lo * n;
                rows = hi - lo;
            } else {
                bAt = transB ? (long) lo * k : lo;
                cAt = lo;
                columns = hi - lo;
            }
            int ta = transA ? CblasTrans : CblasNoTrans, tb = transB ? CblasTrans : CblasNoTrans;
            if (c != null) {
                DoublePointer av = ha == null ? dav[p] : ha.dv[p], bv = hb == null ? dbv[p] : hb.dbv[p];
                cblas_dgemm(CblasRowMajor, ta, tb, rows, columns, k, alpha, av.position(aAt), lda, bv.position(bAt), ldb,
                        beta, dcv[p].position(cAt), n);
            } else {
                FloatPointer av = ha == null ? fav[p] : ha.fv[p], bv = hb == null ? fbv[p] : hb.fbv[p];
                cblas_sgemm(CblasRowMajor, ta, tb, rows, columns, k, (float) alpha, av.position(aAt), lda,
                        bv.position(bAt), ldb, (float) beta, fcv[p].position(cAt), n);
            }
        }

        // grown to a new allocation when too small, the old one freed now rather than when the collector finds it
        private static DoublePointer fit(DoublePointer p, int size) {
            if (p != null && p.capacity() >= size) return p;
            if (p != null) p.close();
            return new DoublePointer((long) size);
        }

        private static FloatPointer fit(FloatPointer p, int size) {
            if (p != null && p.capacity() >= size) return p;
            if (p != null) p.close();
            return new FloatPointer((long) size);
        }

        private static DoublePointer[] views(DoublePointer base, int parts) {
            var v = new DoublePointer[parts];
            for (int p = 0; p < parts; p++) v[p] = new DoublePointer(base);
            return v;
        }

        private static FloatPointer[] views(FloatPointer base, int parts) {
            var v = new FloatPointer[parts];
            for (int p = 0; p < parts; p++) v[p] = new FloatPointer(base);
            return v;
        }
    }

    /**
     * An array a thread holds unchanged ({@link Blas#hold}) and its native copy, made whole at
     * the first product that reads it. The entry and its memory outlive the hold, for the next.
     */
    private static final class Held implements IntConsumer {
        Object array;       // the array held, or null when the entry is not in force
        boolean filled;     // whether the copy has the array's values
        int turnedReads;    // the products this hold that would read the array turned (turnsHeld)
        Held transposed;    // the array's transpose, held with it; in force once made this hold
        private float[] transposedValues = {};   // transposed's array, kept from hold to hold
        private int rows, columns, parts;   // the transposing in progress: the array's shape, its parts
        private DoublePointer d;
        private FloatPointer f;
        // views per part, one set for the copy read as a and one as b, so that a^T a positions two
        DoublePointer[] dv = {}, dbv = {};
        FloatPointer[] fv = {}, fbv = {};

        void start(Object array) {
            this.array = array;
            filled = false;
            turnedReads = 0;
            if (transposed != null) transposed.array = null;
        }

        /**
         * The f32 array, [rows, columns], transposed into the array of {@link #transposed},
         * which comes into force: made once per hold, by {@code pool}'s threads each taking a
         * share of its rows. Its values are kept from hold to hold, but not its force.
         */
        float[] transpose(int rows, int columns, Parallel pool) {
            if (transposed == null) transposed = new Held();
            if (transposed.array == null) {
                if (transposedValues.length != rows * columns) transposedValues = new float[rows * columns];
                this.rows = rows;
                this.columns = columns;
                parts = pool == null ? 1 : pool.parts();
                Parallel.run(pool, this);
                transposed.start(transposedValues);
            }
            return transposedValues;
        }

        // part p of the transposing: rows [lo, hi) of the transpose, from columns [lo, hi) of the
        // array, a block of 64 x 64 at a time (0.43 ns an element at 784 x 500, against 0.5 for
        // the plain loops: a throwaway harness)
        @Override
        public void accept(int p) {
            float[] x = (float[]) array, t = transposedValues;
            int lo = (int) ((long) columns * p / parts), hi = (int) ((long) columns * (p + 1) / parts);
            for (int i0 = 0; i0 < rows; i0 += 64) {
                int i1 = Math.min(rows, i0 + 64);
                for (int j0 = lo; j0 < hi; j0 += 64) {
                    int j1 = Math.min(hi, j0 + 64);
                    for (int i = i0; i < i1; i++) {
                        int at = i * columns;
                        for (int j = j0; j < j1; j++) t[j * rows + i] = x[at + j];
                    }
                }
            }
        }

        /** The copy grown to the whole array, with a view per part. */
        void fit(int parts) {
            if (array instanceof double[] x) {
                DoublePointer g = Scratch.fit(d, x.length);
                if (g != d || dv.length < parts) {
                    d = g;
                    dv = Scratch.views(g, parts);
                    dbv = Scratch.views(g, parts);
                    filled = false;
                }
            } else {
                FloatPointer g = Scratch.fit(f, ((float[]) array).length);
                if (g != f || fv.length < parts) {
                    f = g;
                    fv = Scratch.views(g, parts);
                    fbv = Scratch.views(g, parts);
                    filled = false;
                }
            }
        }

        /** Part {@code p}'s share of the whole array, into the copy. */
        void copyIn(int p, int parts) {
            if (array instanceof double[] x) {
                int lo = (int) ((long) x.length * p / parts), hi = (int) ((long) x.length * (p + 1) / parts);
                dv[p].position(lo).put(x, lo, hi - lo);
            } else {
                float[] x = (float[]) array;
                int lo = (int) ((long) x.length * p / parts), hi = (int) ((long) x.length * (p + 1) / parts);
                fv[p].position(lo).put(x, lo, hi - lo);
            }
        }
    }
}
