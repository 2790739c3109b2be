package org.graft.models.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;

import org.junit.jupiter.api.Test;

class DataSetsTest {
    static final String EXPECTED = "expected one of digits, mnist:DIR, fashion-mnist:DIR (or fashion:DIR), csv:FILE, csv-seq:FILE, xor, sine, donut, lorenz, "
            + "sine-seq";

    @Test
    void digitsIsTheBundledSetSplitInto1438TrainingAnd359TestImages() throws IOException {
        Data digits = DataSets.load("digits");
        assertEquals("digits", digits.name());
        assertEquals(1438, digits.train().size());
        assertEquals(359, digits.test().size());
        assertEquals(10, digits.train().classes());
        assertTrue(digits.isImages());
        assertEquals(8, digits.height());
        assertEquals(8, digits.width());
        assertEquals(Digits.load().split(0.2, 20240601L), digits.split());
    }

    @Test
    void namesAreReadWithoutRegardToCase() throws IOException {
        assertEquals(DataSets.load("xor"), DataSets.load("XOR"));
    }

    @Test
    void anUnknownNameIsRefusedWithTheValidForms() {
        assertRefused("cifar10", "unknown data set \"cifar10\"; " + EXPECTED);
        assertRefused("", "unknown data set \"\"; " + EXPECTED);
        assertRefused("/data/mnist", "unknown data set \"/data/mnist\"; " + EXPECTED);
    }

    @Test
    void aSetThatReadsFilesNeedsThemAfterTheColon() {
        assertRefused("mnist", "data set \"mnist\": expected mnist:DIR, with the directory after the colon; " + EXPECTED);
        assertRefused("fashion:", "data set \"fashion:\": expected fashion:DIR, with the directory after the colon; " + EXPECTED);
        assertRefused("csv", "data set \"csv\": expected csv:FILE, with the file after the colon; " + EXPECTED);
        assertRefused("csv-seq:", "data set \"csv-seq:\": expected csv-seq:FILE, with the file after the colon; " + EXPECTED);
    }

    @Test
    void aSetThatIsNotReadFromFilesTakesNothingAfterItsName() {
        assertRefused("digits:8x8", "data set \"digits:8x8\": digits takes nothing after it; " + EXPECTED);
        assertRefused("sine:", "data set \"sine:\": sine takes nothing after it; " + EXPECTED);
        assertRefused("lorenz:100", "data set \"lorenz:100\": lorenz takes nothing after it; " + EXPECTED);
    }

    @Test
    void formsHaveOneLineForEachFormStartingWithIt() {
        List<String> syntax = List.of("digits", "mnist:DIR", "fashion-mnist:DIR", "csv:FILE", "csv-seq:FILE", "xor", "sine", "donut", "lorenz",
                "sine-seq");
        assertEquals(syntax.size(), DataSets.FORMS.size());
        for (int i = 0; i < syntax.size(); i++) {
            assertTrue(DataSets.FORMS.get(i).startsWith(syntax.get(i) + " "), DataSets.FORMS.get(i));
            assertTrue(!DataSets.FORMS.get(i).contains("\n"), DataSets.FORMS.get(i));
        }
    }

    private static void assertRefused(String spec, String message) {
        var e = assertThrows(IllegalArgumentException.class, () -> DataSets.load(spec));
        assertEquals(message, e.getMessage());
    }
}
