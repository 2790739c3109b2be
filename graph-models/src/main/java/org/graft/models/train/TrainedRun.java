package org.graft.models.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

import org.graft.core.GraftException;
import org.graft.core.tensor.Tensor;
import org.graft.models.io.Npz;

/**
 * What a training run left for using its model elsewhere ({@code graft export}): its settings
 * and its params' values by name. A run with a validation split gives its best epoch's params
 * ({@value Checkpoint#BEST_FILE}), with which it measured the test split; any other run the
 * params where it stood when saved ({@value Checkpoint#PARAMS}; the optimizer's state is there
 * too, under names of its own).
 *
 * @param file the file the params come from
 */
public record TrainedRun(RunSettings settings, Map<String, Tensor> params, Path file) {

    /**
     * Reads the run in {@code folder}; errors start with {@code option}, the option that named it.
     *
     * @throws GraftException if the folder holds no run
     * @throws org.graft.models.data.CorruptDataException if a file is damaged
     */
    public static TrainedRun read(Path folder, String option) throws IOException {
        RunSettings settings = Checkpoint.settings(folder, option);
        Path best = folder.resolve(Checkpoint.BEST_FILE);
        Path file = settings.valid() > 0 && Files.exists(best) ? best : folder.resolve(Checkpoint.PARAMS);
        try {
            return new TrainedRun(settings, Npz.read(file), file);
        } catch (NoSuchFileException e) {
            throw new GraftException(option + ": expected a checkpoint, found no " + file.getFileName() + " in it");
        }
    }
}
