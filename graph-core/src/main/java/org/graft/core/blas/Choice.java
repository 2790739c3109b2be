package org.graft.core.blas;

import java.util.function.IntFunction;
import java.util.function.UnaryOperator;

import org.graft.core.blas.Blas.Backend;
import org.graft.core.blas.Blas.SettingException;

/**
 * One choice of back end, as the settings make it: which library runs the products above the
 * threshold, found on first use. Loading the native library happens at most once per choice,
 * under this object's lock; after that every call reads one volatile field.
 */
final class Choice {
    static final String PROPERTY = "graft.blas", VARIABLE = "GRAFT_BLAS";
    static final String THREADS_PROPERTY = "graft.threads", THREADS_VARIABLE = "GRAFT_THREADS";

    final Backend backend;
    final int threads;
    /** Where the back end was set, as the user wrote it ({@code graft.blas=ejml}), or null for the default. */
    final String setBy;
    private final IntFunction<Gemm> loadNative;
    private final Gemm gemm;

    private volatile Gemm library;
    private String notNative; // why products do not run in native code; null while they do, or before loading

    Choice(Backend backend, int threads, String setBy, IntFunction<Gemm> loadNative) {
        this.backend = backend;
        this.threads = threads;
        this.setBy = setBy;
        this.loadNative = loadNative;
        this.gemm = backend == Backend.LOOPS ? new Loops() : new BySize(this::library);
    }

    /** The choice the system properties or else the environment variables make. */
    static Choice fromSettings(UnaryOperator<String> properties, UnaryOperator<String> environment) {
        String[] blas = setting(PROPERTY, VARIABLE, properties, environment);
        String[] threads = setting(THREADS_PROPERTY, THREADS_VARIABLE, properties, environment);
        Backend backend = blas == null ? Backend.AUTO : Backend.parse(blas[0], blas[1]);
        int n = threads == null ? Runtime.getRuntime().availableProcessors() : parseThreads(threads[0], threads[1]);
        return new Choice(backend, n, blas == null ? null : blas[0] + "=" + blas[1], OpenBlas::load);
    }

    /** The routed back end: loops for every product with {@code loops}, else {@link BySize}. */
    Gemm gemm() { return gemm; }

    /** What runs a product of these dimensions: the routing of {@link BySize}, done once. */
    Gemm gemm(int m, int n, int k) { return backend == Backend.LOOPS || BySize.small(m, n, k) ? BySize.LOOPS : library(); }

    /** {@link Blas#hold}: kept by the native library once it is loaded, by no other. */
    Blas.Hold hold(Object[] arrays) { return library instanceof OpenBlas o ? o.hold(arrays) : Blas.Hold.NONE; }

    /** The library for products above the threshold, loading it on the first call. */
    Gemm library() {
        Gemm l = library;
        return l != null ? l : resolve();
    }

    private synchronized Gemm resolve() {
        if (library != null) return library;
        Gemm l;
        switch (backend) {
            case LOOPS -> {
                notNative = setBy;
                l = new Loops();
            }
            case EJML -> {
                notNative = setBy;
                l = new Ejml();
            }
            default -> {
                try {
                    l = loadNative.apply(threads);
                } catch (LinkageError | RuntimeException e) {
                    notNative = "it does not load: " + reason(e);
                    l = backend == Backend.AUTO ? new Ejml()
                            : new Unavailable(setBy + ", but the native OpenBLAS does not load: " + reason(e));
                }
            }
        }
        library = l;
        return l;
    }

    /** One or two lines: the back end, its version, threads and threshold; then why not native, if not. */
    String describe() {
        Gemm l = library();
        if (l instanceof Unavailable u) {
            return "none: " + u.why + "; products under " + Blas.LOOPS_BELOW
                    + " multiply-adds run as Java loops, larger ones fail";
        }
        String first;
        if (backend == Backend.LOOPS) first = "loops (pure Java, 1 thread) for every product";
        else {
            String below = "; products under " + Blas.LOOPS_BELOW + " multiply-adds run as Java loops";
            if (l instanceof OpenBlas o) {
                first = "openblas " + o.version() + " (native, " + OpenBlas.platform() + ", 1 thread"
                        + (o.threads() == 1 ? ")" : "; products from " + OpenBlas.SPLIT_FROM + " multiply-adds split over "
                        + o.threads() + " threads)")
                        + (o.smallKernels() ? "; products with a side of at most " + OpenBlas.BAND + ", at least "
                        + OpenBlas.BAND_FROM_DEPTH + " deep, cut into bands for its small-matrix kernels" : "") + below;
            } else if (l instanceof Ejml) first = "ejml " + Ejml.version() + " (pure Java, 1 thread)" + below;
            else first = l.name() + below;
        }
        return notNative == null ? first : first + "\nnative OpenBLAS not used: " + notNative;
    }

    private static String[] setting(String property, String variable, UnaryOperator<String> properties,
                                    UnaryOperator<String> environment) {
        String p = properties.apply(property);
        if (p != null && !p.isBlank()) return new String[] {property, p.strip()};
        String v = environment.apply(variable);
        if (v != null && !v.isBlank()) return new String[] {variable, v.strip()};
        return null;
    }

    private static int parseThreads(String name, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n >= 1) return n;
        } catch (NumberFormatException e) {
            // reported below, with the accepted values
        }
        throw new SettingException(name + "=" + value + ": the number of threads must be a whole number of at least 1");
    }

    // the first line of the innermost message: the loader's own words, e.g. "no jniopenblas_nolapack in java.library.path"
    private static String reason(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String message = t.getMessage() == null ? "" : t.getMessage().lines().findFirst().orElse("").strip();
        if (message.endsWith(".")) message = message.substring(0, message.length() - 1); // the sentence goes on
        return t.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
    }

    /** What {@code graft.blas=openblas} runs when the library does not load: an error at every product. */
    private record Unavailable(String why) implements Gemm {
        @Override
        public String name() { return "none"; }

        @Override
        public void dgemm(boolean transA, boolean transB, int m, int n, int k,
                          double alpha, double[] a, double[] b, double beta, double[] c) {
            throw new SettingException(why);
        }

        @Override
        public void sgemm(boolean transA, boolean transB, int m, int n, int k,
                          float alpha, float[] a, float[] b, float beta, float[] c) {
            throw new SettingException(why);
        }
    }
}
