package org.graft.core.blas;

import java.util.Locale;

/**
 * The matrix-product back end the runtime uses, chosen once per JVM by the setting
 * {@code graft.blas} (a system property) or else {@code GRAFT_BLAS} (an environment variable):
 *
 * <ul>
 *   <li>{@code auto}, the default: native OpenBLAS when it loads, EJML when it does not;</li>
 *   <li>{@code openblas}: native OpenBLAS, and an error at the first large product if it
 *       does not load;</li>
 *   <li>{@code ejml}: EJML, pure Java; native code is never loaded;</li>
 *   <li>{@code loops}: plain Java loops for every product, whatever its size.</li>
 * </ul>
 *
 * With all but {@code loops}, products of fewer than {@link #LOOPS_BELOW} multiply-adds run as
 * plain loops, which beat any library call there. The native library is loaded on the first
 * product above that size, or by {@link #describe()}, so a program of small products never
 * pays the 100-250 ms it takes. {@code graft.threads} or else {@code GRAFT_THREADS} sets the
 * threads of {@link Parallel}, the one pool that the native GEMM's large products and the
 * runtime's large kernels are split over (default: the available processors); OpenBLAS itself
 * runs on one thread, and EJML and the loops on the calling thread. Every method may be
 * called from any thread.
 */
public final class Blas {
    private Blas() {}

    /**
     * Products {@code [m, k] @ [k, n]} of fewer multiply-adds {@code m n k} than this run as
     * plain loops. A call to OpenBLAS costs about 0.16 us whatever its size (JNI, and copying
     * the arrays), about what loops take for 200 multiply-adds: at 4 x 4 x 4 loops take 0.08 us
     * against 0.16, at 6 x 6 x 6 0.20 against 0.19, at 8 x 8 x 8 0.40 against 0.21, alike in
     * f64 and f32, with either operand transposed, on 1 or 2 threads. Below this size EJML and
     * the loops are within 0.1 us of each other (either may win, by shape), so one threshold
     * serves both libraries. Measured with {@code BackendBench threshold} (graph-core's test
     * sources) on 2 cores.
     */
    public static final long LOOPS_BELOW = 256;

    /** The values of {@code graft.blas}. */
    public enum Backend {
        AUTO, OPENBLAS, EJML, LOOPS;

        /** The name as the setting writes it: {@code auto}, {@code openblas}, {@code ejml}, {@code loops}. */
        @Override
        public String toString() { return name().toLowerCase(Locale.ROOT); }

        /** The back end {@code value} names, in any case; {@code setting} names where it was read, for the error. */
        static Backend parse(String setting, String value) {
            for (Backend b : values()) if (b.toString().equals(value.toLowerCase(Locale.ROOT))) return b;
            throw new SettingException(setting + "=" + value + ": unknown GEMM back end; the accepted values are "
                    + "auto, openblas, ejml and loops");
        }
    }

    /** A setting of {@code graft.blas} or {@code graft.threads} that cannot be followed; the message says why. */
    public static final class SettingException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SettingException(String message) { super(message); }
    }

    private static volatile Choice choice;

    private static final Gemm REFERENCE = new Ejml();

    /**
     * EJML, whatever the settings: the products of the reference semantics
     * ({@link org.graft.core.tensor.Tensor#gemm}), which must not change with the machine or
     * the back end chosen for the runtime.
     */
    public static Gemm reference() { return REFERENCE; }

    /**
     * The back end: every product of the runtime goes through it. Throws
     * {@link SettingException} when the settings are not valid.
     */
    public static Gemm gemm() { return choice().gemm(); }

    /**
     * What runs a product of {@code m x k} by {@code k x n}: the loops below the threshold, the
     * library above it (loaded now if it is not yet). A kernel made for fixed shapes asks once
     * and calls the answer directly, skipping the routing at every call.
     */
    public static Gemm gemm(int m, int n, int k) { return choice().gemm(m, n, k); }

    /**
     * Promises, for the calling thread, that {@code arrays} keep their values until the hold is
     * closed: nothing writes them, and a product never has one as its {@code c}. A product that
     * reads one as {@code a} or {@code b} may then read a native copy made at its first use
     * instead of copying it again: a scan holds its weights over its steps, so the RBM's Gibbs
     * chain copies W into native memory once per chain, not at each of its 30 products. Holds
     * nest; closing one ends its own arrays' promise only. Only the native back end keeps
     * copies, and only once it is loaded; with any other, or before the first large product has
     * loaded it, a hold does nothing.
     */
    public static Hold hold(Object... arrays) { return choice().hold(arrays); }

    /** A {@link #hold} in force until closed, on the thread that made it. */
    public interface Hold extends AutoCloseable {
        /** What a hold is where nothing is kept: nothing to end. */
        Hold NONE = () -> { };

        @Override
        void close();
    }

    /** The back end the settings ask for (not necessarily the one that runs: see {@link #describe()}). */
    public static Backend backend() { return choice().backend; }

    /** The threads of {@link Parallel#shared()}, which large products and kernels are split over. */
    public static int threads() { return choice().threads; }

    /**
     * One or two lines for people: the library that runs large products, its version, threads
     * and the threshold; then, when native OpenBLAS is not used, why. Loads the native library
     * if the settings allow it.
     */
    public static String describe() { return choice().describe(); }

    // read from the settings on first use, not when the class loads: an invalid setting is then
    // an exception at each call, not a class that failed to initialise
    private static Choice choice() {
        Choice c = choice;
        if (c != null) return c;
        synchronized (Blas.class) {
            if (choice == null) choice = Choice.fromSettings(System::getProperty, System::getenv);
            return choice;
        }
    }
}
