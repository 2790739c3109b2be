/**
 * Benchmarks, run from the command line rather than by the test suite; each class's Javadoc
 * gives the one command that runs it.
 */
package org.graft.ops.bench;
