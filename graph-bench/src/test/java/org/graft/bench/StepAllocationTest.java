package org.graft.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.graft.core.tensor.DType;

class StepAllocationTest {
    static final long ONE_MILLISECOND = 1_000_000L;

    @Test
    void theHandWrittenAndTheGraftStepsAllocateNothing() {
        var problem = Problem.of(Mlp.SMALL, 4);
        for (TrainingStep step : List.of(new HandStep64(problem), new HandStep32(problem),
                new GraftStep(problem, DType.F64), new GraftStep(problem, DType.F32))) {
            // the first product loads the GEMM back end, and the first call makes Graft's plan; then
            // 50 ms of steps, as the benchmark's warm-up iterations do, so that what is counted is
            // the steady state: until the JIT has compiled a step's methods, its interpreted and
            // first compiled forms may allocate what the final code keeps in registers (a step of
            // HandStep32 counted 268 bytes once, after a single warm-up step)
            step.step();
            StepAllocation.bytesPerStep(step, 50 * ONE_MILLISECOND);
            String name = step.getClass().getSimpleName() + (step instanceof GraftStep ? " " + ((GraftStep) step).dtype() : "");
            assertEquals(0.0, StepAllocation.bytesPerStep(step, ONE_MILLISECOND), name);
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
