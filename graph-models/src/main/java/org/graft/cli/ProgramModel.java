package org.graft.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.graft.core.GraftException;
import org.graft.core.Input;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Tensor;
import org.graft.dsl.Graft;
import org.graft.dsl.Program;
import org.graft.models.data.Data;
import org.graft.models.train.Model;

/**
 * A Graft program as {@code graft train} trains it: the data go to the inputs named
 * {@value #FEATURES} and {@value #TARGETS}, the others keep their {@code --set} values, the
 * pictures are of the bindings {@code recon}, {@code samples} and {@code predicted}, and its
 * prediction of y, which is scored, is the first of its outputs with the targets' shape.
 * Public for graph-spark, whose workers compile the program a run trains from its settings alone.
 */
public final class ProgramModel {
    private ProgramModel() {}

    /** The name of the input that takes the features, and of the one that takes the targets. */
    static final String FEATURES = "x";
    static final String TARGETS = "y";

    /**
     * What training on {@code data} needs of {@code program}.
     *
     * @throws GraftException if the program has no objective or no input x, or x or y has a {@code --set} value
     */
    static Model of(Program program, Data data) { return of(program, data.name()); }

    /** The same for a data set named {@code data}: what the errors name. */
    public static Model of(Program program, String data) {
        Program.Objective goal = program.objective().orElseThrow(() -> new GraftException(
                program.file() + " has no minimize or maximize statement: there is nothing to train"));
        Input x = input(program, FEATURES).orElseThrow(() -> new GraftException(program.file()
                + " has no input " + FEATURES + ": graft train feeds the features of " + data + " to an input named x"));
        Optional<Input> y = input(program, TARGETS);
        for (Input given : program.inputValues().keySet()) {
            if (given == x || y.isPresent() && given == y.get()) {
                throw new GraftException(given.pos(), "input " + given.label()
                        + " takes the data set's values; it cannot be given with --set in graft train");
            }
        }
        return new Model(program.file(), x, y, program.inputValues(), columnName(goal.text()), goal.cost(), goal.maximize(),
                goal.optimizer().lr(), program::objectiveUpdates, program.stateUpdates(), program.metrics(), program.params(),
                program::initialize, Optional.ofNullable(program.bindings().get("recon")),
                Optional.ofNullable(program.bindings().get("samples")), program.outputs(),
                Optional.ofNullable(program.bindings().get("predicted")));
    }

    /**
     * The program a run trains, from what its run.json records: the source {@code file} and its
     * {@code text}, the {@code --set} values as the JSON given ({@code set}, by name), and the
     * dtype it computes in, {@code f32} or {@code f64}.
     */
    public static Program compile(String file, String text, Map<String, String> set, String dtype) {
        var values = new LinkedHashMap<String, Tensor>();
        set.forEach((name, json) -> values.put(name, Json.parse(name, json)));
        return Graft.compile(file, text, values, DType.valueOf(dtype.toUpperCase(java.util.Locale.ROOT)));
    }

    private static Optional<Input> input(Program program, String name) {
        return program.inputs().stream().filter(i -> i.label().equals(name)).findFirst();
    }

    /** A column name from the objective as written: its name when it is one, else {@code objective}. */
    private static String columnName(String text) {
        return text.matches("[A-Za-z_][A-Za-z_0-9]*") ? text : "objective";
    }
}
