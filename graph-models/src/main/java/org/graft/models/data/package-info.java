/**
 * Data sets and their loaders. {@link org.graft.models.data.DataSets#load} turns a spec such as
 * {@code digits}, {@code mnist:DIR} or {@code csv:FILE} into {@link org.graft.models.data.Data}:
 * a named training and test {@link org.graft.models.data.Dataset}, examples whose targets are
 * class labels one-hot or real values, or whole sequences {@code [t, n, d]} (the Lorenz system,
 * noisy sines, {@code csv-seq:FILE}) for one-step prediction, with seeded splits and mini-batches.
 * {@link org.graft.models.data.Digits} reads the 8x8 digits bundled with Graft.
 * {@link org.graft.models.data.Preprocessing} standardizes or whitens features, fitted on one
 * set of examples and applied to others as fitted.
 *
 * <p>A loader checks a whole file before handing out any of it, and refuses a truncated or
 * corrupt one with a {@link org.graft.models.data.CorruptDataException} saying where (file, and
 * line:column in a text file), what it expected and what it found. Generated data sets and
 * splits come from fixed seeds, so they are the same on every run.
 */
package org.graft.models.data;
