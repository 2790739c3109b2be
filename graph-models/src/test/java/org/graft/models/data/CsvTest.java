package org.graft.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import org.graft.core.SourcePos;
import org.graft.core.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTest {
    @TempDir Path dir;

    @Test
    void aFirstLineWithANameIsAHeader() throws IOException {
        Dataset data = read("x1,x2,y\n1,2,0.5\n3,4,1.5\n");
        assertEquals(Tensor.matrix(new double[] {1, 2}, new double[] {3, 4}), data.features());
        assertEquals(Tensor.matrix(new double[] {0.5}, new double[] {1.5}), data.targets());
    }

    @Test
    void aFirstLineOfNumbersIsData() throws IOException {
        assertEquals(3, read("1,2,0.5\n3,4,1.5\n5,6,2.5\n").size());
    }

    @Test
    void oneNameAmongNumbersMakesAHeader() throws IOException {
        assertEquals(1, read("1,2,target\n3,4,1.5\n").size());
    }

    @Test
    void integerTargetsFrom0MakeAClassificationSetWithTheLargestPlusOneClasses() throws IOException {
        Dataset data = read("a,b,class\n0.1,0.2,2\n0.3,0.4,0\n0.5,0.6,1.0\n0.7,0.8,2\n");
        assertTrue(data.isClassification());
        assertEquals(3, data.classes());
        assertArrayEquals(new int[] {2, 0, 1, 2}, data.labels());
        assertEquals(Tensor.matrix(new double[] {0, 0, 1}, new double[] {1, 0, 0}, new double[] {0, 1, 0},
                new double[] {0, 0, 1}), data.targets());
    }

    @Test
    void zeroAndOneTargetsAreTwoClasses() throws IOException {
        assertEquals(2, read("1,0\n2,1\n3,0\n").classes());
    }

    @Test
    void targetsThatAreNotLabelsOfTwoTo1000ClassesAreRegression() throws IOException {
        for (String targets : new String[] {"0,1,2.5", "0,1,-1", "0,0,0", "0,1,1000"}) {
            String[] t = targets.split(",");
            Dataset data = read("1," + t[0] + "\n2," + t[1] + "\n3," + t[2] + "\n");
            assertFalse(data.isClassification(), targets);
            assertEquals(0, data.classes(), targets);
            assertArrayEquals(new int[] {3, 1}, data.targets().shape().dims(), targets);
        }
    }

    @Test
    void targetsFrom0To999EachWithAnExampleMake1000Classes() throws IOException {
        var text = new StringBuilder();
        for (int c = 999; c >= 0; c--) text.append(c * 0.5).append(',').append(c).append('\n');
        assertEquals(1000, read(text.toString()).classes());
    }

    @Test
    void aLabelThatLeavesClassesWithoutExamplesMakesARegressionSetThatSaysWhere() throws IOException {
        Csv.Table table = Csv.read(write("a,label\n0.1,0\n0.2,1\n0.3,1\n0.4, 7\n0.5,0\n0.6,7\n"));
        assertFalse(table.examples().isClassification());
        assertEquals(new Data.NotClasses(new SourcePos(dir.resolve("data.csv").toString(), 5, 6),
                "7, and no example of the classes 2 to 6 (classes seen: 0, 1, 7)"), table.notClasses());
        assertEquals(new Data.NotClasses(new SourcePos(dir.resolve("data.csv").toString(), 3, 3),
                "3, and no example of the class 0 (classes seen: 1 to 3)"), Csv.read(write("1,1\n2,2\n3,3\n")).notClasses());
        assertEquals(null, Csv.read(write("1,1\n2,0\n3,1\n")).notClasses());
        assertEquals(null, DataSets.load("csv:" + dir.resolve("data.csv")).notClasses());
    }

    @Test
    void targetsThatAreNoLabelsSayWhyAtTheFirstThatShowsIt() throws IOException {
        String file = dir.resolve("data.csv").toString();
        String[][] cases = {{"0,1,2.5", "3:3", "2.5, not a whole number"}, {"0,1,-1", "3:3", "-1, below 0"},
                {"0,0,0", "1:3", "only the class 0, in every row"},
                {"0,1000,1", "2:3", "1000, which makes more than the 1000 classes a data set may have"}};
        for (String[] c : cases) {
            String[] t = c[0].split(",");
            Csv.Table table = Csv.read(write("1," + t[0] + "\n2," + t[1] + "\n3," + t[2] + "\n"));
            Data.NotClasses why = table.notClasses();
            assertEquals(file + ":" + c[1] + " " + c[2], why.pos() + " " + why.found(), c[0]);
        }
        Data split = DataSets.load("csv:" + write("x,t\n1,0.5\n2,1\n3,0\n4,1\n5,0\n"));
        assertEquals(new Data.NotClasses(new SourcePos(file, 2, 3), "0.5, not a whole number"), split.notClasses());
    }

    @Test
    void readsSpacesAroundFieldsCarriageReturnsAByteOrderMarkAndBlankLinesAtTheEnd() throws IOException {
        assertEquals(read("x,y\n1,2\n3,4\n"), read("\uFEFF x , y \r\n 1 , 2\r\n3,\t4\r\n\r\n\n"));
    }

    @Test
    void readsNumbersInEveryDecimalForm() throws IOException {
        Dataset data = read("-1.5,+2,.5,3.,1e3,2.5E-1,0.5\n");
        assertArrayEquals(new double[] {-1.5, 2, 0.5, 3, 1000, 0.25}, data.features().toArray());
    }

    @Test
    void aQuotedHeaderNameMayHoldACommaAndAQuote() throws IOException {
        assertEquals(read("a,b,c\n1,2,3.5\n"), read("\"width, cm\",\"the \"\"b\"\"\",c\n1,2,3.5\n"));
    }

    @Test
    void readsAGzippedFileAsThePlainOne() throws IOException {
        String text = "x,y,label\n1,2,0\n3,4,1\n5,6,1\n";
        Path gz = dir.resolve("data.csv.gz");
        var bytes = new ByteArrayOutputStream();
        try (var out = new GZIPOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        Files.write(gz, bytes.toByteArray());
        assertEquals(read(text), Csv.read(gz).examples());
    }

    @Test
    void dataSetsHoldsOutASeeded20PercentForTesting() throws IOException {
        var text = new StringBuilder("x,y\n");
        for (int i = 0; i < 50; i++) text.append(i).append(',').append(i * 0.5).append('\n');
        Path file = write(text.toString());
        Data data = DataSets.load("csv:" + file);
        assertEquals("data.csv", data.name());
        assertFalse(data.isImages());
        assertEquals(40, data.train().size());
        assertEquals(10, data.test().size());
        assertEquals(data, DataSets.load("csv:" + file));
        assertEquals(Csv.read(file).examples().split(0.2, DataSets.SPLIT_SEED).test(), data.test());
        double[] all = Tensor.concat(List.of(data.train().features(), data.test().features()), 0).toArray();
        Arrays.sort(all);
        for (int i = 0; i < 50; i++) assertEquals(i, all[i]);
    }

    @Test
    void refusesARowWithTooFewFieldsAtItsEnd() {
        assertRefused("x,y,t\n1,2,3\n4,5\n", "3:4: expected 3 comma-separated fields as in the header on line 1, found 2");
    }

    @Test
    void refusesARowWithTooManyFieldsAtTheFirstExtraComma() {
        assertRefused("1,2,3\n4,5,6,7\n", "2:6: expected 3 comma-separated fields as in the first row on line 1, found 4");
    }

    @Test
    void refusesAFieldThatIsNotANumberAtItsColumn() {
        assertRefused("x,y\n1,2\n3,  4x\n", "3:5: expected a number, found \"4x\"");
    }

    @Test
    void refusesNaNAndHexadecimal() {
        assertRefused("1,2\nNaN,2\n", "2:1: expected a number, found \"NaN\"");
        assertRefused("1,2\n0x10,2\n", "2:1: expected a number, found \"0x10\"");
    }

    @Test
    void refusesAQuotedNumber() {
        assertRefused("1,2\n\"3\",4\n", "2:1: expected a number, found \"\"3\"\"");
    }

    @Test
    void refusesAnEmptyField() {
        assertRefused("1,2,3\n4,,6\n", "2:3: expected a number, found an empty field");
    }

    @Test
    void refusesANumberBeyondDoublePrecision() {
        assertRefused("1,2\n1e999,2\n", "2:1: expected a number within double precision (about 1.8e308), found 1e999");
    }

    @Test
    void refusesAnEmptyFile() {
        assertRefused("", "1:1: expected rows of comma-separated numbers, found an empty file");
    }

    @Test
    void refusesAFileOfBlankLines() {
        assertRefused("\n \n", "1:1: expected rows of comma-separated numbers, found only blank lines");
    }

    @Test
    void refusesAHeaderWithNoRows() {
        assertRefused("x,y\n", "2:1: expected rows of comma-separated numbers, found only a header");
    }

    @Test
    void refusesABlankLineBetweenRows() {
        assertRefused("1,2\n\n3,4\n", "2:1: expected a row of numbers, found an empty line (a blank line may only end the file)");
    }

    @Test
    void refusesASingleColumn() {
        assertRefused("y\n1\n2\n", "1:1: expected at least 2 comma-separated fields (the features, then the target), found 1");
    }

    @Test
    void refusesAnUnclosedQuote() {
        assertRefused("a,\"b,c\n1,2\n", "1:3: expected a closing double quote for this one, found the end of the line");
    }

    @Test
    void refusesATruncatedGzippedFileAtTheLineItCuts() throws IOException {
        var text = new StringBuilder();
        for (int i = 0; i < 20_000; i++) text.append(i).append(',').append(Math.sin(i)).append('\n');
        var bytes = new ByteArrayOutputStream();
        try (var out = new GZIPOutputStream(bytes)) {
            out.write(text.toString().getBytes(StandardCharsets.UTF_8));
        }
        Path gz = dir.resolve("cut.csv.gz");
        Files.write(gz, Arrays.copyOf(bytes.toByteArray(), bytes.size() / 2));
        var e = assertThrows(CorruptDataException.class, () -> Csv.read(gz));
        assertEquals("expected more gzip data, found the end of the file (is it truncated?)", e.detail());
        assertTrue(e.pos().line() > 1, "refused at line " + e.pos().line());
    }

    @Test
    void refusesGzipDataUnderAPlainName() throws IOException {
        var bytes = new ByteArrayOutputStream();
        try (var out = new GZIPOutputStream(bytes)) {
            out.write("1,2\n3,4\n".getBytes(StandardCharsets.UTF_8));
        }
        Path file = dir.resolve("data.csv");
        Files.write(file, bytes.toByteArray());
        var e = assertThrows(CorruptDataException.class, () -> Csv.read(file));
        assertEquals(file + ": expected text, found gzip data (name it data.csv.gz)", e.getMessage());
    }

    @Test
    void dataSetsRefusesTooFewRowsToHoldOutATestSet() throws IOException {
        Path file = write("x,y\n1,2\n3,4\n");
        var e = assertThrows(CorruptDataException.class, () -> DataSets.load("csv:" + file));
        assertEquals(file + ": expected at least 3 rows, so that 20% of them can be held out for testing, found 2",
                e.getMessage());
    }

    @Test
    void refusesAMissingFileAsUnreadableNotCorrupt() {
        Path file = dir.resolve("absent.csv");
        var e = assertThrows(IOException.class, () -> DataSets.load("csv:" + file));
        assertFalse(e instanceof CorruptDataException);
        assertEquals(file + ": no such file; expected a CSV file of numbers", e.getMessage());
    }

    @Test
    void sequencesAreALinePerStepAndPredictTheirNextStep() throws IOException {
        // three sequences of three steps of two values, in the order of the file whatever their ids
        Dataset data = sequences("id,a,b\n7,1,10\n7,2,20\n7,3,30\n3,4,40\n3,5,50\n3,6,60\n5, 7,70\n5,8,80\n5,9,90\n");
        assertTrue(data.isSequences() && data.isNextStep());
        assertArrayEquals(new int[] {2, 3, 2}, data.features().shape().dims());
        assertArrayEquals(new int[] {2, 3, 2}, data.targets().shape().dims());
        for (int i = 0; i < 3; i++) {
            for (int t = 0; t < 2; t++) {
                double value = 3 * i + t + 1;   // sequence i's step t holds 3i + t + 1 and ten times that
                assertEquals(value, data.features().get(t, i, 0));
                assertEquals(10 * value, data.features().get(t, i, 1));
                assertEquals(value + 1, data.targets().get(t, i, 0));
                assertEquals(10 * (value + 1), data.targets().get(t, i, 1));
            }
        }
    }

    @Test
    void sequencesNeedNoHeader() throws IOException {
        assertEquals(2, sequences("1,0.5\n1,0.6\n2,0.7\n2,0.8\n").size());
    }

    @Test
    void refusesASequenceOfAnotherLengthThanTheFirst() {
        assertSequencesRefused("id,v\n1,0\n1,1\n1,2\n2,0\n2,1\n3,0\n3,1\n3,2\n",
                "5:1: expected every sequence to have the 3 steps of the first, sequence 1 (line 2 on), found 2 in sequence 2 (line 5 on)");
    }

    @Test
    void refusesSequencesOfOneStep() {
        assertSequencesRefused("1,0\n2,0\n3,0\n",
                "1:1: expected at least 2 steps in a sequence, x at steps 0..T-1 and y at 1..T, found 1 in sequence 1 (line 1)");
    }

    @Test
    void refusesASequenceWhoseLinesAreNotConsecutive() {
        assertSequencesRefused("1,0\n1,1\n2,0\n2,1\n 1.0,2\n1,3\n",
                "5:2: expected the lines of a sequence to be consecutive, found sequence 1 again after sequence 2 (it started on line 1)");
    }

    @Test
    void refusesASequenceFileWithoutValues() {
        assertSequencesRefused("id\n1\n1\n", "1:1: expected at least 2 comma-separated fields (a sequence id, then its values), found 1");
    }

    @Test
    void refusesASequenceValueThatIsNotANumberWhereItIs() {
        assertSequencesRefused("1,0,0\n1,1,1\n2,0,x\n2,1,1\n", "3:5: expected a number, found \"x\"");
        assertSequencesRefused("1,0,0\n1,1\n", "2:4: expected 3 comma-separated fields as in the first row on line 1, found 2");
    }

    @Test
    void dataSetsHoldsOutASeeded20PercentOfTheSequences() throws IOException {
        var text = new StringBuilder("sequence,value\n");
        for (int i = 0; i < 10; i++) for (int t = 0; t < 4; t++) text.append(i).append(',').append(10 * i + t).append('\n');
        Path file = write(text.toString());
        Data data = DataSets.load("csv-seq:" + file);
        assertEquals(List.of(8, 2), List.of(data.train().size(), data.test().size()));
        assertEquals(Csv.sequences(file).split(0.2, DataSets.SPLIT_SEED), data.split());
        var seen = new java.util.TreeSet<Integer>();
        for (Dataset part : List.of(data.train(), data.test())) {
            for (int i = 0; i < part.size(); i++) {
                int id = (int) part.features().get(0, i, 0) / 10;
                seen.add(id);
                for (int t = 0; t < 3; t++) assertEquals(10 * id + t + 1, part.targets().get(t, i, 0));   // whole sequences
            }
        }
        assertEquals(10, seen.size());
        assertEquals(DataSets.load("csv-seq:" + file), data);
    }

    @Test
    void dataSetsRefusesTooFewSequencesToHoldOutATestSet() throws IOException {
        Path file = write("1,0\n1,1\n2,0\n2,1\n");
        var e = assertThrows(CorruptDataException.class, () -> DataSets.load("csv-seq:" + file));
        assertEquals(file + ": expected at least 3 sequences, so that 20% of them can be held out for testing, found 2", e.getMessage());
    }

    private Dataset sequences(String text) throws IOException { return Csv.sequences(write(text)); }

    private void assertSequencesRefused(String text, String message) {
        var e = assertThrows(CorruptDataException.class, () -> sequences(text));
        assertEquals(dir.resolve("data.csv") + ":" + message, e.getMessage());
    }

    private Path write(String text) throws IOException {
        Path file = dir.resolve("data.csv");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    private Dataset read(String text) throws IOException { return Csv.read(write(text)).examples(); }

    private void assertRefused(String text, String message) {
        var e = assertThrows(CorruptDataException.class, () -> read(text));
        assertEquals(dir.resolve("data.csv") + ":" + message, e.getMessage());
    }
}
