package org.graft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

class JsonTest {

    private static String written(Map<String, Tensor> values) {
        var out = new StringWriter();
        Json.write(values, out);
        return out.toString();
    }

    private static Map<String, Tensor> ordered(Object... nameThenTensor) {
        var values = new LinkedHashMap<String, Tensor>();
        for (int i = 0; i < nameThenTensor.length; i += 2) values.put((String) nameThenTensor[i], (Tensor) nameThenTensor[i + 1]);
        return values;
    }

    // ---- eval's output -----------------------------------------------------------------------------

    @Example
    void eachOutputIsItsShapeAndRowMajorDataInOrder() {
        assertEquals("{\"loss\": {\"shape\": [], \"data\": [0.6931]}, "
                        + "\"logits\": {\"shape\": [2, 3], \"data\": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]}}\n",
                written(ordered("loss", Tensor.scalar(0.6931), "logits", Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3))));
    }

    @Example
    void theOrderIsTheOutputsNotTheNames() {
        assertEquals("{\"z\": {\"shape\": [1], \"data\": [1.0]}, \"a\": {\"shape\": [1, 1, 1], \"data\": [2.0]}}\n",
                written(ordered("z", Tensor.vector(1), "a", Tensor.of(new double[] {2}, 1, 1, 1))));
    }

    @Example
    void noOutputsIsAnEmptyObject() { assertEquals("{}\n", written(Map.of())); }

    @Example
    void anEmptyTensorHasItsShapeAndNoData() {
        assertEquals("{\"e\": {\"shape\": [0, 3], \"data\": []}}\n", written(ordered("e", Tensor.zeros(Shape.of(0, 3)))));
    }

    @Example
    void nonFiniteValuesAreStrings() {
        assertEquals("{\"v\": {\"shape\": [4], \"data\": [\"NaN\", \"Infinity\", \"-Infinity\", -0.0]}}\n",
                written(ordered("v", Tensor.vector(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0))));
    }

    @Example
    void numbersAreWrittenAsDoubleToStringWritesThem() {
        assertEquals("{\"v\": {\"shape\": [5], \"data\": [0.1, 1.0E-5, 1.0E21, 4.9E-324, 1.7976931348623157E308]}}\n",
                written(ordered("v", Tensor.vector(0.1, 1e-5, 1e21, Double.MIN_VALUE, Double.MAX_VALUE))));
    }

    @Example
    void namesAreEscapedAsJsonStrings() {
        assertEquals("{\"d\\\"loss\\\"/dW\": {\"shape\": [], \"data\": [1.0]}}\n",
                written(ordered("d\"loss\"/dW", Tensor.scalar(1))));
    }

    @Property(tries = 100)
    void everyDoubleReadsBackExactly(@ForAll("anyBits") List<Double> values) {
        double[] data = values.stream().mapToDouble(Double::doubleValue).toArray();
        JsonObject t = JsonParser.parseString(written(ordered("t", Tensor.vector(data)))).getAsJsonObject()
                .getAsJsonObject("t");
        assertEquals(data.length, t.getAsJsonArray("shape").get(0).getAsInt());
        List<JsonElement> read = t.getAsJsonArray("data").asList();
        for (int i = 0; i < data.length; i++) {
            JsonElement e = read.get(i);
            double back = e.getAsJsonPrimitive().isString() ? Double.parseDouble(e.getAsString()) : e.getAsDouble();
            assertEquals(Double.doubleToLongBits(data[i]), Double.doubleToLongBits(back), "element " + i);
        }
    }

    /** Doubles from random bits: every exponent, subnormals, infinities and NaNs included. */
    @Provide
    Arbitrary<List<Double>> anyBits() {
        return Arbitraries.longs().map(Double::longBitsToDouble).list().ofMaxSize(30);
    }

    @Property(tries = 100)
    void whatEvalWritesSetReadsBack(@ForAll("anyBits") List<Double> values) {
        Tensor t = Tensor.of(values.stream().mapToDouble(Double::doubleValue).toArray(), values.size());
        JsonObject json = JsonParser.parseString(written(ordered("t", t))).getAsJsonObject().getAsJsonObject("t");
        assertEquals(t, Json.parse("t", json.get("data").toString()));
    }

    // ---- --set values ---------------------------------------------------------------------------------

    @Example
    void aNumberIsAScalar() {
        assertEquals(Tensor.scalar(2.5), Json.parse("x", "2.5"));
        assertEquals(Tensor.scalar(-1e-3), Json.parse("x", " -1E-3 "));
    }

    @Example
    void nestedArraysGiveTheirShapeRowMajor() {
        assertEquals(Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3), Json.parse("x", "[[1, 2, 3], [4, 5, 6]]"));
        assertEquals(Tensor.of(new double[] {1, 2}, 2, 1, 1), Json.parse("x", "[[[1]], [[2]]]"));
    }

    @Example
    void emptyArraysGiveZeroDims() {
        assertEquals(Tensor.zeros(Shape.of(0)), Json.parse("x", "[]"));
        assertEquals(Tensor.zeros(Shape.of(2, 0)), Json.parse("x", "[[], []]"));
    }

    @Example
    void theNonFiniteStringsAreTheirValues() {
        assertEquals(Tensor.vector(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY),
                Json.parse("x", "[\"NaN\", \"Infinity\", \"-Infinity\"]"));
    }

    private static String refused(String json) {
        return assertThrows(DataError.class, () -> Json.parse("x", json)).getMessage();
    }

    @Example
    void aRowOfTheWrongLengthIsNamedAgainstTheFirst() {
        assertEquals("--set x: ragged array: x[1] has 2 items but x[0] has 3", refused("[[1, 2, 3], [4, 5]]"));
        assertEquals("--set x: ragged array: x[1][1] has 2 items but x[0][0] has 1", refused("[[[1], [2]], [[3], [4, 5]]]"));
        assertEquals("--set x: ragged array: x[1] has 1 items but x[0] has 0", refused("[[], [1]]"));
    }

    @Example
    void aNumberBesideAnArrayIsRagged() {
        assertEquals("--set x: ragged array: x[1] is a number but x[0] is an array", refused("[[1, 2], 3]"));
        assertEquals("--set x: ragged array: x[1] is an array but x[0] is a number", refused("[1, [2]]"));
        assertEquals("--set x: ragged array: x[0][1] is an array but x[0][0] is a number", refused("[[1, []]]"));
    }

    @Example
    void valuesThatAreNotNumbersAreNamed() {
        assertEquals("--set x: expected a number or an array of numbers, found true", refused("true"));
        assertEquals("--set x: x[1]: expected a number or an array of numbers, found null", refused("[1, null]"));
        assertEquals("--set x: x[0][0]: expected a number or an array of numbers, found an object", refused("[[{\"a\": 1}]]"));
        assertEquals("--set x: x[0]: expected a number or an array of numbers, found the string \"1\" "
                + "(the only strings allowed are \"NaN\", \"Infinity\" and \"-Infinity\")", refused("[\"1\"]"));
    }

    @Example
    void aNumberBeyondDoublesIsRefused() {
        assertEquals("--set x: x[1]: 1e400 is too large for a double", refused("[1, 1e400]"));
    }

    @Example
    void textThatIsNotJsonIsRefusedWithWhereItGoesWrong() {
        assertEquals("--set x: the JSON ends too early near column 1", refused(""));
        assertEquals("--set x: the JSON ends too early near column 6", refused("[1, 2"));
        assertEquals("--set x: expected ',' or ']' in an array near column 5", refused("[1 2]"));
        assertEquals("--set x: not valid JSON near column 5", refused("[1,]"));
        assertEquals("--set x: not valid JSON near column 1", refused("NaN"));
        assertEquals("--set x: not valid JSON near column 2", refused("'1'"));
        assertEquals("--set x: unterminated string near column 5", refused("\"abc"));
        assertEquals("--set x: not valid JSON near line 2, column 2", refused("[1,\n,]"));
    }

    @Example
    void textAfterTheValueIsRefused() {
        assertEquals("--set x: unexpected text after the value near column 4", refused("1 2"));
        assertEquals("--set x: unexpected text after the value near column 6", refused("[1] [2]"));
    }

    @Example
    void nestingDeeperThanJsonReadsIsRefusedWithoutOverflow() {
        assertEquals("--set x: arrays nested more than 255 deep near column 257",
                refused("[".repeat(100_000) + "]".repeat(100_000)));
    }
}
