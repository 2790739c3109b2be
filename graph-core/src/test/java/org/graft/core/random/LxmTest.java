package org.graft.core.random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class LxmTest {
    private static RandomGenerator jdk(long seed) { return RandomGeneratorFactory.of("L64X128MixRandom").create(seed); }

    /** Every number the JDK's generator gives for a seed, through all of RandomGenerator's methods that Graft uses. */
    @Property(tries = 200)
    void drawsWhatTheJdksL64X128MixRandomDraws(@ForAll long seed) {
        RandomGenerator expected = jdk(seed);
        var actual = new Lxm(seed);
        for (int i = 0; i < 300; i++) {
            assertEquals(expected.nextLong(), actual.nextLong(), "nextLong " + i);
            assertEquals(expected.nextDouble(), actual.nextDouble(), "nextDouble " + i);
            assertEquals(expected.nextGaussian(), actual.nextGaussian(), "nextGaussian " + i);
            assertEquals(expected.nextInt(), actual.nextInt(), "nextInt " + i);
        }
    }

    @Test
    void theSeedsNearXoroshirosFixedPointDrawAsTheJdkDoes() {
        for (long seed : new long[] {0, 1, -1, 0x6a09e667f3bcc909L, Long.MIN_VALUE, Long.MAX_VALUE}) {
            RandomGenerator expected = jdk(seed);
            var actual = new Lxm(seed);
            for (int i = 0; i < 50; i++) assertEquals(expected.nextLong(), actual.nextLong(), "seed " + seed + ", draw " + i);
        }
    }

    /** A jump of k lands where k draws do, and the stream then goes on as it would. */
    @Property(tries = 100)
    void aJumpOfKDrawsLandsWhereKDrawsDo(@ForAll long seed, @ForAll @IntRange(max = 5_000) int k, @ForAll @IntRange(max = 100) int before) {
        var stepped = new Lxm(seed);
        for (int i = 0; i < before; i++) stepped.nextLong();
        var from = new Lxm(stepped);
        for (int i = 0; i < k; i++) stepped.nextLong();
        var jumped = new Lxm(0);
        jumped.setJumped(from, Lxm.Jump.of(k));
        for (int i = 0; i < 20; i++) assertEquals(stepped.nextLong(), jumped.nextLong(), "draw " + i + " after the jump");
    }

    @Test
    void aLongJumpIsTwoShorterOnes() {
        long far = 3_000_000_017L;
        var once = new Lxm(0);
        once.setJumped(new Lxm(99), Lxm.Jump.of(far));
        var half = new Lxm(0);
        half.setJumped(new Lxm(99), Lxm.Jump.of(far / 2));
        var twice = new Lxm(0);
        twice.setJumped(half, Lxm.Jump.of(far - far / 2));
        for (int i = 0; i < 20; i++) assertEquals(once.nextLong(), twice.nextLong());
        assertEquals(far, Lxm.Jump.of(far).distance());
    }

    @Test
    void aCopyDrawsOnItsOwn() {
        var original = new Lxm(5);
        original.nextLong();
        var copy = new Lxm(original);
        long[] drawn = {copy.nextLong(), copy.nextLong(), copy.nextLong()};
        for (long d : drawn) assertEquals(d, original.nextLong(), "the original, unmoved by its copy's draws, draws the same");
    }

    @Test
    void aNegativeJumpIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> Lxm.Jump.of(-1));
        assertEquals("a jump is 0 or more draws, found -1", e.getMessage());
    }
}
