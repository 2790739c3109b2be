package org.graft.core;

/** Shapes or dtypes that do not fit: raised where the node is built, or where a value is fed. */
public final class ShapeError extends GraftException {
    private static final long serialVersionUID = 1L;

    public ShapeError(SourcePos pos, String detail) { super(pos, detail); }

    public ShapeError(String detail) { super(detail); }
}
