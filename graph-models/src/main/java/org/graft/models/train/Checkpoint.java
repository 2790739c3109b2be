package org.graft.models.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;

import org.graft.core.GraftException;
import org.graft.core.Type;
import org.graft.core.tensor.Tensor;
import org.graft.models.data.CorruptDataException;
import org.graft.models.io.AtomicFile;
import org.graft.models.io.Npz;

/**
 * A training run's folder: {@value #PARAMS} holds the value of every param (the optimizer's state
 * included) where the run stood when it was saved: {@value #EPOCH} whole epochs, then
 * {@value #STEP} steps of the next, whose objectives sum to {@value #OBJECTIVE_SUM} and took
 * {@value #SECONDS} seconds (those three are 0 between epochs; a run stopped within an epoch
 * saves them, so that it resumes at its next step); {@value #RUN} the run's settings;
 * {@value #METRICS} one row per whole epoch. The checkpoint is written last and by renaming, so it
 * is always whole, and it decides where a resumed run starts: rows of the metrics file after its
 * epoch are dropped. A run with a validation split keeps its best epoch's params in the
 * checkpoint too, as {@value #BEST}NAME, so that they are always of the checkpoint's moment (the
 * best epoch itself is read back from the metrics), and writes them as {@value #BEST_FILE}, by
 * their names, with that epoch as {@value #EPOCH}, for the user. A run with a preprocessing keeps
 * the transform it fitted, {@value #PREPROCESS_MEAN} and {@value #PREPROCESS_SCALE} or
 * {@value #PREPROCESS_MATRIX}, so that a resumed run applies the same one.
 */
final class Checkpoint {
    private Checkpoint() {}

    static final String PARAMS = "checkpoint.npz";
    static final String RUN = "run.json";
    static final String METRICS = "metrics.csv";
    static final String EPOCH = "graft.epoch";
    static final String STEP = "graft.step";
    static final String OBJECTIVE_SUM = "graft.objective_sum";
    static final String SECONDS = "graft.seconds";
    static final String BEST = "graft.best.";
    static final String BEST_FILE = "best.npz";
    static final String STOPPED = "stopped";
    static final String PERSISTENCE = "persistenceTestMse";
    /** The preprocessing fitted on the training split: each feature's mean, then the scale (standardizing) or matrix (whitening); f64. */
    static final String PREPROCESS_MEAN = "graft.preprocess.mean";
    static final String PREPROCESS_SCALE = "graft.preprocess.scale";
    static final String PREPROCESS_MATRIX = "graft.preprocess.matrix";

    /**
     * run.json is strict JSON, which has no NaN or infinities: a setting not given is {@code null}
     * (written, not left out, so the file lists every setting), and a non-finite number would
     * make Gson throw rather than write a file other programs cannot read.
     */
    private static final Gson WRITE = new GsonBuilder().setPrettyPrinting().serializeNulls()
            .registerTypeAdapter(OptionalDouble.class, new LearningRate()).create();
    /** Lenient, for the {@code "lr": NaN} of a run.json written before; the settings' own checks follow. */
    private static final Gson READ = new GsonBuilder().setStrictness(Strictness.LENIENT)
            .registerTypeAdapter(OptionalDouble.class, new LearningRate()).create();

    /**
     * A learning rate in run.json: a number, or {@code null} when none was given; {@code NaN},
     * what a run.json written before said for none, reads as none too.
     */
    private static final class LearningRate extends TypeAdapter<OptionalDouble> {
        @Override
        public void write(JsonWriter out, OptionalDouble lr) throws IOException {
            if (lr.isPresent()) out.value(lr.getAsDouble());
            else out.nullValue();
        }

        @Override
        public OptionalDouble read(JsonReader in) throws IOException {
            if (in.peek() == JsonToken.NULL) {
                in.nextNull();
                return OptionalDouble.empty();
            }
            double lr = in.nextDouble();
            return Double.isNaN(lr) ? OptionalDouble.empty() : OptionalDouble.of(lr);
        }
    }

    /** How far a run got: {@code epochs} whole epochs, then {@code steps} steps of the next, their objectives' sum and seconds. */
    record Progress(int epochs, int steps, double objectiveSum, double seconds) {
        Trainer.Position position() { return new Trainer.Position(epochs, steps); }
    }

    /** What a run's folder holds. */
    record Saved(Progress progress, Map<String, Tensor> params, List<Trainer.Epoch> epochs) {}

    /**
     * Writes the run's files; {@code stopped} is why the run ended before its last epoch, written
     * to run.json beside the settings ({@code null} while it trains or when it trained every epoch),
     * and {@code persistence} the test split's {@link org.graft.models.data.Dataset#persistenceMse()}
     * for a one-step prediction set, as {@value #PERSISTENCE} (left out for other sets).
     */
    static void write(Path out, RunSettings run, Progress progress, Map<String, Tensor> params, Trainer.Columns columns,
                      List<Trainer.Epoch> epochs, String stopped, OptionalDouble persistence) throws IOException {
        Files.createDirectories(out);
        byte[] metrics = csv(columns, epochs).getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(out.resolve(METRICS), o -> o.write(metrics));
        JsonObject json = WRITE.toJsonTree(run).getAsJsonObject();
        // not settings: a resumed run's settings, read back, ignore them
        json.addProperty(STOPPED, stopped);
        persistence.ifPresent(mse -> json.addProperty(PERSISTENCE, mse));
        byte[] settings = (WRITE.toJson(json) + "\n").getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(out.resolve(RUN), o -> o.write(settings));
        var arrays = new LinkedHashMap<>(params);
        arrays.put(EPOCH, Tensor.scalar(progress.epochs()));
        arrays.put(STEP, Tensor.scalar(progress.steps()));
        arrays.put(OBJECTIVE_SUM, Tensor.scalar(progress.objectiveSum()));
        arrays.put(SECONDS, Tensor.scalar(progress.seconds()));
        Npz.write(out.resolve(PARAMS), arrays);
    }

    /** Writes {@value #BEST_FILE}: the params of the best epoch, {@code epoch}, by name. */
    static void writeBest(Path out, Map<String, Tensor> params, int epoch) throws IOException {
        var arrays = new LinkedHashMap<>(params);
        arrays.put(EPOCH, Tensor.scalar(epoch));
        Npz.write(out.resolve(BEST_FILE), arrays);
    }

    /**
     * What {@code out} holds, checked whole before anything is handed out: the settings must
     * be {@code run}'s (but for the epochs and the guard), the checkpoint must hold exactly the
     * arrays {@code expected} names, of their types, every value finite, and a whole number of
     * epochs done, and the metrics file a row for each.
     *
     * @throws GraftException if the folder is of another run or lacks a file
     * @throws org.graft.models.data.CorruptDataException if a file is damaged or does not fit this run, naming it
     */
    static Saved read(Path out, RunSettings run, Map<String, Type> expected, Trainer.Columns columns) throws IOException {
        RunSettings saved = settings(out, "--resume " + out);
        String differs = run.difference(saved);
        if (differs != null) throw new GraftException("--resume " + out + ": the checkpoint there is of another run: " + differs);
        Path file = out.resolve(PARAMS);
        var arrays = new LinkedHashMap<>(expected);
        for (String scalar : List.of(EPOCH, STEP, OBJECTIVE_SUM, SECONDS)) arrays.put(scalar, Type.f64());
        Map<String, Tensor> params;
        try {
            params = new LinkedHashMap<>(Npz.read(file, arrays));
        } catch (NoSuchFileException e) {
            throw new GraftException("--resume " + out + ": expected a checkpoint, found no " + PARAMS + " in it");
        }
        for (var p : params.entrySet()) {
            String nonFinite = firstNonFinite(p.getValue());
            if (nonFinite != null) {
                throw new CorruptDataException(file.toString(), "entry '" + p.getKey() + ".npy': expected finite values, found " + nonFinite);
            }
        }
        int epochs = count(params.remove(EPOCH), EPOCH, "the number of epochs done", file);
        int steps = count(params.remove(STEP), STEP, "the number of steps done of the epoch after them", file);
        var progress = new Progress(epochs, steps, params.remove(OBJECTIVE_SUM).item(), params.remove(SECONDS).item());
        return new Saved(progress, params, rows(out.resolve(METRICS), columns, epochs));
    }

    /** The settings of the run saved in {@code out}; errors start with {@code option}, the option that named it ({@code --resume OUT}). */
    static RunSettings settings(Path out, String option) throws IOException {
        RunSettings run;
        try {
            run = READ.fromJson(Files.readString(out.resolve(RUN)), RunSettings.class);
        } catch (NoSuchFileException e) {
            throw new GraftException(option + ": expected a training run's folder, found no " + RUN + " in it");
        } catch (RuntimeException e) { // Gson's own errors, and the settings' constructor refusing a value, which Gson wraps
            throw new GraftException(option + ": " + RUN + " is damaged: " + reason(e));
        }
        if (run == null) throw new GraftException(option + ": " + RUN + " is damaged: expected a JSON object, found an empty file");
        return run;
    }

    /** The innermost cause's message, its first line: Gson adds a line pointing to its troubleshooting guide. */
    private static String reason(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) cause = cause.getCause();
        String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        return message.lines().findFirst().orElse(message);
    }

    /** The first NaN or infinity of {@code t} and where it is, as {@code NaN at [0, 3]}; null when there is none. */
    private static String firstNonFinite(Tensor t) {
        for (int i = 0; i < t.size(); i++) {
            if (!Double.isFinite(t.getFlat(i))) {
                return t.getFlat(i) + (t.rank() == 0 ? "" : " at " + Arrays.toString(t.shape().unravel(i)));
            }
        }
        return null;
    }

    /** A whole number of epochs or steps, 0 or more: {@code what} the entry {@code name} holds. */
    private static int count(Tensor value, String name, String what, Path file) throws CorruptDataException {
        double v = value.item();
        if (v != Math.rint(v) || v < 0 || v > Integer.MAX_VALUE) {
            throw new CorruptDataException(file.toString(), "entry '" + name + ".npy': expected " + what
                    + ", a whole number of at least 0, found " + v);
        }
        return (int) v;
    }

    /** The metrics as CSV: the header, then one row per epoch; numbers as Java writes doubles, so they read back exactly. */
    static String csv(Trainer.Columns columns, List<Trainer.Epoch> epochs) {
        var text = new StringBuilder(String.join(",", columns.all())).append('\n');
        for (Trainer.Epoch e : epochs) {
            text.append(e.epoch());
            if (columns.lr()) text.append(',').append(e.lr());
            text.append(',').append(e.train());
            if (columns.gradNorm()) text.append(',').append(e.gradNorm());
            for (String column : columns.heldOut()) text.append(',').append(e.heldOut().get(column));
            text.append(',').append(e.seconds());
            if (columns.timing()) {
                StepEngine.Timing t = e.timing();
                text.append(',').append(t.compute()).append(',').append(t.communication()).append(',').append(t.update());
            }
            text.append('\n');
        }
        return text.toString();
    }

    /**
     * The first {@code epochs} rows of a metrics file with these columns, with or without the
     * steps' timing: a run resumes from a checkpoint written on one machine or by a
     * {@link StepEngine}, whichever makes its steps now (the epochs without timing read as
     * {@link StepEngine.Timing#NONE}).
     */
    private static List<Trainer.Epoch> rows(Path file, Trainer.Columns wanted, int epochs) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new GraftException("--resume: expected " + file + ", found no such file");
        }
        Trainer.Columns other = wanted.timed(!wanted.timing());
        Trainer.Columns columns = !lines.isEmpty() && lines.get(0).equals(String.join(",", other.all())) ? other : wanted;
        List<String> names = columns.all();
        String header = String.join(",", names);
        if (lines.isEmpty() || !lines.get(0).equals(header)) {
            throw new GraftException(file + ":1: expected the columns " + header + ", found "
                    + (lines.isEmpty() ? "an empty file" : lines.get(0)));
        }
        if (lines.size() - 1 < epochs) {
            throw new GraftException(file + ": expected a row for each of the " + epochs + " epochs of the checkpoint, found "
                    + (lines.size() - 1));
        }
        var rows = new ArrayList<Trainer.Epoch>();
        for (int i = 1; i <= epochs; i++) {
            String[] fields = lines.get(i).split(",", -1);
            if (fields.length != names.size()) {
                throw new GraftException(file + ":" + (i + 1) + ": expected " + names.size() + " fields, found " + fields.length);
            }
            var row = new LinkedHashMap<String, String>();
            for (int k = 0; k < fields.length; k++) row.put(names.get(k), fields[k]);
            try {
                var heldOut = new LinkedHashMap<String, Double>();
                for (String column : columns.heldOut()) heldOut.put(column, Double.parseDouble(row.get(column)));
                double lr = columns.lr() ? Double.parseDouble(row.get(Trainer.Columns.LR)) : Double.NaN;
                double gradNorm = columns.gradNorm() ? Double.parseDouble(row.get(Trainer.Columns.GRAD_NORM)) : Double.NaN;
                var timing = StepEngine.Timing.NONE;
                if (columns.timing()) {
                    double[] t = Trainer.Columns.TIMING.stream().mapToDouble(c -> Double.parseDouble(row.get(c))).toArray();
                    timing = new StepEngine.Timing(t[0], t[1], t[2]);
                }
                rows.add(new Trainer.Epoch(Integer.parseInt(row.get(Trainer.Columns.EPOCH)), lr, Double.parseDouble(row.get(columns.train())),
                        gradNorm, heldOut, Double.parseDouble(row.get(Trainer.Columns.SECONDS)), timing));
            } catch (NumberFormatException e) {
                throw new GraftException(file + ":" + (i + 1) + ": expected numbers, found " + lines.get(i));
            }
        }
        return rows;
    }
}
