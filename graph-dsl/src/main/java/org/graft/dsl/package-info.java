/**
 * The Graft language: the grammar ({@code Graft.g4}), the compiler from parse trees to graphs
 * and its {@code file:line:col: error: message} diagnostics. The entry point is {@link Graft}.
 */
package org.graft.dsl;
