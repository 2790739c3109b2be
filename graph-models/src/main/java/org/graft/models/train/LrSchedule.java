package org.graft.models.train;

import java.util.Arrays;
import java.util.Optional;

/**
 * A learning-rate schedule, {@code graft train --lr-schedule SPEC}: the rate of each epoch as
 * PyTorch 1.13's scheduler of that kind gives it in PyTorch's documented loop, where an epoch
 * trains at the optimizer's rate and the scheduler then steps once (with the epoch's watched
 * value, for {@link Plateau}).
 *
 * <p>Each schedule computes its rates as PyTorch's {@code get_lr} does, recursively from the
 * rate before and in the same order of operations, rather than by the closed forms the
 * documentation gives: those differ from what PyTorch trains with in the last bits. So the
 * rates are PyTorch's exactly; the cosine's are to the rounding of {@code cos}, which CPython
 * takes from the C library and Java from {@link Math#cos} (the same as glibc's on every angle
 * the golden test asks; fdlibm's {@link StrictMath#cos} is not, and puts rates 3 ulps off).
 *
 * <p>The rates are a function of the base rate and the watched values alone, recomputed from
 * the first epoch whenever they are asked for, so a schedule has no state to save: a resumed run
 * reads the watched values back from {@code metrics.csv}, and plateau's best value and bad epochs
 * come back with them.
 */
public sealed interface LrSchedule {

    /**
     * The rates of epochs 1 to {@code epochs}, for a base rate {@code base}.
     *
     * @param watched the value {@link Plateau} watches after each epoch (at least {@code epochs - 1}
     *     of them are read); the other schedules read none
     * @param maximize whether a higher watched value is better (plateau's {@code mode='max'})
     */
    default double[] rates(double base, int epochs, double[] watched, boolean maximize) {
        return rates(base, base, epochs, watched, maximize);
    }

    /**
     * The same, the schedule taking over when the optimizer's rate is {@code start}: the base
     * rate when it starts the run, {@link #restart} when it follows a warm-up.
     */
    double[] rates(double base, double start, int epochs, double[] watched, boolean maximize);

    /**
     * The rate at which the schedule starts when it follows a warm-up: PyTorch's SequentialLR
     * steps it to epoch 0 at its milestone, which takes the scheduler's closed form where it has
     * one, the base rate for all but the cosine's.
     */
    default double restart(double base) { return base; }

    /** The schedule as {@code --lr-schedule} writes it, every number given: {@code cosine:10:0}. */
    String spec();

    /** StepLR(step_size = size, gamma): the rate is multiplied by gamma after every size-th epoch. */
    record Step(int size, double gamma) implements LrSchedule {
        @Override
        public double[] rates(double base, double start, int epochs, double[] watched, boolean maximize) {
            double[] lr = new double[epochs];
            for (int t = 0; t < epochs; t++) lr[t] = t == 0 ? start : t % size == 0 ? lr[t - 1] * gamma : lr[t - 1];
            return lr;
        }

        @Override
        public String spec() { return "step:" + size + ":" + RunSettings.plain(gamma); }
    }

    /** ExponentialLR(gamma): the rate is multiplied by gamma after every epoch ({@code --lr-decay GAMMA}). */
    record Exponential(double gamma) implements LrSchedule {
        @Override
        public double[] rates(double base, double start, int epochs, double[] watched, boolean maximize) {
            double[] lr = new double[epochs];
            for (int t = 0; t < epochs; t++) lr[t] = t == 0 ? start : lr[t - 1] * gamma;
            return lr;
        }

        @Override
        public String spec() { return "exponential:" + RunSettings.plain(gamma); }
    }

    /**
     * CosineAnnealingLR(T_max = tMax, eta_min = etaMin): half a cosine from the base rate down to
     * etaMin over tMax epochs, then, as PyTorch's, back up over the next tMax and so on.
     */
    record Cosine(int tMax, double etaMin) implements LrSchedule {
        @Override
        public double[] rates(double base, double start, int epochs, double[] watched, boolean maximize) {
            double[] lr = new double[epochs];
            for (int t = 0; t < epochs; t++) {
                if (t == 0) {
                    lr[t] = start;
                } else if (Math.floorMod(t - 1 - tMax, 2 * tMax) == 0) {
                    // where the ratio below would divide by 1 + cos(pi) = 0: the first step back up
                    lr[t] = lr[t - 1] + (base - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2;
                } else {
                    lr[t] = (1 + Math.cos(Math.PI * t / tMax)) / (1 + Math.cos(Math.PI * (t - 1) / tMax))
                            * (lr[t - 1] - etaMin) + etaMin;
                }
            }
            return lr;
        }

        // the closed form at epoch 0: etaMin + (base - etaMin) (1 + cos 0) / 2, which may round away from base
        @Override
        public double restart(double base) { return etaMin + (base - etaMin) * (1 + Math.cos(0.0)) / 2; }

        @Override
        public String spec() { return "cosine:" + tMax + ":" + RunSettings.plain(etaMin); }
    }

    /**
     * ReduceLROnPlateau(mode, factor, patience), its other options PyTorch's defaults: after an
     * epoch whose watched value is not better than the best so far by more than 1e-4 of it
     * ({@code threshold_mode='rel'}), and {@code patience} such epochs before it, the rate is
     * multiplied by {@code factor}, unless that would change it by 1e-8 or less ({@code eps});
     * no cooldown, no least rate. A NaN is never better.
     */
    record Plateau(int patience, double factor) implements LrSchedule {
        static final double THRESHOLD = 1e-4;
        static final double EPS = 1e-8;

        @Override
        public double[] rates(double base, double start, int epochs, double[] watched, boolean maximize) {
            double[] lr = new double[epochs];
            double best = maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            int bad = 0;
            for (int t = 0; t < epochs; t++) {
                if (t == 0) {
                    lr[t] = start;
                    continue;
                }
                double value = watched[t - 1];
                // relative to best's own value, as PyTorch's: for a negative best maximized, best (1 + 1e-4) lies below it
                if (maximize ? value > best * (THRESHOLD + 1) : value < best * (1 - THRESHOLD)) {
                    best = value;
                    bad = 0;
                } else {
                    bad++;
                }
                lr[t] = lr[t - 1];
                if (bad > patience) {
                    double reduced = lr[t - 1] * factor;   // min_lr = 0: no least rate to clamp it to
                    if (lr[t - 1] - reduced > EPS) lr[t] = reduced;
                    bad = 0;
                }
            }
            return lr;
        }

        @Override
        public String spec() { return "plateau:" + patience + ":" + RunSettings.plain(factor); }
    }

    /**
     * A linear warm-up over {@code epochs} epochs, the rate of epoch e (1 to {@code epochs}) being
     * e / (epochs + 1) of the base: LinearLR(start_factor = 1 / (epochs + 1), end_factor = 1,
     * total_iters = epochs), so the base comes in epoch epochs + 1. Followed by {@code then},
     * that epoch is its first: SequentialLR([the LinearLR, then], milestones = [epochs]); a
     * plateau, which SequentialLR cannot hold, starts there too, from the base rate, and watches
     * the epochs from there on.
     */
    record Warmup(int epochs, Optional<LrSchedule> then) implements LrSchedule {
        @Override
        public double[] rates(double base, double start, int count, double[] watched, boolean maximize) {
            double s = 1.0 / (epochs + 1);
            double[] lr = new double[count];
            for (int t = 0; t < count && (t < epochs || then.isEmpty()); t++) {
                if (t == 0) lr[t] = start * s;
                else if (t > epochs) lr[t] = lr[t - 1];
                else lr[t] = lr[t - 1] * (1.0 + (1.0 - s) / (epochs * s + (t - 1) * (1.0 - s)));
            }
            if (then.isPresent() && count > epochs) {
                LrSchedule next = then.get();
                double[] after = next.rates(base, next.restart(base), count - epochs,
                        Arrays.copyOfRange(watched, Math.min(epochs, watched.length), watched.length), maximize);
                System.arraycopy(after, 0, lr, epochs, after.length);
            }
            return lr;
        }

        @Override
        public String spec() { return "warmup:" + epochs + then.map(s -> "," + s.spec()).orElse(""); }
    }

    /** The forms of {@code --lr-schedule}, as its help and its errors list them. */
    String FORMS = "step:S[:G], exponential:G, cosine:T_MAX[:ETA_MIN], plateau[:PATIENCE[:FACTOR]], warmup:E[,SCHEDULE]";

    /**
     * The schedule {@code --lr-schedule} gives as {@code spec}: {@code step:S[:G]} (G 0.1 when
     * not given, as PyTorch's default), {@code exponential:G}, {@code cosine:T_MAX[:ETA_MIN]}
     * (ETA_MIN 0), {@code plateau[:PATIENCE[:FACTOR]]} (PyTorch's 10 and 0.1), {@code warmup:E},
     * or {@code warmup:E,SCHEDULE} for one of the others after the warm-up.
     *
     * @throws IllegalArgumentException naming what is wrong, for anything else
     */
    static LrSchedule parse(String spec) {
        String[] parts = spec.split(",", -1);
        if (parts.length > 2) {
            throw new IllegalArgumentException(option(spec) + "expected warmup:E,SCHEDULE, a warm-up then one schedule, found "
                    + parts.length + " schedules");
        }
        LrSchedule first = parse(spec, parts[0]);
        if (parts.length == 1) return first;
        if (!(first instanceof Warmup warmup)) {
            throw new IllegalArgumentException(option(spec) + "expected a warm-up before the comma, warmup:E, found " + parts[0]);
        }
        LrSchedule then = parse(spec, parts[1]);
        if (then instanceof Warmup) {
            throw new IllegalArgumentException(option(spec) + "expected one of step, exponential, cosine or plateau after "
                    + "the warm-up, found a second warm-up");
        }
        return new Warmup(warmup.epochs(), Optional.of(then));
    }

    /** One schedule, {@code part} of the whole {@code spec}. */
    private static LrSchedule parse(String spec, String part) {
        String[] fields = part.split(":", -1);
        String name = fields[0];
        int given = fields.length - 1;
        switch (name) {
            case "step" -> {
                arguments(spec, part, given, 1, 2, "step:S[:G]");
                return new Step(count(spec, "a step size S", fields[1], 1), given == 2 ? factor(spec, "a factor G", fields[2], true) : 0.1);
            }
            case "exponential" -> {
                arguments(spec, part, given, 1, 1, "exponential:G");
                return new Exponential(factor(spec, "a factor G", fields[1], true));
            }
            case "cosine" -> {
                arguments(spec, part, given, 1, 2, "cosine:T_MAX[:ETA_MIN]");
                return new Cosine(count(spec, "a period T_MAX", fields[1], 1), given == 2 ? least(spec, fields[2]) : 0);
            }
            case "plateau" -> {
                arguments(spec, part, given, 0, 2, "plateau[:PATIENCE[:FACTOR]]");
                return new Plateau(given >= 1 ? count(spec, "a patience", fields[1], 0) : 10,
                        given == 2 ? factor(spec, "a factor FACTOR", fields[2], false) : 0.1);
            }
            case "warmup" -> {
                arguments(spec, part, given, 1, 1, "warmup:E");
                return new Warmup(count(spec, "a warm-up of E epochs", fields[1], 1), Optional.empty());
            }
            default -> throw new IllegalArgumentException(option(spec) + "expected one of " + FORMS + ", found " + part);
        }
    }

    private static String option(String spec) { return "--lr-schedule " + spec + ": "; }

    private static void arguments(String spec, String part, int given, int least, int most, String form) {
        if (given < least || given > most) {
            throw new IllegalArgumentException(option(spec) + "expected " + form + ", found " + part);
        }
    }

    /** A whole number of at least {@code least}: {@code what} the field {@code text} gives. */
    private static int count(String spec, String what, String text, int least) {
        int n;
        try {
            n = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            n = Integer.MIN_VALUE;   // refused below, as it was given
        }
        if (n < least) {
            throw new IllegalArgumentException(option(spec) + "expected " + what + " of at least " + least + (least == 1 ? " epoch" : "")
                    + ", a whole number, found " + text);
        }
        return n;
    }

    /** A factor in (0, 1], or in (0, 1) when {@code one} is not allowed (plateau's, as PyTorch's, must reduce). */
    private static double factor(String spec, String what, String text, boolean one) {
        double v = real(text);
        if (!(v > 0 && (one ? v <= 1 : v < 1))) {
            throw new IllegalArgumentException(option(spec) + "expected " + what + " in (0, 1" + (one ? "]" : ")") + ", found " + text);
        }
        return v;
    }

    /** A least rate, ETA_MIN: a finite number of at least 0. */
    private static double least(String spec, String text) {
        double v = real(text);
        if (!(v >= 0 && v < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(option(spec) + "expected a least rate ETA_MIN, a finite number >= 0, found " + text);
        }
        return v;
    }

    private static double real(String text) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return Double.NaN;   // refused by the caller, as it was given
        }
    }
}
