package org.graft.models.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.graft.core.tensor.Tensor;
import org.graft.models.io.AtomicFile;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.block.RectangleConstraint;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.SeriesRenderingOrder;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.Range;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The pictures of a training run, as PNG files: the learning curve and sequences' true and
 * predicted values (drawn with JFreeChart), a grid of images (first-layer filters, samples) and
 * inputs beside their reconstructions.
 * Each file is written whole or not at all ({@link AtomicFile}).
 *
 * <p>Images are drawn with each pixel as a square of {@code max(1, 64 / max(height, width))}
 * screen pixels, so a tile is about 64 pixels across: 8 for the 8x8 digits, 2 for 28x28
 * MNIST, 1 from 64x64 up. Tiles are separated by a 1-pixel gap of {@link #GAP_COLOUR}, a blue
 * that is neither black nor white; a NaN pixel is drawn in {@link #NAN_COLOUR}.
 *
 * <p>AWT runs headless: the first use of this class sets {@code java.awt.headless=true}
 * unless the caller set the property either way before.
 */
public final class Pictures {
    private Pictures() {}

    static {
        // before any AWT class is loaded, which reads the property once
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    /** The colour between tiles. */
    public static final Color GAP_COLOUR = new Color(0x4060a0);
    /** The colour of the empty cells at the end of the last row, a paler blue, so they are not taken for images. */
    public static final Color EMPTY_COLOUR = new Color(0xdde3ee);
    /** The colour of a pixel whose value is NaN. */
    public static final Color NAN_COLOUR = new Color(0xff00ff);

    static final int TILE_SIZE = 64;              // screen pixels across a tile, about
    static final int GAP = 1;
    static final int PAIR_GAP = 4;                // between one pair of rows and the next
    static final int RECONSTRUCTION_COLUMNS = 10;

    static final int CHART_WIDTH = 800;
    static final int CHART_PANEL_HEIGHT = 200;
    static final int CHART_FRAME_HEIGHT = 100;    // the title and the epoch axis

    static final int MAX_COMPONENTS = 4;
    static final int TITLE_HEIGHT = 40;
    static final int TRAJECTORY_WIDTH = 360;
    static final int TRAJECTORY_PANEL_HEIGHT = 160;
    static final int TRAJECTORY_FRAME_HEIGHT = 110;   // a sequence's heading, the step axis and the legend
    /** The true values' line, drawn under the predicted ones' orange. */
    static final Color TRUE_COLOUR = new Color(0x222222);
    private static final Font SEQUENCE_TITLE_FONT = new Font("SansSerif", Font.BOLD, 14);

    // matplotlib's first colours, one panel each
    private static final Color[] SERIES_COLOURS = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};

    /**
     * The learning curve: one panel per series, stacked in the map's order, all sharing the
     * epoch axis, each with its own value axis fitted to its values (not to zero), so that a
     * loss near 0.05 and an accuracy near 0.98 both stay readable. A non-finite value is
     * skipped: its panel's line breaks there. The picture is 800 pixels wide and
     * 100 + 200 per series high.
     *
     * @param title the chart's title; empty or null for none
     * @param epochs the epoch of each value, the x coordinates
     * @param series name to values, one value per epoch
     * @throws IllegalArgumentException when there is no series or a series' length differs from the epochs'
     */
    public static void learningCurve(Path png, String title, int[] epochs, Map<String, double[]> series) throws IOException {
        if (series.isEmpty()) throw new IllegalArgumentException("learningCurve: expected at least one series, found none");
        for (var e : series.entrySet()) {
            if (e.getValue().length != epochs.length) {
                throw new IllegalArgumentException("learningCurve: series '" + e.getKey() + "': expected " + epochs.length
                        + " values, one per epoch, found " + e.getValue().length);
            }
        }
        var epochAxis = new NumberAxis("epoch");
        epochAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        epochAxis.setAutoRangeIncludesZero(false);
        var plot = new CombinedDomainXYPlot(epochAxis);
        plot.setGap(12);
        int panel = 0;
        for (var e : series.entrySet()) {
            var points = new XYSeries(e.getKey(), false, true);
            double[] values = e.getValue();
            // a null value leaves a gap in the line, where NaN or infinity would wreck the axis
            for (int i = 0; i < epochs.length; i++) points.add(epochs[i], Double.isFinite(values[i]) ? values[i] : null);
            var renderer = new XYLineAndShapeRenderer(true, epochs.length <= 60);
            Color colour = SERIES_COLOURS[panel++ % SERIES_COLOURS.length];
            renderer.setSeriesPaint(0, colour);
            renderer.setSeriesStroke(0, new BasicStroke(2f));
            renderer.setSeriesShape(0, new Ellipse2D.Double(-2.5, -2.5, 5, 5));
            plot.add(panel(new XYSeriesCollection(points), e.getKey(), renderer), 1);
        }
        var chart = new JFreeChart(title == null || title.isEmpty() ? null : title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        int height = CHART_FRAME_HEIGHT + CHART_PANEL_HEIGHT * series.size();
        write(png, chart.createBufferedImage(CHART_WIDTH, height, BufferedImage.TYPE_INT_RGB, null));
    }

    /** A panel of a combined plot: white, grey grid lines, its value axis fitted to its values rather than to zero. */
    private static XYPlot panel(XYSeriesCollection lines, String label, XYLineAndShapeRenderer renderer) {
        var valueAxis = new NumberAxis(label);
        valueAxis.setAutoRangeIncludesZero(false);
        var panel = new XYPlot(lines, null, valueAxis, renderer);
        panel.setBackgroundPaint(Color.WHITE);
        panel.setDomainGridlinePaint(Color.LIGHT_GRAY);
        panel.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return panel;
    }

    /**
     * Sequences' true values beside a model's predictions of them, against the step: a column
     * of panels per sequence, headed {@code sequence 1}, {@code sequence 2}, ..., and in each a
     * panel per component {@code y[0]}, {@code y[1]}, ... (the first {@value #MAX_COMPONENTS}),
     * the true values a dark line and the predicted ones an orange line over it, each panel's
     * value axis fitted to its values. Value t of a sequence is drawn at step t + 1, the step
     * it is of in a one-step prediction set, whose inputs are steps 0..t. A non-finite value is
     * skipped. Each column is 360 pixels wide and 110 + 160 per component high, below a title.
     *
     * @param truth the true values {@code [t, s, k]}, {@code t, s, k >= 1}: s sequences of t steps
     * @param predicted the predictions, of the same shape
     * @throws IllegalArgumentException for shapes that are not both {@code [t, s, k]}
     */
    public static void trajectories(Path png, String title, Tensor truth, Tensor predicted) throws IOException {
        if (truth.rank() != 3 || truth.size() == 0 || !truth.shape().equals(predicted.shape())) {
            throw new IllegalArgumentException("trajectories: expected true and predicted values of one shape [t, s, k], at least 1"
                    + " each, found " + truth.shape() + " and " + predicted.shape());
        }
        int steps = truth.shape().dim(0), sequences = truth.shape().dim(1), width = truth.shape().dim(2);
        int components = Math.min(width, MAX_COMPONENTS);
        int columnHeight = TRAJECTORY_FRAME_HEIGHT + TRAJECTORY_PANEL_HEIGHT * components;
        var image = new BufferedImage(sequences * TRAJECTORY_WIDTH, TITLE_HEIGHT + columnHeight, BufferedImage.TYPE_INT_RGB);
        var g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        if (title != null && !title.isEmpty()) {
            var heading = new TextTitle(title, JFreeChart.DEFAULT_TITLE_FONT);
            // laid out within the strip first, which draw needs
            heading.arrange(g, new RectangleConstraint(new Range(0, image.getWidth()), new Range(0, TITLE_HEIGHT)));
            heading.draw(g, new Rectangle2D.Double(0, 0, image.getWidth(), TITLE_HEIGHT));
        }
        for (int i = 0; i < sequences; i++) {
            var stepAxis = new NumberAxis("step");
            stepAxis.setAutoRangeIncludesZero(false);
            var plot = new CombinedDomainXYPlot(stepAxis);
            plot.setGap(8);
            for (int c = 0; c < components; c++) {
                var lines = new XYSeriesCollection();
                for (Tensor values : List.of(truth, predicted)) {
                    var line = new XYSeries(lines.getSeriesCount() == 0 ? "true" : "predicted", false, true);
                    for (int t = 0; t < steps; t++) {
                        double v = values.getFlat((t * sequences + i) * width + c);
                        line.add(t + 1, Double.isFinite(v) ? v : null);
                    }
                    lines.addSeries(line);
                }
                var renderer = new XYLineAndShapeRenderer(true, false);
                renderer.setSeriesPaint(0, TRUE_COLOUR);
                renderer.setSeriesStroke(0, new BasicStroke(2.5f));
                renderer.setSeriesPaint(1, SERIES_COLOURS[1]);
                renderer.setSeriesStroke(1, new BasicStroke(1.5f));
                XYPlot panel = panel(lines, "y[" + c + "]", renderer);
                panel.setSeriesRenderingOrder(SeriesRenderingOrder.FORWARD);   // the predictions over the truth
                if (c == 0) plot.setFixedLegendItems(panel.getLegendItems());   // once, not once per component
                plot.add(panel, 1);
            }
            var chart = new JFreeChart("sequence " + (i + 1), SEQUENCE_TITLE_FONT, plot, true);
            chart.setBackgroundPaint(Color.WHITE);
            chart.draw(g, new Rectangle2D.Double(i * TRAJECTORY_WIDTH, TITLE_HEIGHT, TRAJECTORY_WIDTH, columnHeight));
        }
        g.dispose();
        write(png, image);
    }

    /**
     * Images as a grid, {@code columns} tiles a row (fewer if there are fewer images), row by
     * row; the empty cells at the end of the last row are {@link #EMPTY_COLOUR}. Each tile
     * is scaled from its own minimum to its own maximum, black to white, over its finite
     * pixels (+infinity is white, -infinity black); a constant tile is mid-grey. Used for
     * first-layer filters, where each filter has its own scale (pass W transposed, one filter
     * a row), and for samples.
     *
     * @param images {@code [k, height*width]}, one image a row, its pixels row-major
     * @throws IllegalArgumentException when {@code images} is not {@code [k, height*width]} with
     *     {@code k >= 1}, or {@code height}, {@code width} or {@code columns} is below 1
     */
    public static void imageGrid(Path png, Tensor images, int height, int width, int columns) throws IOException {
        checkImages("imageGrid", "images", images, height, width);
        if (columns < 1) throw new IllegalArgumentException("imageGrid: expected columns >= 1, found " + columns);
        int k = images.shape().dim(0);
        int cols = Math.min(columns, k);
        int rows = (k + cols - 1) / cols;
        var canvas = new Canvas(height, width, cols, rows * tile(height, width) + (rows - 1) * GAP);
        for (int i = 0; i < k; i++) {
            int[] grey = stretched(images, i, height * width);
            canvas.tile(i % cols, (i / cols) * (canvas.tileHeight + GAP), grey);
        }
        if (k % cols != 0) canvas.empty(k % cols, (rows - 1) * (canvas.tileHeight + GAP), canvas.tileHeight);
        write(png, canvas.image);
    }

    /**
     * Inputs next to their reconstructions: up to 10 images a
     * row, each row of inputs with the row of their reconstructions right below it, and a
     * wider gap (4 pixels) before the next pair of rows. Pixel values are
     * drawn as they are, 0 black and 1 white, clamped to [0, 1], not rescaled, so that a faded
     * reconstruction looks faded.
     *
     * @param inputs {@code [k, height*width]}, one image a row
     * @param reconstructions the same shape as {@code inputs}, row i the reconstruction of input i
     * @throws IllegalArgumentException for shapes that are not both {@code [k, height*width]}, {@code k >= 1}
     */
    public static void reconstructions(Path png, Tensor inputs, Tensor reconstructions, int height, int width) throws IOException {
        checkImages("reconstructions", "inputs", inputs, height, width);
        checkImages("reconstructions", "reconstructions", reconstructions, height, width);
        if (!inputs.shape().equals(reconstructions.shape())) {
            throw new IllegalArgumentException("reconstructions: expected one reconstruction per input, shape " + inputs.shape()
                    + ", found " + reconstructions.shape());
        }
        int k = inputs.shape().dim(0);
        int cols = Math.min(RECONSTRUCTION_COLUMNS, k);
        int pairs = (k + cols - 1) / cols;
        int tileHeight = tile(height, width);
        int pairHeight = 2 * tileHeight + GAP;
        var canvas = new Canvas(height, width, cols, pairs * pairHeight + (pairs - 1) * PAIR_GAP);
        for (int i = 0; i < k; i++) {
            int y = (i / cols) * (pairHeight + PAIR_GAP);
            canvas.tile(i % cols, y, clamped(inputs, i, height * width));
            canvas.tile(i % cols, y + tileHeight + GAP, clamped(reconstructions, i, height * width));
        }
        if (k % cols != 0) canvas.empty(k % cols, (pairs - 1) * (pairHeight + PAIR_GAP), pairHeight);
        write(png, canvas.image);
    }

    /** Screen pixels per image pixel, so that a tile is about 64 pixels across. */
    static int scale(int height, int width) { return Math.max(1, TILE_SIZE / Math.max(height, width)); }

    private static int tile(int height, int width) { return height * scale(height, width); }

    private static void checkImages(String method, String what, Tensor images, int height, int width) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException(method + ": expected images of at least 1x1 pixels, found " + height + "x" + width);
        }
        long pixels = (long) height * width;
        if (images.rank() != 2 || images.shape().dim(1) != pixels || images.shape().dim(0) < 1) {
            throw new IllegalArgumentException(method + ": expected " + what + " of shape [k, " + pixels + "], k >= 1, one "
                    + height + "x" + width + " image a row, found " + images.shape());
        }
    }

    /** Row {@code i} as grey levels, its finite minimum black and maximum white. */
    private static int[] stretched(Tensor images, int i, int pixels) {
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (int p = 0; p < pixels; p++) {
            double v = images.getFlat(i * pixels + p);
            if (Double.isFinite(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        int[] rgb = new int[pixels];
        for (int p = 0; p < pixels; p++) {
            double v = images.getFlat(i * pixels + p);
            if (Double.isNaN(v)) rgb[p] = NAN_COLOUR.getRGB();
            else if (!(max > min)) rgb[p] = grey(0.5);
            else rgb[p] = grey((v - min) / (max - min));
        }
        return rgb;
    }

    private static int[] clamped(Tensor images, int i, int pixels) {
        int[] rgb = new int[pixels];
        for (int p = 0; p < pixels; p++) {
            double v = images.getFlat(i * pixels + p);
            rgb[p] = Double.isNaN(v) ? NAN_COLOUR.getRGB() : grey(v);
        }
        return rgb;
    }

    /** The grey of a level in [0, 1], clamped: 0 black, 1 white, 0.5 the mid-grey 128. */
    private static int grey(double level) {
        int g = (int) Math.round(255 * Math.max(0, Math.min(1, level)));
        return 0xff000000 | g << 16 | g << 8 | g;
    }

    /** An image of {@code columns} tiles across, filled with the gap colour until tiles are drawn. */
    private static final class Canvas {
        final BufferedImage image;
        final int height, width, scale, tileHeight, tileWidth;

        Canvas(int height, int width, int columns, int pixelsHigh) {
            this.height = height;
            this.width = width;
            this.scale = scale(height, width);
            this.tileHeight = height * scale;
            this.tileWidth = width * scale;
            image = new BufferedImage(columns * tileWidth + (columns - 1) * GAP, pixelsHigh, BufferedImage.TYPE_INT_RGB);
            var g = image.createGraphics();
            g.setColor(GAP_COLOUR);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            g.dispose();
        }

        /** Fills the cells from {@code column} to the right edge, {@code pixelsHigh} from row {@code y} down, as empty. */
        void empty(int column, int y, int pixelsHigh) {
            var g = image.createGraphics();
            g.setColor(EMPTY_COLOUR);
            int x = column * (tileWidth + GAP);
            g.fillRect(x, y, image.getWidth() - x, pixelsHigh);
            g.dispose();
        }

        /** Draws one image, its pixels as {@code rgb} row-major, in column {@code column} from row {@code y} down. */
        void tile(int column, int y, int[] rgb) {
            int x = column * (tileWidth + GAP);
            for (int r = 0; r < height; r++) {
                for (int c = 0; c < width; c++) {
                    for (int dy = 0; dy < scale; dy++) {
                        for (int dx = 0; dx < scale; dx++) image.setRGB(x + c * scale + dx, y + r * scale + dy, rgb[r * width + c]);
                    }
                }
            }
        }
    }

    private static void write(Path png, BufferedImage image) throws IOException {
        AtomicFile.write(png, out -> {
            if (!ImageIO.write(image, "png", out)) throw new IOException("ImageIO has no PNG writer");
        });
    }
}
