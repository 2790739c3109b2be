/**
 * The bundled models: the {@code .graft} sources in {@code org/graft/models/sources/} (the
 * MLP, the lecture notes' small nets, the denoising and contractive autoencoders, the RBM and
 * the VAE), which {@code graft train} trains; and {@link org.graft.models.DigitsMlp}, the same
 * kind of MLP written with the Java API of {@code org.graft.ops} and trained by the same loop,
 * the first example to read.
 */
package org.graft.models;
