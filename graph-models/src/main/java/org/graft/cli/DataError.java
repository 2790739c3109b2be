package org.graft.cli;

/** Bad data given on the command line (a {@code --set} value, an unreadable file): reported as {@code error: message}, exit 1. */
final class DataError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DataError(String message) { super(message); }
}
