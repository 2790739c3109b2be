/**
 * The pictures of a training run, as PNG files for people to look at:
 * {@link org.graft.models.plot.Pictures#learningCurve learning curves} (JFreeChart, one
 * stacked panel per series over a shared epoch axis),
 * {@link org.graft.models.plot.Pictures#trajectories sequences' true and predicted values}
 * (a column of panels per sequence),
 * {@link org.graft.models.plot.Pictures#imageGrid grids of images} such as first-layer
 * filters and samples, and {@link org.graft.models.plot.Pictures#reconstructions inputs over
 * their reconstructions}. Drawing runs headless; files are written whole or not at all.
 */
package org.graft.models.plot;
