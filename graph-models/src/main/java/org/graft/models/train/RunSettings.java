package org.graft.models.train;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.TreeMap;

import org.graft.core.tensor.DType;
import org.graft.models.data.Preprocessing;

/**
 * What a training run was asked for, everything that decides its numbers: the model's source
 * text, the data, the batch size, the seed, the learning rate, the {@code --set} values, the
 * rewriting and the dtype. A run resumes only with the same settings; only the number of epochs
 * may grow.
 *
 * @param lr the learning rate given with {@code --lr}, in place of the model's own; empty for the
 *     model's own ({@code "lr": null} in {@code run.json}; a run.json written before that holds
 *     {@code NaN}, which reads as empty). A rate given is one that {@link #learningRate} accepts
 * @param lrDecay the factor {@code --lr-decay} multiplies the learning rate by after each epoch
 * @param set the {@code --set} values as the JSON text given, by name
 * @param rewriting how the graph was rewritten ({@code "default"}, {@code "-O0"}, or the skipped phases)
 * @param dtype the dtype the run computes in, {@code "f32"} or {@code "f64"} (a run.json written
 *     before runs had a dtype has none: those runs were f64)
 * @param valid the number of examples {@code --valid} holds out of the end of the training set
 *     to choose the best epoch on; 0 for none, when the test split is measured each epoch (a
 *     run.json written before has none)
 * @param patience the epochs {@code --patience} lets pass without a better validation objective
 *     before the run stops; 0 to train every epoch. With {@code patienceIncrease}, the tutorials'
 *     patience instead: the epochs the run trains at least, until an improvement extends them
 * @param patienceIncrease the {@code --patience-increase} factor F of the Theano tutorials' rule,
 *     above 1: after an epoch e whose validation objective is better than the best before it by
 *     at least {@code 1 - improvementThreshold} of it, the patience becomes at least e F, and the
 *     run stops after the first epoch e at or past the patience; 0 for none (a run.json written
 *     before has none)
 * @param improvementThreshold the tutorials' {@code improvement_threshold}, in (0, 1], with
 *     {@code patienceIncrease} ({@value #IMPROVEMENT_THRESHOLD} unless given); 0 without it
 * @param stopRelChange the {@code --stop-rel-change} EPS: the run stops after an epoch whose mean
 *     training objective differs from the epoch before's by less than EPS of it; 0 for none (a
 *     run.json written before has none)
 * @param stopGradNorm the {@code --stop-grad-norm} EPS: the run stops after an epoch at whose end the
 *     gradient of the mean objective over the training split has a norm below EPS; 0 for none
 * @param preprocess the {@code --preprocess} of the features, a {@link Preprocessing} by its name
 *     ({@code zca-whiten}), fitted on the training split; null for none (a run.json written before has none)
 * @param whitenEps the {@code --whiten-eps} of a whitening preprocessing, above 0; 0 for any other
 * @param lrSchedule the {@code --lr-schedule} SPEC, as {@link LrSchedule#spec()} writes it (every
 *     number given); null for none, when the rate decays by {@code lrDecay} (a run.json written
 *     before has none). Not beside an {@code lrDecay} other than 1, which is the schedule
 *     {@code exponential:GAMMA} given another way
 */
public record RunSettings(String model, String source, String data, int epochs, int batch, long seed, OptionalDouble lr,
                          double lrDecay, Map<String, String> set, String rewriting, boolean nanGuard, String dtype, int valid,
                          int patience, double patienceIncrease, double improvementThreshold, double stopRelChange,
                          double stopGradNorm, String preprocess, double whitenEps, String lrSchedule) {

    /** The tutorials' {@code improvement_threshold}: an improvement of 0.5% or more extends the patience. */
    public static final double IMPROVEMENT_THRESHOLD = 0.995;

    public RunSettings {
        if (model == null || source == null || data == null || set == null || rewriting == null) {
            throw new IllegalArgumentException("expected a model, its source, the data, the --set values and the rewriting, found "
                    + (model == null ? "no model" : source == null ? "no source" : data == null ? "no data"
                    : set == null ? "no --set values" : "no rewriting"));
        }
        requireEpochs(epochs);
        requireBatch(batch);
        if (lr == null) throw new IllegalArgumentException("expected a learning rate, or null for the model's own, found none");
        lr.ifPresent(rate -> learningRate(Double.toString(rate)));
        requireLrDecay(lrDecay);
        set = new TreeMap<>(set);
        if (dtype == null) dtype = DType.F64.toString();
        if (valid < 0) throw new IllegalArgumentException("--valid: expected a number of examples of at least 1, found " + valid);
        requirePatience(patience, valid > 0);
        if (patienceIncrease != 0) {
            patienceIncrease(Double.toString(patienceIncrease), patience);
            improvementThreshold(Double.toString(improvementThreshold), true);
        } else if (improvementThreshold != 0) {
            improvementThreshold(Double.toString(improvementThreshold), false);
        }
        if (stopRelChange != 0) stopRelChange(Double.toString(stopRelChange));
        if (stopGradNorm != 0) stopGradNorm(Double.toString(stopGradNorm));
        // the record's fields are set after this body: the checks read the parameters
        if (whitenEps != 0 || preprocess != null && Preprocessing.named(preprocess).whitens()) {
            whitenEps(Double.toString(whitenEps), preprocess);
        }
        if (lrSchedule != null) lrSchedule = lrSchedule(lrSchedule, lrDecay);
    }

    /** The settings of a run that computes in {@code dtype}, measured on the test split each epoch (no {@code --valid}). */
    public RunSettings(String model, String source, String data, int epochs, int batch, long seed, OptionalDouble lr,
                       double lrDecay, Map<String, String> set, String rewriting, boolean nanGuard, DType dtype) {
        this(model, source, data, epochs, batch, seed, lr, lrDecay, set, rewriting, nanGuard, dtype.toString(), 0, 0, 0, 0, 0, 0, null, 0, null);
    }

    /** These settings with {@code valid} examples held out for validation and early stopping after {@code patience} epochs (0: none). */
    public RunSettings validating(int valid, int patience) {
        return new RunSettings(model, source, data, epochs, batch, seed, lr, lrDecay, set, rewriting, nanGuard, dtype, valid, patience,
                patienceIncrease, improvementThreshold, stopRelChange, stopGradNorm, preprocess, whitenEps, lrSchedule);
    }

    /**
     * These settings with the tutorials' patience: {@link #patience} extended to e {@code factor}
     * by each epoch e whose validation objective improves on the best by at least
     * {@code 1 - threshold} of it.
     */
    public RunSettings increasingPatience(double factor, double threshold) {
        return new RunSettings(model, source, data, epochs, batch, seed, lr, lrDecay, set, rewriting, nanGuard, dtype, valid, patience,
                factor, threshold, stopRelChange, stopGradNorm, preprocess, whitenEps, lrSchedule);
    }

    /**
     * These settings stopping after an epoch whose mean training objective changed by less than
     * {@code relChange} of it, or at whose end its gradient's norm is below {@code gradNorm} (0: never).
     */
    public RunSettings stopping(double relChange, double gradNorm) {
        return new RunSettings(model, source, data, epochs, batch, seed, lr, lrDecay, set, rewriting, nanGuard, dtype, valid, patience,
                patienceIncrease, improvementThreshold, relChange, gradNorm, preprocess, whitenEps, lrSchedule);
    }

    /**
     * These settings with the features preprocessed by {@code preprocess} (null: none), fitted on the
     * training split, whitening with {@code whitenEps} (0 for a preprocessing that does not whiten).
     */
    public RunSettings preprocessing(String preprocess, double whitenEps) {
        return new RunSettings(model, source, data, epochs, batch, seed, lr, lrDecay, set, rewriting, nanGuard, dtype, valid, patience,
                patienceIncrease, improvementThreshold, stopRelChange, stopGradNorm, preprocess, whitenEps, lrSchedule);
    }

    /** The {@link #preprocess} as a {@link Preprocessing}; null for none. */
    public Preprocessing preprocessing() { return preprocess == null ? null : Preprocessing.named(preprocess); }

    /** These settings with the learning rate following {@code --lr-schedule spec} (null: none). */
    public RunSettings scheduling(String spec) {
        return new RunSettings(model, source, data, epochs, batch, seed, lr, lrDecay, set, rewriting, nanGuard, dtype, valid, patience,
                patienceIncrease, improvementThreshold, stopRelChange, stopGradNorm, preprocess, whitenEps, spec);
    }

    /** The learning rate's schedule: {@code --lr-schedule}'s, or {@code --lr-decay}'s ExponentialLR (a constant rate for 1). */
    public LrSchedule schedule() { return lrSchedule != null ? LrSchedule.parse(lrSchedule) : new LrSchedule.Exponential(lrDecay); }

    // The checks of the loop's settings, one each, for the command line (which makes them before
    // it touches a folder) and for the settings from Java and from run.json alike.

    /** @throws IllegalArgumentException if {@code epochs} is below 1 */
    public static int requireEpochs(int epochs) {
        if (epochs < 1) throw new IllegalArgumentException("--epochs: expected at least 1, found " + epochs);
        return epochs;
    }

    /** @throws IllegalArgumentException if {@code batch} is below 1 */
    public static int requireBatch(int batch) {
        if (batch < 1) throw new IllegalArgumentException("--batch: expected at least 1, found " + batch);
        return batch;
    }

    /** @throws IllegalArgumentException if {@code lrDecay} is not in (0, 1] */
    public static double requireLrDecay(double lrDecay) {
        if (!(lrDecay > 0 && lrDecay <= 1)) throw new IllegalArgumentException("--lr-decay: expected a number in (0, 1], found " + lrDecay);
        return lrDecay;
    }

    /**
     * {@code --valid}'s text read: a whole number of examples, 1 or more, or a fraction of the
     * training set in (0, 1); {@link #validCount} makes it a count once the data are loaded.
     *
     * @throws IllegalArgumentException if {@code given} is neither
     */
    public static double validation(String given) {
        double v = parsed(given);
        if (!(v > 0 && v < 1 || v >= 1 && v == Math.rint(v) && v <= Integer.MAX_VALUE)) {
            throw new IllegalArgumentException("--valid: expected a number of examples (a whole number, 1 or more) or a fraction"
                    + " of the training set in (0, 1), found " + given);
        }
        return v;
    }

    /**
     * The examples {@code --valid} holds out of {@code examples} training examples of the data set
     * {@code data}: the number {@code given}, or that fraction of them, rounded.
     *
     * @throws IllegalArgumentException if {@code given} is not a {@link #validation}, or if it leaves
     *     no example to validate on or none to train on
     */
    public static int validCount(String given, int examples, String data) {
        double validation = validation(given);
        long count = validation >= 1 ? (long) validation : Math.round(validation * examples);
        if (count < 1 || count >= examples) {
            throw new IllegalArgumentException(String.format("--valid %s: expected from 1 to %,d examples, fewer than the %,d"
                    + " training examples of %s, found %,d", given, examples - 1, examples, data, count));
        }
        return (int) count;
    }

    /** @throws IllegalArgumentException if {@code patience} is below 0, or above 0 without a validation split to watch */
    public static int requirePatience(int patience, boolean validating) {
        if (patience < 0) throw new IllegalArgumentException("--patience: expected at least 1 epoch, found " + patience);
        if (patience > 0 && !validating) {
            throw new IllegalArgumentException("--patience " + patience + ": expected --valid beside it (early stopping watches"
                    + " the validation objective), found no --valid");
        }
        return patience;
    }

    /**
     * {@code --patience-increase}'s factor {@code given} beside {@code --patience patience}: a finite
     * number above 1 (at most 1, the patience would never outgrow the epochs), with a patience to increase.
     *
     * @throws IllegalArgumentException if it is not such a number, or there is no patience
     */
    public static double patienceIncrease(String given, int patience) {
        double factor = above("--patience-increase", given, 1);
        if (patience == 0) {
            throw new IllegalArgumentException("--patience-increase " + given + ": expected --patience beside it (the tutorials'"
                    + " patience, in epochs, that it increases), found no --patience");
        }
        return factor;
    }

    /**
     * {@code --improvement-threshold}'s {@code given} value, with or without {@code --patience-increase}
     * ({@code increasing}): a number in (0, 1]; {@link #IMPROVEMENT_THRESHOLD} when not given
     * (null) with it, 0 (none) without it, where it cannot be given.
     *
     * @throws IllegalArgumentException if it is given without {@code --patience-increase}, or is out of range
     */
    public static double improvementThreshold(String given, boolean increasing) {
        if (given == null) return increasing ? IMPROVEMENT_THRESHOLD : 0;
        if (!increasing) {
            throw new IllegalArgumentException("--improvement-threshold " + given + ": expected --patience-increase beside it,"
                    + " found no --patience-increase");
        }
        double threshold = parsed(given);
        if (!(threshold > 0 && threshold <= 1)) {
            throw new IllegalArgumentException("--improvement-threshold: expected a number in (0, 1], found " + given);
        }
        return threshold;
    }

    /**
     * {@code --lr-schedule}'s SPEC {@code given}, checked and written with every number given
     * ({@code cosine:10} is {@code cosine:10:0}), beside {@code --lr-decay lrDecay}.
     *
     * @throws IllegalArgumentException if {@code given} is not one of {@link LrSchedule#FORMS}, or
     *     comes with a decay: the two would be two schedules
     */
    public static String lrSchedule(String given, double lrDecay) {
        String spec = LrSchedule.parse(given).spec();
        if (lrDecay != 1) {
            throw new IllegalArgumentException("--lr-decay " + plain(lrDecay) + " and --lr-schedule " + given + ": expected one"
                    + " schedule, found two (--lr-decay GAMMA is --lr-schedule exponential:GAMMA)");
        }
        return spec;
    }

    /**
     * The learning rate {@code given} in place of the model's, checked: a finite number above 0.
     * This is the one check of a given rate, for {@code --lr}'s text and for the settings' own
     * number alike, so {@code 0}, {@code -1}, {@code nan} and {@code abc} are refused in the same words.
     *
     * @throws IllegalArgumentException if {@code given} is not a finite number above 0
     */
    public static double learningRate(String given) { return positive("--lr", given); }

    /**
     * {@code --stop-rel-change}'s EPS {@code given}, checked as {@link #learningRate} checks a rate.
     *
     * @throws IllegalArgumentException if {@code given} is not a finite number above 0
     */
    public static double stopRelChange(String given) { return positive("--stop-rel-change", given); }

    /**
     * {@code --stop-grad-norm}'s EPS {@code given}, checked as {@link #learningRate} checks a rate.
     *
     * @throws IllegalArgumentException if {@code given} is not a finite number above 0
     */
    public static double stopGradNorm(String given) { return positive("--stop-grad-norm", given); }

    /**
     * {@code --preprocess}'s {@code given} name, checked: one of {@link Preprocessing}'s.
     *
     * @throws IllegalArgumentException if it names none, listing those there are
     */
    public static String preprocess(String given) { return Preprocessing.named(given).toString(); }

    /**
     * {@code --whiten-eps}'s EPS {@code given} beside {@code --preprocess preprocess}: a finite number
     * above 0, {@link Preprocessing#DEFAULT_EPS} when not given (null) for a whitening, and 0, none,
     * for any other preprocessing, with which it cannot be given.
     *
     * @throws IllegalArgumentException if it is given without a whitening, or is not a finite number above 0
     */
    public static double whitenEps(String given, String preprocess) {
        boolean whitens = preprocess != null && Preprocessing.named(preprocess).whitens();
        if (given == null) return whitens ? Preprocessing.DEFAULT_EPS : 0;
        if (!whitens) {
            throw new IllegalArgumentException("--whiten-eps " + given + ": expected --preprocess pca-whiten or zca-whiten beside it,"
                    + " found " + (preprocess == null ? "no --preprocess" : "--preprocess " + preprocess));
        }
        return positive("--whiten-eps", given);
    }

    /** {@code given}, the value of {@code option}, read as a finite number above 0, or refused in one form for every option. */
    private static double positive(String option, String given) { return above(option, given, 0); }

    /** {@code given}, the value of {@code option}, read as a finite number above {@code bound}, or refused in one form. */
    private static double above(String option, String given, int bound) {
        double v = parsed(given);
        if (!(v > bound && v < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(option + ": expected a finite number > " + bound + ", found " + given);
        }
        return v;
    }

    /** {@code given} read as a number; NaN for text that is not one (Java reads {@code NaN}, not {@code nan}), which the checks refuse. */
    private static double parsed(String given) {
        try {
            return Double.parseDouble(given);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
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
        if (!lr.equals(other.lr)) return "--lr " + lrText(other.lr) + " there, " + lrText(lr) + " here";
        if (Double.compare(lrDecay, other.lrDecay) != 0) return "--lr-decay " + other.lrDecay + " there, " + lrDecay + " here";
        if (!set.equals(other.set)) return "--set " + other.set + " there, " + set + " here";
        if (!rewriting.equals(other.rewriting)) return "rewriting " + other.rewriting + " there, " + rewriting + " here";
        if (!dtype.equals(other.dtype)) return "--dtype " + other.dtype + " there, " + dtype + " here";
        if (valid != other.valid) return "--valid " + countText(other.valid) + " there, " + countText(valid) + " here";
        if (patience != other.patience) return "--patience " + countText(other.patience) + " there, " + countText(patience) + " here";
        if (Double.compare(patienceIncrease, other.patienceIncrease) != 0) {
            return "--patience-increase " + epsText(other.patienceIncrease) + " there, " + epsText(patienceIncrease) + " here";
        }
        if (Double.compare(improvementThreshold, other.improvementThreshold) != 0) {
            return "--improvement-threshold " + epsText(other.improvementThreshold) + " there, " + epsText(improvementThreshold) + " here";
        }
        if (Double.compare(stopRelChange, other.stopRelChange) != 0) {
            return "--stop-rel-change " + epsText(other.stopRelChange) + " there, " + epsText(stopRelChange) + " here";
        }
        if (Double.compare(stopGradNorm, other.stopGradNorm) != 0) {
            return "--stop-grad-norm " + epsText(other.stopGradNorm) + " there, " + epsText(stopGradNorm) + " here";
        }
        if (!Objects.equals(preprocess, other.preprocess)) {
            return "--preprocess " + nameText(other.preprocess) + " there, " + nameText(preprocess) + " here";
        }
        if (Double.compare(whitenEps, other.whitenEps) != 0) {
            return "--whiten-eps " + epsText(other.whitenEps) + " there, " + epsText(whitenEps) + " here";
        }
        if (!Objects.equals(lrSchedule, other.lrSchedule)) {
            return "--lr-schedule " + nameText(other.lrSchedule) + " there, " + nameText(lrSchedule) + " here";
        }
        return null;
    }

    private static String countText(int count) { return count == 0 ? "(none)" : Integer.toString(count); }

    private static String nameText(String name) { return name == null ? "(none)" : name; }

    /** An EPS as it is written on a command line, {@code 0.0001}; {@code (none)} for 0. */
    public static String epsText(double eps) { return eps == 0 ? "(none)" : plain(eps); }

    /** A number as it is written on a command line: {@code 0.0001}, {@code 0.1}, {@code 1}. */
    static String plain(double v) { return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString(); }

    private static String lrText(OptionalDouble lr) { return lr.isPresent() ? Double.toString(lr.getAsDouble()) : "(the model's)"; }
}
