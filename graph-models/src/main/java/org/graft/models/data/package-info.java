/**
 * Data sets and their loaders: {@link org.graft.models.data.Dataset}, labelled examples with
 * seeded splits and mini-batches, and {@link org.graft.models.data.Digits}, the 8x8 digits
 * bundled with Graft. A loader refuses a truncated or corrupt file with a
 * {@link org.graft.models.data.CorruptDataException} saying where, what it expected and what
 * it found, and hands out nothing of it.
 */
package org.graft.models.data;
