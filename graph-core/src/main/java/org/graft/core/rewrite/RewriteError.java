package org.graft.core.rewrite;

import org.graft.core.GraftException;
import org.graft.core.SourcePos;

/** A rule set that cannot reach a fixpoint (rules that undo each other) or a rule that broke its contract. */
public final class RewriteError extends GraftException {
    private static final long serialVersionUID = 1L;

    public RewriteError(SourcePos pos, String detail) { super(pos, detail); }
}
