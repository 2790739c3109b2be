package org.graft.core;

import java.util.List;
import java.util.Optional;

/**
 * A value in the graph. Immutable; equality is identity (merging equal subgraphs is a
 * rewrite). Its {@link Type} is inferred when it is built, so shape errors surface where the
 * user wrote the expression.
 */
public sealed interface Node permits Input, Param, Constant, Apply {

    Type type();

    /** The nodes this one is computed from; empty for leaves. */
    List<Node> inputs();

    /** The name a user gave it; shown in printing and errors. */
    Optional<String> name();

    /** Where source text wrote it, or {@link SourcePos#NONE}. */
    SourcePos pos();

    /** A short human name: the given name, a scalar constant's value, or the op's name. */
    default String label() {
        if (name().isPresent()) return name().get();
        if (this instanceof Constant c && c.value().size() == 1) return c.value().toString();
        if (this instanceof Apply a) return a.op().name();
        return "constant" + type();
    }
}
