/**
 * Training a model on a data set: the loop behind {@code graft train}, with its metrics file,
 * checkpoints that a later run resumes exactly, pictures, the learning rate's
 * {@link org.graft.models.train.LrSchedule schedules} as PyTorch's, and the scores of a model's
 * prediction of its targets (a
 * {@link org.graft.models.train.Confusion confusion matrix}, R²). A {@link org.graft.models.train.Model}
 * is what the loop needs of a model, whether a Graft program or one built with the Java API;
 * nothing here depends on the language. A {@link org.graft.models.train.TrainedRun} is what a
 * finished run leaves for using its model elsewhere ({@code graft export}).
 */
package org.graft.models.train;
