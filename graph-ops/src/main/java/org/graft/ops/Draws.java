package org.graft.ops;

import java.util.function.IntConsumer;

import org.graft.core.blas.Parallel;
import org.graft.core.kernel.Kernel;
import org.graft.core.kernel.Site;
import org.graft.core.random.Lxm;

/**
 * The kernel of a random op whose elements each take a fixed number of the stream's draws: cut,
 * when it is large, into one run of elements per thread of the pool, each drawing from a copy
 * of the stream {@linkplain Lxm.Jump moved ahead} to the first draw of its run. The runs then
 * draw at once what one thread would draw in turn, so the samples are the same bits at every
 * thread count, and the stream ends where one thread would have left it.
 *
 * <p>Every run checks its operands before it draws; a refused element leaves the function's
 * stream where it was, and the error names the first refused element of all, whichever thread
 * met it.
 */
final class Draws implements Kernel, IntConsumer {
    /**
     * From this many elements the draws are split over the pool. A draw costs 2-4 ns, far more
     * than an op of a fused chain does per element, so the split pays from fewer elements than
     * a chain's ({@code Fused.PARALLEL_FROM}: 65,536 elements times ops): the RBM's rows of 500
     * hidden units by 20 examples are above it.
     */
    static final int PARALLEL_FROM = 1 << 13;

    /** Elements {@code [from, to)} of one call. */
    interface Range {
        /**
         * Checks the operands of elements {@code [from, to)} and, if none is refused, fills them
         * from {@code stream}, which stands at the first draw of {@code from}; returns the first
         * refused element without drawing, or -1.
         */
        int draw(Object[] buffers, int from, int to, Lxm stream);
    }

    /** The error for a refused element. */
    interface Refusal {
        /** Throws the error for element {@code i}, which a {@link Range} refused. */
        void refuse(Object[] buffers, int i);
    }

    /** For ops that refuse no operand: a refusal is a bug in the op's range. */
    private static final Refusal NONE = (buffers, i) -> {
        throw new IllegalStateException("internal error: element " + i + " refused by a random op that refuses none");
    };

    private final Site site;
    private final Range range;
    private final Refusal refusal;
    private final Parallel pool;        // null: one run, on the calling thread
    private final int[] start;          // run p is elements [start[p], start[p + 1])
    private final Lxm.Jump[] jump;      // the draws before run p
    private final Lxm[] stream;         // run p's copy of the stream
    private final int[] refused;
    private Object[] buffers;           // this call's, for the runs
    private Lxm source;

    /**
     * The kernel drawing {@code site}'s output through {@code range}, where every
     * {@code elementsPerDraw} elements (1 or 2) take one {@link Lxm#nextLong}.
     */
    static Kernel of(Site site, int elementsPerDraw, Range range) { return new Draws(site, elementsPerDraw, range, NONE); }

    /** As {@link #of(Site, int, Range)}, for an op whose range may refuse elements, which {@code refusal} reports. */
    static Kernel of(Site site, int elementsPerDraw, Range range, Refusal refusal) { return new Draws(site, elementsPerDraw, range, refusal); }

    private Draws(Site site, int elementsPerDraw, Range range, Refusal refusal) {
        this.site = site;
        this.range = range;
        this.refusal = refusal;
        int n = site.out().size();
        Parallel shared = n >= PARALLEL_FROM ? Parallel.shared() : null;
        pool = shared != null && shared.parts() > 1 ? shared : null;
        int runs = pool == null ? 1 : pool.parts();
        start = new int[runs + 1];
        jump = new Lxm.Jump[runs];
        stream = new Lxm[runs];
        refused = new int[runs];
        for (int p = 0; p < runs; p++) {
            start[p] = (int) ((long) n * p / runs) & -64; // whole cache lines of output, and an even start for two floats a draw
            jump[p] = Lxm.Jump.of(start[p] / elementsPerDraw);
            stream[p] = new Lxm(0);
        }
        start[runs] = n;
    }

    @Override
    public void run(Object[] buffers) {
        this.buffers = buffers;
        source = site.random();
        Parallel.run(pool, this);
        for (int p = 0; p < refused.length; p++) if (refused[p] >= 0) refusal.refuse(buffers, refused[p]);
        source.set(stream[stream.length - 1]); // the last run ends where one thread would
    }

    @Override
    public void accept(int p) {
        if (p == 0) stream[p].set(source);
        else stream[p].setJumped(source, jump[p]);
        refused[p] = range.draw(buffers, start[p], start[p + 1], stream[p]);
    }
}
