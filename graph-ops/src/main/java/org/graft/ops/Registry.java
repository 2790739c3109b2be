package org.graft.ops;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.graft.core.ops.Add;
import org.graft.core.ops.Broadcasting;
import org.graft.core.ops.FillLike;
import org.graft.core.ops.StopGradient;

/**
 * Every op and its {@link Builtin}, gathered from where they are declared: each op record of a
 * family holds its own {@code BUILTIN}, found through the family's permitted subclasses, so
 * adding an op is one record. graph-core's few ops cannot name a graph-ops type, and a function
 * that builds another op under a name of its own ({@code stack} builds a {@code concat}) has no
 * record; they are registered here.
 */
public final class Registry {
    private Registry() {}

    /** A table of {@code docs/ops.md}, in the order the docs show them. */
    public enum Section {
        ELEMENTWISE_ONE("Elementwise, one input"),
        ELEMENTWISE_MORE("Elementwise, two and three inputs"),
        ACTIVATIONS("Activations"),
        REDUCTIONS("Reductions"),
        SCANS("Scans"),
        LINEAR_ALGEBRA("Linear algebra"),
        SHAPE("Shape"),
        CONSTRUCTORS("Constructors"),
        NEURAL("Neural"),
        CONVOLUTION("Convolution and pooling"),
        RANDOM("Random"),
        DIFFERENTIATION("Differentiation");

        /** The heading of the section in the docs. */
        public final String title;

        Section(String title) { this.title = title; }
    }

    /** An op class and how the language and the docs know it, in the docs' section. */
    public record Entry(Class<?> op, Builtin builtin, Section section) {}

    /**
     * Where entries come from: an op family's records, each holding its own, or an op registered here: one of graph-core's,
     * or one that a language function builds under a name of its own (stack, a concat).
     */
    private sealed interface Source {}

    private record Family(Class<?> family, Section section) implements Source {}

    private record Core(Class<?> op, Builtin builtin, Section section) implements Source {}

    /** The families in their sections, and the ops registered here where they belong among them: the docs' order. */
    private static final List<Source> SOURCES = List.of(
            new Family(Unary.class, Section.ELEMENTWISE_ONE),
            new Core(Add.class, Builtin.operator("`a + b`", "`add(a, b)`", "1, 1"), Section.ELEMENTWISE_MORE),
            new Family(Binary.class, Section.ELEMENTWISE_MORE),
            new Family(Compare.class, Section.ELEMENTWISE_MORE),
            new Family(Ternary.class, Section.ELEMENTWISE_MORE),
            new Family(Update.class, Section.ELEMENTWISE_MORE),
            new Family(Activation.class, Section.ACTIVATIONS),
            new Family(Reduce.class, Section.REDUCTIONS),
            new Family(Scan.class, Section.SCANS),
            new Family(Linalg.class, Section.LINEAR_ALGEBRA),
            new Family(Shaping.class, Section.SHAPE),
            new Core(Shaping.Concat.class, Builtin.of("stack", List.of(Builtin.Param.operands("xs"), Builtin.Param.integer("axis", 0)),
                    a -> Ops.stack(a.operands("xs"), a.integer("axis")), "operands of one type joined along a new axis, at this "
                    + "position of the result (negative counts from its end), as NumPy: `concat` of each operand with the axis "
                    + "inserted, so the gradient is a slice per operand").written("`stack([a, b], axis = 0)`").java("`stack(List, axis)`"),
                    Section.SHAPE),
            new Family(Remap.class, Section.SHAPE),
            new Core(FillLike.class, Builtin.unary("zeros_like", Ops::zerosLike, "x lends only its type"), Section.SHAPE),
            new Core(FillLike.class, Builtin.unary("ones_like", Ops::onesLike, "x lends only its type"), Section.SHAPE),
            new Core(FillLike.class, Builtin.of("fill", List.of(Builtin.Param.operand("x"), Builtin.Param.number("value")),
                    a -> Ops.fill(a.operand("x"), a.number("value")), "every element `value`; x lends only its type"), Section.SHAPE),
            new Core(Broadcasting.BroadcastLike.class, Builtin.operator("", "`broadcastTo(x, like)`",
                    "x broadcast to the type of `like`, whose values are not read, so its dims may be symbolic; the gradient sums "
                            + "back"), Section.SHAPE),
            new Core(Broadcasting.SumTo.class, Builtin.operator("", "`sumTo(x, type)`",
                    "internal: the sum that undoes a broadcast, which the gradient walker builds; its gradient broadcasts back"),
                    Section.SHAPE),
            new Family(Gather.class, Section.SHAPE),
            new Family(Neural.class, Section.NEURAL),
            new Family(Conv.class, Section.CONVOLUTION),
            new Family(Pool.class, Section.CONVOLUTION),
            new Family(Random.class, Section.RANDOM),
            new Core(StopGradient.class, Builtin.unary("stop_gradient", Ops::stopGradient, "the identity on values; no gradient passes"),
                    Section.DIFFERENTIATION),
            new Family(Gradients.class, Section.DIFFERENTIATION));

    private static final List<Entry> ALL = gather();

    /** Every op's entry, in the docs' order: one per op, and one per name the language has for it. */
    public static List<Entry> all() { return ALL; }

    /** The ops the language calls by name, by their names and their aliases. */
    public static Map<String, Builtin> functions() {
        var out = new LinkedHashMap<String, Builtin>();
        for (Entry e : ALL) {
            Builtin b = e.builtin();
            if (b.name() != null) out.put(b.name(), b);
            for (String alias : b.aliases()) out.put(alias, b.as(alias));
        }
        return out;
    }

    private static List<Entry> gather() {
        var out = new ArrayList<Entry>();
        for (Source source : SOURCES) {
            if (source instanceof Core c) out.add(new Entry(c.op(), c.builtin(), c.section()));
            else if (source instanceof Family f) {
                for (Class<?> op : ops(f.family())) out.add(new Entry(op, builtin(op), f.section()));
            }
        }
        return List.copyOf(out);
    }

    /**
     * The ops of a family: its permitted subclasses, and theirs where one is a sealed interface of
     * its own, a part of the family that shares some of the contract ({@code Pool.AtMaximum}).
     */
    static List<Class<?>> ops(Class<?> family) {
        var out = new ArrayList<Class<?>>();
        for (Class<?> c : family.getPermittedSubclasses()) {
            if (c.isSealed()) out.addAll(ops(c));
            else out.add(c);
        }
        return out;
    }

    /** The {@code BUILTIN} an op record declares; every op of a family declares one, internal ops too. */
    private static Builtin builtin(Class<?> op) {
        try {
            Field f = op.getDeclaredField("BUILTIN");
            if (!Modifier.isStatic(f.getModifiers()) || f.getType() != Builtin.class) throw new NoSuchFieldException();
            return (Builtin) f.get(null);
        } catch (NoSuchFieldException | IllegalAccessException e) {
            throw new IllegalStateException(op.getName() + " declares no public static final Builtin BUILTIN: every op says how the"
                    + " language and the docs know it, internal ones too", e);
        }
    }
}
