package org.graft.core.random;

import java.util.random.RandomGenerator;

/**
 * The JDK's {@code L64X128MixRandom} (JEP 356's LXM family: a 64-bit LCG and the xoroshiro128
 * generator, added and mixed), bit for bit: the same seed gives the same {@link #nextLong}s,
 * and so the same doubles, floats and Gaussians from {@link RandomGenerator}'s methods, as
 * {@code RandomGeneratorFactory.of("L64X128MixRandom").create(seed)}.
 *
 * <p>Made again here because the JDK's keeps its state private, and with it a stream can be
 * {@linkplain #jump moved ahead} by any number of draws at once: both of its parts are linear
 * (the LCG over the integers mod 2^64, xoroshiro over GF(2)), so k steps are one affine map
 * whose coefficients a {@link Jump} computes once for a given k. A kernel drawing n numbers can
 * then give each thread a copy of the stream moved to the start of its run of draws: the parts
 * draw at once what one thread would have drawn in turn, to the bit.
 *
 * <p>A stream is not safe to share between threads drawing at once; {@link #set} copies one.
 * Its state comes after 128 bytes of padding ({@link StatePadding}), so that streams drawn from
 * by different threads at once never share a cache line.
 */
public final class Lxm extends StatePadding implements RandomGenerator {
    /** The LCG's multiplier (L64X128MixRandom's M). */
    private static final long M = 0xd1342543de82ef95L;
    private static final long GOLDEN_RATIO_64 = 0x9e3779b97f4a7c15L, SILVER_RATIO_64 = 0x6a09e667f3bcc909L;

    private long a; // the LCG's addend, odd; fixed for a stream
    private long s, x0, x1;

    /** The stream {@code L64X128MixRandom} makes from {@code seed}. */
    public Lxm(long seed) {
        seed ^= SILVER_RATIO_64;
        a = mixMurmur64(seed) | 1;
        s = 1;
        x0 = mixStafford13(seed);
        x1 = mixStafford13(seed + GOLDEN_RATIO_64);
        if ((x0 | x1) == 0) { // xoroshiro's one fixed point; the JDK's constructor moves off it so
            x0 = mixStafford13(s + GOLDEN_RATIO_64);
            x1 = mixStafford13(s + 2 * GOLDEN_RATIO_64);
        }
    }

    /** A copy of {@code other} as it is now, which then draws on its own. */
    public Lxm(Lxm other) { set(other); }

    /** Makes this stream a copy of {@code other} as it is now. */
    public void set(Lxm other) {
        a = other.a;
        s = other.s;
        x0 = other.x0;
        x1 = other.x1;
    }

    @Override
    public long nextLong() {
        long result = mixLea64(s + x0);
        s = M * s + a;
        long q0 = x0, q1 = x1 ^ x0;      // xoroshiro128 (version 1.0: 24, 16, 37)
        x0 = Long.rotateLeft(q0, 24) ^ q1 ^ (q1 << 16);
        x1 = Long.rotateLeft(q1, 37);
        return result;
    }

    /** Makes this stream {@code from} moved ahead by {@code jump}'s draws, as many {@link #nextLong}s would. */
    public void setJumped(Lxm from, Jump jump) {
        long f0 = from.x0, f1 = from.x1, y0 = 0, y1 = 0;
        long[] column = jump.xorshift;
        for (int i = 0; i < 64; i++) { // the bits of x0, then of x1, pick columns of the matrix; masks, not branches
            long take0 = -((f0 >>> i) & 1), take1 = -((f1 >>> i) & 1);
            y0 ^= column[2 * i] & take0 ^ column[128 + 2 * i] & take1;
            y1 ^= column[2 * i + 1] & take0 ^ column[128 + 2 * i + 1] & take1;
        }
        a = from.a;
        s = jump.times * from.s + jump.addends * from.a;
        x0 = y0;
        x1 = y1;
    }

    /**
     * What {@code distance} draws do to a stream: the LCG's s becomes {@code times s + addends a}
     * (times = M^k, addends = 1 + M + ... + M^(k-1), mod 2^64), and xoroshiro's 128 bits go
     * through the k-th power of its step, a 128 x 128 matrix over GF(2) kept as its columns.
     * Computed by squaring, in about a millisecond for a kernel's distances.
     */
    public static final class Jump {
        private final long distance;
        private final long times, addends;
        private final long[] xorshift; // column j (the image of bit j of x0 then x1): [2j] the x0 word, [2j + 1] the x1 word

        private Jump(long distance, long times, long addends, long[] xorshift) {
            this.distance = distance;
            this.times = times;
            this.addends = addends;
            this.xorshift = xorshift;
        }

        /** The jump of {@code distance} draws, 0 or more. */
        public static Jump of(long distance) {
            if (distance < 0) throw new IllegalArgumentException("a jump is 0 or more draws, found " + distance);
            Jump result = new Jump(0, 1, 0, identity()), power = step();
            for (long k = distance; k != 0; k >>>= 1) {
                if ((k & 1) != 0) result = result.then(power);
                power = power.then(power);
            }
            return result;
        }

        public long distance() { return distance; }

        /** One draw. */
        private static Jump step() {
            var columns = new long[256];
            for (int j = 0; j < 128; j++) {
                var unit = new Lxm(0);
                unit.x0 = j < 64 ? 1L << j : 0;
                unit.x1 = j < 64 ? 0 : 1L << (j - 64);
                unit.nextLong();
                columns[2 * j] = unit.x0;
                columns[2 * j + 1] = unit.x1;
            }
            return new Jump(1, M, 1, columns);
        }

        private static long[] identity() {
            var columns = new long[256];
            for (int j = 0; j < 128; j++) columns[2 * j + (j < 64 ? 0 : 1)] = 1L << (j & 63);
            return columns;
        }

        /** This jump, then {@code next}. */
        private Jump then(Jump next) {
            var columns = new long[256];
            var image = new Lxm(0);
            var unit = new Lxm(0);
            unit.a = 1;
            for (int j = 0; j < 128; j++) {
                unit.x0 = xorshift[2 * j];
                unit.x1 = xorshift[2 * j + 1];
                image.setJumped(unit, next);
                columns[2 * j] = image.x0;
                columns[2 * j + 1] = image.x1;
            }
            // s -> t1 s + c1 a, then -> t2 (t1 s + c1 a) + c2 a
            return new Jump(distance + next.distance, next.times * times, next.times * addends + next.addends, columns);
        }
    }

    private static long mixMurmur64(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    private static long mixStafford13(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private static long mixLea64(long z) {
        z = (z ^ (z >>> 32)) * 0xdaba0b6eb09322e3L;
        z = (z ^ (z >>> 32)) * 0xdaba0b6eb09322e3L;
        return z ^ (z >>> 32);
    }
}
