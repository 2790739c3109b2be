package org.graft.core.rewrite;

import java.util.List;
import java.util.ServiceLoader;

/**
 * A provider of phases. The rule sets are written with the ops (graph-ops), which graph-core
 * cannot see; graph-ops registers a provider as a {@link ServiceLoader} service, so
 * {@link Rewriter#standard()} and {@code Compiler.compile} run them whenever they are on the
 * class path.
 */
public interface RuleSets {

    /** The phases, in the order they run. */
    List<Phase> phases();
}
