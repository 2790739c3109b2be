package org.graft.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

import org.graft.core.Node;
import org.graft.core.SourcePos;

/**
 * An op as the Graft language and the docs know it, declared once beside the op: a record in its
 * family's file holds {@code public static final Builtin BUILTIN = ...}, and
 * {@link Registry#all()} finds it there. From it the language's built-in function follows (its
 * name, its parameters, what each is and its default), and the op's row in
 * {@code docs/ops.md} (how the language writes it, the Java builder, the notes): adding an op is
 * one record and its tests.
 *
 * @param name    the language function, or null for an op written with an operator ({@code a + b})
 *                or reached from Java only
 * @param written how the language writes it, for the docs ({@code `softmax(x, axis = -1)`}),
 *                or empty when it cannot
 * @param params  the function's parameters, in order; the optional ones last
 * @param java    the builders of {@link Ops}, for the docs
 * @param doc     the op's line in the docs: its derivative, and the choices made where the math
 *                leaves room (kinks, ties, domains)
 * @param build   what a call builds, from its arguments converted as the parameters say; null for
 *                an op that is not called by name
 * @param aliases other names the language calls it by ({@code swish} for {@code silu})
 */
public record Builtin(String name, String written, List<Param> params, String java, String doc, Function<Args, Node> build,
                      List<String> aliases) {

    public Builtin {
        params = List.copyOf(params);
        aliases = List.copyOf(aliases);
    }

    public Builtin(String name, String written, List<Param> params, String java, String doc, Function<Args, Node> build) {
        this(name, written, params, java, doc, build, List.of());
    }

    /** What a parameter takes, and so how the language reads its argument. */
    public enum Kind {
        /** A value of the graph; the operands of one call are unified: their numbers take the others' dtype. */
        OPERAND,
        /** A list of values ({@code [a, b]}), unified among themselves. */
        OPERANDS,
        /** An axis of the first operand, checked in range where it is written (negative counts from the end). */
        AXIS,
        /** An axis, as {@link #AXIS}, or {@code none}: every axis. */
        AXIS_OR_NONE,
        /** A whole number known when the program is compiled. */
        INTEGER,
        /** A list of whole numbers known when the program is compiled ({@code [28, 28]}). */
        INTEGERS,
        /** A list of pairs of whole numbers known when the program is compiled ({@code [[0, 0], [1, 2]]}). */
        INTEGER_PAIRS,
        /** A whole number for both image axes, or a pair {@code [along h, along w]}, known when the program is compiled. */
        PAIR,
        /** A {@link #PAIR}, or a word naming a padding rule: {@code "same"} or {@code "valid"}. */
        PADDING,
        /** A number known when the program is compiled. */
        NUMBER,
        /** {@code true} or {@code false}. */
        BOOLEAN
    }

    /**
     * A parameter: its name, its kind, and for an optional one its default ({@code null} for an
     * optional one whose absence means something, as a reduction's {@code axis}: every axis).
     */
    public record Param(String name, Kind kind, boolean optional, Object defaultValue) {
        public static Param operand(String name) { return new Param(name, Kind.OPERAND, false, null); }
        public static Param operands(String name) { return new Param(name, Kind.OPERANDS, false, null); }
        public static Param axis(String name, int defaultValue) { return new Param(name, Kind.AXIS, true, defaultValue); }
        /** An axis that may be left out or given as {@code none}, null then. */
        public static Param optionalAxis(String name) { return new Param(name, Kind.AXIS_OR_NONE, true, null); }
        /** An axis with a default, that may also be given as {@code none}, null then. */
        public static Param axisOrNone(String name, int defaultValue) { return new Param(name, Kind.AXIS_OR_NONE, true, defaultValue); }
        public static Param integer(String name) { return new Param(name, Kind.INTEGER, false, null); }
        public static Param integer(String name, int defaultValue) { return new Param(name, Kind.INTEGER, true, defaultValue); }
        public static Param integers(String name) { return new Param(name, Kind.INTEGERS, false, null); }
        /** A list of whole numbers that may be left out, null then. */
        public static Param optionalIntegers(String name) { return new Param(name, Kind.INTEGERS, true, null); }
        public static Param integerPairs(String name) { return new Param(name, Kind.INTEGER_PAIRS, false, null); }
        public static Param pair(String name) { return new Param(name, Kind.PAIR, false, null); }
        public static Param pair(String name, int defaultValue) { return new Param(name, Kind.PAIR, true, defaultValue); }
        /** A pair that may be left out, null then. */
        public static Param optionalPair(String name) { return new Param(name, Kind.PAIR, true, null); }
        public static Param padding(String name, int defaultValue) { return new Param(name, Kind.PADDING, true, defaultValue); }
        public static Param number(String name, double defaultValue) { return new Param(name, Kind.NUMBER, true, defaultValue); }
        public static Param number(String name) { return new Param(name, Kind.NUMBER, false, null); }
        /** A number that may be left out, null then. */
        public static Param optionalNumber(String name) { return new Param(name, Kind.NUMBER, true, null); }
        public static Param bool(String name, boolean defaultValue) { return new Param(name, Kind.BOOLEAN, true, defaultValue); }
    }

    /**
     * A call's arguments, each converted as its parameter's kind says (or its default): what a
     * {@link #build} reads. The language provides it.
     */
    public interface Args {
        /** An {@link Kind#OPERAND}. */
        Node operand(String name);

        /** An {@link Kind#OPERANDS}. */
        List<Node> operands(String name);

        /** An {@link Kind#AXIS} in {@code [-rank, rank)}, or null for an optional one not given, or one given as {@code none}. */
        Integer axis(String name);

        int integer(String name);

        /** An {@link Kind#INTEGERS}, or null for an optional one not given. */
        int[] integers(String name);

        /** An {@link Kind#INTEGER_PAIRS}: each element a pair. */
        int[][] integerPairs(String name);

        /** A {@link Kind#PAIR}, or a {@link Kind#PADDING} given as numbers: {@code {along h, along w}}; null for an optional one not given. */
        int[] pair(String name);

        /** A {@link Kind#PADDING} given as a word ({@code "same"}), or null where it is given as numbers. */
        String word(String name);

        double number(String name);

        /** A {@link Kind#NUMBER} that may be left out, null when it is not given and has no default. */
        Double optionalNumber(String name);

        boolean bool(String name);

        /** Where the argument is written, for an error about it. */
        SourcePos pos(String name);
    }

    // ---- the common shapes of a registration ------------------------------------------------------

    /** {@code name(x)}, elementwise or not. */
    public static Builtin unary(String name, UnaryOperator<Node> f, String doc) {
        return of(name, List.of(Param.operand("x")), a -> f.apply(a.operand("x")), doc);
    }

    /** {@code name(a, b)} of two operands, named as the math names them. */
    public static Builtin binary(String name, String a, String b, BinaryOperator<Node> f, String doc) {
        return of(name, List.of(Param.operand(a), Param.operand(b)), args -> f.apply(args.operand(a), args.operand(b)), doc);
    }

    /** A reduction: the op over {@code axis} (or every axis, to a scalar, when none is given), keeping the reduced axes or not. */
    public interface Reduction { Node apply(Node x, int[] axes, boolean keepdims); }

    /** {@code name(x, axis = none, keepdims = false)}. */
    public static Builtin reduction(String name, Reduction f, String doc) {
        return of(name, List.of(Param.operand("x"), Param.optionalAxis("axis"), Param.bool("keepdims", false)),
                a -> f.apply(a.operand("x"), axes(a), a.bool("keepdims")), doc);
    }

    /** The axes a reduction's call asks for: its {@code axis}, or every axis of its operand {@code x} when none is given. */
    public static int[] axes(Args a) {
        Integer axis = a.axis("axis");
        return axis == null ? IntStream.range(0, a.operand("x").type().rank()).toArray() : new int[] {axis};
    }

    /**
     * {@code name(x, axis = none)}: {@code whole} of x without an axis (every axis, or x flattened,
     * as NumPy), {@code along} the axis given.
     */
    public static Builtin alongAxis(String name, UnaryOperator<Node> whole, BiFunction<Node, Integer, Node> along, String doc) {
        return of(name, List.of(Param.operand("x"), Param.optionalAxis("axis")), a -> {
            Integer axis = a.axis("axis");
            return axis == null ? whole.apply(a.operand("x")) : along.apply(a.operand("x"), axis);
        }, doc);
    }

    /**
     * A function of the language; the docs show its Java builder named as the language's name in
     * camel case, with the parameters' names ({@code logSoftmax(x, axis)}).
     */
    public static Builtin of(String name, List<Param> params, Function<Args, Node> build, String doc) {
        String java = camelCase(name) + "(" + String.join(", ", params.stream().map(Param::name).toList()) + ")";
        return new Builtin(name, "`" + name + signature(params) + "`", params, "`" + java + "`", doc, build);
    }

    /** An op the language writes with an operator ({@code `a + b`}), or not at all (empty), and Java with {@code java}. */
    public static Builtin operator(String written, String java, String doc) {
        return new Builtin(null, written, List.of(), java, doc, null);
    }

    /** The same op, its Java builders given as the docs show them. */
    public Builtin java(String javaForms) { return new Builtin(name, written, params, javaForms, doc, build); }

    /** The same op, called by {@code other} in the language too; the docs show both. */
    public Builtin alias(String other) {
        var names = new ArrayList<>(aliases);
        names.add(other);
        return new Builtin(name, written + ", `" + other + signature(params) + "`", params, java, doc, build, names);
    }

    /** The function {@code alias} calls: this op under that name. */
    public Builtin as(String alias) {
        if (!aliases.contains(alias)) throw new IllegalArgumentException(name + " has no alias " + alias);
        return new Builtin(alias, written, params, java, doc, build, aliases);
    }

    /** The same op, written in the language as the docs show it. */
    public Builtin written(String languageForms) { return new Builtin(name, languageForms, params, java, doc, build); }

    /** {@code (x, axis = -1)}: the parameters as a call writes them, defaults shown. */
    public static String signature(List<Param> params) {
        var out = new ArrayList<String>();
        for (Param p : params) {
            out.add(!p.optional() ? p.name() : p.name() + " = " + show(p.defaultValue()));
        }
        return "(" + String.join(", ", out) + ")";
    }

    /** A default as the language writes it: {@code none}, {@code -1}, {@code 0.9}, {@code false}. */
    public static String show(Object v) {
        if (v == null) return "none";
        if (v instanceof Double d) {
            if (d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString(d.longValue());
            return Double.toString(d).replace(".0E", "e").replace("E", "e");
        }
        return String.valueOf(v);
    }

    /** {@code log_softmax} to {@code logSoftmax}. */
    static String camelCase(String name) {
        var parts = name.split("_");
        var out = new StringBuilder(parts[0]);
        for (String p : Arrays.asList(parts).subList(1, parts.length)) out.append(Character.toUpperCase(p.charAt(0))).append(p.substring(1));
        return out.toString();
    }
}
