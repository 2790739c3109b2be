/**
 * The bundled models and their training, written with the Java API of {@code org.graft.ops};
 * {@link org.graft.models.DigitsMlp}, the first example to read, trains an MLP on the digits
 * that ship with Graft.
 */
package org.graft.models;
