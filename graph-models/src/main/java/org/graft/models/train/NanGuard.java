package org.graft.models.train;

import org.graft.core.GraftException;
import org.graft.core.runtime.NonFiniteError;

/**
 * What {@code --nan-guard} says when it stops a command, in the same words for every command:
 * the op that made the first NaN or infinity, at the position where it is written, then what
 * the guard stopped and what that leaves.
 */
public final class NanGuard {
    private NanGuard() {}

    /**
     * The error to report for {@code found}: {@code bad.graft:3:13: log(add) gave NaN at [0]
     * (--nan-guard stopped WHAT)}.
     */
    public static GraftException stopped(NonFiniteError found, String what) {
        return new GraftException(found.pos(), found.detail() + " (--nan-guard stopped " + what + ")");
    }
}
