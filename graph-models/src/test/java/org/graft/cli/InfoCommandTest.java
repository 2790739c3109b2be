package org.graft.cli;

import static org.graft.cli.Run.graft;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import net.jqwik.api.Example;

import org.graft.core.blas.Blas;

/** {@code graft info} and {@code graft --version}: which back end runs the products, and why. */
class InfoCommandTest {

    /** The back end the settings of this test run give: the native library loads on this machine. */
    private static String expectedBackEnd() {
        return switch (Blas.backend()) {
            case AUTO, OPENBLAS -> "openblas";
            case EJML -> "ejml";
            case LOOPS -> "loops";
        };
    }

    @Example
    void infoNamesTheVersionTheBackEndJavaAndTheCores() {
        Run run = graft("info");
        assertEquals(0, run.status(), run.err());
        assertEquals("", run.err());
        List<String> lines = run.out().lines().toList();
        assertTrue(lines.get(0).matches("graft: \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), lines.get(0));
        assertTrue(lines.get(1).startsWith("gemm:  " + expectedBackEnd() + " "), lines.get(1));
        assertTrue(lines.get(1).contains("products under " + Blas.LOOPS_BELOW + " multiply-adds run as Java loops")
                || Blas.backend() == Blas.Backend.LOOPS, lines.get(1));
        assertEquals("java:  " + Runtime.version() + " (" + System.getProperty("java.vendor") + ", "
                + System.getProperty("java.vm.name") + ")", lines.get(lines.size() - 2));
        assertEquals("cores: " + Runtime.getRuntime().availableProcessors(), lines.get(lines.size() - 1));
    }

    @Example
    void versionPrintsTheVersionAndTheBackEnd() {
        for (String flag : List.of("--version", "-V")) {
            Run run = graft(flag);
            assertEquals(0, run.status(), run.err());
            List<String> lines = run.out().lines().toList();
            assertEquals("graft " + InfoCommand.version(), lines.get(0));
            assertTrue(lines.get(1).startsWith("gemm: " + expectedBackEnd() + " "), lines.get(1));
            assertEquals(Blas.describe().lines().count() + 1, lines.size(), run.out());
        }
    }

    @Example
    void infoHelpSaysHowToChooseTheBackEnd() {
        assertEquals(new Run(0, """
                Usage: graft info [-h] [--debug]
                Prints Graft's version, the matrix-product back end, the Java version and the
                number of cores.

                Products run in native OpenBLAS when it loads and in EJML (pure Java) when it
                does not; small ones run as plain Java loops.
                GRAFT_BLAS=auto|openblas|ejml|loops (or -Dgraft.blas=...) forces a back end,
                GRAFT_THREADS=N sets the threads large kernels use (default: the cores).

                Options:
                      --debug   Show the stack trace of an error.
                  -h, --help    Show this help and exit.
                """, ""), graft("info", "--help"));
    }

    @Example
    void theVersionIsTheOneThePomGives() {
        assertTrue(InfoCommand.version().matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), InfoCommand.version());
    }

    // the settings are read once per JVM, so the environment variable is tried in a fresh one

    @Example
    void theEnvironmentVariableChoosesTheBackEndAndInfoSaysWhyNativeIsNotUsed() throws Exception {
        Run run = graftInNewJvm(Map.of("GRAFT_BLAS", "ejml"), "info");
        assertEquals(0, run.status(), run.err());
        List<String> lines = run.out().lines().toList();
        assertTrue(lines.get(1).startsWith("gemm:  ejml "), run.out());
        assertEquals("       native OpenBLAS not used: GRAFT_BLAS=ejml", lines.get(2));
    }

    @Example
    void anUnknownBackEndIsAnErrorNamingTheAcceptedOnes() throws Exception {
        assertEquals(new Run(1, "", "error: GRAFT_BLAS=mkl: unknown GEMM back end; the accepted values are auto, "
                + "openblas, ejml and loops\n"), graftInNewJvm(Map.of("GRAFT_BLAS", "mkl"), "info"));
    }

    private static Run graftInNewJvm(Map<String, String> environment, String... args)
            throws IOException, InterruptedException {
        var command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), GraftCli.class.getName()));
        command.addAll(List.of(args));
        var builder = new ProcessBuilder(command);
        builder.environment().remove("GRAFT_THREADS");
        builder.environment().putAll(environment);
        Process p = builder.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out, err);
    }
}
