package org.graft.dsl;

import java.util.Map;

import org.graft.core.GraftException;
import org.graft.core.SourcePos;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Tensor;

/** The entry point of the language: Graft source text in, a {@link Program} out. */
public final class Graft {
    private Graft() {}

    /** The compiler thread's stack: room for expressions thousands of levels deep. */
    private static final long STACK_BYTES = 256L << 20;

    /** Compiles {@code source}, read from {@code file}; the first error is a {@link GraftException} at its position. */
    public static Program compile(String file, String source) { return compile(file, source, Map.of()); }

    /**
     * Compiles with {@code --set} values: a const's override, an input's value, a param's value,
     * or a fixed value replacing a named binding (Theano's givens, applied before any
     * {@code grad}). A name the program does not bind, or a value that does not fit, is an error.
     */
    public static Program compile(String file, String source, Map<String, Tensor> set) { return compile(file, source, set, null); }

    /**
     * Compiles with {@code --set} values and a dtype for the whole program: null compiles it as
     * written; {@link DType#F32} or {@link DType#F64} replaces the dtype of every type in it
     * (inputs, params) and makes its numbers (literals and consts) in that dtype, so one source
     * trains in either. The {@code --set} values are converted to the dtype of what they set.
     */
    public static Program compile(String file, String source, Map<String, Tensor> set, DType dtype) {
        // The parser and the compiler recurse as deep as expressions nest; a thread of its own
        // with a large stack keeps that from overflowing on long but legal programs, and a
        // program nested deeper still is refused, not a crash.
        var result = new Object[1];
        var compiler = new Thread(null, () -> {
            try {
                result[0] = new ProgramCompiler(file, set, dtype).compile(Parsing.parse(file, source));
            } catch (StackOverflowError e) {
                result[0] = new GraftException(new SourcePos(file, 1, 1), "the program nests too deeply to compile");
            } catch (RuntimeException | Error e) {
                result[0] = e;
            }
        }, "graft-compiler", STACK_BYTES);
        compiler.start();
        try {
            compiler.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GraftException("compilation of " + file + " was interrupted");
        }
        if (result[0] instanceof RuntimeException e) throw e;
        if (result[0] instanceof Error e) throw e;
        return (Program) result[0];
    }

    /** {@code file:line:col: error: message}, or {@code error: message} without a position. */
    public static String format(GraftException e) {
        return e.pos().isKnown() ? e.pos() + ": error: " + e.detail() : "error: " + e.detail();
    }
}
