package org.graft.models.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;

import org.graft.core.GraftException;
import org.graft.core.tensor.Tensor;
import org.graft.models.io.AtomicFile;
import org.graft.models.io.Npz;

/**
 * A training run's folder: {@value #PARAMS} holds the value of every param after the last epoch
 * (the optimizer's state included) and that epoch's number under {@value #EPOCH};
 * {@value #RUN} the run's settings; {@value #METRICS} one row per epoch. The checkpoint is
 * written last and by renaming, so it is always whole, and it decides where a resumed run
 * starts: rows of the metrics file after its epoch are dropped.
 */
final class Checkpoint {
    private Checkpoint() {}

    static final String PARAMS = "checkpoint.npz";
    static final String RUN = "run.json";
    static final String METRICS = "metrics.csv";
    static final String EPOCH = "graft.epoch";

    /**
     * run.json is strict JSON, which has no NaN or infinities: a setting not given is {@code null}
     * (written, not left out, so the file lists every setting), and a non-finite number would
     * make Gson throw rather than write a file other programs cannot read.
     */
    private static final Gson WRITE = new GsonBuilder().setPrettyPrinting().serializeNulls().create();
    /** Lenient, for the {@code "lr": NaN} of a run.json written before; the settings' own checks follow. */
    private static final Gson READ = new GsonBuilder().setStrictness(Strictness.LENIENT).create();

    /** What a run's folder holds. */
    record Saved(RunSettings run, int epoch, Map<String, Tensor> params, List<Trainer.Epoch> epochs) {}

    static void write(Path out, RunSettings run, int epoch, Map<String, Tensor> params, List<String> columns,
                      List<Trainer.Epoch> epochs) throws IOException {
        Files.createDirectories(out);
        byte[] metrics = csv(columns, epochs).getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(out.resolve(METRICS), o -> o.write(metrics));
        byte[] settings = (WRITE.toJson(run) + "\n").getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(out.resolve(RUN), o -> o.write(settings));
        var arrays = new LinkedHashMap<>(params);
        arrays.put(EPOCH, Tensor.scalar(epoch));
        Npz.write(out.resolve(PARAMS), arrays);
    }

    static Saved read(Path out, List<String> columns) throws IOException {
        RunSettings run;
        try {
            run = READ.fromJson(Files.readString(out.resolve(RUN)), RunSettings.class);
        } catch (NoSuchFileException e) {
            throw new GraftException("--resume " + out + ": expected a training run's folder, found no " + RUN + " in it");
        } catch (JsonParseException | IllegalArgumentException e) {
            throw new GraftException("--resume " + out + ": " + RUN + " is damaged: " + e.getMessage());
        }
        Map<String, Tensor> params;
        try {
            params = new LinkedHashMap<>(Npz.read(out.resolve(PARAMS)));
        } catch (NoSuchFileException e) {
            throw new GraftException("--resume " + out + ": expected a checkpoint, found no " + PARAMS + " in it");
        }
        Tensor epoch = params.remove(EPOCH);
        if (epoch == null || epoch.rank() != 0 || epoch.item() != Math.rint(epoch.item()) || epoch.item() < 1) {
            throw new GraftException("--resume " + out + ": " + PARAMS + " has no epoch number " + EPOCH);
        }
        int done = (int) epoch.item();
        List<Trainer.Epoch> epochs = rows(out.resolve(METRICS), columns, done);
        return new Saved(run, done, params, epochs);
    }

    /** The metrics as CSV: the header, then one row per epoch; numbers as Java writes doubles, so they read back exactly. */
    static String csv(List<String> columns, List<Trainer.Epoch> epochs) {
        var text = new StringBuilder(String.join(",", columns)).append('\n');
        for (Trainer.Epoch e : epochs) {
            text.append(e.epoch()).append(',').append(e.train());
            for (double v : e.test().values()) text.append(',').append(v);
            text.append(',').append(e.seconds()).append('\n');
        }
        return text.toString();
    }

    /** The first {@code epochs} rows of a metrics file with these columns. */
    private static List<Trainer.Epoch> rows(Path file, List<String> columns, int epochs) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new GraftException("--resume: expected " + file + ", found no such file");
        }
        if (lines.isEmpty() || !lines.get(0).equals(String.join(",", columns))) {
            throw new GraftException(file + ":1: expected the columns " + String.join(",", columns)
                    + ", found " + (lines.isEmpty() ? "an empty file" : lines.get(0)));
        }
        if (lines.size() - 1 < epochs) {
            throw new GraftException(file + ": expected a row for each of the " + epochs + " epochs of the checkpoint, found "
                    + (lines.size() - 1));
        }
        var rows = new ArrayList<Trainer.Epoch>();
        for (int i = 1; i <= epochs; i++) {
            String[] fields = lines.get(i).split(",", -1);
            if (fields.length != columns.size()) {
                throw new GraftException(file + ":" + (i + 1) + ": expected " + columns.size() + " fields, found " + fields.length);
            }
            try {
                var test = new LinkedHashMap<String, Double>();
                for (int k = 2; k < columns.size() - 1; k++) test.put(columns.get(k), Double.parseDouble(fields[k]));
                rows.add(new Trainer.Epoch(Integer.parseInt(fields[0]), Double.parseDouble(fields[1]), test,
                        Double.parseDouble(fields[columns.size() - 1])));
            } catch (NumberFormatException e) {
                throw new GraftException(file + ":" + (i + 1) + ": expected numbers, found " + lines.get(i));
            }
        }
        return rows;
    }
}
