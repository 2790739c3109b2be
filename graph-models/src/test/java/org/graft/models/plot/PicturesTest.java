package org.graft.models.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.GraphicsEnvironment;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import javax.imageio.ImageIO;

import org.graft.core.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PicturesTest {
    @TempDir Path dir;

    private static final int BLACK = 0x000000, WHITE = 0xffffff, MID_GREY = 0x808080;
    private static final int GAP = Pictures.GAP_COLOUR.getRGB() & 0xffffff;
    private static final int EMPTY = Pictures.EMPTY_COLOUR.getRGB() & 0xffffff;
    private static final int NAN = Pictures.NAN_COLOUR.getRGB() & 0xffffff;

    // ---- image grids -----------------------------------------------------------------------

    @Test
    void pixelsAreScaledSoThatATileIsAbout64PixelsAcross() {
        assertEquals(8, Pictures.scale(8, 8));      // the digits
        assertEquals(2, Pictures.scale(28, 28));    // MNIST
        assertEquals(32, Pictures.scale(2, 2));
        assertEquals(4, Pictures.scale(8, 16));     // the longer side decides
        assertEquals(1, Pictures.scale(100, 100));
    }

    @Test
    void eachTileRunsFromBlackAtItsMinimumToWhiteAtItsMaximum() throws IOException {
        // two 2x2 images on their own scales; 32 screen pixels per image pixel
        Tensor images = Tensor.matrix(new double[] {0, 1, 2, 3}, new double[] {40, 30, 20, 10});
        BufferedImage png = imageGrid(images, 2, 2, 2);
        assertEquals(64 + 1 + 64, png.getWidth());
        assertEquals(64, png.getHeight());
        assertEquals(BLACK, rgb(png, 0, 0));          // tile 0, pixel (0, 0) = 0, its minimum
        assertEquals(WHITE, rgb(png, 63, 63));        // pixel (1, 1) = 3, its maximum
        assertEquals(grey(1 / 3.0), rgb(png, 32, 0)); // pixel (0, 1) = 1
        assertEquals(GAP, rgb(png, 64, 10));          // the gap between the tiles
        assertEquals(WHITE, rgb(png, 65, 0));         // tile 1, pixel (0, 0) = 40, its maximum
        assertEquals(BLACK, rgb(png, 65 + 63, 63));   // pixel (1, 1) = 10, its minimum
    }

    @Test
    void aConstantTileIsMidGrey() throws IOException {
        BufferedImage png = imageGrid(Tensor.matrix(new double[] {5, 5, 5, 5}), 2, 2, 1);
        assertEquals(MID_GREY, rgb(png, 0, 0));
        assertEquals(MID_GREY, rgb(png, 63, 63));
    }

    @Test
    void tilesFillRowsOfTheGivenColumnsAndTheLastRowsEmptyCellsAreMarkedEmpty() throws IOException {
        // five 1x1 images, three to a row: two rows, one empty cell
        Tensor images = Tensor.matrix(new double[] {0}, new double[] {1}, new double[] {2}, new double[] {3}, new double[] {4});
        BufferedImage png = imageGrid(images, 1, 1, 3);
        assertEquals(3 * 64 + 2, png.getWidth());
        assertEquals(2 * 64 + 1, png.getHeight());
        assertEquals(MID_GREY, rgb(png, 65, 65));           // image 4, second row, second column: constant
        assertEquals(GAP, rgb(png, 2 * 65 - 1, 65 + 10));   // the gap after the last image
        assertEquals(EMPTY, rgb(png, 2 * 65, 65 + 10));     // the empty cell
        assertEquals(EMPTY, rgb(png, 3 * 64 + 1, 2 * 64));    // its bottom right corner
    }

    @Test
    void fewerImagesThanColumnsMakeANarrowerGrid() throws IOException {
        BufferedImage png = imageGrid(Tensor.matrix(new double[] {0, 1}, new double[] {1, 0}), 1, 2, 10);
        assertEquals(2 * 64 + 1, png.getWidth());
    }

    @Test
    void an8x8DigitIsDrawnWithPixelsOf8x8() throws IOException {
        double[] digit = new double[64];
        digit[9] = 1;                              // row 1, column 1
        BufferedImage png = imageGrid(Tensor.of(digit, 1, 64), 8, 8, 1);
        assertEquals(64, png.getWidth());
        assertEquals(WHITE, rgb(png, 8, 8));
        assertEquals(WHITE, rgb(png, 15, 15));
        assertEquals(BLACK, rgb(png, 16, 15));
        assertEquals(BLACK, rgb(png, 7, 8));
    }

    @Test
    void nanPixelsAreMarkedAndInfinitiesClampedWithoutSpoilingTheScale() throws IOException {
        Tensor images = Tensor.matrix(new double[] {Double.NaN, Double.POSITIVE_INFINITY, 1, 3});
        BufferedImage png = imageGrid(images, 2, 2, 1);
        assertEquals(NAN, rgb(png, 0, 0));
        assertEquals(WHITE, rgb(png, 32, 0));
        assertEquals(BLACK, rgb(png, 0, 32));   // 1, the finite minimum
        assertEquals(WHITE, rgb(png, 32, 32));  // 3, the finite maximum
    }

    @Test
    void imagesOfTheWrongShapeAreRefused() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Pictures.imageGrid(dir.resolve("g.png"), Tensor.of(new double[630], 10, 63), 8, 8, 5));
        assertEquals("imageGrid: expected images of shape [k, 64], k >= 1, one 8x8 image a row, found [10, 63]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Pictures.imageGrid(dir.resolve("g.png"), Tensor.vector(new double[64]), 8, 8, 5));
        assertEquals("imageGrid: expected images of shape [k, 64], k >= 1, one 8x8 image a row, found [64]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Pictures.imageGrid(dir.resolve("g.png"), Tensor.of(new double[0], 0, 64), 8, 8, 5));
        assertEquals("imageGrid: expected images of shape [k, 64], k >= 1, one 8x8 image a row, found [0, 64]", e.getMessage());
        assertFalse(Files.exists(dir.resolve("g.png")));
    }

    @Test
    void columnsBelowOneAreRefused() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Pictures.imageGrid(dir.resolve("g.png"), Tensor.of(new double[64], 1, 64), 8, 8, 0));
        assertEquals("imageGrid: expected columns >= 1, found 0", e.getMessage());
    }

    @Test
    void sizesBelowOnePixelAreRefused() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Pictures.imageGrid(dir.resolve("g.png"), Tensor.of(new double[0], 1, 0), 0, 8, 1));
        assertEquals("imageGrid: expected images of at least 1x1 pixels, found 0x8", e.getMessage());
    }

    // ---- reconstructions -------------------------------------------------------------------

    @Test
    void eachInputIsDrawnAboveItsReconstructionWithValuesAsTheyAre() throws IOException {
        // 2x2 images: tiles of 64, the reconstruction row starts at 64 + 1
        Tensor inputs = Tensor.matrix(new double[] {0, 1, 0.5, 0.25}, new double[] {1, 1, 1, 1});
        Tensor outputs = Tensor.matrix(new double[] {0.5, 1.7, -0.2, 0.25}, new double[] {0.75, 0.75, 0.75, 0.75});
        BufferedImage png = reconstructions(inputs, outputs, 2, 2);
        assertEquals(2 * 64 + 1, png.getWidth());
        assertEquals(2 * 64 + 1, png.getHeight());
        assertEquals(BLACK, rgb(png, 0, 0));                // input 0, pixel (0, 0) = 0
        assertEquals(grey(0.5), rgb(png, 0, 65));           // its reconstruction, pixel (0, 0) = 0.5, not rescaled
        assertEquals(WHITE, rgb(png, 32, 65));              // 1.7 clamped to white
        assertEquals(BLACK, rgb(png, 0, 65 + 32));          // -0.2 clamped to black
        assertEquals(grey(0.25), rgb(png, 32, 65 + 32));
        assertEquals(WHITE, rgb(png, 65, 0));               // input 1, a constant 1: white, not mid-grey
        assertEquals(grey(0.75), rgb(png, 65, 65));         // its reconstruction
        assertEquals(GAP, rgb(png, 10, 64));                // between the input and its reconstruction
    }

    @Test
    void moreThanTenInputsWrapIntoPairsOfRowsWithAWiderGapBetween() throws IOException {
        double[] zeros = new double[12], ones = new double[12];
        Arrays.fill(ones, 1);
        BufferedImage png = reconstructions(Tensor.of(zeros, 12, 1), Tensor.of(ones, 12, 1), 1, 1);
        int pair = 2 * 64 + 1;
        assertEquals(10 * 64 + 9, png.getWidth());
        assertEquals(2 * pair + 4, png.getHeight());
        assertEquals(BLACK, rgb(png, 0, pair + 4));           // input 10, first of the second pair
        assertEquals(WHITE, rgb(png, 0, pair + 4 + 65));      // its reconstruction
        for (int y = pair; y < pair + 4; y++) assertEquals(GAP, rgb(png, 0, y));
        assertEquals(EMPTY, rgb(png, 2 * 65, pair + 4));       // the empty cells after input 11 ...
        assertEquals(EMPTY, rgb(png, 2 * 65, pair + 4 + 64));  // ... and across the gap to its reconstruction row
    }

    @Test
    void reconstructionsOfAnotherShapeAreRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> Pictures.reconstructions(dir.resolve("r.png"),
                Tensor.of(new double[8], 2, 4), Tensor.of(new double[12], 3, 4), 2, 2));
        assertEquals("reconstructions: expected one reconstruction per input, shape [2, 4], found [3, 4]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Pictures.reconstructions(dir.resolve("r.png"),
                Tensor.of(new double[8], 2, 4), Tensor.of(new double[6], 2, 3), 2, 2));
        assertEquals("reconstructions: expected reconstructions of shape [k, 4], k >= 1, one 2x2 image a row, found [2, 3]",
                e.getMessage());
    }

    // ---- learning curves -------------------------------------------------------------------

    private static final int TRAIN = 0x1f77b4, VALID = 0xff7f0e, TEST = 0x2ca02c, MARKER = 0x808080;

    /** A run with a validation split: the loss of both splits in a panel, the accuracy in another, the test figures once. */
    private static List<Pictures.Panel> validated() {
        var loss = new LinkedHashMap<String, double[]>();
        loss.put("train_loss", new double[] {2.3, 1.1, 0.6, 0.4, 0.31, 0.28});
        loss.put("valid_loss", new double[] {2.0, 1.0, 0.7, 0.5, 0.52, 0.55});
        return List.of(new Pictures.Panel("loss", loss, Map.of("test_loss", 0.53)),
                new Pictures.Panel("accuracy", Map.of("valid_accuracy", new double[] {0.12, 0.71, 0.85, 0.91, 0.9, 0.89}),
                        Map.of("test_accuracy", 0.9)));
    }

    @Test
    void aLearningCurveIsAPngOf800ByAPanelPerMeasureEachSplitInItsColour() throws IOException {
        Path file = dir.resolve("curve.png");
        Pictures.learningCurve(file, "MLP on the digits", new int[] {1, 2, 3, 4, 5, 6}, validated(), 0);
        BufferedImage png = ImageIO.read(file.toFile());
        assertEquals(800, png.getWidth());
        assertEquals(100 + 2 * 200, png.getHeight());
        assertTrue(count(png, TRAIN) > 100 && count(png, VALID) > 100, "the train and validation lines");
        assertEquals(0, count(png, TEST), "no test figure without a marked epoch");
        assertEquals(List.of(file), list());
    }

    @Test
    void theMarkedEpochIsADashedLineInEveryPanelWithTheFiguresMeasuredOnceOnIt() throws IOException {
        Path plain = dir.resolve("plain.png"), marked = dir.resolve("marked.png");
        int[] epochs = {1, 2, 3, 4, 5, 6};
        Pictures.learningCurve(plain, "", epochs, validated(), 0);
        Pictures.learningCurve(marked, "", epochs, validated(), 4);
        BufferedImage without = ImageIO.read(plain.toFile()), with = ImageIO.read(marked.toFile());
        // two dashed lines across panels of about 150 pixels, dashes of 6 in 10
        assertTrue(count(with, MARKER) - count(without, MARKER) > 2 * 60, "the marker's pixels: " + count(with, MARKER) + " against "
                + count(without, MARKER));
        assertTrue(count(with, TEST) > 2 * 20, "the test figures' points and their legend: " + count(with, TEST));
    }

    @Test
    void nonFiniteValuesAreSkipped() throws IOException {
        Path file = dir.resolve("curve.png");
        Pictures.learningCurve(file, "", new int[] {0, 1, 2, 3, 4}, List.of(
                new Pictures.Panel("loss", Map.of("loss", new double[] {2.3, Double.NaN, 0.6, Double.POSITIVE_INFINITY, 0.3}), Map.of()),
                new Pictures.Panel("diverged", Map.of("diverged", new double[] {Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN}),
                        Map.of("test_diverged", Double.NaN))), 2);
        BufferedImage png = ImageIO.read(file.toFile());
        assertEquals(100 + 2 * 200, png.getHeight());
        assertTrue(colours(png) > 2);
    }

    @Test
    void aLineOfAnotherLengthThanTheEpochsOrAnEmptyPanelIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> Pictures.learningCurve(dir.resolve("c.png"), "t",
                new int[] {1, 2, 3}, List.of(new Pictures.Panel("loss", Map.of("loss", new double[] {1, 2}), Map.of())), 0));
        assertEquals("learningCurve: line 'loss': expected 3 values, one per epoch, found 2", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Pictures.learningCurve(dir.resolve("c.png"), "t",
                new int[] {1}, List.of(new Pictures.Panel("loss", Map.of(), Map.of())), 0));
        assertEquals("learningCurve: panel 'loss': expected a line or a point, found none", e.getMessage());
    }

    @Test
    void aLearningCurveWithoutPanelsIsRefused() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Pictures.learningCurve(dir.resolve("c.png"), "t", new int[] {1}, List.of(), 0));
        assertEquals("learningCurve: expected at least one panel, found none", e.getMessage());
    }

    // ---- confusion matrices ----------------------------------------------------------------

    @Test
    void aConfusionMatrixShadesEachCellByItsShareOfItsRow() throws IOException {
        Path file = dir.resolve("confusion.png");
        Pictures.confusionMatrix(file, "three classes", new long[][] {{5, 0, 0}, {1, 3, 0}, {0, 0, 0}});
        BufferedImage png = ImageIO.read(file.toFile());
        assertEquals(80 + 3 * 48 + 20, png.getWidth());
        assertEquals(70 + 3 * 48 + 20, png.getHeight());
        // each cell's top left corner, clear of its count and of the frame
        assertEquals(Pictures.CONFUSION_FULL.getRGB() & 0xffffff, rgb(png, 80 + 2, 70 + 2), "all of class 0 predicted as 0");
        assertEquals(WHITE, rgb(png, 80 + 48 + 2, 70 + 2), "none of class 0 predicted as 1");
        assertEquals(Pictures.shade(0.25).getRGB() & 0xffffff, rgb(png, 80 + 2, 70 + 48 + 2), "one of class 1's four predicted as 0");
        assertEquals(Pictures.shade(0.75).getRGB() & 0xffffff, rgb(png, 80 + 48 + 2, 70 + 48 + 2));
        assertEquals(WHITE, rgb(png, 80 + 2 * 48 + 2, 70 + 2 * 48 + 2), "a class without examples");
        assertTrue(count(png, BLACK) + count(png, WHITE) < png.getWidth() * png.getHeight(), "text and shades");
        // 255 + (8 - 255) 0.95 = 20.35, 255 + (48 - 255) 0.95 = 58.35, 255 + (107 - 255) 0.95 = 114.4
        assertEquals(20 << 16 | 58 << 8 | 114, Pictures.shade(0.95).getRGB() & 0xffffff, "a straight line from white to the dark blue");
    }

    @Test
    void theCellsOfManyClassesShrinkToTwelvePixels() throws IOException {
        assertEquals(48, Pictures.confusionCell(12));
        assertEquals(36, Pictures.confusionCell(16));
        assertEquals(12, Pictures.confusionCell(100));
        Path file = dir.resolve("confusion.png");
        Pictures.confusionMatrix(file, "", new long[100][100]);
        assertEquals(80 + 100 * 12 + 20, ImageIO.read(file.toFile()).getWidth());
    }

    @Test
    void countsThatAreNotASquareMatrixAreRefused() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Pictures.confusionMatrix(dir.resolve("c.png"), "", new long[][] {{1, 2}, {3}}));
        assertEquals("confusionMatrix: expected counts of 2 x 2 classes, found a row of 1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Pictures.confusionMatrix(dir.resolve("c.png"), "", new long[0][]));
        assertEquals("confusionMatrix: expected counts of at least one class, found none", e.getMessage());
    }

    // ---- trajectories ----------------------------------------------------------------------

    private static final int TRUE = Pictures.TRUE_COLOUR.getRGB() & 0xffffff, ORANGE = 0xff7f0e;

    /** {@code f(t, i, c)} for t < steps, i < sequences, c < components, as [steps, sequences, components]. */
    private static Tensor sequences(int steps, int sequences, int components, SequenceValue f) {
        double[] v = new double[steps * sequences * components];
        for (int t = 0; t < steps; t++) {
            for (int i = 0; i < sequences; i++) for (int c = 0; c < components; c++) v[(t * sequences + i) * components + c] = f.at(t, i, c);
        }
        return Tensor.of(v, steps, sequences, components);
    }

    private interface SequenceValue { double at(int t, int i, int c); }

    @Test
    void trajectoriesAreAColumnPerSequenceOfAPanelPerComponentUpToFour() throws IOException {
        Tensor truth = sequences(50, 3, 2, (t, i, c) -> Math.sin(0.2 * t + i + c));
        Path file = dir.resolve("trajectories.png");
        Pictures.trajectories(file, "a model on waves", truth, truth.map(v -> 0.9 * v));
        BufferedImage png = ImageIO.read(file.toFile());
        assertEquals(List.of(3 * 360, 40 + 110 + 2 * 160), List.of(png.getWidth(), png.getHeight()));

        Tensor wide = sequences(10, 1, 6, (t, i, c) -> t * c);
        Pictures.trajectories(file, "", wide, wide);
        png = ImageIO.read(file.toFile());
        assertEquals(List.of(360, 40 + 110 + 4 * 160), List.of(png.getWidth(), png.getHeight()));
        assertEquals(List.of(file), list());
    }

    /** Each sequence's lines are in its own column, the predictions orange over the dark truth, non-finite values left out. */
    @Test
    void eachSequenceIsDrawnInItsColumnWithTheTruthDarkAndThePredictionsOrange() throws IOException {
        Tensor truth = sequences(50, 2, 1, (t, i, c) -> Math.sin(0.2 * t));
        Tensor predicted = sequences(50, 2, 1, (t, i, c) -> i == 0 ? Double.NaN : 0.5 * Math.sin(0.2 * t));
        BufferedImage png = trajectories(truth, predicted);
        int plots = png.getHeight() - 40;   // above the legends, which show a line of each colour
        assertEquals(0, count(png, 0, 360, plots, ORANGE), "sequence 1's predictions are all NaN");
        assertTrue(count(png, 360, 720, plots, ORANGE) > 100, "sequence 2's predictions");
        // the truth is what makes the dark pixels of a column beyond its text and frame
        BufferedImage without = trajectories(sequences(50, 2, 1, (t, i, c) -> i == 0 ? Double.NaN : Math.sin(0.2 * t)), predicted);
        assertTrue(count(png, 0, 360, plots, TRUE) > count(without, 0, 360, plots, TRUE) + 100, "sequence 1's truth");
        assertEquals(count(png, 360, 720, plots, TRUE), count(without, 360, 720, plots, TRUE), "sequence 2 as it was");
    }

    private BufferedImage trajectories(Tensor truth, Tensor predicted) throws IOException {
        Path file = dir.resolve("trajectories.png");
        Pictures.trajectories(file, "", truth, predicted);
        return ImageIO.read(file.toFile());
    }

    @Test
    void trajectoriesOfTwoShapesAreRefused() {
        Tensor truth = Tensor.zeros(org.graft.core.tensor.Shape.of(5, 2, 1));
        var e = assertThrows(IllegalArgumentException.class,
                () -> Pictures.trajectories(dir.resolve("t.png"), "", truth, Tensor.zeros(org.graft.core.tensor.Shape.of(5, 1, 1))));
        assertEquals("trajectories: expected true and predicted values of one shape [t, s, k], at least 1 each, found [5, 2, 1] and "
                + "[5, 1, 1]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Pictures.trajectories(dir.resolve("t.png"), "",
                Tensor.zeros(org.graft.core.tensor.Shape.of(5, 2)), Tensor.zeros(org.graft.core.tensor.Shape.of(5, 2))));
    }

    /** The pixels near the colour {@code rgb} (within 48 a channel, for the shades of antialiasing), x in [from, to), y below {@code height}. */
    private static int count(BufferedImage image, int from, int to, int height, int rgb) {
        int n = 0;
        for (int x = from; x < to; x++) {
            for (int y = 0; y < height; y++) {
                int p = rgb(image, x, y);
                boolean near = true;
                for (int shift = 0; shift < 24; shift += 8) near &= Math.abs((p >> shift & 0xff) - (rgb >> shift & 0xff)) <= 48;
                if (near) n++;
            }
        }
        return n;
    }

    // ---- files -----------------------------------------------------------------------------

    @Test
    void anExistingPictureIsReplacedAndNoTemporaryFileIsLeft() throws IOException {
        Path file = Files.writeString(dir.resolve("g.png"), "not a picture");
        Pictures.imageGrid(file, Tensor.matrix(new double[] {0, 1}), 1, 2, 1);
        assertEquals(2 * 32, ImageIO.read(file.toFile()).getWidth());
        assertEquals(List.of(file), list());
    }

    @Test
    void drawingRunsHeadless() throws IOException {
        Pictures.imageGrid(dir.resolve("g.png"), Tensor.matrix(new double[] {0, 1}), 1, 2, 1);
        assertTrue(GraphicsEnvironment.isHeadless());
    }

    // ---- helpers ---------------------------------------------------------------------------

    private BufferedImage imageGrid(Tensor images, int height, int width, int columns) throws IOException {
        Path file = dir.resolve("grid.png");
        Pictures.imageGrid(file, images, height, width, columns);
        return ImageIO.read(file.toFile());
    }

    private BufferedImage reconstructions(Tensor inputs, Tensor outputs, int height, int width) throws IOException {
        Path file = dir.resolve("reconstructions.png");
        Pictures.reconstructions(file, inputs, outputs, height, width);
        return ImageIO.read(file.toFile());
    }

    private static int rgb(BufferedImage image, int x, int y) { return image.getRGB(x, y) & 0xffffff; }

    private static int grey(double level) {
        int g = (int) Math.round(255 * level);
        return g << 16 | g << 8 | g;
    }

    /** The pixels of colour {@code rgb}. */
    private static long count(BufferedImage image, int rgb) {
        return IntStream.range(0, image.getWidth() * image.getHeight())
                .filter(i -> (image.getRGB(i % image.getWidth(), i / image.getWidth()) & 0xffffff) == rgb).count();
    }

    private static long colours(BufferedImage image) {
        return IntStream.range(0, image.getWidth() * image.getHeight())
                .map(i -> image.getRGB(i % image.getWidth(), i / image.getWidth())).distinct().count();
    }

    private List<Path> list() throws IOException {
        try (var files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }
}
