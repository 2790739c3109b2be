package org.graft.core.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import org.graft.core.check.Tensors;

class ShapeTest {

    // ---- broadcasting: the examples of the NumPy manual -------------------------------------

    @Example
    void aScalarBroadcastsWithAnything() {
        assertEquals(Shape.of(2, 3), Shape.broadcast(Shape.scalar(), Shape.of(2, 3)));
        assertEquals(Shape.of(2, 3), Shape.broadcast(Shape.of(2, 3), Shape.scalar()));
    }

    @Example
    void aVectorBroadcastsAlongTheLeadingAxes() {
        assertEquals(Shape.of(2, 3), Shape.broadcast(Shape.of(3), Shape.of(2, 3)));
        assertEquals(Shape.of(8, 7, 6, 5), Shape.broadcast(Shape.of(8, 1, 6, 1), Shape.of(7, 1, 5)));
    }

    @Example
    void aColumnAndARowBroadcastToAMatrix() {
        assertEquals(Shape.of(2, 3), Shape.broadcast(Shape.of(2, 1), Shape.of(1, 3)));
    }

    @Example
    void sizeOneBroadcastsAgainstSizeZero() {
        assertEquals(Shape.of(0, 3), Shape.broadcast(Shape.of(1, 3), Shape.of(0, 1)));
    }

    @Example
    void trailingDimsThatDifferDoNotBroadcast() {
        var e = assertThrows(IllegalArgumentException.class, () -> Shape.broadcast(Shape.of(2, 3), Shape.of(4)));
        assertEquals("cannot broadcast [2, 3] with [4]", e.getMessage());
    }

    @Example
    void sizeZeroDoesNotBroadcastAgainstAnotherSize() {
        assertThrows(IllegalArgumentException.class, () -> Shape.broadcast(Shape.of(0), Shape.of(3)));
    }

    @Property(seed = "101")
    void broadcastIsSymmetricAndIdempotent(@ForAll("pairs") List<Shape> pair) {
        Shape a = pair.get(0), b = pair.get(1);
        Shape ab = Shape.broadcast(a, b);
        assertEquals(ab, Shape.broadcast(b, a));
        assertEquals(ab, Shape.broadcast(ab, a));
        assertEquals(Math.max(a.rank(), b.rank()), ab.rank());
    }

    @Provide
    Arbitrary<List<Shape>> pairs() { return Tensors.broadcastablePairs(); }

    // ---- reduce -------------------------------------------------------------------------------

    @Example
    void reduceDropsTheAxesOrKeepsThemWithSizeOne() {
        Shape s = Shape.of(2, 3, 4);
        assertEquals(Shape.of(3), s.reduce(new int[] {0, 2}, false));
        assertEquals(Shape.of(1, 3, 1), s.reduce(new int[] {0, 2}, true));
        assertEquals(Shape.scalar(), s.reduce(new int[] {0, 1, 2}, false));
        assertEquals(s, s.reduce(new int[0], false));
        assertEquals(s, s.reduce(new int[0], true));
    }

    // ---- strides and axes -------------------------------------------------------------------

    @Example
    void stridesAreRowMajor() {
        assertArrayEquals(new int[] {12, 4, 1}, Shape.of(2, 3, 4).strides());
        assertArrayEquals(new int[] {1}, Shape.of(5).strides());
        assertArrayEquals(new int[0], Shape.scalar().strides());
    }

    @Example
    void stridesBroadcastToAreZeroAlongBroadcastAxes() {
        // [3, 1] read as [2, 3, 4]: the new leading axis and the size-1 axis do not move
        assertArrayEquals(new int[] {0, 1, 0}, Shape.of(3, 1).stridesBroadcastTo(Shape.of(2, 3, 4)));
    }

    @Example
    void negativeAxesCountFromTheEnd() {
        Shape s = Shape.of(2, 3, 4);
        assertEquals(2, s.axis(-1));
        assertEquals(0, s.axis(-3));
        assertEquals(1, s.axis(1));
        assertEquals(4, s.dim(-1));
        assertEquals(2, s.dim(0));
    }

    @Example
    void anAxisOutOfRangeIsAnError() {
        Shape s = Shape.of(2, 3);
        var e = assertThrows(IllegalArgumentException.class, () -> s.axis(2));
        assertEquals("axis 2 is out of range for a shape of rank 2 [2, 3]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> s.axis(-3));
        assertThrows(IllegalArgumentException.class, () -> Shape.scalar().axis(0));
    }

    // ---- construction, size and printing ----------------------------------------------------

    @Example
    void shapesPrintLikeLists() {
        assertEquals("[2, 3]", Shape.of(2, 3).toString());
        assertEquals("[]", Shape.scalar().toString());
        assertEquals("[0]", Shape.of(0).toString());
    }

    @Example
    void negativeDimsAreRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> Shape.of(2, -1));
        assertEquals("negative dimension in [2, -1]", e.getMessage());
    }

    @Example
    void aZeroDimMakesAnEmptyShape() {
        assertEquals(0, Shape.of(2, 0, 3).size());
        assertEquals(3, Shape.of(2, 0, 3).rank());
        assertArrayEquals(new int[] {0, 3, 1}, Shape.of(2, 0, 3).strides());
        assertEquals(1, Shape.scalar().size());
    }

    @Example
    void aShapeIsAValue() {
        assertEquals(Shape.of(2, 3), Shape.of(2, 3));
        assertEquals(Shape.of(2, 3).hashCode(), Shape.of(2, 3).hashCode());
        assertNotEquals(Shape.of(2, 3), Shape.of(3, 2));
        assertSame(Shape.scalar(), Shape.of());
    }

    @Example
    void dimsAreACopy() {
        Shape s = Shape.of(2, 3);
        s.dims()[0] = 7;
        int[] given = {4, 5};
        Shape t = Shape.of(given);
        given[0] = 9;
        assertEquals(Shape.of(2, 3), s);
        assertEquals(Shape.of(4, 5), t);
    }

    @Example
    void aSizeMoreThanOneJavaArrayHoldsIsRefusedSayingSo() {
        var e = assertThrows(IllegalArgumentException.class, () -> Shape.of(64, 100_000_000));
        assertEquals("[64, 100000000] would hold 6,400,000,000 elements; a tensor holds at most 2,147,483,639,"
                + " the most one Java array holds", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Shape.of(1 << 16, 1 << 16)); // 2^32 overflows an int
    }

    @Property(seed = "102")
    void sizeIsTheProductOfTheDims(@ForAll @IntRange(max = 5) int a, @ForAll @IntRange(max = 5) int b,
                                   @ForAll @IntRange(max = 5) int c) {
        assertEquals(a * b * c, Shape.of(a, b, c).size());
        assertEquals(Shape.of(a, b, c).strides()[0] * a, Shape.of(a, b, c).size());
    }

    @Property(tries = 50)
    void unravelInvertsTheRowMajorPosition(@ForAll @IntRange(min = 1, max = 4) int a, @ForAll @IntRange(min = 1, max = 4) int b,
                                           @ForAll @IntRange(min = 1, max = 4) int c) {
        Shape s = Shape.of(a, b, c);
        int[] strides = s.strides();
        for (int p = 0; p < s.size(); p++) {
            int[] i = s.unravel(p);
            assertEquals(p, i[0] * strides[0] + i[1] * strides[1] + i[2] * strides[2]);
            assertTrue(i[0] < a && i[1] < b && i[2] < c);
        }
        assertEquals(0, Shape.scalar().unravel(0).length);
    }
}
