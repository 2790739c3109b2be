package org.graft.cli;

import picocli.CommandLine.Option;

/** {@code --nan-guard}, the same option for {@code graft train} and {@code graft eval}. */
final class NanGuardOption {

    @Option(names = "--nan-guard", description = "Stop at the first NaN or infinity, naming the op that made it and where it is written.")
    boolean on;
}
