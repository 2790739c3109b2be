/**
 * Files that outlive a run: {@link org.graft.models.io.Npz}, named arrays in NumPy's
 * {@code .npz} format (the checkpoint format, so a checkpoint opens in NumPy as it is), and
 * {@link org.graft.models.io.AtomicFile}, which writes a file whole or not at all, by a
 * temporary file renamed over the target. A file that is truncated or not in its format is
 * refused with an {@link org.graft.models.data.CorruptDataException} saying what was expected
 * and what was found.
 */
package org.graft.models.io;
