package org.graft.core.blas;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The threads of {@code graft.threads}: a few workers that, with the caller, run the parts of
 * one large kernel. Both the runtime's fused chains and the native GEMM's large products
 * ({@link OpenBlas}) run on this one pool, and OpenBLAS itself on one thread, so the process
 * never has more busy threads than the setting asks for. Dispatch allocates nothing: the work
 * is a kernel's own {@link IntConsumer}, handed over through fields.
 *
 * <p>A job has as many parts as the pool has threads, and each thread, the caller first, claims
 * parts one at a time until none is left: when a worker is slow to wake (its core taken by
 * another process, the JIT or the collector) the caller runs its part too rather than wait for
 * it. Each part is a fixed range decided by the kernel, computed alike whichever thread claims
 * it, so results are the same from run to run to the bit.
 *
 * <p>Between jobs a worker spins for {@link #SPIN_NANOS} before it parks, and so does the
 * caller waiting for a part a worker has claimed: a step runs its parallel kernels a few
 * microseconds to a millisecond apart, and waking a parked thread costs from 10 us to far more
 * on a loaded machine, more than a chain of a few microseconds takes. The spin is bounded, so an
 * idle pool sleeps.
 *
 * <p>Jobs from several callers take turns. A part that runs a job of its own (a convolution's
 * chunk calling a product large enough to split) runs that job's parts itself, one after the
 * other: the pool's threads are all busy with the outer job, and waiting for them would wait
 * forever. Its parts are the same ranges, so the result is the same bits. The threads are
 * daemons: they never keep the JVM alive.
 */
public final class Parallel {
    /**
     * How long a thread waiting for a job, or for the workers to finish one, spins before it
     * parks. The longer a thread has been parked, the longer it takes to wake where an idle core
     * is halted (a virtual machine's): on an AMD EPYC VM a thread parked for 0.1, 1 and 5 ms
     * woke 8, 43 and 76 us after its unpark (medians of 200), at times milliseconds; and a step's
     * jobs come up to a millisecond apart (the serial kernels between them). Spinning 1 ms
     * rather than 50 us took the f32 mlp's and vae's epochs on two threads to 0.97 and 0.92
     * (medians of alternating runs); the RBM's jobs, back to back, did not change.
     */
    static final long SPIN_NANOS = 1_000_000;

    private final Thread[] workers;
    private final int parts;
    // the job's generation (high 32 bits) and its next unclaimed part (low 32 bits): a part is
    // claimed by one compare-and-set, which fails once the job is over, so a late worker never
    // runs a part of the job after
    private final AtomicLong ticket = new AtomicLong();
    private final AtomicInteger finished = new AtomicInteger();
    private volatile IntConsumer job;
    private volatile Thread caller;
    private volatile RuntimeException failed;   // what the job's first failing part threw
    private final Object turn = new Object();

    private static final Map<Integer, Parallel> POOLS = new HashMap<>();

    /** The pool of {@link Blas#threads()} threads, which every parallel kernel shares. */
    public static Parallel shared() { return withThreads(Blas.threads()); }

    /** A pool of {@code threads} threads, the caller included, made once per count and kept. */
    static synchronized Parallel withThreads(int threads) {
        return POOLS.computeIfAbsent(threads, Parallel::new);
    }

    private Parallel(int threads) {
        parts = Math.max(1, threads);
        workers = new Thread[parts - 1];
        for (int w = 0; w < workers.length; w++) {
            workers[w] = new Worker(this::work, "graft-kernel-" + (w + 1));
            workers[w].setDaemon(true);
            workers[w].start();
        }
    }

    /** The number of parts a job is split into: the threads, the caller's included. */
    public int parts() { return parts; }

    /**
     * Runs {@code body} over {@code pool}'s parts, or, where a kernel took no pool (too little
     * work to share, or one thread), as its one part 0 on the calling thread.
     */
    public static void run(Parallel pool, IntConsumer body) {
        if (pool == null) body.accept(0);
        else pool.run(body);
    }

    /** Runs {@code body} for every part in {@code [0, parts())}, returning when all have finished. */
    public void run(IntConsumer body) {
        if (parts == 1 || inPart()) {
            for (int p = 0; p < parts; p++) body.accept(p);
            return;
        }
        synchronized (turn) {
            caller = Thread.currentThread();
            finished.set(0);
            job = body;
            long generation = ((ticket.get() >>> 32) + 1) & 0xFFFF_FFFFL; // wraps after 2^32 jobs, as the ticket does
            ticket.set(generation << 32);
            for (Thread w : workers) LockSupport.unpark(w);
            claimParts(generation, body);
            long start = System.nanoTime();
            while (finished.get() < parts) {
                if (System.nanoTime() - start < SPIN_NANOS) Thread.onSpinWait();
                else LockSupport.park(this);
            }
            job = null;
            RuntimeException failure = failed;
            failed = null;
            if (failure != null) throw failure;
        }
    }

    /**
     * Whether the calling thread is running a part of a job: it is a worker (of any pool), or the
     * caller of this pool's job under way. {@code caller} is only ever this thread when this
     * thread set it, so a stale read elsewhere cannot say yes.
     */
    boolean inPart() {
        Thread t = Thread.currentThread();
        return t instanceof Worker || (t == caller && job != null);
    }

    /**
     * Claims and runs parts of the job of {@code generation} until none is left. A part that
     * throws is recorded for the caller and the others still run, so every job ends with all of
     * its parts finished.
     */
    private void claimParts(long generation, IntConsumer body) {
        while (true) {
            long t = ticket.get();
            if (t >>> 32 != generation || (int) t >= parts) return;
            if (!ticket.compareAndSet(t, t + 1)) continue;
            try {
                body.accept((int) t);
            } catch (RuntimeException e) {
                if (failed == null) failed = e;
            } finally {
                if (finished.incrementAndGet() == parts) LockSupport.unpark(caller);
            }
        }
    }

    /** A pool's thread, told apart from others by its class ({@link #inPart}). */
    private static final class Worker extends Thread {
        Worker(Runnable work, String name) { super(work, name); }
    }

    private void work() {
        long seen = 0;
        while (true) {
            long start = System.nanoTime();
            while (ticket.get() >>> 32 == seen) {
                if (System.nanoTime() - start < SPIN_NANOS) Thread.onSpinWait();
                else LockSupport.park(this);
            }
            seen = ticket.get() >>> 32;
            IntConsumer body = job;
            if (body != null) claimParts(seen, body);
        }
    }
}
