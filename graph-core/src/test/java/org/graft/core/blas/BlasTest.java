package org.graft.core.blas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;

import net.jqwik.api.Example;

import org.graft.core.blas.Blas.Backend;
import org.graft.core.blas.Blas.SettingException;

/** The choice of back end: the settings, the fallback, loading on first use, and the description. */
class BlasTest {

    private static final int BIG = 20; // 20 x 20 x 20 multiply-adds: above the threshold
    private static final UnaryOperator<String> NONE = name -> null;

    // ---- the settings -----------------------------------------------------------------------------

    @Example
    void withoutSettingsTheBackEndIsAutoOnEveryProcessor() {
        Choice c = Choice.fromSettings(NONE, NONE);
        assertEquals(Backend.AUTO, c.backend);
        assertEquals(Runtime.getRuntime().availableProcessors(), c.threads);
    }

    @Example
    void theSystemPropertyWinsOverTheEnvironmentVariable() {
        Choice c = Choice.fromSettings(settings("graft.blas", "loops", "graft.threads", "3"),
                settings("GRAFT_BLAS", "ejml", "GRAFT_THREADS", "5"));
        assertEquals(Backend.LOOPS, c.backend);
        assertEquals(3, c.threads);
        assertEquals("graft.blas=loops", c.setBy);
    }

    @Example
    void theEnvironmentVariableCountsWhenThePropertyIsUnsetOrBlank() {
        Choice c = Choice.fromSettings(settings("graft.blas", " "), settings("GRAFT_BLAS", "EJML", "GRAFT_THREADS", "1"));
        assertEquals(Backend.EJML, c.backend);
        assertEquals(1, c.threads);
        assertEquals("GRAFT_BLAS=EJML", c.setBy);
    }

    @Example
    void anUnknownBackEndIsRefusedNamingTheAcceptedOnes() {
        var e = assertThrows(SettingException.class,
                () -> Choice.fromSettings(NONE, settings("GRAFT_BLAS", "mkl")));
        assertEquals("GRAFT_BLAS=mkl: unknown GEMM back end; the accepted values are auto, openblas, ejml and loops",
                e.getMessage());
    }

    @Example
    void aThreadCountThatIsNotAPositiveWholeNumberIsRefused() {
        for (String bad : List.of("0", "-2", "two", "1.5")) {
            var e = assertThrows(SettingException.class,
                    () -> Choice.fromSettings(settings("graft.threads", bad), NONE));
            assertEquals("graft.threads=" + bad + ": the number of threads must be a whole number of at least 1",
                    e.getMessage());
        }
    }

    @Example
    void theBackEndsAreNamedAsTheSettingWritesThem() {
        assertEquals(List.of("auto", "openblas", "ejml", "loops"), List.of(Backend.values()).stream().map(Backend::toString).toList());
    }

    // ---- loading on first use, and the fallback ----------------------------------------------------

    @Example
    void smallProductsNeverLoadTheLibraryAndLargeOnesLoadItOnce() {
        var loads = new AtomicInteger();
        Choice c = new Choice(Backend.AUTO, 2, null, threads -> {
            loads.incrementAndGet();
            return new Ejml();
        });
        c.gemm().dgemm(false, false, 4, 4, 4, 1.0, new double[16], new double[16], 0.0, new double[16]);
        assertEquals(0, loads.get());
        for (int i = 0; i < 3; i++) product(c.gemm());
        assertEquals(1, loads.get());
    }

    @Example
    void threadsRacingToTheFirstLargeProductLoadTheLibraryOnce() throws InterruptedException {
        var loads = new AtomicInteger();
        Choice c = new Choice(Backend.AUTO, 2, null, threads -> {
            loads.incrementAndGet();
            try {
                Thread.sleep(20); // long enough for every racer to arrive while the first loads
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new Loops();
        });
        var start = new CountDownLatch(1);
        var failures = new ArrayList<Throwable>();
        var racers = new ArrayList<Thread>();
        for (int i = 0; i < 8; i++) {
            var t = new Thread(() -> {
                try {
                    start.await();
                    product(c.gemm());
                } catch (Throwable e) {
                    synchronized (failures) { failures.add(e); }
                }
            });
            t.start();
            racers.add(t);
        }
        start.countDown();
        for (Thread t : racers) t.join();
        assertEquals(List.of(), failures);
        assertEquals(1, loads.get());
    }

    @Example
    void autoFallsBackToEjmlWhenTheLibraryDoesNotLoadAndSaysWhy() {
        Choice c = new Choice(Backend.AUTO, 2, null, failing());
        product(c.gemm());
        assertInstanceOf(Ejml.class, c.library());
        assertEquals("ejml " + Ejml.version() + " (pure Java, 1 thread); products under 256 multiply-adds run as Java loops\n"
                + "native OpenBLAS not used: it does not load: UnsatisfiedLinkError: no jniopenblas_nolapack in "
                + "java.library.path", c.describe());
    }

    @Example
    void openblasThatDoesNotLoadIsAnErrorAtTheFirstLargeProduct() {
        Choice c = new Choice(Backend.OPENBLAS, 2, "graft.blas=openblas", failing());
        c.gemm().dgemm(false, false, 2, 2, 2, 1.0, new double[4], new double[4], 0.0, new double[4]); // loops
        var e = assertThrows(SettingException.class, () -> product(c.gemm()));
        assertEquals("graft.blas=openblas, but the native OpenBLAS does not load: UnsatisfiedLinkError: "
                + "no jniopenblas_nolapack in java.library.path", e.getMessage());
        assertTrue(c.describe().startsWith("none: graft.blas=openblas, but the native OpenBLAS does not load"),
                c.describe());
    }

    @Example
    void ejmlAndLoopsNeverLoadNativeCode() {
        var loads = new AtomicInteger();
        IntFunction<Gemm> counting = threads -> {
            loads.incrementAndGet();
            return new Loops();
        };
        Choice ejml = new Choice(Backend.EJML, 2, "graft.blas=ejml", counting);
        Choice loops = new Choice(Backend.LOOPS, 2, "GRAFT_BLAS=loops", counting);
        product(ejml.gemm());
        product(loops.gemm());
        assertInstanceOf(Ejml.class, ejml.library());
        assertInstanceOf(Loops.class, loops.gemm());
        assertEquals("ejml " + Ejml.version() + " (pure Java, 1 thread); products under 256 multiply-adds run as Java loops\n"
                + "native OpenBLAS not used: graft.blas=ejml", ejml.describe());
        assertEquals("loops (pure Java, 1 thread) for every product\nnative OpenBLAS not used: GRAFT_BLAS=loops",
                loops.describe());
        assertEquals(0, loads.get());
    }

    // ---- the native library on this machine -----------------------------------------------------------

    @Example
    void autoLoadsTheNativeLibraryHere() {
        Choice c = new Choice(Backend.AUTO, Blas.threads(), null, OpenBlas::load);
        assertEquals("openblas", c.gemm().name());
        String threads = Blas.threads() == 1 ? "1 thread"
                : "1 thread; products from " + OpenBlas.SPLIT_FROM + " multiply-adds split over " + Blas.threads() + " threads";
        String bands = ((OpenBlas) c.library()).smallKernels() ? "; products with a side of at most 32, at least 256 deep, "
                + "cut into bands for its small-matrix kernels" : "";
        assertEquals("openblas 0.3.30 (native, " + OpenBlas.platform() + ", " + threads
                + ")" + bands + "; products under 256 multiply-adds run as Java loops", c.describe());
    }

    @Example
    void theConfiguredBackEndIsTheOneTheSettingNames() {
        // surefire runs this module's tests once with graft.blas unset (auto) and once with ejml
        String want = switch (Blas.backend()) {
            case AUTO, OPENBLAS -> "openblas"; // the native library loads here
            case EJML -> "ejml";
            case LOOPS -> "loops";
        };
        assertEquals(want, Blas.gemm().name());
        assertTrue(Blas.describe().startsWith(want + " "), Blas.describe());
        assertSame(Blas.gemm(), Blas.gemm());
        var p = GemmTest.Operands.random(BIG, BIG, BIG, true, false, 1);
        p.checkF64(Blas.gemm(), 1.0, 0.0);
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private static IntFunction<Gemm> failing() {
        return threads -> { throw new UnsatisfiedLinkError("no jniopenblas_nolapack in java.library.path"); };
    }

    private static void product(Gemm g) {
        g.dgemm(false, false, BIG, BIG, BIG, 1.0, new double[BIG * BIG], new double[BIG * BIG], 0.0, new double[BIG * BIG]);
    }

    private static UnaryOperator<String> settings(String... namesAndValues) {
        var map = new java.util.HashMap<String, String>();
        for (int i = 0; i < namesAndValues.length; i += 2) map.put(namesAndValues[i], namesAndValues[i + 1]);
        return Map.copyOf(map)::get;
    }
}
