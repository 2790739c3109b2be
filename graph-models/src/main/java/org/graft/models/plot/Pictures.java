package org.graft.models.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.Range;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The pictures of a training run, as PNG files: the learning curve and sequences' true and
 * predicted values (drawn with JFreeChart), a grid of images (first-layer filters, samples),
 * inputs beside their reconstructions, and a confusion matrix as a heat map.
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

    // matplotlib's first colours: train, validation, test, then the others'
    private static final Color[] SERIES_COLOURS = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};

    /**
     * A panel of the learning curve: its value axis's {@code label}, its {@code lines}, one value
     * per epoch each, by name, and figures measured once, at the marked epoch, drawn there as
     * points ({@code atMark}, by name: the test split's, measured with the best epoch's params).
     */
    public record Panel(String label, Map<String, double[]> lines, Map<String, Double> atMark) {
        public Panel {
            lines = Collections.unmodifiableMap(new LinkedHashMap<>(lines));
            atMark = Collections.unmodifiableMap(new LinkedHashMap<>(atMark));
        }
    }

    /**
     * The learning curve: the panels stacked in order, all sharing the epoch axis, each with its
     * own value axis fitted to its values (not to zero), so that a loss near 0.05 and an accuracy
     * near 0.98 both stay readable; one legend names every line. A line whose name starts with
     * {@code train_}, {@code valid_} or {@code test_} is drawn in matplotlib's first, second or
     * third colour (blue, orange, green) in whatever panel, the others in the colours after them.
     * A non-finite value is skipped: its line breaks there. With {@code marked} above 0, a dashed
     * vertical line marks that epoch in every panel, and each panel's figures {@code atMark} are
     * drawn as points on it. The picture is 800 pixels wide and 100 + 200 per panel high.
     *
     * @param title the chart's title; empty or null for none
     * @param epochs the epoch of each value, the x coordinates
     * @param marked the epoch to mark (the best one), or 0 for none
     * @throws IllegalArgumentException when there is no panel, a panel has nothing to draw, or a
     *     line's length differs from the epochs'
     */
    public static void learningCurve(Path png, String title, int[] epochs, List<Panel> panels, int marked) throws IOException {
        if (panels.isEmpty()) throw new IllegalArgumentException("learningCurve: expected at least one panel, found none");
        for (Panel panel : panels) {
            if (panel.lines().isEmpty() && panel.atMark().isEmpty()) {
                throw new IllegalArgumentException("learningCurve: panel '" + panel.label() + "': expected a line or a point, found none");
            }
            for (var e : panel.lines().entrySet()) {
                if (e.getValue().length != epochs.length) {
                    throw new IllegalArgumentException("learningCurve: line '" + e.getKey() + "': expected " + epochs.length
                            + " values, one per epoch, found " + e.getValue().length);
                }
            }
        }
        var epochAxis = new NumberAxis("epoch");
        epochAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        epochAxis.setAutoRangeIncludesZero(false);
        var plot = new CombinedDomainXYPlot(epochAxis);
        plot.setGap(12);
        var colours = new SeriesColours();
        for (Panel panel : panels) {
            var lines = new XYSeriesCollection();
            var renderer = new XYLineAndShapeRenderer(true, epochs.length <= 60);
            for (var e : panel.lines().entrySet()) {
                var points = new XYSeries(e.getKey(), false, true);
                double[] values = e.getValue();
                // a null value leaves a gap in the line, where NaN or infinity would wreck the axis
                for (int i = 0; i < epochs.length; i++) points.add(epochs[i], Double.isFinite(values[i]) ? values[i] : null);
                style(renderer, lines.getSeriesCount(), colours.of(e.getKey()), 2.5);
                lines.addSeries(points);
            }
            var sub = panel(lines, panel.label(), renderer);
            if (marked > 0 && !panel.atMark().isEmpty()) {
                var once = new XYSeriesCollection();
                var dots = new XYLineAndShapeRenderer(false, true);
                for (var e : panel.atMark().entrySet()) {
                    var point = new XYSeries(e.getKey());
                    point.add(marked, Double.isFinite(e.getValue()) ? e.getValue() : null);
                    style(dots, once.getSeriesCount(), colours.of(e.getKey()), 5);
                    once.addSeries(point);
                }
                sub.setDataset(1, once);
                sub.setRenderer(1, dots);
            }
            if (marked > 0) {
                var marker = new ValueMarker(marked, Color.GRAY, new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER,
                        10f, new float[] {6f, 4f}, 0f));
                if (plot.getSubplots().isEmpty()) {   // named once, in the top panel
                    marker.setLabel("best ");
                    marker.setLabelAnchor(RectangleAnchor.TOP_LEFT);
                    marker.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
                }
                sub.addDomainMarker(marker);
            }
            plot.add(sub, 1);
        }
        var chart = new JFreeChart(title == null || title.isEmpty() ? null : title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        int height = CHART_FRAME_HEIGHT + CHART_PANEL_HEIGHT * panels.size();
        write(png, chart.createBufferedImage(CHART_WIDTH, height, BufferedImage.TYPE_INT_RGB, null));
    }

    /** Series {@code index} of {@code renderer} in {@code colour}, its points circles of {@code radius}. */
    private static void style(XYLineAndShapeRenderer renderer, int index, Color colour, double radius) {
        renderer.setSeriesPaint(index, colour);
        renderer.setSeriesStroke(index, new BasicStroke(2f));
        renderer.setSeriesShape(index, new Ellipse2D.Double(-radius, -radius, 2 * radius, 2 * radius));
    }

    /** The colours of a learning curve's lines: the splits' own, the others' in order of first use. */
    private static final class SeriesColours {
        private static final List<String> SPLITS = List.of("train_", "valid_", "test_");
        private final Map<String, Color> others = new HashMap<>();

        Color of(String name) {
            for (int s = 0; s < SPLITS.size(); s++) if (name.startsWith(SPLITS.get(s))) return SERIES_COLOURS[s];
            return others.computeIfAbsent(name, n -> SERIES_COLOURS[SPLITS.size() + others.size() % (SERIES_COLOURS.length - SPLITS.size())]);
        }
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

    /** The confusion matrix's shading: white for a cell holding none of its row's examples, this dark blue for all of them. */
    public static final Color CONFUSION_FULL = new Color(0x08306b);

    static final int CONFUSION_CELL = 48;          // pixels across a cell, for up to 12 classes
    static final int CONFUSION_SPAN = 12 * CONFUSION_CELL;
    static final int CONFUSION_LEAST_CELL = 12;
    static final int CONFUSION_LEFT = 80, CONFUSION_TOP = 70, CONFUSION_MARGIN = 20;

    /**
     * A confusion matrix as a heat map: a cell per true class (a row, top to bottom) and predicted
     * class (a column, left to right), shaded from white to {@link #CONFUSION_FULL} by its share of
     * its row's examples, so that each class's accuracy (recall) reads off the diagonal whatever
     * its size, and its count written in it (in white on the darker half). Cells are 48 pixels
     * across for up to 12 classes, smaller beyond (576 pixels for them all, at least 12 a cell),
     * and hold their counts while they are 24 pixels or more. The picture is
     * 80 + classes * cell + 20 pixels wide and 70 + classes * cell + 20 high.
     *
     * @param counts {@code counts[t][p]}: the examples of class t predicted as p
     * @throws IllegalArgumentException for counts that are not a square matrix of at least one class
     */
    public static void confusionMatrix(Path png, String title, long[][] counts) throws IOException {
        int k = counts.length;
        for (long[] row : counts) {
            if (row.length != k) {
                throw new IllegalArgumentException("confusionMatrix: expected counts of " + k + " x " + k + " classes, found a row of "
                        + row.length);
            }
        }
        if (k == 0) throw new IllegalArgumentException("confusionMatrix: expected counts of at least one class, found none");
        int cell = confusionCell(k);
        var image = new BufferedImage(CONFUSION_LEFT + k * cell + CONFUSION_MARGIN, CONFUSION_TOP + k * cell + CONFUSION_MARGIN,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        if (title != null && !title.isEmpty()) centred(g, title, image.getWidth() / 2, 20);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        centred(g, "predicted", CONFUSION_LEFT + k * cell / 2, 42);
        var vertical = g.getTransform();
        g.rotate(-Math.PI / 2);
        centred(g, "true", -(CONFUSION_TOP + k * cell / 2), 24);
        g.setTransform(vertical);
        boolean labels = cell >= 24;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(9, Math.min(12, cell / 3))));
        for (int t = 0; t < k; t++) {
            long examples = Arrays.stream(counts[t]).sum();
            if (labels || t % 5 == 0) {
                centred(g, Integer.toString(t), CONFUSION_LEFT + t * cell + cell / 2, CONFUSION_TOP - 6);
                centred(g, Integer.toString(t), CONFUSION_LEFT - 14, CONFUSION_TOP + t * cell + cell / 2 + 4);
            }
            for (int p = 0; p < k; p++) {
                double share = examples == 0 ? 0 : (double) counts[t][p] / examples;
                int x = CONFUSION_LEFT + p * cell, y = CONFUSION_TOP + t * cell;
                g.setColor(shade(share));
                g.fillRect(x, y, cell, cell);
                if (labels) {
                    g.setColor(share > 0.5 ? Color.WHITE : Color.BLACK);
                    centred(g, Long.toString(counts[t][p]), x + cell / 2, y + cell / 2 + 4);
                }
            }
        }
        g.setColor(Color.LIGHT_GRAY);
        g.drawRect(CONFUSION_LEFT, CONFUSION_TOP, k * cell - 1, k * cell - 1);
        g.dispose();
        write(png, image);
    }

    /** Pixels across a cell of a confusion matrix of {@code k} classes. */
    static int confusionCell(int k) { return Math.max(CONFUSION_LEAST_CELL, Math.min(CONFUSION_CELL, CONFUSION_SPAN / k)); }

    /** White at 0, {@link #CONFUSION_FULL} at 1, in a straight line between. */
    static Color shade(double share) {
        return new Color(mix(255, CONFUSION_FULL.getRed(), share), mix(255, CONFUSION_FULL.getGreen(), share),
                mix(255, CONFUSION_FULL.getBlue(), share));
    }

    private static int mix(int from, int to, double share) { return (int) Math.round(from + (to - from) * share); }

    /** {@code text} centred on x, its baseline at y. */
    private static void centred(Graphics2D g, String text, int x, int y) {
        g.drawString(text, x - g.getFontMetrics().stringWidth(text) / 2, y);
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
