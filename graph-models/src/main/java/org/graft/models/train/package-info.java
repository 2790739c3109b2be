/**
 * Training a program on a data set: the loop behind {@code graft train}, with its metrics file,
 * checkpoints that a later run resumes exactly, and pictures.
 */
package org.graft.models.train;
