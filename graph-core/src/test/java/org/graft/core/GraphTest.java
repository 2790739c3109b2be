package org.graft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.graft.core.ops.Add;

class GraphTest {
    private final Input x = new Input("x", Type.f64(3));
    private final Input y = new Input("y", Type.f64(3));

    @Test
    void inputsComeBeforeTheNodesThatUseThem() {
        var a = Apply.of(new Add(), x, y);
        var b = Apply.of(new Add(), a, x);
        assertEquals(List.of(x, y, a, b), Graph.topologicalOrder(List.of(b)));
    }

    @Test
    void aSharedNodeIsVisitedOnce() {
        var a = Apply.of(new Add(), x, x);
        var b = Apply.of(new Add(), a, a);
        var c = Apply.of(new Add(), b, a);
        assertEquals(List.of(x, a, b, c), Graph.topologicalOrder(List.of(c)));
        assertEquals(List.of(x, a, b, c), Graph.topologicalOrder(List.of(c, b, a, c)));
        assertEquals(List.of(x, a, y), Graph.topologicalOrder(List.of(a, y)));
    }

    @Test
    void nodesThatAreEqualButNotTheSameAreBothVisited() {
        var a1 = Apply.of(new Add(), x, y);
        var a2 = Apply.of(new Add(), x, y);
        var c = Apply.of(new Add(), a1, a2);
        assertEquals(List.of(x, y, a1, a2, c), Graph.topologicalOrder(List.of(c)));
    }

    @Test
    void aChainOneHundredThousandDeepDoesNotOverflowTheStack() {
        Node n = x;
        for (int i = 0; i < 100_000; i++) n = Apply.of(new Add(), n, y);
        List<Node> order = Graph.topologicalOrder(List.of(n));
        assertEquals(100_002, order.size());
        assertSame(x, order.get(0));
        assertSame(y, order.get(1));
        assertSame(n, order.get(order.size() - 1));
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node m : order) {
            for (Node in : m.inputs()) assertTrue(seen.contains(in), "an input after its user");
            seen.add(m);
        }
    }

    @Test
    void aLeafIsInTheOrderButNothingBelowIt() {
        var a = Apply.of(new Add(), x, y);
        var b = Apply.of(new Add(), a, a);
        var c = Apply.of(new Add(), b, y);
        assertEquals(List.of(b, y, c), Graph.topologicalOrderStoppingAt(List.of(c), n -> n == b));
        // what another path reaches is still walked
        var d = Apply.of(new Add(), b, a);
        assertEquals(List.of(b, x, y, a, d), Graph.topologicalOrderStoppingAt(List.of(d), n -> n == b));
    }

    @Test
    void replacingANodeRebuildsWhatIsAboveItAndSharesTheRest() {
        var z = new Input("z", Type.f64(3));
        var a = Apply.of(new Add(), x, y).named("a");
        var b = Apply.of(new Add(), a, x);
        var c = Apply.of(new Add(), y, y);
        List<Node> out = Graph.replace(List.of(b, c), java.util.Map.of(y, z));
        var b2 = (Apply) out.get(0);
        var a2 = (Apply) b2.inputs().get(0);
        assertEquals(List.of(x, z), a2.inputs());
        assertEquals("a", a2.name().orElseThrow(), "a rebuilt node keeps its name");
        assertSame(x, b2.inputs().get(1));
        assertEquals(List.of(z, z), out.get(1).inputs());
        // a root that reads nothing replaced is the root itself
        assertSame(c, Graph.replace(List.of(c), java.util.Map.of(x, z)).get(0));
    }

    @Test
    void aTupleIsReadByItsPartsAloneAndPrintsItsParts() {
        var tuple = Type.tuple(List.of(Type.f64(3), Type.f64("t", 2)));
        assertEquals("([3], [t, 2])", tuple.toString());
        assertTrue(tuple.isTuple() && !tuple.isScalar() && !tuple.isConcrete());
        var node = new Input("pair", tuple);
        assertEquals(Type.f64("t", 2), Apply.of(new org.graft.core.ops.Part(1), node).type());
        var wrong = org.junit.jupiter.api.Assertions.assertThrows(ShapeError.class, () -> Apply.of(new Add(), node, x));
        assertTrue(wrong.getMessage().contains("pair has several results ([3], [t, 2]); an op reads one of them"), wrong.getMessage());
        var outOfRange = org.junit.jupiter.api.Assertions.assertThrows(ShapeError.class,
                () -> Apply.of(new org.graft.core.ops.Part(2), node));
        assertTrue(outOfRange.getMessage().contains("part 2 of a node of 2 results"), outOfRange.getMessage());
    }
}
