#!/usr/bin/python3
"""Expected values for LrScheduleGoldenTest: the learning rate PyTorch 1.13's schedulers give each
of 30 epochs, for every form of graft train's --lr-schedule with a few parameter sets.

Each case is a --lr-schedule SPEC, a base rate, whether the objective is minimized or maximized,
and the value ReduceLROnPlateau watches after each epoch (a fixed, given sequence; the other
schedules ignore it). The loop is PyTorch's documented one: the rate of an epoch is the
optimizer's rate while it trains, then the scheduler steps (with the epoch's value, for plateau).
SPEC's forms and the PyTorch scheduler each one is, built here from the SPEC on its own:

    step:S[:G]            StepLR(step_size=S, gamma=G), G 0.1 when not given
    exponential:G         ExponentialLR(gamma=G)
    cosine:T[:ETA_MIN]    CosineAnnealingLR(T_max=T, eta_min=ETA_MIN), ETA_MIN 0 when not given
    plateau[:P[:F]]       ReduceLROnPlateau(mode, factor=F, patience=P), P 10 and F 0.1 when not
                          given, the other options their defaults (threshold 1e-4 'rel',
                          cooldown 0, min_lr 0, eps 1e-8); mode 'min', or 'max' for an objective
                          maximized
    warmup:E              LinearLR(start_factor=1/(E+1), end_factor=1, total_iters=E)
    warmup:E,SPEC2        SequentialLR([that LinearLR, SPEC2's scheduler], milestones=[E]); for a
                          SPEC2 of plateau, which SequentialLR cannot hold, the loop does what it
                          would: the warm-up steps E times, the rate is set to the base (as
                          SequentialLR's milestone restarts its next scheduler), and
                          ReduceLROnPlateau steps from then on, with the values of epochs E+1, ...

Run it with Debian's python3 (apt-get install python3-torch):

    /usr/bin/python3 scripts/golden/lr_schedules.py > graph-models/src/test/resources/torch/lr_schedules.txt

The output is blocks separated by blank lines, one per case: `schedule SPEC`, `base RATE`,
`objective min|max`, `watched` (the 30 values; the 30th is never read, as the rate of an epoch
31 is not asked for) and `lr` (the 30 rates). Numbers are printed with repr, so that they read
back exactly.
"""
import warnings

import torch

EPOCHS = 30

# A validation loss that falls, then creeps: ties, a gain of less than the 1e-4 relative threshold
# (1.0899 -> 1.08985 is 4.6e-5 of it), a worse epoch, and a NaN, which is never better.
LOSS = [2.0, 1.5, 1.2, 1.1, 1.1, 1.10005, 1.09, 1.0899, 1.08985, 1.0899, 1.2, 1.0, 0.99995, 0.9999, 0.9998,
        0.9998, 0.9998, 1.3, 0.95, 0.95, float('nan'), 0.95, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.89, 0.88]
# An ELBO, maximized: negative, so that the relative threshold, best * (1 + 1e-4), lies below best.
ELBO = [-180.0, -150.0, -130.0, -125.0, -124.99, -125.5, -124.0, -124.0, -123.99, -130.0, -123.0, -123.0,
        -122.995, -122.99, -122.0, -122.5, -123.0, -122.1, -121.0, -121.0, -121.0, -121.0, -121.0, -120.0,
        -120.5, -120.0, -119.99, -125.0, -119.0, -119.0]
# The same value every epoch: every epoch after the first is bad.
FLAT = [1.0] * EPOCHS

CASES = [
    ("step:3", 0.1, "min", LOSS),
    ("step:5:0.5", 0.05, "min", LOSS),
    ("step:1:0.9", 1.0, "min", LOSS),
    ("exponential:0.9", 0.1, "min", LOSS),
    ("exponential:0.85", 0.001, "min", LOSS),
    ("exponential:1", 0.3, "min", LOSS),
    ("cosine:10", 0.1, "min", LOSS),
    ("cosine:10:0.001", 0.1, "min", LOSS),
    ("cosine:7:0.0005", 0.01, "min", LOSS),
    ("cosine:1", 0.1, "min", LOSS),
    ("cosine:30", 0.003, "min", LOSS),
    ("warmup:5", 0.1, "min", LOSS),
    ("warmup:1", 0.02, "min", LOSS),
    ("warmup:5,cosine:25", 0.1, "min", LOSS),
    ("warmup:4,cosine:10:0.001", 0.05, "min", LOSS),
    ("warmup:3,step:4:0.5", 0.1, "min", LOSS),
    ("warmup:2,exponential:0.9", 0.01, "min", LOSS),
    ("warmup:3,plateau:2:0.5", 0.1, "min", LOSS),
    ("plateau:2:0.5", 0.1, "min", LOSS),
    ("plateau:1:0.2", 0.01, "min", LOSS),
    ("plateau", 0.1, "min", LOSS),
    ("plateau:0:0.1", 0.1, "min", FLAT),   # reduced every epoch until the step would be under eps = 1e-8
    ("plateau:2:0.5", 0.001, "max", ELBO),
    ("plateau:0:0.5", 0.1, "max", ELBO),
]


def number(text, default=None):
    return default if text is None else float(text)


def scheduler(spec, optimizer, base, mode):
    """The scheduler of one SPEC (without a warm-up): a function of the epoch's watched value that steps it."""
    name, *args = spec.split(":")
    args += [None] * 2
    if name == "step":
        s = torch.optim.lr_scheduler.StepLR(optimizer, step_size=int(args[0]), gamma=number(args[1], 0.1))
    elif name == "exponential":
        s = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=float(args[0]))
    elif name == "cosine":
        s = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=int(args[0]), eta_min=number(args[1], 0.0))
    elif name == "plateau":
        s = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode=mode, factor=number(args[1], 0.1),
                                                       patience=int(number(args[0], 10)))
        return s, s.step
    else:
        raise ValueError(spec)
    return s, lambda watched: s.step()


def rates(spec, base, mode, watched):
    w = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=base)
    parts = spec.split(",")
    if parts[0].startswith("warmup:"):
        e = int(parts[0].split(":")[1])
        warm = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=1 / (e + 1), end_factor=1.0, total_iters=e)
        if len(parts) == 1:
            step = lambda value: warm.step()
        elif parts[1].startswith("plateau"):
            steps = [0]
            plateau = []

            def step(value):
                steps[0] += 1
                if steps[0] < e:
                    warm.step()
                elif steps[0] == e:
                    optimizer.param_groups[0]["lr"] = base
                    plateau.append(scheduler(parts[1], optimizer, base, mode)[1])
                else:
                    plateau[0](value)
        else:
            follower, _ = scheduler(parts[1], optimizer, base, mode)
            sequence = torch.optim.lr_scheduler.SequentialLR(optimizer, [warm, follower], milestones=[e])
            step = lambda value: sequence.step()
    else:
        _, step = scheduler(spec, optimizer, base, mode)
    lr = []
    for epoch in range(EPOCHS):
        lr.append(optimizer.param_groups[0]["lr"])
        optimizer.step()   # no gradient: nothing moves, but the schedulers see a step before theirs
        step(watched[epoch])
    return lr


def main():
    warnings.simplefilter("ignore")   # SequentialLR's step(0) at its milestone warns that passing an epoch is deprecated
    blocks = []
    for spec, base, mode, watched in CASES:
        lr = rates(spec, base, mode, watched)
        blocks.append("\n".join([
            "schedule " + spec,
            "base " + repr(base),
            "objective " + mode,
            "watched " + " ".join(repr(v) for v in watched),
            "lr " + " ".join(repr(v) for v in lr)]))
    print("\n\n".join(blocks))


if __name__ == "__main__":
    main()
