package org.graft.dsl;

import java.util.Map;

import org.graft.core.GraftException;
import org.graft.core.tensor.Tensor;

/** The entry point of the language: Graft source text in, a {@link Program} out. */
public final class Graft {
    private Graft() {}

    /** Compiles {@code source}, read from {@code file}; the first error is a {@link GraftException} at its position. */
    public static Program compile(String file, String source) { return compile(file, source, Map.of()); }

    /**
     * Compiles with {@code --set} values: a const's override, an input's value, a param's value,
     * or a fixed value replacing a named binding (Theano's givens, applied before any
     * {@code grad}). A name the program does not bind, or a value that does not fit, is an error.
     */
    public static Program compile(String file, String source, Map<String, Tensor> set) {
        throw new UnsupportedOperationException("not yet");
    }

    /** {@code file:line:col: error: message}, or {@code error: message} without a position. */
    public static String format(GraftException e) {
        return e.pos().isKnown() ? e.pos() + ": error: " + e.detail() : "error: " + e.detail();
    }
}
