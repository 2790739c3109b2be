package org.graft.dsl;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
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
import org.antlr.v4.runtime.TokenStream;
import org.antlr.v4.runtime.CharStream;
import org.antlr.v4.runtime.RuleContext;
import org.antlr.v4.runtime.atn.ATN;
import org.antlr.v4.runtime.atn.ATNConfig;
import org.antlr.v4.runtime.atn.ATNConfigSet;
import org.antlr.v4.runtime.atn.ATNState;
import org.antlr.v4.runtime.atn.PredictionContext;
import org.antlr.v4.runtime.atn.RuleTransition;
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

    /** The byte-order mark that editors on Windows put at the start of a UTF-8 file. */
    private static final String BYTE_ORDER_MARK = "\ufeff";

    static GraftParser.ProgramContext parse(String file, String source) {
        // a byte-order mark is no part of the text; the editor does not show it, so columns do not count it
        String unmarked = source.startsWith(BYTE_ORDER_MARK) ? source.substring(BYTE_ORDER_MARK.length()) : source;
        // ANTLR counts lines at '\n' only: an old Mac file's lone '\r' would leave every position on line 1
        String text = unmarked.indexOf('\r') < 0 ? unmarked : unmarked.replace("\r\n", "\n").replace('\r', '\n');
        var lexer = new GraftLexer(CharStreams.fromString(text, file));
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
        public Token recoverInline(Parser recognizer) { throw error(recognizer, mismatch(recognizer)); }

        /**
         * Remembers the last state where the parser could skip ahead, as the default strategy
         * does, and fails at once where nothing could come next; it never deletes or inserts a
         * token to carry on, so the first error is the one reported.
         */
        @Override
        public void sync(Parser recognizer) {
            ATNState state = recognizer.getInterpreter().atn.states.get(recognizer.getState());
            IntervalSet next = recognizer.getATN().nextTokens(state);
            if (next.contains(recognizer.getInputStream().LA(1))) {
                reportMatch(recognizer);
            } else if (next.contains(Token.EPSILON)) {
                if (nextTokensContext == null) {
                    nextTokensContext = recognizer.getContext();
                    nextTokensState = recognizer.getState();
                }
            } else {
                // predicates only narrow what may come, so no path continues with this token
                throw error(recognizer, mismatch(recognizer));
            }
        }

        /**
         * The error of a token that cannot come here. The state where an optional part or loop
         * was last skipped knows everything that could have come ("',' or ']'"); the current
         * state knows only its own tokens.
         */
        private InputMismatchException mismatch(Parser recognizer) {
            return nextTokensContext == null ? new InputMismatchException(recognizer)
                    : new InputMismatchException(recognizer, nextTokensState, nextTokensContext);
        }

        @Override
        public void reportMatch(Parser recognizer) {
            // a token matched since the parser last skipped ahead: what could have come there is past
            nextTokensContext = null;
            nextTokensState = ATNState.INVALID_STATE_NUMBER;
        }

        @Override
        public void reportError(Parser recognizer, RecognitionException e) { throw error(recognizer, e); }

        private GraftException error(Parser parser, RecognitionException e) {
            Token found = e instanceof NoViableAltException nv ? nv.getOffendingToken() : e.getOffendingToken();
            if (found == null) found = parser.getCurrentToken();
            if (found.getType() == GraftLexer.UNKNOWN) {
                // what was expected does not help with a character the language has no use for
                String why = Character.isLetter(found.getText().codePointAt(0)) ? "a name is ASCII letters, digits and _"
                        : found.getText().equals("\"") ? "a string closes with '\"' on the line it opens"
                        : "it is not part of the language";
                return new GraftException(at(file, found), "unexpected character " + quote(found.getText()) + ": " + why);
            }
            IntervalSet expected = e instanceof NoViableAltException nv && nv.getDeadEndConfigs() != null
                    && !nv.getDeadEndConfigs().isEmpty() ? expectedAtDeadEnd(parser, nv) : e.getExpectedTokens();
            if (expected == null || expected.isNil()) expected = parser.getExpectedTokens();
            // before its '[' a type may only have had a dtype: name it as a whole
            String wanted = e.getCtx() instanceof GraftParser.TypeContext && expected.contains(parser.getTokenType("'['"))
                    ? "a type such as [n, 784]" : describe(expected, parser);
            String message = "expected " + wanted + " but found " + describe(found);
            Token before = found.getTokenIndex() > 0 ? parser.getInputStream().get(found.getTokenIndex() - 1) : null;
            if (before != null && found.getText().equals("=") && isKeyword(before)) {
                // 'update = x' reads as an update statement without its name: say why the name is not one
                message += " ('" + before.getText() + "' is a keyword, so it cannot be a name)";
            }
            if (e.getCtx() instanceof GraftParser.BlockContext block && block.RETURN() != null
                    && block.RETURN().getSymbol().getLine() < found.getLine()) {
                Token ret = block.RETURN().getSymbol();
                message += " (the return at " + ret.getLine() + ":" + (ret.getCharPositionInLine() + 1) + " ends the fn body)";
            }
            Token open = unclosed(parser, found);
            if (open != null) {
                message += " (the '" + open.getText() + "' at " + open.getLine() + ":" + (open.getCharPositionInLine() + 1)
                        + " is still open, so the line goes on)";
            }
            return new GraftException(at(file, found), message);
        }

        /**
         * What could have come where a prediction failed. ANTLR's own answer is what could start
         * the decision, though the prediction may have read far past its start ('x[exp(1 2)]'
         * would expect "an expression" at the 2); this is the union, over the places the
         * prediction had reached, of what each could match next, following rule returns
         * through the prediction's stack and then the parser's.
         */
        private static IntervalSet expectedAtDeadEnd(Parser parser, NoViableAltException e) {
            ATNConfigSet configs = e.getDeadEndConfigs();
            var out = new IntervalSet();
            for (ATNConfig c : configs) follow(parser.getATN(), c.state, c.context, configs.fullCtx, e.getCtx(), out);
            out.remove(Token.EPSILON);
            return out;
        }

        private static void follow(ATN atn, ATNState state, PredictionContext stack, boolean fullContext, RuleContext outer,
                                   IntervalSet out) {
            IntervalSet next = atn.nextTokens(state);
            out.addAll(next);
            if (!next.contains(Token.EPSILON)) return;
            if (stack != null && !stack.isEmpty()) {
                for (int i = 0; i < stack.size(); i++) {
                    int returnState = stack.getReturnState(i);
                    if (returnState == PredictionContext.EMPTY_RETURN_STATE) followOutside(atn, fullContext, outer, out);
                    else follow(atn, atn.states.get(returnState), stack.getParent(i), fullContext, outer, out);
                }
            } else {
                followOutside(atn, fullContext, outer, out);
            }
        }

        /** What follows the rule the prediction started in: the parser's stack says, unless the prediction's included it. */
        private static void followOutside(ATN atn, boolean fullContext, RuleContext outer, IntervalSet out) {
            if (fullContext) {
                out.add(Token.EOF);
                return;
            }
            for (RuleContext ctx = outer; ctx != null && ctx.invokingState >= 0; ctx = ctx.parent) {
                var call = (RuleTransition) atn.states.get(ctx.invokingState).transition(0);
                IntervalSet next = atn.nextTokens(call.followState);
                out.addAll(next);
                if (!next.contains(Token.EPSILON)) return;
            }
            out.add(Token.EOF);
        }

        /**
         * The innermost bracket still open at {@code found} when {@code found} starts a line:
         * lines inside brackets are joined, so a missing bracket surfaces on a later line, far
         * from where it is missing.
         */
        private static Token unclosed(Parser parser, Token found) {
            TokenStream tokens = parser.getInputStream();
            int index = found.getTokenIndex();
            if (index <= 0 || tokens.get(index - 1).getLine() == found.getLine()) return null;
            var open = new ArrayDeque<Token>();
            for (int i = 0; i < index; i++) {
                Token t = tokens.get(i);
                switch (t.getText()) {
                    case "(", "[", "{" -> open.push(t);
                    case ")", "]", "}" -> open.poll();
                    default -> { }
                }
            }
            Token innermost = open.peek();
            return innermost != null && !innermost.getText().equals("{") ? innermost : null;
        }
    }

    /** The tokens that start a statement; where all of them may come, the message says "a statement". */
    private static final int[] STATEMENT_STARTS = {
        GraftLexer.INPUT, GraftLexer.PARAM, GraftLexer.CONST, GraftLexer.FN, GraftLexer.OUTPUT, GraftLexer.MINIMIZE,
        GraftLexer.MAXIMIZE, GraftLexer.UPDATE, GraftLexer.METRIC, GraftLexer.NAME
    };

    /** The operators that may follow an operand; where '^' may come, all of them may, and the message says "an operator". */
    private static final List<String> OPERATORS = List.of(
        "'['", "'.'", "'^'", "'*'", "'/'", "'@'", "'+'", "'-'", "'<'", "'<='", "'>'", "'>='", "'=='", "'!='");

    /**
     * What may come next, in words: {@code an expression}, {@code ')' or ','},
     * {@code an operator or end of line}, {@code a statement}.
     */
    static String describe(IntervalSet expected, Parser parser) {
        if (expected.contains(GraftLexer.NUMBER) && expected.contains(GraftLexer.NAME) && expected.size() > 3) {
            return "an expression";
        }
        boolean statement = true;
        for (int t : STATEMENT_STARTS) statement &= expected.contains(t);
        boolean operator = expected.contains(parser.getTokenType("'^'"));
        var words = new ArrayList<String>();
        if (statement) words.add("a statement");
        if (operator) words.add("an operator");
        boolean endOfLine = false;
        for (int type : expected.toList()) {
            if (statement && (Arrays.stream(STATEMENT_STARTS).anyMatch(s -> s == type) || type == Token.EOF)) continue;
            String word = describe(type, parser);
            if (operator && OPERATORS.contains(word)) continue;
            // the end of the file ends the last line, so "end of line" covers both; before a
            // statement a blank line is always allowed, which is not worth saying
            if (type == Token.EOF || type == GraftLexer.NEWLINE) {
                if (!endOfLine && !statement) words.add("end of line");
                endOfLine = true;
                continue;
            }
            words.add(word);
        }
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
        int type = found.getType();
        if (type == Token.EOF) return "end of file";
        if (type == GraftLexer.NEWLINE) return "end of line";
        if (isKeyword(found)) return "the keyword '" + found.getText() + "'";
        return "'" + found.getText() + "'";
    }

    private static boolean isKeyword(Token t) {
        int type = t.getType();
        return type != GraftLexer.NAME && type != GraftLexer.UNKNOWN && type != Token.EOF && Character.isLetter(t.getText().charAt(0));
    }

    /** A character in quotes, or its code point where it would not print. */
    private static String quote(String text) {
        int c = text.codePointAt(0);
        if (c < 0x20 || c == 0x7f || Character.isWhitespace(c) || !Character.isDefined(c) || Character.getType(c) == Character.FORMAT) {
            return String.format("U+%04X", c);
        }
        return "'" + text + "'";
    }

    private static String join(List<String> words) {
        if (words.size() <= 2) return String.join(" or ", words);
        return String.join(", ", words.subList(0, words.size() - 1)) + " or " + words.get(words.size() - 1);
    }
}
