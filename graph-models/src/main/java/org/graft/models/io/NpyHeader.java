package org.graft.models.io;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The header of an .npy array: the Python dict literal
 * {@code {'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }} that follows the magic,
 * the version and the header length.
 */
final class NpyHeader {
    /** The dtype as NumPy spells it, {@code '<f8'}; {@code null} when it is not a string (a structured dtype). */
    final String descr;
    final boolean fortranOrder;
    final int[] shape;

    private NpyHeader(String descr, boolean fortranOrder, int[] shape) {
        this.descr = descr;
        this.fortranOrder = fortranOrder;
        this.shape = shape;
    }

    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    // NumPy pads the header so that the data starts at a multiple of ARRAY_ALIGN ...
    private static final int ARRAY_ALIGN = 64;
    // ... after leaving room for the first dim to grow to 21 digits (GROWTH_AXIS_MAX_DIGITS),
    // so that appending rows can rewrite the header in place
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;

    /** The shape as Python writes a tuple: {@code ()}, {@code (3,)}, {@code (2, 3)}. */
    static String tuple(int[] shape) {
        if (shape.length == 1) return "(" + shape[0] + ",)";
        return IntStream.of(shape).mapToObj(Integer::toString).collect(Collectors.joining(", ", "(", ")"));
    }

    /**
     * Magic, version 1.0, header length and header of an array of {@code descr} ({@code '<f8'},
     * {@code '<f4'}) in C order, byte for byte as {@code numpy.save} writes them.
     */
    static byte[] of(String descr, int[] shape) {
        var header = new StringBuilder("{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + tuple(shape) + ", }");
        if (shape.length > 0) header.append(" ".repeat(GROWTH_AXIS_MAX_DIGITS - Integer.toString(shape[0]).length()));
        int prefix = MAGIC.length + 2 + 2;
        int unpadded = prefix + header.length() + 1;
        header.append(" ".repeat((ARRAY_ALIGN - unpadded % ARRAY_ALIGN) % ARRAY_ALIGN)).append('\n');
        byte[] text = header.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] bytes = new byte[prefix + text.length];
        System.arraycopy(MAGIC, 0, bytes, 0, MAGIC.length);
        bytes[6] = 1;
        bytes[7] = 0;
        bytes[8] = (byte) text.length;
        bytes[9] = (byte) (text.length >>> 8);
        System.arraycopy(text, 0, bytes, prefix, text.length);
        return bytes;
    }

    /**
     * Parses a header's text. Python's literal syntax, as far as a header uses it: strings in
     * either quote, {@code True}/{@code False}, integers (with Python 2's {@code L} suffix),
     * tuples and lists; whitespace anywhere between tokens.
     *
     * @throws IllegalArgumentException saying what was expected where
     */
    static NpyHeader parse(String text) {
        var parser = new Parser(text);
        Object value = parser.value();
        parser.skipSpace();
        if (parser.at < text.length()) throw parser.expected("the end of the header");
        if (!(value instanceof Map<?, ?> dict)) throw new IllegalArgumentException("expected a dict, found " + text.strip());
        if (!dict.keySet().equals(Set.of("descr", "fortran_order", "shape"))) {
            throw new IllegalArgumentException("expected the keys 'descr', 'fortran_order' and 'shape', found "
                    + dict.keySet().stream().map(k -> "'" + k + "'").collect(Collectors.joining(", ", "{", "}")));
        }
        if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
            throw new IllegalArgumentException("expected 'fortran_order' to be True or False, found " + dict.get("fortran_order"));
        }
        if (!(dict.get("shape") instanceof Tuple tuple)) {
            throw new IllegalArgumentException("expected 'shape' to be a tuple of integers, found " + dict.get("shape"));
        }
        int[] shape = new int[tuple.items().size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(tuple.items().get(i) instanceof Long dim) || dim < 0 || dim > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("expected 'shape' to hold integers 0.." + Integer.MAX_VALUE + ", found " + tuple);
            }
            shape[i] = (int) (long) dim;
        }
        return new NpyHeader(dict.get("descr") instanceof String s ? s : null, fortran, shape);
    }

    /** A Python tuple, told apart from a list because a shape must be a tuple. */
    private record Tuple(List<Object> items) {
        @Override
        public String toString() {
            return items.size() == 1 ? "(" + items.get(0) + ",)"
                    : items.stream().map(String::valueOf).collect(Collectors.joining(", ", "(", ")"));
        }
    }

    private static final class Parser {
        private final String text;
        private int at;

        Parser(String text) { this.text = text; }

        Object value() {
            skipSpace();
            if (at == text.length()) throw expected("a value");
            char c = text.charAt(at);
            if (c == '{') return dict();
            if (c == '(') return new Tuple(sequence('(', ')'));
            if (c == '[') return sequence('[', ']');
            if (c == '\'' || c == '"') return string();
            if (c == '-' || Character.isDigit(c)) return integer();
            if (text.startsWith("True", at)) { at += 4; return true; }
            if (text.startsWith("False", at)) { at += 5; return false; }
            throw expected("a value");
        }

        private Map<String, Object> dict() {
            at++;
            var dict = new LinkedHashMap<String, Object>();
            // items separated by commas, a comma after the last allowed
            while (!closes('}')) {
                skipSpace();
                if (at == text.length() || (text.charAt(at) != '\'' && text.charAt(at) != '"')) throw expected("a string key");
                String key = string();
                expect(':');
                if (dict.put(key, value()) != null) throw new IllegalArgumentException("expected each key once, found '" + key + "' twice");
                if (closes('}')) break;
                expect(',');
            }
            return dict;
        }

        private List<Object> sequence(char open, char close) {
            at++;
            var items = new ArrayList<Object>();
            while (!closes(close)) {
                items.add(value());
                if (closes(close)) break;
                expect(',');
            }
            return items;
        }

        /** Consumes {@code close} if it comes next. */
        private boolean closes(char close) {
            skipSpace();
            if (at < text.length() && text.charAt(at) == close) {
                at++;
                return true;
            }
            if (at == text.length()) throw expected("'" + close + "'");
            return false;
        }

        private String string() {
            char quote = text.charAt(at);
            int end = text.indexOf(quote, at + 1);
            if (end < 0 || text.substring(at + 1, end).indexOf('\\') >= 0) throw expected("a string without escapes");
            String s = text.substring(at + 1, end);
            at = end + 1;
            return s;
        }

        private Long integer() {
            int start = at;
            if (text.charAt(at) == '-') at++;
            while (at < text.length() && Character.isDigit(text.charAt(at))) at++;
            try {
                long value = Long.parseLong(text.substring(start, at));
                if (at < text.length() && (text.charAt(at) == 'L' || text.charAt(at) == 'l')) at++;
                return value;
            } catch (NumberFormatException e) {
                at = start;
                throw expected("an integer");
            }
        }

        private void expect(char c) {
            skipSpace();
            if (at == text.length() || text.charAt(at) != c) throw expected("'" + c + "'");
            at++;
        }

        void skipSpace() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) at++;
        }

        IllegalArgumentException expected(String what) {
            String found = at == text.length() ? "the end of the header" : "\"" + text.substring(at, Math.min(text.length(), at + 20)).replace("\n", "\\n") + "\"";
            return new IllegalArgumentException("expected " + what + " at character " + (at + 1) + " of "
                    + text.strip() + ", found " + found);
        }
    }
}
