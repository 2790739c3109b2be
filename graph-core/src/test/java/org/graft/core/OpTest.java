package org.graft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.graft.core.ops.Add;
import org.graft.core.ops.Broadcasting.BroadcastLike;
import org.graft.core.ops.Broadcasting.SumTo;
import org.graft.core.ops.FillLike;
import org.graft.core.ops.StopGradient;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Tensor;

class OpTest {

    /** An op that exists to be described; it is never applied. */
    private interface Inert extends Op {
        default Type type(List<Type> in) { return in.get(0); }
        default Tensor fprop(List<Tensor> in) { return in.get(0); }
        default List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(gy)); }
    }

    record Reduction(List<Integer> axes, boolean keepdims) implements Inert {}

    record Clip(double lo, double hi) implements Inert {}

    record Pad(int[] widths, String mode) implements Inert {}

    record Nested(List<List<Double>> rows) implements Inert {}

    private record Hidden(int k) implements Inert {}

    record Renamed(int k) implements Inert {
        @Override
        public String name() { return "top_k"; }
    }

    /** Not a record: described by its name alone. */
    static final class Opaque implements Inert {}

    @Test
    void anOpWithoutAttributesIsItsName() {
        assertEquals("add", new Add().describe());
        assertEquals("broadcast_to", new BroadcastLike().describe());
        assertEquals("opaque", new Opaque().describe());
    }

    @Test
    void attributesFollowTheNameInTheOrderTheRecordDeclaresThem() {
        assertEquals("reduction{axes=[1], keepdims=true}", new Reduction(List.of(1), true).describe());
        assertEquals("reduction{axes=[], keepdims=false}", new Reduction(List.of(), false).describe());
        assertEquals("top_k{k=3}", new Renamed(3).describe());
    }

    @Test
    void doublesPrintSoTheyReadBackExactly() {
        assertEquals("clip{lo=-0.0, hi=1.0E-8}", new Clip(-0.0, 1e-8).describe());
        assertEquals("clip{lo=0.1, hi=Infinity}", new Clip(0.1, Double.POSITIVE_INFINITY).describe());
        assertEquals("nested{rows=[[1.0, 2.5], []]}", new Nested(List.of(List.of(1.0, 2.5), List.of())).describe());
    }

    @Test
    void arraysPrintAsListsAndStringsInQuotes() {
        assertEquals("pad{widths=[1, 2], mode=\"reflect\"}", new Pad(new int[] {1, 2}, "reflect").describe());
    }

    @Test
    void typeAttributesPrintAsTypes() {
        assertEquals("sum_to{target=[n, 1]}", new SumTo(Type.f64("n", 1)).describe());
        assertEquals("sum_to{target=f32[3]}", new SumTo(Type.of(DType.F32, 3)).describe());
    }

    @Test
    void aPrivateRecordStillShowsItsAttributes() {
        assertEquals("hidden{k=2}", new Hidden(2).describe());
    }

    @Test
    void fillLikeShowsItsValueOnlyWhenTheNameDoesNot() {
        assertEquals("zeros_like", new FillLike(0.0).describe());
        assertEquals("ones_like", new FillLike(1.0).describe());
        assertEquals("fill{value=2.0}", new FillLike(2.0).describe());
    }

    /** What an input is used for is said once: a gradient flows only where values are read, and stop_gradient stops it too. */
    @Test
    void anInputReadForItsShapeIsNotConnectedAndStopGradientReadsValuesItDisconnects() {
        assertTrue(new Add().readsValues(0) && new Add().connected(0));
        assertFalse(new FillLike(0).readsValues(0));
        assertFalse(new FillLike(0).connected(0));
        assertTrue(new BroadcastLike().readsValues(0) && new BroadcastLike().connected(0));
        assertFalse(new BroadcastLike().readsValues(1) || new BroadcastLike().connected(1));
        assertTrue(new StopGradient().readsValues(0));
        assertFalse(new StopGradient().connected(0));
    }
}
