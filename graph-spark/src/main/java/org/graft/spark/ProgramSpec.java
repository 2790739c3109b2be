package org.graft.spark;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.graft.core.runtime.Options;
import org.graft.models.train.RunSettings;

/**
 * What a worker needs to compile the program a run trains, with no file of the driver's: the
 * source as run.json records it, the {@code --set} values as JSON, the dtype, the rewriting, and
 * the names of the trained params in the trainer's order. Equal specs compile to the same
 * functions, so it keys the workers' cache.
 */
record ProgramSpec(String file, String source, TreeMap<String, String> set, String dtype, boolean rewrite, List<String> skipped,
                   List<String> trained) implements Serializable {

    static ProgramSpec of(RunSettings run, Options options, List<String> trained) {
        return new ProgramSpec(run.model(), run.source(), new TreeMap<>(run.set()), run.dtype(), options.rewrite(),
                List.copyOf(new java.util.TreeSet<>(options.skipped())), List.copyOf(trained));
    }

    Options options() { return new Options(rewrite, java.util.Set.copyOf(skipped)); }

    Map<String, String> setValues() { return set; }
}
