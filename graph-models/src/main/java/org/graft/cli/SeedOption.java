package org.graft.cli;

import picocli.CommandLine.Option;

/** {@code --seed N}: the one seed of a run, so that the same command gives the same numbers. */
final class SeedOption {

    /** The seed when none is given. */
    static final long DEFAULT = 0;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "" + DEFAULT,
            description = "Seeds the params' initializers and the random ops (default: ${DEFAULT-VALUE}).")
    long seed;
}
