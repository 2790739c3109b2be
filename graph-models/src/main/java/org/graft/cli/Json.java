package org.graft.cli;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.gson.FormattingStyle;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;

import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * Tensors in and out of JSON: {@code --set} values in, {@code graft eval}'s results out.
 *
 * <p>Numbers are written as {@link Double#toString(double)} writes them ({@code 2.0},
 * {@code 1.0E-5}), which is valid JSON and reads back as exactly the same double, and those of
 * an f32 tensor as {@link Float#toString(float)} does ({@code 0.1}, not
 * {@code 0.10000000149011612}), which reads back as the same float once rounded to f32; the
 * non-finite values, which JSON has no numbers for, are the strings {@code "NaN"},
 * {@code "Infinity"} and {@code "-Infinity"}. Read back, those three strings are the values
 * they name, so an output can be fed back in with {@code --set}.
 */
final class Json {
    private Json() {}

    /** One space after {@code ,} and {@code :}, no newlines: one line however large the tensors. */
    private static final FormattingStyle STYLE = FormattingStyle.COMPACT.withSpaceAfterSeparators(true);

    /** {@code {"name": {"shape": [d...], "data": [row-major numbers]}, ...}} in the map's order, and a newline. */
    static void write(Map<String, Tensor> values, Writer out) {
        try {
            var json = new JsonWriter(out);
            json.setFormattingStyle(STYLE);
            json.beginObject();
            for (var e : values.entrySet()) {
                json.name(e.getKey()).beginObject();
                json.name("shape").beginArray();
                for (int d : e.getValue().shape().dims()) json.value(d);
                json.endArray();
                json.name("data").beginArray();
                Tensor t = e.getValue();
                for (int i = 0; i < t.size(); i++) {
                    double v = t.getFlat(i);
                    if (!Double.isFinite(v)) json.value(Double.toString(v));
                    else if (t.dtype() == DType.F32) json.value(Float.valueOf((float) v));
                    else json.value(v);
                }
                json.endArray();
                json.endObject();
            }
            json.endObject();
            json.flush();
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The tensor a {@code --set NAME=VALUE} gives: a number is a scalar, nested arrays of
     * numbers a tensor of their shape ({@code [[1, 2], [3, 4]]} is {@code [2, 2]}). Anything
     * else, arrays whose lengths disagree included, is a {@link DataError} naming the place,
     * as in {@code x[1]}.
     */
    static Tensor parse(String name, String text) {
        var json = new JsonReader(new StringReader(text));
        json.setStrictness(Strictness.STRICT);
        Object tree;
        try {
            tree = read(json, name, name);
        } catch (IOException e) {
            throw new DataError("--set " + name + ": " + malformed(e) + at(e));
        }
        try {
            json.peek();   // END_DOCUMENT, or Gson refuses what follows
        } catch (IOException e) {
            throw new DataError("--set " + name + ": unexpected text after the value" + at(e));
        }
        var dims = new ArrayList<Integer>();
        for (Object node = tree; node instanceof List<?> list; node = list.isEmpty() ? null : list.get(0)) {
            dims.add(list.size());
        }
        var data = new double[dims.stream().reduce(1, (a, b) -> a * b)];
        var filled = new int[1];
        flatten(tree, 0, name, name, dims, data, filled);
        return Tensor.of(Shape.of(dims.stream().mapToInt(Integer::intValue).toArray()), data);
    }

    private static final Pattern GSON_POSITION = Pattern.compile(" at line (\\d+) column (\\d+) path ");
    private static final Pattern GSON_NESTING = Pattern.compile("Nesting limit (\\d+) reached");

    /** What is wrong, in our words: Gson's own suggest lenient parsing and link to its troubleshooting page. */
    private static String malformed(IOException e) {
        String message = String.valueOf(e.getMessage());
        Matcher nesting = GSON_NESTING.matcher(message);
        if (nesting.find()) return "arrays nested more than " + nesting.group(1) + " deep";
        if (message.startsWith("End of input")) return "the JSON ends too early";
        if (message.startsWith("Unterminated array")) return "expected ',' or ']' in an array";
        if (message.startsWith("Unterminated string")) return "unterminated string";
        return "not valid JSON";
    }

    /**
     * {@code " near column 5"} (with the line if there are several), from Gson's message, or "".
     * Near: Gson counts the column after the character it refused, for most errors.
     */
    private static String at(IOException e) {
        Matcher m = GSON_POSITION.matcher(String.valueOf(e.getMessage()));
        if (!m.find()) return "";
        return m.group(1).equals("1") ? " near column " + m.group(2) : " near line " + m.group(1) + ", column " + m.group(2);
    }

    /** A Double, or a List of trees; {@code path} names the value in messages. */
    private static Object read(JsonReader json, String name, String path) throws IOException {
        JsonToken token = json.peek();
        switch (token) {
            case BEGIN_ARRAY: {
                var items = new ArrayList<Object>();
                json.beginArray();
                while (json.hasNext()) items.add(read(json, name, path + "[" + items.size() + "]"));
                json.endArray();
                return items;
            }
            case NUMBER: {
                String number = json.nextString();
                double v = Double.parseDouble(number);
                if (Double.isInfinite(v)) throw new DataError(where(name, path) + number + " is too large for a double");
                return v;
            }
            case STRING: {
                String s = json.nextString();
                switch (s) {
                    case "NaN": return Double.NaN;
                    case "Infinity": return Double.POSITIVE_INFINITY;
                    case "-Infinity": return Double.NEGATIVE_INFINITY;
                    default: throw new DataError(where(name, path) + "expected a number or an array of numbers, found the string \""
                            + s + "\" (the only strings allowed are \"NaN\", \"Infinity\" and \"-Infinity\")");
                }
            }
            case BOOLEAN:
                throw new DataError(where(name, path) + "expected a number or an array of numbers, found " + json.nextBoolean());
            case NULL:
                json.nextNull();
                throw new DataError(where(name, path) + "expected a number or an array of numbers, found null");
            case BEGIN_OBJECT:
                throw new DataError(where(name, path) + "expected a number or an array of numbers, found an object");
            default:
                throw new DataError(where(name, path) + "expected a number or an array of numbers, found " + token);
        }
    }

    /** {@code --set x: } for the value itself, {@code --set x: x[1]: } for a part of it. */
    private static String where(String name, String path) {
        return path.equals(name) ? "--set " + name + ": " : "--set " + name + ": " + path + ": ";
    }

    /**
     * Copies the numbers in row-major order, checking that every array at depth k has
     * {@code dims[k]} items and that numbers sit exactly at depth {@code dims.size()}: the
     * dims were read along the first items, so each mismatch is named against the first.
     */
    private static void flatten(Object node, int depth, String name, String path, List<Integer> dims,
                                double[] data, int[] filled) {
        String ragged = "--set " + name + ": ragged array: ";
        String first = name + "[0]".repeat(depth);
        if (depth < dims.size()) {
            if (!(node instanceof List<?> list)) {
                throw new DataError(ragged + path + " is a number but " + first + " is an array");
            }
            if (list.size() != dims.get(depth)) {
                throw new DataError(ragged + path + " has " + list.size() + " items but " + first + " has " + dims.get(depth));
            }
            for (int i = 0; i < list.size(); i++) {
                flatten(list.get(i), depth + 1, name, path + "[" + i + "]", dims, data, filled);
            }
        } else if (node instanceof List<?>) {
            throw new DataError(ragged + path + " is an array but " + first + " is a number");
        } else {
            data[filled[0]++] = (Double) node;
        }
    }
}
