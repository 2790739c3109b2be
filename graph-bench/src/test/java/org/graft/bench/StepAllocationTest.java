package org.graft.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class StepAllocationTest {
    static final long ONE_MILLISECOND = 1_000_000L;

    @Test
    void theHandWrittenStepsAllocateNothing() {
        var problem = Problem.of(Mlp.SMALL, 4);
        for (TrainingStep step : List.of(new HandStep64(problem), new HandStep32(problem))) {
            assertEquals(0.0, StepAllocation.bytesPerStep(step, ONE_MILLISECOND), step.getClass().getSimpleName());
        }
    }

    @Test
    void aStepThatAllocatesAnArrayIsChargedForIt() {
        var step = new TrainingStep() {
            long[] kept;
            @Override public double step() { kept = new long[16]; return kept.length; }
            @Override public void reset() {}
        };
        double bytes = StepAllocation.bytesPerStep(step, ONE_MILLISECOND);
        // 16 longs and an array header of 12 to 24 bytes, as the JVM lays it out
        assertTrue(bytes >= 16 * 8 + 12 && bytes <= 16 * 8 + 24, "counted " + bytes + " bytes per step");
    }
}
