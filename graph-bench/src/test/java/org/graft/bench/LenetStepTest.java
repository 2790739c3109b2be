package org.graft.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import org.graft.core.tensor.DType;

class LenetStepTest {

    /** The benchmarked step learns its fixed batch (10 steps of SGD take 0.15 off the cost), and reset starts it over exactly. */
    @Test
    void stepsLowerTheCostOfTheirBatchAndResetStartsOver() {
        var step = new LenetStep(DType.F64);
        double first = step.step();
        assertEquals(Math.log(10), first, 0.5, "ten classes from small random weights");
        double last = first;
        for (int i = 0; i < 10; i++) last = step.step();
        assertTrue(last < first - 0.1, "cost " + first + " then " + last);
        step.reset();
        assertEquals(first, step.step());
    }
}
