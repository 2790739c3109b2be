package org.graft.models.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.graft.models.plot.Pictures;

class RunPicturesTest {

    @Test
    void theLearningCurveHasAPanelPerMeasureWithEverySplitsColumnOfItAndTheTestFiguresAtTheMark() {
        var columns = new Trainer.Columns(true, "train_loss", true, List.of("valid_loss", "valid_accuracy"));
        var history = List.of(
                new Trainer.Epoch(1, 0.1, 2.0, 0.5, Map.of("valid_loss", 1.5, "valid_accuracy", 0.6), 1),
                new Trainer.Epoch(2, 0.05, 1.0, 0.25, Map.of("valid_loss", 1.2, "valid_accuracy", 0.7), 1));
        List<Pictures.Panel> panels = RunPictures.panels(columns, history, Map.of("test_loss", 1.3, "test_accuracy", 0.65));

        assertEquals(List.of("loss", "accuracy", "grad_norm", "lr"), panels.stream().map(Pictures.Panel::label).toList());
        Pictures.Panel loss = panels.get(0);
        assertEquals(List.of("train_loss", "valid_loss"), List.copyOf(loss.lines().keySet()));
        assertArrayEquals(new double[] {2.0, 1.0}, loss.lines().get("train_loss"));
        assertArrayEquals(new double[] {1.5, 1.2}, loss.lines().get("valid_loss"));
        assertEquals(Map.of("test_loss", 1.3), loss.atMark());
        assertEquals(Map.of("test_accuracy", 0.65), panels.get(1).atMark());
        assertArrayEquals(new double[] {0.5, 0.25}, panels.get(2).lines().get("grad_norm"));
        assertArrayEquals(new double[] {0.1, 0.05}, panels.get(3).lines().get("lr"));
    }

    @Test
    void withoutAValidationSplitTheTestColumnsShareTheTrainingObjectivesPanel() {
        var columns = new Trainer.Columns("train_loss", List.of("test_loss", "test_r2"));
        var history = List.of(new Trainer.Epoch(1, 2.0, Map.of("test_loss", 1.5, "test_r2", 0.2), 1));
        List<Pictures.Panel> panels = RunPictures.panels(columns, history, Map.of());
        assertEquals(List.of("loss", "r2"), panels.stream().map(Pictures.Panel::label).toList());
        assertEquals(List.of("train_loss", "test_loss"), List.copyOf(panels.get(0).lines().keySet()));
        assertEquals(Map.of(), panels.get(0).atMark());
    }
}
