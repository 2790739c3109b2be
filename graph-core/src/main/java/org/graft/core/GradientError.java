package org.graft.core;

/** A gradient that cannot be formed: the cost does not reach a variable, or an op has no derivative. */
public final class GradientError extends GraftException {
    private static final long serialVersionUID = 1L;

    public GradientError(SourcePos pos, String detail) { super(pos, detail); }
}
