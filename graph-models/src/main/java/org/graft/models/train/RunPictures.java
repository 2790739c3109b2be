package org.graft.models.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

import org.graft.core.GraftException;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Function;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.graft.models.data.Data;
import org.graft.models.data.Dataset;
import org.graft.models.plot.Pictures;

/**
 * The pictures of a run, redrawn after every epoch: {@value #CURVE} always; for a data set of
 * images also {@value #FILTERS}, the first layer's weights (the columns of the first param of
 * shape {@code [d, k]}, d the number of pixels, or the first convolution filters
 * {@code [f, 1, kh, kw]}), {@value #RECONSTRUCTIONS} when the model has a {@code recon} of the
 * same type as {@code x} and {@value #SAMPLES} when it has
 * {@code samples} as rows of d pixels; for a data set of sequences {@value #TRAJECTORIES} when
 * the model has a {@code predicted} of the same type as {@code y} that reads no other input than
 * {@code x}: the first {@value #SEQUENCES} held-out sequences' targets and the predictions of them.
 * Once trained, {@value #CONFUSION} for a classifier, and with a validation split the curve
 * again, with the test figures at the best epoch.
 */
final class RunPictures {
    static final String CURVE = "learning_curve.png";
    static final String FILTERS = "filters.png";
    static final String RECONSTRUCTIONS = "reconstructions.png";
    static final String SAMPLES = "samples.png";
    static final String CONFUSION = "confusion.png";
    static final String TRAJECTORIES = "trajectories.png";

    /** Tiles in a filter or sample grid, at most; pairs in the reconstruction picture. */
    static final int MAX_TILES = 100;
    static final int PAIRS = 10;
    /** Sequences in the trajectories picture, at most. */
    static final int SEQUENCES = 4;

    private final Data data;
    private final String title;
    private final Param filters;        // null when there is none or the data are not images
    private final Function recon;       // x -> recon, or null
    private final Function samples;     // x -> samples, or null
    private final Function predicted;   // x -> predicted, or null
    private final int batch;
    private final DType dtype;          // x's, which the held-out rows are converted to

    RunPictures(Model model, Data data, int batch, Options options) {
        Input x = model.x();
        this.data = data;
        this.dtype = x.type().dtype();
        this.title = model.name() + " on " + data.name();
        this.batch = batch;
        int pixels = data.height() * data.width();
        Param first = null;
        if (data.isImages()) {
            for (Param p : model.params()) {
                Shape s = p.value().shape();
                if (s.rank() == 2 && s.dim(0) == pixels || s.rank() == 4 && s.dim(1) == 1) {
                    first = p;
                    break;
                }
            }
        }
        filters = first;
        recon = data.isImages() ? compile(x, model.recon().filter(r -> r.type().equals(x.type())), options) : null;
        samples = data.isImages() ? compile(x, model.samples().filter(s -> rowsAsWideAs(s, x)), options) : null;
        predicted = data.train().isSequences() && model.y().isPresent()
                ? compile(x, model.predicted().filter(p -> p.type().equals(model.y().get().type())), options) : null;
    }

    /** Every picture of the run as it stands, the best epoch so far being {@code best} (0 for none). */
    void draw(Path out, Trainer.Columns columns, List<Trainer.Epoch> history, int best, long seed, Trainer.Listener listener) {
        curve(out, columns, history, best, Map.of(), listener);
        if (filters != null) attempt(FILTERS, listener, () -> filters(out.resolve(FILTERS), filters.value()));
        if (recon != null) {
            attempt(RECONSTRUCTIONS, listener, () -> {
                Tensor inputs = firstRows(data.test().features(), PAIRS);
                Tensor made = recon.seed(seed).call(inputs.astype(dtype)).get(0);
                Pictures.reconstructions(out.resolve(RECONSTRUCTIONS), inputs, made, data.height(), data.width());
            });
        }
        if (samples != null) {
            attempt(SAMPLES, listener, () -> {
                Tensor made = samples.seed(seed).call(firstRows(data.test().features(), batch).astype(dtype)).get(0);
                grid(out.resolve(SAMPLES), firstRows(made, MAX_TILES));
            });
        }
        if (predicted != null) {
            attempt(TRAJECTORIES, listener, () -> {
                Dataset first = data.test().rows(IntStream.range(0, Math.min(SEQUENCES, data.test().size())).toArray());
                Tensor made = predicted.seed(seed).call(first.features().astype(dtype)).get(0);
                Pictures.trajectories(out.resolve(TRAJECTORIES), title + ": held-out sequences, true and predicted", first.targets(),
                        made);
            });
        }
    }

    /**
     * The learning curve, marking the best epoch {@code best} (0 for none) and the test split's
     * figures measured once with its params, {@code tested} by column (empty before).
     */
    void curve(Path out, Trainer.Columns columns, List<Trainer.Epoch> history, int best, Map<String, Double> tested,
               Trainer.Listener listener) {
        attempt(CURVE, listener, () -> Pictures.learningCurve(out.resolve(CURVE), title, epochs(history), panels(columns, history, tested),
                best));
    }

    /** The confusion matrix of the test split. */
    void confusion(Path out, Confusion confusion, Trainer.Listener listener) {
        attempt(CONFUSION, listener, () -> Pictures.confusionMatrix(out.resolve(CONFUSION), title + ": the test split", confusion.counts()));
    }

    private interface Drawing { void draw() throws IOException; }

    /** Draws one picture; a failure is a warning, since training goes on without pictures. */
    private static void attempt(String name, Trainer.Listener listener, Drawing drawing) {
        try {
            drawing.draw();
        } catch (IOException | RuntimeException | LinkageError e) { // LinkageError: a JDK without its AWT libraries
            listener.warning("could not draw " + name + ": " + e.getMessage());
        }
    }

    private void grid(Path png, Tensor tiles) throws IOException { grid(png, tiles, data.height(), data.width()); }

    private static void grid(Path png, Tensor tiles, int height, int width) throws IOException {
        int columns = (int) Math.ceil(Math.sqrt(tiles.shape().dim(0)));
        Pictures.imageGrid(png, tiles, height, width, columns);
    }

    /**
     * The first layer's filters, each a tile: the columns of a {@code [pixels, k]} matrix as images
     * of the data's size, or the {@code kh x kw} taps of convolution filters {@code [f, 1, kh, kw]},
     * which read one channel of the images.
     */
    private void filters(Path png, Tensor w) throws IOException {
        if (w.rank() == 2) {
            grid(png, transpose(w));
            return;
        }
        int f = Math.min(w.shape().dim(0), MAX_TILES), kh = w.shape().dim(2), kw = w.shape().dim(3);
        grid(png, firstRows(w.reshape(Shape.of(w.shape().dim(0), kh * kw)), f), kh, kw);
    }

    /** x -> node, or null when there is no node or it reads other inputs than x. */
    private static Function compile(Input x, Optional<Node> node, Options options) {
        if (node.isEmpty()) return null;
        try {
            return Compiler.compile(List.of(x), List.of(node.get()), options);
        } catch (GraftException e) { // it reads other inputs than x: no picture of it
            return null;
        }
    }

    /** Whether {@code node} is rows as wide as x's. */
    private static boolean rowsAsWideAs(Node node, Input x) {
        return node.type().rank() == 2 && node.type().dim(1).equals(x.type().dim(1));
    }

    private static int[] epochs(List<Trainer.Epoch> history) {
        return history.stream().mapToInt(Trainer.Epoch::epoch).toArray();
    }

    /**
     * The learning curve's panels: one per measure, its columns of every split together (the
     * training objective with the held-out one, {@code train_loss} with {@code valid_loss}, and
     * the test figure measured once at the best epoch, {@code test_loss}), in the order of the
     * columns; the gradient's norm and the learning rate, if the run writes them, each a panel of
     * its own.
     */
    static List<Pictures.Panel> panels(Trainer.Columns columns, List<Trainer.Epoch> history, Map<String, Double> tested) {
        var lines = new LinkedHashMap<String, Map<String, double[]>>();
        var points = new HashMap<String, Map<String, Double>>();
        lines.computeIfAbsent(measure(columns.train()), m -> new LinkedHashMap<>())
                .put(columns.train(), history.stream().mapToDouble(Trainer.Epoch::train).toArray());
        for (String column : columns.heldOut()) {
            lines.computeIfAbsent(measure(column), m -> new LinkedHashMap<>())
                    .put(column, history.stream().mapToDouble(e -> e.heldOut().get(column)).toArray());
        }
        tested.forEach((column, value) -> points.computeIfAbsent(measure(column), m -> new LinkedHashMap<>()).put(column, value));
        if (columns.gradNorm()) {
            lines.put(Trainer.Columns.GRAD_NORM, Map.of(Trainer.Columns.GRAD_NORM, history.stream().mapToDouble(Trainer.Epoch::gradNorm).toArray()));
        }
        if (columns.lr()) lines.put(Trainer.Columns.LR, Map.of(Trainer.Columns.LR, history.stream().mapToDouble(Trainer.Epoch::lr).toArray()));
        var panels = new ArrayList<Pictures.Panel>();
        lines.forEach((measure, drawn) -> panels.add(new Pictures.Panel(measure, drawn, points.getOrDefault(measure, Map.of()))));
        return panels;
    }

    /** What a column measures, without its split: {@code loss} for {@code train_loss}, {@code valid_loss} and {@code test_loss}. */
    private static String measure(String column) {
        for (String split : List.of(Trainer.TRAIN, Trainer.VALID, Trainer.TEST)) if (column.startsWith(split)) return column.substring(split.length());
        return column;
    }

    /** The first {@code rows} rows of a matrix (all of them if it has fewer), copied without copying the rest. */
    private static Tensor firstRows(Tensor matrix, int rows) {
        int n = Math.min(rows, matrix.shape().dim(0));
        int width = matrix.shape().dim(1);
        double[] first = new double[n * width];
        for (int i = 0; i < first.length; i++) first[i] = matrix.getFlat(i);
        return Tensor.of(first, n, width);
    }

    /** The first {@value #MAX_TILES} columns of a [d, k] matrix as rows. */
    private static Tensor transpose(Tensor w) {
        int d = w.shape().dim(0);
        int k = Math.min(w.shape().dim(1), MAX_TILES);
        int cols = w.shape().dim(1);
        double[] t = new double[k * d];
        for (int i = 0; i < d; i++) for (int j = 0; j < k; j++) t[j * d + i] = w.getFlat(i * cols + j);
        return Tensor.of(t, k, d);
    }
}
