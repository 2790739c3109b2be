package org.graft.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;

import org.graft.core.blas.Blas;

import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code graft info}: the version, the matrix-product back end, Java and the cores. */
@Command(name = "info",
        description = {"Prints Graft's version, the matrix-product back end, the Java version and the number of cores.",
                "",
                "Products run in native OpenBLAS when it loads and in EJML (pure Java) when it does not; small ones run "
                        + "as plain Java loops. GRAFT_BLAS=auto|openblas|ejml|loops (or -Dgraft.blas=...) forces a "
                        + "back end, GRAFT_THREADS=N sets the threads large kernels use (default: the cores)."})
final class InfoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<String> gemm = Blas.describe().lines().toList();
        out.println("graft: " + version());
        out.println("gemm:  " + gemm.get(0));
        for (String line : gemm.subList(1, gemm.size())) out.println("       " + line);
        out.println("java:  " + Runtime.version() + " (" + System.getProperty("java.vendor") + ", "
                + System.getProperty("java.vm.name") + ")");
        out.println("cores: " + Runtime.getRuntime().availableProcessors());
        return 0;
    }

    /** Graft's version, as the build wrote it into {@code version.properties}. */
    static String version() {
        try (InputStream in = InfoCommand.class.getResourceAsStream("version.properties")) {
            if (in == null) throw new IllegalStateException("version.properties is missing from the class path");
            var properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code graft --version}: the version, then the back end's description. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            var lines = new ArrayList<String>();
            lines.add("graft " + version());
            List<String> gemm = Blas.describe().lines().toList();
            lines.add("gemm: " + gemm.get(0));
            lines.addAll(gemm.subList(1, gemm.size()));
            // picocli reads version lines as format strings
            return lines.stream().map(l -> l.replace("%", "%%")).toArray(String[]::new);
        }
    }
}
