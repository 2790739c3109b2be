package org.graft.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.graft.core.tensor.Tensor;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * The {@code --set NAME=VALUE} options. Their syntax is the command line's business: a missing
 * {@code =}, an empty name or a name set twice is a usage error (exit 2). The VALUE is data: JSON
 * that is not a number or a rectangular array of numbers is a {@link DataError} (exit 1).
 */
final class SetOptions {

    /** One {@code NAME=VALUE}, split at the first {@code =}; VALUE is still JSON text. */
    record Binding(String name, String json) {}

    static final class BindingConverter implements ITypeConverter<Binding> {
        @Override
        public Binding convert(String text) {
            int eq = text.indexOf('=');
            if (eq < 0) throw new TypeConversionException("expected NAME=VALUE, found '" + text + "'");
            if (eq == 0) throw new TypeConversionException("expected a name before '=' in '" + text + "'");
            return new Binding(text.substring(0, eq), text.substring(eq + 1));
        }
    }

    @Option(names = "--set", paramLabel = "NAME=VALUE", converter = BindingConverter.class,
            description = {"Binds an input, overrides a param or a const, or replaces a named binding with a "
                    + "fixed value (before any grad). VALUE is JSON: a number or nested arrays of numbers, "
                    + "e.g. --set x='[[1, 2], [3, 4]]'; \"NaN\", \"Infinity\" and \"-Infinity\" are those values. "
                    + "Repeatable."})
    List<Binding> bindings = new ArrayList<>();

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** The values by name, in the order given. */
    Map<String, Tensor> values() {
        var values = new LinkedHashMap<String, Tensor>();
        for (Binding b : bindings) {
            if (values.containsKey(b.name())) {
                throw new ParameterException(spec.commandLine(), "--set " + b.name() + " is given twice");
            }
            values.put(b.name(), null);
        }
        for (Binding b : bindings) values.put(b.name(), Json.parse(b.name(), b.json()));
        return values;
    }
}
