/**
 * Graft's random numbers: {@link org.graft.core.random.Lxm}, the JDK's {@code L64X128MixRandom}
 * made again so that a stream can be cut into parts that several threads draw at once and that
 * together give the bits one thread would, and {@link org.graft.core.random.Lxm.Jump}, which
 * moves a stream ahead by many draws at the cost of one.
 */
package org.graft.core.random;
