package org.graft.core.blas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;

import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class ParallelTest {

    @Property(tries = 20)
    void everyPartOfEveryJobRunsExactlyOnce(@ForAll @IntRange(min = 1, max = 4) int threads,
                                            @ForAll @IntRange(min = 1, max = 2000) int jobs) {
        var pool = Parallel.withThreads(threads);
        var runs = new AtomicIntegerArray(pool.parts());
        for (int j = 0; j < jobs; j++) pool.run(runs::incrementAndGet);
        int[] want = new int[pool.parts()];
        java.util.Arrays.fill(want, jobs);
        int[] got = new int[pool.parts()];
        for (int p = 0; p < got.length; p++) got[p] = runs.get(p);
        assertArrayEquals(want, got);
    }

    @Example
    void aJobReturnsOnlyWhenItsPartsHaveFinished() {
        var pool = Parallel.withThreads(2);
        long[] sums = new long[pool.parts()];
        for (int j = 0; j < 500; j++) {
            pool.run(p -> {
                long s = 0;
                for (int i = 0; i < 10_000; i++) s += i ^ p;
                sums[p] = s;
            });
            // written by whichever thread claimed the part; visible once run returns
            for (int p = 0; p < sums.length; p++) assertEquals(expected(p), sums[p]);
            java.util.Arrays.fill(sums, 0);
        }
    }

    @Example
    void aFailingPartReachesTheCallerAndThePoolKeepsWorking() {
        var pool = Parallel.withThreads(2);
        var boom = new IllegalStateException("part 1 failed");
        for (int j = 0; j < 50; j++) {
            var e = assertThrows(IllegalStateException.class, () -> pool.run(p -> { if (p == 1) throw boom; }));
            assertSame(boom, e);
        }
        var runs = new AtomicIntegerArray(2);
        pool.run(runs::incrementAndGet);
        assertEquals(1, runs.get(0));
        assertEquals(1, runs.get(1));
    }

    @Property(tries = 10)
    void aPartsOwnJobRunsAllItsPartsOnThatPartsThread(@ForAll @IntRange(min = 1, max = 4) int threads) {
        var pool = Parallel.withThreads(threads);
        int parts = pool.parts();
        for (int j = 0; j < 200; j++) {
            var runs = new AtomicIntegerArray(parts * parts);
            var strangers = new AtomicIntegerArray(parts);
            pool.run(outer -> {
                Thread mine = Thread.currentThread();
                pool.run(inner -> {
                    runs.incrementAndGet(outer * parts + inner);
                    if (Thread.currentThread() != mine) strangers.incrementAndGet(outer);
                });
            });
            for (int i = 0; i < parts * parts; i++) assertEquals(1, runs.get(i), "outer part " + i / parts + ", inner part " + i % parts);
            for (int p = 0; p < parts; p++) assertEquals(0, strangers.get(p), "inner parts of outer part " + p + " run on another thread");
        }
        // and the pool still runs jobs across its threads afterwards
        var runs = new AtomicIntegerArray(parts);
        pool.run(runs::incrementAndGet);
        for (int p = 0; p < parts; p++) assertEquals(1, runs.get(p));
    }

    @Example
    void oneThreadRunsTheOnePartOnTheCaller() {
        var pool = Parallel.withThreads(1);
        assertEquals(1, pool.parts());
        Thread[] ran = new Thread[1];
        pool.run(p -> ran[p] = Thread.currentThread());
        assertSame(Thread.currentThread(), ran[0]);
    }

    private static long expected(int p) {
        long s = 0;
        for (int i = 0; i < 10_000; i++) s += i ^ p;
        return s;
    }
}
