/**
 * Graphs as text: {@link org.graft.core.print.DebugPrint} writes the indented tree of Theano's
 * {@code debugprint}, the form {@code graft print} shows and golden tests compare, and
 * {@link org.graft.core.print.Dot} writes Graphviz DOT for drawing. Both describe an op with
 * {@link org.graft.core.Op#describe()} and a node with the same one-line text.
 */
package org.graft.core.print;
