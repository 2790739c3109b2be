package org.graft.core.runtime;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

import org.graft.core.blas.Blas;

/**
 * A few worker threads that split one large kernel into parts, one part per thread, the caller
 * taking part 0. Dispatch allocates nothing: the work is a kernel's own {@link IntConsumer},
 * handed over through fields, and the threads park between jobs. Each part is a fixed range of
 * elements decided by the kernel, so what an element gets does not depend on the threads, and
 * results are the same as on one thread to the bit.
 *
 * <p>Jobs from several callers take turns. The threads are daemons: they never keep the JVM
 * alive.
 */
final class Parallel {
    private final Thread[] workers;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile IntConsumer job;
    private volatile int generation;
    private volatile Thread caller;
    private volatile RuntimeException failed;   // what a worker's part threw
    private final Object turn = new Object();

    private static Parallel shared;

    /** The pool the kernels share, with as many threads as the GEMM back end uses. */
    static synchronized Parallel shared() {
        if (shared == null) shared = new Parallel(Blas.threads());
        return shared;
    }

    /** {@code threads} in all, the caller included; 1 makes no thread. */
    Parallel(int threads) {
        workers = new Thread[Math.max(0, threads - 1)];
        for (int w = 0; w < workers.length; w++) {
            int part = w + 1;
            workers[w] = new Thread(() -> work(part), "graft-kernel-" + part);
            workers[w].setDaemon(true);
            workers[w].start();
        }
    }

    /** The number of parts a job is split into: the threads, the caller's included. */
    int parts() { return workers.length + 1; }

    /** Runs {@code body} for every part in {@code [0, parts())}, returning when all have finished. */
    void run(IntConsumer body) {
        if (workers.length == 0) {
            body.accept(0);
            return;
        }
        synchronized (turn) {
            caller = Thread.currentThread();
            pending.set(workers.length);
            job = body;
            generation++;
            for (Thread w : workers) LockSupport.unpark(w);
            RuntimeException failure = null;
            try {
                body.accept(0);
            } catch (RuntimeException e) {
                failure = e;
            }
            while (pending.get() > 0) LockSupport.park(this);
            job = null;
            if (failure == null) failure = failed;
            failed = null;
            if (failure != null) throw failure;
        }
    }

    private void work(int part) {
        int seen = 0;
        while (true) {
            while (generation == seen) LockSupport.park(this);
            seen = generation;
            IntConsumer body = job;
            try {
                if (body != null) body.accept(part);
            } catch (RuntimeException e) {
                failed = e;
            } finally {
                if (pending.decrementAndGet() == 0) LockSupport.unpark(caller);
            }
        }
    }
}
