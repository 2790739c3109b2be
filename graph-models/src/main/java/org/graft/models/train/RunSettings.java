package org.graft.models.train;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import org.graft.core.tensor.DType;

/**
 * What a training run was asked for, everything that decides its numbers: the model's source
 * text, the data, the batch size, the seed, the learning rate, the {@code --set} values, the
 * rewriting and the dtype. A run resumes only with the same settings; only the number of epochs
 * may grow.
 *
 * @param lr the learning rate given with {@code --lr}, or null for the program's own ({@code "lr": null} in
 *     {@code run.json}; a run.json written before that holds {@code NaN}, read as null)
 * @param lrDecay the factor {@code --lr-decay} multiplies the learning rate by after each epoch
 * @param set the {@code --set} values as the JSON text given, by name
 * @param rewriting how the graph was rewritten ({@code "default"}, {@code "-O0"}, or the skipped phases)
 * @param dtype the dtype the run computes in, {@code "f32"} or {@code "f64"} (a run.json written
 *     before runs had a dtype has none: those runs were f64)
 */
public record RunSettings(String model, String source, String data, int epochs, int batch, long seed, Double lr,
                          double lrDecay, Map<String, String> set, String rewriting, boolean nanGuard, String dtype) {

    public RunSettings {
        if (model == null || source == null || data == null || set == null || rewriting == null) {
            throw new IllegalArgumentException("expected a model, its source, the data, the --set values and the rewriting, found "
                    + (model == null ? "no model" : source == null ? "no source" : data == null ? "no data"
                    : set == null ? "no --set values" : "no rewriting"));
        }
        if (epochs < 1) throw new IllegalArgumentException("expected at least 1 epoch, found " + epochs);
        if (batch < 1) throw new IllegalArgumentException("expected a batch of at least 1 example, found " + batch);
        if (lr != null && lr.isNaN()) lr = null;
        if (lr != null && !(lr > 0 && Double.isFinite(lr))) {
            throw new IllegalArgumentException("expected a positive learning rate, found " + lr);
        }
        if (!(lrDecay > 0 && lrDecay <= 1)) throw new IllegalArgumentException("expected a decay in (0, 1], found " + lrDecay);
        set = new TreeMap<>(set);
        if (dtype == null) dtype = DType.F64.toString();
    }

    /** The settings of a run that computes in {@code dtype}. */
    public RunSettings(String model, String source, String data, int epochs, int batch, long seed, Double lr,
                       double lrDecay, Map<String, String> set, String rewriting, boolean nanGuard, DType dtype) {
        this(model, source, data, epochs, batch, seed, lr, lrDecay, set, rewriting, nanGuard, dtype.toString());
    }

    /**
     * Where {@code other} (the run stored in a checkpoint's folder) differs in something other
     * than the number of epochs or the guard, as "--batch 32 there, 64 here"; null when it does not.
     */
    String difference(RunSettings other) {
        if (!source.equals(other.source)) {
            return "the model's source " + (model.equals(other.model) ? "has changed" : "is " + other.model + " there, " + model + " here");
        }
        if (!data.equals(other.data)) return "--data " + other.data + " there, " + data + " here";
        if (batch != other.batch) return "--batch " + other.batch + " there, " + batch + " here";
        if (seed != other.seed) return "--seed " + other.seed + " there, " + seed + " here";
        if (!Objects.equals(lr, other.lr)) return "--lr " + lrText(other.lr) + " there, " + lrText(lr) + " here";
        if (Double.compare(lrDecay, other.lrDecay) != 0) return "--lr-decay " + other.lrDecay + " there, " + lrDecay + " here";
        if (!set.equals(other.set)) return "--set " + other.set + " there, " + set + " here";
        if (!rewriting.equals(other.rewriting)) return "rewriting " + other.rewriting + " there, " + rewriting + " here";
        if (!dtype.equals(other.dtype)) return "--dtype " + other.dtype + " there, " + dtype + " here";
        return null;
    }

    private static String lrText(Double lr) { return lr == null ? "(the model's)" : lr.toString(); }
}
