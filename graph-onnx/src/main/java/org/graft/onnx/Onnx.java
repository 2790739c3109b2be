package org.graft.onnx;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.graft.core.Apply;
import org.graft.core.Constant;
import org.graft.core.GraftException;
import org.graft.core.Graph;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.rewrite.Phase;
import org.graft.core.rewrite.Rewriter;
import org.graft.core.runtime.Options;
import org.graft.dsl.Program;
import org.graft.onnx.proto.OnnxProtos.ModelProto;
import org.graft.onnx.proto.OnnxProtos.OperatorSetIdProto;
import org.graft.onnx.proto.OnnxProtos.StringStringEntryProto;

/**
 * Graft graphs as ONNX models: the graph of some outputs, rewritten as a compiled function runs
 * it, with the params' values as initializers, at opset {@value #OPSET}. Symbolic dims stay
 * symbolic ({@code dim_param}, the program's own names) but where a param's value fixes them; the
 * inputs and outputs keep their names; each node's {@code doc_string} is the position of the
 * Graft expression it computes ({@code mlp.graft:26:11}). An op with no ONNX equivalent (a random
 * op, a scan) is a {@link GraftException} at the position of the expression that wrote it.
 */
public final class Onnx {
    private Onnx() {}

    /** The ONNX operator set the models import: 17, the last whose reductions take their axes as attributes but ReduceSum. */
    public static final int OPSET = 17;

    /** The IR version of opset 17 (ONNX 1.12). */
    public static final long IR_VERSION = 8;

    /**
     * The model computing {@code outputs} (by the names they get in the model) from
     * {@code inputs}, the graph first rewritten by the phases {@code options} run; every param it
     * reads must have a value. Only the inputs the outputs read become the model's inputs.
     *
     * @throws GraftException if an output reads an input not among {@code inputs}, a param has no
     *     value, or an op has no ONNX equivalent (at the op's position)
     */
    public static byte[] export(String name, List<Input> inputs, Map<String, ? extends Node> outputs, Options options) {
        if (outputs.isEmpty()) throw new GraftException("nothing to export: expected at least one output");
        var names = new ArrayList<>(outputs.keySet());
        List<Node> roots = new ArrayList<>(outputs.values());
        if (!options.phases().isEmpty()) roots = Rewriter.of(options.phases()).rewrite(roots).roots();
        List<Node> order = Graph.topologicalOrder(roots);
        Set<Node> read = Collections.newSetFromMap(new IdentityHashMap<>());
        read.addAll(order);
        for (Node n : order) {
            if (n instanceof Input in && !inputs.contains(in)) {
                throw new GraftException(in.pos(), "the outputs read input " + in.label() + ", which is not among the model's inputs");
            }
            if (n instanceof Param p && !p.hasValue()) throw new GraftException(p.pos(), "param " + p.label() + " has no value to export");
        }
        var w = new GraphWriter(name, sizes(order));
        for (String output : names) w.fresh(output);   // the outputs' names are theirs, whatever the values inside are called
        for (Input in : inputs) {
            if (!read.contains(in)) continue;
            w.bind(in, w.fresh(in.label()));
            w.input(w.value(in), in.type());
        }
        for (Node n : order) {
            if (w.written(n)) continue;
            if (n instanceof Param p) w.bind(p, w.initializer(p.label(), p.value(), p.type().dtype()));
            else if (n instanceof Constant c) w.bind(c, w.initializer(c.name().orElse("const"), c.value(), c.type().dtype()));
            else if (n instanceof Apply a) w.bind(a, lower(w, a));
        }
        for (int k = 0; k < names.size(); k++) {
            w.identity(w.value(roots.get(k)), names.get(k));
            w.output(names.get(k), roots.get(k).type());
        }
        return ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("graft").setProducerVersion(version())
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET)).setGraph(w.build())
                // which rewrite phases made the graph, as graft print --rewrites would name them
                .addMetadataProps(StringStringEntryProto.newBuilder().setKey("graft.rewriting").setValue(options.phases().isEmpty()
                        ? "-O0" : String.join(", ", options.phases().stream().map(Phase::name).toList())))
                .build().toByteArray();
    }

    /**
     * What a model of a program computes: its {@code outputs} by name, from its {@code inputs}.
     */
    public record Selection(List<Input> inputs, Map<String, Node> outputs) {
        public Selection {
            inputs = List.copyOf(inputs);
            outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
        }

        /**
         * The bindings of {@code program} named {@code outputs} (its {@code output}s or any named
         * binding), each the graph from the program's inputs and from the bindings named
         * {@code cuts}, which become inputs in their place, of their type (the decoder of an
         * autoencoder, from its code).
         *
         * @throws GraftException if a name is no binding of the program, or an output is named twice
         */
        public static Selection of(Program program, List<String> outputs, List<String> cuts) {
            var replaced = new IdentityHashMap<Node, Node>();
            var inputs = new ArrayList<>(program.inputs());
            for (String cut : cuts) {
                Node at = binding(program, cut, "--input");
                Input in = new Input(cut, at.type(), at.pos());
                replaced.put(at, in);
                inputs.add(in);
            }
            var roots = new ArrayList<Node>();
            for (String output : outputs) roots.add(binding(program, output, "--output"));
            List<Node> cutRoots = replaced.isEmpty() ? roots : Graph.replace(roots, replaced);
            var named = new LinkedHashMap<String, Node>();
            for (int k = 0; k < outputs.size(); k++) {
                if (named.put(outputs.get(k), cutRoots.get(k)) != null) throw new GraftException("--output " + outputs.get(k) + " is given twice");
            }
            return new Selection(inputs, named);
        }
    }

    /**
     * The model of {@code program}'s {@code outputs}, cut at {@code cuts} ({@link Selection#of});
     * the params need values ({@link Program#initialize}, or {@code --set} values such as a
     * checkpoint's).
     *
     * @throws GraftException as {@link Selection#of} and {@link #export(String, List, Map, Options)}
     */
    public static byte[] export(Program program, List<String> outputs, List<String> cuts, Options options) {
        Selection s = Selection.of(program, outputs, cuts);
        return export(modelName(program.file()), s.inputs(), s.outputs(), options);
    }

    /** The ONNX op(s) that op class {@code op} becomes, as {@code docs/onnx.md} shows them; empty for one that does not export. */
    public static Optional<String> onnxOf(Class<?> op) {
        Lowering.Rule rule = Lowerings.RULES.get(op);
        return rule == null ? Optional.empty() : Optional.of(rule.onnx());
    }

    private static String lower(GraphWriter w, Apply a) {
        Lowering.Rule rule = Lowerings.RULES.get(a.op().getClass());
        if (rule == null) {
            throw new GraftException(a.pos(), "cannot export " + a.op().name() + " to ONNX: it has no ONNX equivalent"
                    + (a.op().isRandom() ? " (a random op: an exported model is a function of its inputs)" : "")
                    + "; docs/onnx.md lists the ops that export");
        }
        w.lowering(a);
        try {
            return rule.lowering().lower(w);
        } finally {
            w.lowering(null);
        }
    }

    /** The sizes of the symbolic dims that the params' values fix. */
    private static Map<String, Integer> sizes(List<Node> order) {
        var sizes = new HashMap<String, Integer>();
        for (Node n : order) {
            if (n instanceof Param p) {
                String wrong = p.type().bind(p.value().shape(), sizes);
                if (wrong != null) throw new GraftException(p.pos(), "param " + p.label() + ": " + wrong);
            }
        }
        return sizes;
    }

    private static Node binding(Program program, String name, String option) {
        Node n = program.bindings().get(name);
        if (n == null) n = program.outputs().get(name);
        if (n == null) {
            throw new GraftException(option + " " + name + ": " + program.file() + " binds no " + name + "; its outputs are "
                    + String.join(", ", program.outputs().keySet()));
        }
        return n;
    }

    /** {@code mlp} of {@code mlp.graft}: the graph's name. */
    private static String modelName(String file) {
        String base = file.substring(file.lastIndexOf('/') + 1);
        return base.endsWith(".graft") ? base.substring(0, base.length() - ".graft".length()) : base;
    }

    private static String version() {
        String v = Onnx.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
