package org.graft.spark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

import org.graft.cli.ProgramModel;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.grad.GradTable;
import org.graft.core.runtime.Compiler;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Tensor;
import org.graft.dsl.Program;
import org.graft.models.train.Model;
import org.graft.ops.Ops;

/**
 * The program compiled on a worker, with its params: the gradient of the objective minimized
 * (the negated one for {@code maximize}) with respect to the trained params, and for local SGD
 * the program's whole training step. Compiling takes far longer than a step, so workers are
 * cached per executor JVM, keyed by the {@link ProgramSpec}, and lent to one task at a time (a
 * compiled function owns its buffers): an executor compiles as many as it runs tasks at once.
 */
final class Worker {
    private static final Map<ProgramSpec, ConcurrentLinkedQueue<Worker>> IDLE = new ConcurrentHashMap<>();
    /** Local SGD's replicas, one per run and partition, kept between the steps they take alone. */
    private static final Map<String, Worker> REPLICAS = new ConcurrentHashMap<>();

    final Map<String, Param> params = new LinkedHashMap<>();   // every param of the program, by name
    final Model model;
    final Program program;
    final List<Input> fed;
    final boolean labels;      // y takes a class label per example
    final DType xType, yType;
    private org.graft.core.runtime.Function gradient;   // [objective, d minimized / d trained...]
    private org.graft.core.runtime.Function step;       // the program's training step: [objective], and its updates
    private Param lr;                                    // the step's learning rate
    int version = -1;          // of the averaged values a replica last started from
    int examples;              // the examples a replica stepped on since

    private Worker(ProgramSpec spec) {
        program = ProgramModel.compile(spec.file(), spec.source(), spec.setValues(), spec.dtype());
        model = ProgramModel.of(program, "the training split");
        for (Param p : program.params()) params.put(p.label(), p);
        fed = new ArrayList<>();
        fed.add(model.x());
        model.y().ifPresent(fed::add);
        fed.addAll(model.fixed().keySet());
        labels = model.y().isPresent() && model.y().get().type().rank() == 1;
        xType = model.x().type().dtype();
        yType = model.y().map(y -> y.type().dtype()).orElse(null);
    }

    /** Runs {@code use} with a worker for {@code spec}, compiled once per JVM and task slot. */
    static <T> T with(ProgramSpec spec, Function<Worker, T> use) {
        var idle = IDLE.computeIfAbsent(spec, s -> new ConcurrentLinkedQueue<>());
        Worker w = idle.poll();
        if (w == null) w = new Worker(spec);
        try {
            return use.apply(w);
        } finally {
            idle.add(w);
        }
    }

    /** The replica of partition {@code partition} of the run {@code run}, made on first use. */
    static Worker replica(ProgramSpec spec, String run, int partition) {
        return REPLICAS.computeIfAbsent(run + "/" + partition, key -> new Worker(spec));
    }

    /**
     * The program's own training step at the learning rate {@code rate}, compiled on first use,
     * once the trained params hold values; its optimizer's state params join {@link #params}.
     */
    org.graft.core.runtime.Function step(ProgramSpec spec, double rate) {
        if (step == null) {
            lr = new Param(org.graft.models.train.Trainer.LR, Tensor.scalar(model.cost().type().dtype(), rate));
            Map<Param, Node> updates = program.objectiveUpdates(lr);
            for (Param p : updates.keySet()) params.putIfAbsent(p.label(), p);
            step = Compiler.compile(fed, List.of(model.cost()), updates, spec.options());
        }
        lr.set(Tensor.scalar(model.cost().type().dtype(), rate));
        return step;
    }

    /** The gradient function, compiled on first use, once the params hold values (plans are per shape). */
    org.graft.core.runtime.Function gradient(ProgramSpec spec) {
        if (gradient == null) {
            Node minimized = model.maximize() ? Ops.neg(model.cost()) : model.cost();
            var outputs = new ArrayList<Node>();
            outputs.add(model.cost());
            outputs.addAll(GradTable.grad(minimized, trained(spec)));
            gradient = Compiler.compile(fed, outputs, spec.options());
        }
        return gradient;
    }

    /** The trained params, in the trainer's order. */
    List<Param> trained(ProgramSpec spec) { return spec.trained().stream().map(params::get).toList(); }

    /** The values of a call on {@code rows} of {@code block}: their features, their targets, and the fixed inputs. */
    Map<Input, Tensor> feed(Examples block, int[] rows) {
        var feed = new LinkedHashMap<Input, Tensor>();
        feed.put(model.x(), block.features(rows, xType));
        model.y().ifPresent(y -> feed.put(y, block.targets(rows, yType, labels)));
        feed.putAll(model.fixed());
        return feed;
    }
}
