package org.graft.core.blas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Assume;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Every back end against the definition, a triple loop in f64: {@code c = alpha op(a) op(b) +
 * beta c}. The routed back ends run products on both sides of {@link Blas#LOOPS_BELOW}.
 */
class GemmTest {

    /** A back end with the name a failing sample shows. */
    record Named(String name, Gemm gemm) {
        @Override
        public String toString() { return name; }
    }

    // the native library loads on this machine; when it cannot, that is a failure, not a skip.
    // It gets the threads the settings give, so the tests leave the JVM-wide count as Blas set it.
    private static final Gemm OPENBLAS = OpenBlas.load(Blas.threads());

    static final List<Named> BACK_ENDS = List.of(
            new Named("loops", new Loops()),
            new Named("ejml", new Ejml()),
            new Named("openblas", OPENBLAS),
            new Named("loops, then ejml", new BySize(Ejml::new)),
            new Named("loops, then openblas", new BySize(() -> OPENBLAS)));

    @Provide
    Arbitrary<Named> backEnds() { return Arbitraries.of(BACK_ENDS); }

    // ---- the definition, in every transpose combination ---------------------------------------

    @Property(generation = GenerationMode.EXHAUSTIVE)
    void everyTransposeCombinationMatchesTheTripleLoop(@ForAll("backEnds") Named g, @ForAll boolean transA,
                                                        @ForAll boolean transB) {
        // 7 x 5 x 9 = 315 multiply-adds: above the threshold, so the routed back ends call their library
        var p = Operands.random(7, 9, 5, transA, transB, 1);
        p.checkF64(g.gemm(), 1.0, 0.0);
        p.checkF32(g.gemm(), 1f, 0f);
    }

    @Property(generation = GenerationMode.EXHAUSTIVE)
    void alphaScalesTheProductAndBetaTheOldC(@ForAll("backEnds") Named g, @ForAll boolean transA,
                                              @ForAll boolean transB) {
        var p = Operands.random(6, 11, 8, transA, transB, 2);
        p.checkF64(g.gemm(), -0.5, 2.5);
        p.checkF32(g.gemm(), -0.5f, 2.5f);
    }

    @Property(generation = GenerationMode.EXHAUSTIVE)
    void betaZeroOverwritesACFullOfNaN(@ForAll("backEnds") Named g, @ForAll boolean transA, @ForAll boolean transB) {
        for (int[] s : new int[][] {{2, 3, 4}, {16, 20, 12}}) { // below and above the threshold
            var p = Operands.random(s[0], s[1], s[2], transA, transB, 3);
            Arrays.fill(p.c, Double.NaN);
            p.checkF64(g.gemm(), 1.5, 0.0);
            p.checkF32(g.gemm(), 1.5f, 0f);
        }
    }

    @Property(generation = GenerationMode.EXHAUSTIVE)
    void betaOneAccumulatesProductsIntoC(@ForAll("backEnds") Named g) {
        // c = a1 b1 + a2 b2, as a gradient summed over two uses is
        var p1 = Operands.random(10, 12, 7, false, false, 4);
        var p2 = Operands.random(10, 12, 7, true, false, 5);
        double[] c = new double[10 * 12];
        g.gemm().dgemm(false, false, 10, 12, 7, 1.0, p1.a, p1.b, 0.0, c);
        g.gemm().dgemm(true, false, 10, 12, 7, 1.0, p2.a, p2.b, 1.0, c);
        double[] want = p1.reference(1.0, 0.0, new double[10 * 12]);
        want = p2.reference(1.0, 1.0, want);
        assertClose(want, c, 1e-12, g.name());
    }

    // below TRANSPOSE_B_FROM_ROWS rows EJML reads b transposed as stored, from there on it transposes b first
    @Property(generation = GenerationMode.EXHAUSTIVE)
    void ejmlAgreesOnEitherSideOfTheRowsWhereItTransposesBFirst(@ForAll boolean transA, @ForAll boolean accumulate) {
        for (int m : new int[] {1, Ejml.TRANSPOSE_B_FROM_ROWS - 1, Ejml.TRANSPOSE_B_FROM_ROWS, 37}) {
            var p = Operands.random(m, 29, 53, transA, true, 6);
            p.checkF64(new Ejml(), 1.0, accumulate ? 1.0 : 0.0);
            p.checkF32(new Ejml(), 1f, accumulate ? 1f : 0f);
        }
    }

    @Example
    void aSquareProductIsTheOneWorkedByHand() {
        double[] a = {1, 2, 3, 4}, b = {5, 6, 7, 8};
        for (Named g : BACK_ENDS) {
            double[] c = new double[4];
            g.gemm().dgemm(false, false, 2, 2, 2, 1.0, a, b, 0.0, c);
            assertEquals(List.of(19.0, 22.0, 43.0, 50.0), boxed(c), g.name());
            g.gemm().dgemm(true, true, 2, 2, 2, 1.0, a, b, 0.0, c); // a.T b.T = (b a).T
            assertEquals(List.of(23.0, 31.0, 34.0, 46.0), boxed(c), g.name());
        }
    }

    // ---- empty products -------------------------------------------------------------------------

    @Property(generation = GenerationMode.EXHAUSTIVE)
    void anEmptyInnerDimensionLeavesBetaTimesC(@ForAll("backEnds") Named g, @ForAll boolean transA,
                                               @ForAll boolean transB) {
        double[] c = {1, 2, 3, 4, 5, 6};
        g.gemm().dgemm(transA, transB, 2, 3, 0, 1.0, new double[0], new double[0], 0.5, c);
        assertEquals(List.of(0.5, 1.0, 1.5, 2.0, 2.5, 3.0), boxed(c), g.name());
        float[] cf = {Float.NaN, 1, 2, 3, 4, Float.NaN};
        g.gemm().sgemm(transA, transB, 2, 3, 0, 1f, new float[0], new float[0], 0f, cf);
        assertArrayEquals(new float[6], cf, g.name()); // beta = 0: zeros, the NaN not read
    }

    @Property(generation = GenerationMode.EXHAUSTIVE)
    void anEmptyOuterDimensionTouchesNothing(@ForAll("backEnds") Named g, @ForAll boolean transA,
                                             @ForAll boolean transB) {
        double[] sentinel = {Double.NaN, 7};
        g.gemm().dgemm(transA, transB, 0, 2, 3, 1.0, new double[0], new double[6], 0.0, sentinel);
        g.gemm().dgemm(transA, transB, 2, 0, 3, 1.0, new double[6], new double[0], 0.0, sentinel);
        assertEquals(7.0, sentinel[1]);
        assertTrue(Double.isNaN(sentinel[0]), g.name());
    }

    @Property(generation = GenerationMode.EXHAUSTIVE)
    void alphaZeroReadsNeitherOperand(@ForAll("backEnds") Named g) {
        // as in the reference BLAS: alpha = 0 means c = beta c, so an infinity in a adds nothing
        var p = Operands.random(8, 9, 10, false, false, 6);
        p.a[3] = Double.POSITIVE_INFINITY;
        p.checkF64(g.gemm(), 0.0, 3.0);
    }

    // ---- buffers --------------------------------------------------------------------------------

    @Property(generation = GenerationMode.EXHAUSTIVE)
    void valuesPastTheMatricesInLongerArraysAreNeitherReadNorWritten(@ForAll("backEnds") Named g,
                                                                      @ForAll boolean transA, @ForAll boolean transB) {
        int m = 9, n = 8, k = 7, extra = 5;
        var p = Operands.random(m, n, k, transA, transB, 7);
        double[] a = Arrays.copyOf(p.a, m * k + extra), b = Arrays.copyOf(p.b, k * n + extra);
        Arrays.fill(a, m * k, a.length, Double.NaN);
        Arrays.fill(b, k * n, b.length, Double.NaN);
        double[] c = Arrays.copyOf(p.c, m * n + extra);
        Arrays.fill(c, m * n, c.length, -3.0);
        g.gemm().dgemm(transA, transB, m, n, k, 2.0, a, b, 1.0, c);
        assertClose(p.reference(2.0, 1.0, p.c.clone()), Arrays.copyOf(c, m * n), 1e-12, g.name());
        for (int i = m * n; i < c.length; i++) assertEquals(-3.0, c[i], g.name());
    }

    @Example
    void anArrayTooShortForItsMatrixIsRefusedBeforeAnyLibrarySeesIt() {
        for (Named g : BACK_ENDS) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> g.gemm().dgemm(true, false, 20, 30, 40, 1.0, new double[800], new double[1199], 0.0,
                            new double[600]), g.name());
            assertEquals("gemm: [40, 20].T @ [40, 30] -> [20, 30] needs arrays of at least 800, 1200 and 600 values, "
                    + "found 800, 1199 and 600", e.getMessage());
        }
    }

    @Example
    void aNegativeDimensionIsRefused() {
        for (Named g : BACK_ENDS) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> g.gemm().sgemm(false, false, 2, -1, 3, 1f, new float[6], new float[3], 0f, new float[2]));
            assertEquals("gemm: negative dimension in m = 2, n = -1, k = 3", e.getMessage(), g.name());
        }
    }

    // ---- random shapes --------------------------------------------------------------------------

    // edge cases off: their combinations outnumber the tries; a dim is 0 in one draw of 14
    @Property(tries = 100, edgeCases = EdgeCasesMode.NONE)
    void randomShapesMatchTheTripleLoop(@ForAll("backEnds") Named g,
                                        @ForAll @IntRange(min = 0, max = 13) int m,
                                        @ForAll @IntRange(min = 0, max = 13) int n,
                                        @ForAll @IntRange(min = 0, max = 13) int k,
                                        @ForAll boolean transA, @ForAll boolean transB,
                                        @ForAll("weights") double alpha, @ForAll("weights") double beta,
                                        @ForAll long seed) {
        var p = Operands.random(m, n, k, transA, transB, seed);
        p.checkF64(g.gemm(), alpha, beta);
        p.checkF32(g.gemm(), (float) alpha, (float) beta);
    }

    @Provide
    Arbitrary<Double> weights() { return Arbitraries.of(0.0, 1.0, -1.0, 0.5, 3.0); }

    // ---- large products split over two threads ------------------------------------------------

    private static final OpenBlas ONE_THREAD = OpenBlas.load(1), TWO_THREADS = OpenBlas.load(2);

    /**
     * A product of at least {@link OpenBlas#SPLIT_FROM} multiply-adds on two threads is the same
     * from call to call to the bit, and within rounding of the product on one thread: not always
     * equal to it, because OpenBLAS picks its kernel by the shape it is given (a band one column
     * wide goes through its matrix-vector path, a small band through its small-matrix kernels),
     * and those sum k's terms in another order. Each result is within {@code (k + 2) u} of
     * {@code |alpha| sum_p |a_ip b_pj| + |beta c_ij|} of the exact value (the classical bound on a
     * sum of k products, u the unit roundoff), so they are within twice that of each other.
     * Shapes from a single row or column to a few hundred, cut by rows or columns.
     */
    @Property(tries = 60, edgeCases = EdgeCasesMode.NONE)
    void aSplitProductIsRepeatableAndWithinRoundingOfTheUnsplitOne(@ForAll @IntRange(min = 1, max = 300) int m,
                                                                   @ForAll @IntRange(min = 1, max = 300) int n,
                                                                   @ForAll @IntRange(min = 0, max = 40) int extraK,
                                                                   @ForAll boolean transA, @ForAll boolean transB,
                                                                   @ForAll("weights") double alpha,
                                                                   @ForAll("weights") double beta, @ForAll long seed) {
        int k = (int) Math.max(1, (OpenBlas.SPLIT_FROM + (long) m * n - 1) / ((long) m * n)) + extraK;
        var p = Operands.random(m, n, k, transA, transB, seed);
        assertTrue(TWO_THREADS.splits(m, n, k) == Math.max(m, n) >= 2, "split " + p);
        double[] magnitude = p.magnitude(alpha, beta);
        double[] one = p.c.clone(), two = p.c.clone(), again = p.c.clone();
        ONE_THREAD.dgemm(transA, transB, m, n, k, alpha, p.a, p.b, beta, one);
        TWO_THREADS.dgemm(transA, transB, m, n, k, alpha, p.a, p.b, beta, two);
        TWO_THREADS.dgemm(transA, transB, m, n, k, alpha, p.a, p.b, beta, again);
        assertArrayEquals(two, again, "f64 " + p);
        assertWithin(one, two, magnitude, 2 * (k + 2) * Math.ulp(1.0) / 2, "f64 " + p);
        float[] oneF = floats(p.c), twoF = floats(p.c), againF = floats(p.c), af = floats(p.a), bf = floats(p.b);
        ONE_THREAD.sgemm(transA, transB, m, n, k, (float) alpha, af, bf, (float) beta, oneF);
        TWO_THREADS.sgemm(transA, transB, m, n, k, (float) alpha, af, bf, (float) beta, twoF);
        TWO_THREADS.sgemm(transA, transB, m, n, k, (float) alpha, af, bf, (float) beta, againF);
        assertArrayEquals(twoF, againF, "f32 " + p);
        // the operands rounded to float change the magnitudes by a relative 2^-24 at most
        assertWithin(doubles(oneF), doubles(twoF), magnitude, 2 * (k + 3) * Math.ulp(1f) / 2, "f32 " + p);
    }

    /** Each {@code |got - want|} at most {@code relative} times the magnitude there. */
    private static void assertWithin(double[] want, double[] got, double[] magnitude, double relative, String what) {
        for (int i = 0; i < want.length; i++) {
            if (Math.abs(got[i] - want[i]) > relative * magnitude[i]) {
                fail(what + ": element " + i + " is " + got[i] + ", expected " + want[i] + " within " + relative * magnitude[i]);
            }
        }
    }

    @Property(tries = 10, edgeCases = EdgeCasesMode.NONE)
    void aSplitProductMatchesTheTripleLoop(@ForAll @IntRange(min = 1, max = 120) int m,
                                           @ForAll @IntRange(min = 1, max = 120) int n,
                                           @ForAll boolean transA, @ForAll boolean transB, @ForAll long seed) {
        int k = (int) Math.max(1, (OpenBlas.SPLIT_FROM + (long) m * n - 1) / ((long) m * n));
        var p = Operands.random(m, n, k, transA, transB, seed);
        p.checkF64(TWO_THREADS, 0.5, 1.0);
        p.checkF32(TWO_THREADS, 0.5f, 1.0f);
    }

    private static final OpenBlas ONE_THREAD_BANDS = OpenBlas.load(1, true), TWO_THREADS_BANDS = OpenBlas.load(2, true);

    /**
     * Products are cut into bands only where OpenBLAS runs an AVX-512 core's kernels: its own
     * choice on an AVX-512 processor, unless OPENBLAS_CORETYPE names another core (as this
     * project's AMD hosts set Haswell, whose kernels have no small-matrix variants); a name
     * OpenBLAS does not know leaves the choice to it.
     */
    @Example
    void theBandsFollowTheCoreOpenBlasRuns() {
        assertTrue(OpenBlas.smallKernels(null, true), "unset, AVX-512");
        assertFalse(OpenBlas.smallKernels(null, false), "unset, no AVX-512");
        assertFalse(OpenBlas.smallKernels("Haswell", true), "Haswell's kernels on an AVX-512 processor");
        assertFalse(OpenBlas.smallKernels("zen", true), "any case, as OpenBLAS compares them");
        assertTrue(OpenBlas.smallKernels("SkylakeX", true));
        assertTrue(OpenBlas.smallKernels("COOPERLAKE", true));
        assertFalse(OpenBlas.smallKernels("SkylakeX", false), "an AVX-512 core named on a processor without AVX-512");
        assertTrue(OpenBlas.smallKernels("Pentium9000", true), "a name OpenBLAS does not know: its own choice");
        assertTrue(OpenBlas.smallKernels("", true), "set but empty: its own choice");
    }

    /**
     * A product with a short side, too large for OpenBLAS's small-matrix kernels, cut into
     * bands of 32 rows or columns that are not (whether or not this machine's OpenBLAS has
     * those kernels): repeatable to the bit, and within the classical rounding bound of the
     * exact product, on one thread and on two.
     */
    @Property(tries = 25, edgeCases = EdgeCasesMode.NONE)
    void aProductCutIntoBandsIsRepeatableAndWithinRounding(@ForAll @IntRange(min = 1, max = 32) int shortSide,
                                                           @ForAll @IntRange(min = 33, max = 400) int longSide,
                                                           @ForAll boolean shortRows, @ForAll boolean transA,
                                                           @ForAll boolean transB, @ForAll boolean twoThreads,
                                                           @ForAll("weights") double beta, @ForAll long seed) {
        int m = shortRows ? shortSide : longSide, n = shortRows ? longSide : shortSide;
        long across = OpenBlas.byRows(m, n) ? n : m;
        int k = (int) (OpenBlas.SMALL_PRODUCT / (OpenBlas.BAND * across)); // the deepest product still cut
        OpenBlas g = twoThreads ? TWO_THREADS_BANDS : ONE_THREAD_BANDS;
        assertEquals(OpenBlas.BAND, g.band(m, n, k), "cut " + m + " x " + n + " x " + k);
        assertEquals(Integer.MAX_VALUE, OpenBlas.load(1, false).band(m, n, k), "not cut without the small kernels");
        checkRepeatableAndWithinRounding(g, Operands.random(m, n, k, transA, transB, seed), beta);
    }

    /**
     * Product {@code p} by {@code g} in f64 and in f32 (its operands rounded), each called twice:
     * the same bits both times, and within the classical rounding bound of the exact product.
     */
    private static void checkRepeatableAndWithinRounding(OpenBlas g, Operands p, double beta) {
        int m = p.m, n = p.n, k = p.k;
        boolean transA = p.transA, transB = p.transB;
        double[] magnitude = p.magnitude(1, beta), want = p.reference(1, beta, p.c.clone());
        double[] got = p.c.clone(), again = p.c.clone();
        g.dgemm(transA, transB, m, n, k, 1, p.a, p.b, beta, got);
        g.dgemm(transA, transB, m, n, k, 1, p.a, p.b, beta, again);
        assertArrayEquals(got, again, "f64 " + p);
        assertWithin(want, got, magnitude, (k + 2) * Math.ulp(1.0), "f64 " + p);
        float[] gotF = floats(p.c), againF = floats(p.c), af = floats(p.a), bf = floats(p.b);
        g.sgemm(transA, transB, m, n, k, 1, af, bf, (float) beta, gotF);
        g.sgemm(transA, transB, m, n, k, 1, af, bf, (float) beta, againF);
        assertArrayEquals(gotF, againF, "f32 " + p);
        double[] wantF = new Operands(m, n, k, transA, transB, doubles(af), doubles(bf), doubles(floats(p.c)))
                .reference(1, beta, doubles(floats(p.c)));
        assertWithin(wantF, doubles(gotF), magnitude, (k + 3) * Math.ulp(1f), "f32 " + p);
    }

    /** Not cut: products that fit the small-matrix kernels whole, shallow ones, and those without a short side. */
    @Example
    void productsWithoutAShortDeepSideAreCalledWhole() {
        assertEquals(OpenBlas.BAND, ONE_THREAD_BANDS.band(20, 500, 784), "the RBM's v W");
        assertEquals(OpenBlas.BAND, ONE_THREAD_BANDS.band(20, 784, 500), "the RBM's h W.T");
        assertEquals(Integer.MAX_VALUE, ONE_THREAD_BANDS.band(20, 100, 400), "small enough whole");
        assertEquals(Integer.MAX_VALUE, ONE_THREAD_BANDS.band(57_600, 20, 25), "LeNet's first convolution, 25 deep");
        assertEquals(Integer.MAX_VALUE, ONE_THREAD_BANDS.band(784, 500, 20), "a weight gradient, 20 deep");
        assertEquals(Integer.MAX_VALUE, ONE_THREAD_BANDS.band(6_400, 50, 500), "50 columns is no short side");
        assertEquals(Integer.MAX_VALUE, ONE_THREAD_BANDS.band(100, 500, 784), "the batch of 100's");
    }

    /** A split product is cut into rows of c unless c has more than twice as many columns, or is cut into bands. */
    @Example
    void aSplitProductIsCutIntoRowsUnlessItsColumnsAreMoreThanTwiceAsMany() {
        int whole = Integer.MAX_VALUE;
        assertTrue(OpenBlas.splitByRows(784, 500, whole), "the mlp's weight gradient");
        assertTrue(OpenBlas.splitByRows(500, 784, whole), "the vae's decoder weight gradient");
        assertTrue(OpenBlas.splitByRows(392, 784, whole), "twice as many columns");
        assertFalse(OpenBlas.splitByRows(391, 784, whole), "more than twice as many");
        assertFalse(OpenBlas.splitByRows(100, 500, whole), "the mlp's x W1");
        assertFalse(OpenBlas.splitByRows(20, 500, whole), "the RBM's v W");
        assertFalse(OpenBlas.splitByRows(17, 33, OpenBlas.BAND), "cut into bands of rows of 17 x 33: the bands' side");
        assertTrue(OpenBlas.splitByRows(33, 17, OpenBlas.BAND), "bands of columns of 33 x 17");
    }

    private static final OpenBlas ONE_THREAD_WHOLE = OpenBlas.load(1, false), TWO_THREADS_WHOLE = OpenBlas.load(2, false);

    /**
     * Turned: f32 products of at most 32 rows, 256 or more wide and deep, where OpenBLAS runs
     * x86-64 kernels without small-matrix variants; a b^T as {@code (b a^T)^T} ({@link OpenBlas#turns}),
     * a b with b held from b's transpose ({@link OpenBlas#turnsHeld}); nothing else.
     */
    @Example
    void onlyShortRowsAreTurned() {
        boolean x86 = "amd64".equals(System.getProperty("os.arch"));
        OpenBlas g = ONE_THREAD_WHOLE;
        assertEquals(x86, g.turns(false, true, 20, 784, 500), "the RBM's h W.T");
        assertEquals(x86, g.turnsHeld(false, false, 20, 500, 784), "the RBM's v W");
        assertFalse(g.turns(false, false, 20, 500, 784), "the RBM's v W: b not transposed");
        assertFalse(g.turnsHeld(false, true, 20, 784, 500), "b transposed: turned as it is");
        for (boolean transB : new boolean[] {true, false}) {
            String op = transB ? "a b^T: " : "held b: ";
            assertEquals(x86, turned(g, transB, false, 32, 256, 256), op + "the edges");
            assertFalse(turned(ONE_THREAD_BANDS, transB, false, 20, 784, 500), op + "the small-matrix kernels take it in bands");
            assertFalse(turned(g, transB, true, 20, 784, 500), op + "a transposed");
            assertFalse(turned(g, transB, false, 33, 784, 500), op + "33 rows");
            assertFalse(turned(g, transB, false, 20, 255, 500), op + "255 wide");
            assertFalse(turned(g, transB, false, 20, 784, 255), op + "255 deep");
        }
    }

    private static boolean turned(OpenBlas g, boolean transB, boolean transA, int m, int n, int k) {
        return transB ? g.turns(transA, true, m, n, k) : g.turnsHeld(transA, false, m, n, k);
    }

    /**
     * A turned f32 product, whatever beta, on one thread and on two (where its turned form is
     * split): repeatable to the bit, and within the classical rounding bound of the exact
     * product. The f64 product of the same shape, which is not turned, is checked alike.
     */
    @Property(tries = 20, edgeCases = EdgeCasesMode.NONE)
    void aTurnedProductIsRepeatableAndWithinRounding(@ForAll @IntRange(min = 1, max = 32) int m,
                                                     @ForAll @IntRange(min = 256, max = 600) int n,
                                                     @ForAll @IntRange(min = 256, max = 400) int k,
                                                     @ForAll boolean twoThreads, @ForAll("weights") double beta,
                                                     @ForAll long seed) {
        checkRepeatableAndWithinRounding(twoThreads ? TWO_THREADS_WHOLE : ONE_THREAD_WHOLE,
                Operands.random(m, n, k, false, true, seed), beta);
    }

    // ---- arrays held unchanged (Blas.hold) -------------------------------------------------------

    /**
     * Products that read held operands, from the copies made at the first of them, equal the
     * products without a hold to the bit: on one thread and split over two, f64 and f32, with a
     * held a, a held b, or one held array as both ({@code a^T a}).
     */
    @Property(tries = 40, edgeCases = EdgeCasesMode.NONE)
    @SuppressWarnings("try") // the holds are read by the products, not by the block
    void productsOfHeldOperandsEqualTheUnheldOnes(@ForAll @IntRange(min = 1, max = 60) int m,
                                                  @ForAll @IntRange(min = 1, max = 60) int n,
                                                  @ForAll @IntRange(min = 1, max = 600) int k,
                                                  @ForAll boolean transB, @ForAll("held") String held,
                                                  @ForAll boolean twoThreads, @ForAll long seed) {
        OpenBlas g = twoThreads ? TWO_THREADS : ONE_THREAD;
        boolean both = held.equals("a as both"); // a^T a: a stored [k, m], read transposed, and as b
        var p = Operands.random(m, both ? m : n, k, both, transB && !both, seed);
        double[] a = p.a, b = both ? p.a : p.b;
        float[] af = floats(a), bf = both ? af : floats(b);
        double[] want = p.c.clone();
        g.dgemm(p.transA, p.transB, p.m, p.n, k, 0.5, a, b, 1, want);
        float[] wantF = floats(p.c);
        g.sgemm(p.transA, p.transB, p.m, p.n, k, 0.5f, af, bf, 1, wantF);
        boolean holdB = held.equals("b");
        try (var d = g.hold(new Object[] {holdB ? b : a}); var f = g.hold(new Object[] {holdB ? bf : af})) {
            for (int round = 0; round < 2; round++) { // the first fills the copies, the second reads them
                double[] got = p.c.clone();
                g.dgemm(p.transA, p.transB, p.m, p.n, k, 0.5, a, b, 1, got);
                assertArrayEquals(want, got, "f64, held " + held + ", " + p + ", round " + round);
                float[] gotF = floats(p.c);
                g.sgemm(p.transA, p.transB, p.m, p.n, k, 0.5f, af, bf, 1, gotF);
                assertArrayEquals(wantF, gotF, "f32, held " + held + ", " + p + ", round " + round);
            }
        }
    }

    @Provide
    Arbitrary<String> held() { return Arbitraries.of("a", "b", "a as both"); }

    /**
     * While an array is held, the products read the copy made at the first of them, not the
     * array: writing it breaks the promise, and the products do not see the write; once the
     * hold is closed they do. An inner hold's close leaves the outer one's arrays held.
     */
    @Example
    @SuppressWarnings("try")
    void whileHeldTheProductsReadTheCopyMadeAtTheFirst() {
        for (OpenBlas g : List.of(ONE_THREAD, TWO_THREADS)) {
            int m = 20, n = 300, k = 400; // split on two threads
            var p = Operands.random(m, n, k, false, false, 7);
            double[] first = new double[m * n], b = p.b.clone();
            try (var outer = g.hold(new Object[] {b})) {
                g.dgemm(false, false, m, n, k, 1, p.a, b, 0, first);
                Arrays.fill(b, 0); // against the promise, to see which values are read
                try (var inner = g.hold(new Object[] {p.a})) {
                    double[] again = new double[m * n];
                    g.dgemm(false, false, m, n, k, 1, p.a, b, 0, again);
                    assertArrayEquals(first, again, g.threads() + " threads, inner hold");
                }
                double[] afterInner = new double[m * n];
                g.dgemm(false, false, m, n, k, 1, p.a, b, 0, afterInner);
                assertArrayEquals(first, afterInner, g.threads() + " threads, after the inner hold");
            }
            double[] afterOuter = new double[m * n];
            g.dgemm(false, false, m, n, k, 1, p.a, b, 0, afterOuter);
            assertArrayEquals(new double[m * n], afterOuter, g.threads() + " threads, after the hold: b is zeros");
        }
    }

    /**
     * A held b read by short products: the first reads of a hold as without it, to the bit; from
     * the {@link OpenBlas#TRANSPOSE_FROM_READ}th on, the turned product of b's transpose, to the
     * bit, so within the rounding bound of the exact product; and a later hold of the same array
     * transposes its new values, not the old ones. On one thread and on two, at any beta.
     */
    @Property(tries = 15, edgeCases = EdgeCasesMode.NONE)
    @SuppressWarnings("try") // the holds are read by the products, not by the block
    void aHeldBReadByManyShortProductsIsTurnedFromItsTranspose(@ForAll @IntRange(min = 1, max = 32) int m,
                                                              @ForAll @IntRange(min = 256, max = 600) int n,
                                                              @ForAll @IntRange(min = 256, max = 400) int k,
                                                              @ForAll boolean twoThreads, @ForAll("weights") double beta,
                                                              @ForAll long seed) {
        Assume.that("amd64".equals(System.getProperty("os.arch")));
        OpenBlas g = twoThreads ? TWO_THREADS_WHOLE : ONE_THREAD_WHOLE;
        var p = Operands.random(m, n, k, false, false, seed);
        float[] a = floats(p.a), b = floats(p.b);
        for (int hold = 0; hold < 2; hold++) {
            if (hold == 1) for (int i = 0; i < b.length; i += 3) b[i] = -b[i]; // between the holds, as a step's update does
            float[] asCalled = floats(p.c), turned = floats(p.c);
            g.sgemm(false, false, m, n, k, 1, a, b, (float) beta, asCalled);
            g.sgemm(false, true, m, n, k, 1, a, transpose(b, k, n), (float) beta, turned); // turned (OpenBlas.turns)
            try (var h = g.hold(new Object[] {b})) {
                for (int read = 1; read <= OpenBlas.TRANSPOSE_FROM_READ + 1; read++) {
                    float[] got = floats(p.c);
                    g.sgemm(false, false, m, n, k, 1, a, b, (float) beta, got);
                    assertArrayEquals(read < OpenBlas.TRANSPOSE_FROM_READ ? asCalled : turned, got, "hold " + hold + ", read " + read);
                }
            }
            var exact = new Operands(m, n, k, false, false, doubles(a), doubles(b), doubles(floats(p.c)));
            assertWithin(exact.reference(1, beta, doubles(floats(p.c))), doubles(turned), exact.magnitude(1, beta),
                    (k + 3) * Math.ulp(1f), "hold " + hold);
        }
    }

    private static float[] transpose(float[] x, int rows, int columns) {
        float[] t = new float[x.length];
        for (int i = 0; i < rows; i++) for (int j = 0; j < columns; j++) t[j * rows + i] = x[i * columns + j];
        return t;
    }

    @Example
    @SuppressWarnings("try")
    void aProductWritingAHeldArrayIsRefused() {
        var p = Operands.random(8, 8, 8, false, false, 3);
        try (var h = ONE_THREAD.hold(new Object[] {p.c})) {
            var e = assertThrows(IllegalStateException.class,
                    () -> ONE_THREAD.dgemm(false, false, 8, 8, 8, 1, p.a, p.b, 1, p.c));
            assertTrue(e.getMessage().contains("holds unchanged"), e.getMessage());
        }
    }

    // ---- the reference --------------------------------------------------------------------------

    /** Operands of {@code op(a) op(b)}, stored as the flags say, with c's old values. */
    record Operands(int m, int n, int k, boolean transA, boolean transB, double[] a, double[] b, double[] c) {

        static Operands random(int m, int n, int k, boolean transA, boolean transB, long seed) {
            var random = new SplittableRandom(seed);
            return new Operands(m, n, k, transA, transB, random.doubles(m * k, -1, 1).toArray(),
                    random.doubles(k * n, -1, 1).toArray(), random.doubles(m * n, -1, 1).toArray());
        }

        double opA(int i, int p) { return transA ? a[p * m + i] : a[i * k + p]; }

        double opB(int p, int j) { return transB ? b[j * k + p] : b[p * n + j]; }

        /** {@code alpha op(a) op(b) + beta c} as the definition reads, into c; beta = 0 ignores c. */
        double[] reference(double alpha, double beta, double[] c) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += opA(i, p) * opB(p, j);
                    double old = beta == 0 ? 0 : beta * c[i * n + j];
                    c[i * n + j] = (alpha == 0 ? 0 : alpha * s) + old;
                }
            }
            return c;
        }

        /** {@code |alpha| sum_p |op(a)_ip op(b)_pj| + |beta c_ij|}, what rounding errors of the product scale with. */
        double[] magnitude(double alpha, double beta) {
            double[] out = new double[m * n];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += Math.abs(opA(i, p) * opB(p, j));
                    out[i * n + j] = Math.abs(alpha) * s + Math.abs(beta * c[i * n + j]);
                }
            }
            return out;
        }

        void checkF64(Gemm g, double alpha, double beta) {
            double[] got = c.clone();
            g.dgemm(transA, transB, m, n, k, alpha, a.clone(), b.clone(), beta, got);
            assertClose(reference(alpha, beta, c.clone()), got, 1e-12, g.name() + " f64 " + this);
        }

        void checkF32(Gemm g, float alpha, float beta) {
            float[] got = floats(c);
            g.sgemm(transA, transB, m, n, k, alpha, floats(a), floats(b), beta, got);
            // the reference takes the operands rounded to f32 and sums in f64; the f32 sum of k
            // products of numbers up to 3 in size is off by up to about k * 3k * 6e-8
            double[] want = new Operands(m, n, k, transA, transB, doubles(floats(a)), doubles(floats(b)),
                    doubles(floats(c))).reference(alpha, beta, doubles(floats(c)));
            assertClose(want, doubles(got), 1e-5 * (k + 1), g.name() + " f32 " + this);
        }

        @Override
        public String toString() {
            return (transA ? "[" + k + ", " + m + "].T" : "[" + m + ", " + k + "]") + " @ "
                    + (transB ? "[" + n + ", " + k + "].T" : "[" + k + ", " + n + "]");
        }
    }

    /** Equal within {@code tolerance} times (1 + |want|); NaN only where NaN is wanted. */
    static void assertClose(double[] want, double[] got, double tolerance, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            boolean close = Double.isNaN(want[i]) ? Double.isNaN(got[i])
                    : Math.abs(got[i] - want[i]) <= tolerance * (1 + Math.abs(want[i]));
            if (!close) fail(what + ": element " + i + " is " + got[i] + ", expected " + want[i]);
        }
    }

    static float[] floats(double[] xs) {
        float[] f = new float[xs.length];
        for (int i = 0; i < xs.length; i++) f[i] = (float) xs[i];
        return f;
    }

    static double[] doubles(float[] xs) {
        double[] d = new double[xs.length];
        for (int i = 0; i < xs.length; i++) d[i] = xs[i];
        return d;
    }

    private static List<Double> boxed(double[] xs) { return Arrays.stream(xs).boxed().toList(); }
}
