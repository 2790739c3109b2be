package org.graft.cli;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

import org.graft.models.data.CorruptDataException;

/** Bad data given on the command line (a {@code --set} value, an unreadable file): reported as {@code error: message}, exit 1. */
final class DataError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DataError(String message) { super(message); }

    /**
     * A failed read or write in words, naming the file: a damaged file's own message
     * ({@code FILE: expected ..., found ...}), or {@code FILE: no such file} and the like,
     * since the JDK's message for those is often the bare path.
     */
    static String describe(IOException e) {
        if (e instanceof CorruptDataException) return e.getMessage();
        if (e instanceof FileSystemException f && f.getFile() != null) return f.getFile() + ": " + reason(e);
        return reason(e);
    }

    /** Why a file could not be read or written, without its name. */
    static String reason(IOException e) {
        if (e instanceof CharacterCodingException) return "it is not UTF-8 text";
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof NoSuchFileException) return "no such file";
        if (e instanceof FileSystemException f && f.getReason() != null) return f.getReason();
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
