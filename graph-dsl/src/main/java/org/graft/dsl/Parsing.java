package org.graft.dsl;

import java.util.ArrayList;
import java.util.List;

import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.InputMismatchException;
import org.antlr.v4.runtime.NoViableAltException;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenFactory;
import org.antlr.v4.runtime.TokenSource;
import org.antlr.v4.runtime.CharStream;
import org.antlr.v4.runtime.misc.IntervalSet;

import org.graft.core.GraftException;
import org.graft.core.SourcePos;

/**
 * Source text to parse tree. The parser stops at the first syntax error, which becomes a
 * {@link GraftException} saying what was expected and what was found, at the token where it
 * was found; ANTLR's own console messages are switched off.
 */
final class Parsing {
    private Parsing() {}

    /** Brackets deeper than this are refused before the parser's recursion could overflow. */
    static final int MAX_NESTING = 256;

    static GraftParser.ProgramContext parse(String file, String source) {
        var lexer = new GraftLexer(CharStreams.fromString(source, file));
        lexer.removeErrorListeners(); // every character lexes (UNKNOWN), so no lexer error arises
        var parser = new GraftParser(new CommonTokenStream(new LineJoiner(lexer, file)));
        parser.removeErrorListeners();
        parser.setErrorHandler(new StopAtFirstError(file));
        return parser.program();
    }

    /** The position of a token: 1-based line and column. */
    static SourcePos at(String file, Token t) { return new SourcePos(file, t.getLine(), t.getCharPositionInLine() + 1); }

    /**
     * Drops the newlines inside ( ) and [ ], where a statement cannot end, so that an
     * expression continues over lines there; refuses brackets nested deeper than
     * {@link #MAX_NESTING}.
     */
    private static final class LineJoiner implements TokenSource {
        private final TokenSource tokens;
        private final String file;
        private int depth;

        LineJoiner(TokenSource tokens, String file) {
            this.tokens = tokens;
            this.file = file;
        }

        @Override
        public Token nextToken() {
            while (true) {
                Token t = tokens.nextToken();
                switch (t.getText()) {
                    case "(", "[" -> {
                        if (++depth > MAX_NESTING) {
                            throw new GraftException(at(file, t), "brackets nest more than " + MAX_NESTING + " deep");
                        }
                    }
                    case ")", "]" -> depth = Math.max(0, depth - 1);
                    default -> { }
                }
                if (t.getType() == GraftLexer.NEWLINE && depth > 0) continue;
                return t;
            }
        }

        @Override public int getLine() { return tokens.getLine(); }
        @Override public int getCharPositionInLine() { return tokens.getCharPositionInLine(); }
        @Override public CharStream getInputStream() { return tokens.getInputStream(); }
        @Override public String getSourceName() { return tokens.getSourceName(); }
        @Override public void setTokenFactory(TokenFactory<?> factory) { tokens.setTokenFactory(factory); }
        @Override public TokenFactory<?> getTokenFactory() { return tokens.getTokenFactory(); }
    }

    /** Reports the first syntax error as a {@link GraftException} and never recovers. */
    private static final class StopAtFirstError extends DefaultErrorStrategy {
        private final String file;

        StopAtFirstError(String file) { this.file = file; }

        @Override
        public void recover(Parser recognizer, RecognitionException e) { throw error(recognizer, e); }

        @Override
        public Token recoverInline(Parser recognizer) { throw error(recognizer, new InputMismatchException(recognizer)); }

        @Override
        public void sync(Parser recognizer) { } // no resynchronising: the first error is the one reported

        @Override
        public void reportError(Parser recognizer, RecognitionException e) { throw error(recognizer, e); }

        private GraftException error(Parser parser, RecognitionException e) {
            Token found = e instanceof NoViableAltException nv ? nv.getOffendingToken() : e.getOffendingToken();
            if (found == null) found = parser.getCurrentToken();
            IntervalSet expected = e.getExpectedTokens();
            if (expected == null || expected.isNil()) expected = parser.getExpectedTokens();
            return new GraftException(at(file, found), "expected " + describe(expected, parser) + " but found " + describe(found));
        }
    }

    /** What may come next, in words: {@code an expression}, {@code ')' or ','}, {@code end of line}. */
    static String describe(IntervalSet expected, Parser parser) {
        if (expected.contains(GraftLexer.NUMBER) && expected.contains(GraftLexer.NAME) && expected.size() > 3) {
            return "an expression";
        }
        var words = new ArrayList<String>();
        for (int type : expected.toList()) words.add(describe(type, parser));
        return join(words);
    }

    private static String describe(int type, Parser parser) {
        return switch (type) {
            case Token.EOF -> "end of file";
            case GraftLexer.NEWLINE -> "end of line";
            case GraftLexer.NAME -> "a name";
            case GraftLexer.NUMBER -> "a number";
            default -> parser.getVocabulary().getLiteralName(type);
        };
    }

    private static String describe(Token found) {
        return switch (found.getType()) {
            case Token.EOF -> "end of file";
            case GraftLexer.NEWLINE -> "end of line";
            default -> "'" + found.getText() + "'";
        };
    }

    private static String join(List<String> words) {
        if (words.size() <= 2) return String.join(" or ", words);
        return String.join(", ", words.subList(0, words.size() - 1)) + " or " + words.get(words.size() - 1);
    }
}
