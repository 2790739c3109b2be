package org.graft.cli;

import static org.graft.cli.Run.graft;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.graft.core.tensor.Tensor;
import org.graft.models.io.Npz;

/**
 * {@code graft train} as a separate process, sent SIGINT or SIGTERM while it trains: it saves,
 * says how to resume, exits with 128 + the signal's number, and the resumed run computes what
 * an uninterrupted one does, bit for bit. Linux (and any system with {@code kill} and GNU
 * {@code env}).
 */
class InterruptedTrainingTest {

    @TempDir
    Path dir;

    private static final String[] MLP = {"train", "mlp", "--data", "digits", "--epochs", "4", "--seed", "5", "--set", "hidden=32"};

    @Test
    void aRunStoppedByCtrlCInItsFirstEpochResumesToWhatAnUninterruptedRunComputes() throws Exception {
        Path stopped = dir.resolve("stopped");
        Training child = Training.start(concat(MLP, "--out", stopped.toString()));
        child.awaitStart();
        child.signal("INT");
        assertEquals(130, child.exitStatus(), child.output());

        // it stopped within the first epoch, most likely a few steps into it: a checkpoint of part of an epoch
        Tensor epochs = Npz.read(stopped.resolve("checkpoint.npz")).get("graft.epoch");
        assertEquals(Tensor.scalar(0), epochs, child.output());
        assertEquals("", Files.readString(stopped.resolve("graft.lock")), "the lock is released");
        List<String> said = child.output().lines().toList();
        String resume = said.get(said.size() - 1);
        assertTrue(said.get(said.size() - 2).matches("SIGINT: stopped (before the first step|after \\d+ of the 44 steps of epoch 1),"
                + " all saved in " + stopped), child.output());
        assertEquals("continue with: graft train mlp --data digits --epochs 4 --seed 5 --set hidden=32 --resume " + stopped, resume);

        Run resumed = graft(resume.substring("continue with: graft ".length()).split(" "));   // the command as printed
        assertEquals(0, resumed.status(), resumed.err());
        Path whole = dir.resolve("whole");
        assertEquals(0, graft(concat(MLP, "--out", whole.toString())).status());
        assertEquals(withoutSeconds(whole), withoutSeconds(stopped));
        assertArrayEquals(Files.readAllBytes(whole.resolve("checkpoint.npz")), Files.readAllBytes(stopped.resolve("checkpoint.npz")));
    }

    @Test
    void aSecondRunIntoTheFolderIsRefusedNamingTheFirstWhichSigtermStopsAndSaves() throws Exception {
        Path out = dir.resolve("out");
        Training child = Training.start(concat(MLP, "--out", out.toString()));
        child.awaitStart();
        Run second = graft(concat(MLP, "--out", out.toString()));
        child.signal("TERM");   // what Process.destroy sends, but destroy closes the output still to be read
        assertEquals(143, child.exitStatus(), child.output());

        assertEquals(1, second.status());
        assertTrue(second.err().matches(Pattern.quote("error: --out " + out + ": expected a folder no other run is using, found "
                + out.resolve("graft.lock") + " held by the run of process " + child.process.pid() + " (started ")
                + "[-0-9T:.]+Z\\)\n"), second.err());
        assertTrue(child.output().contains("SIGTERM: stopped "), child.output());
        assertEquals("", Files.readString(out.resolve("graft.lock")), "the lock is released");
        Run resumed = graft(concat(MLP, "--resume", out.toString()));
        assertEquals(0, resumed.status(), resumed.err());
    }

    /** A {@code graft train} process, its standard output and error read as one. */
    private static final class Training {
        final Process process;
        private final BufferedReader lines;
        private final StringBuilder output = new StringBuilder();

        private Training(Process process) {
            this.process = process;
            this.lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        /**
         * Starts graft in a JVM of its own, on this test's classpath. {@code env --default-signal}
         * gives SIGINT and SIGTERM their default handling back, which a test run started in the
         * background by a script inherits as ignored; the JVM would leave them so.
         */
        static Training start(String... args) throws IOException {
            var command = new ArrayList<>(List.of("env", "--default-signal=INT,TERM",
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), GraftCli.class.getName()));
            command.addAll(List.of(args));
            return new Training(new ProcessBuilder(command).redirectErrorStream(true).start());
        }

        /** Reads the output up to the line that says the training starts (handlers are in place from then on). */
        void awaitStart() throws IOException {
            for (String line; (line = lines.readLine()) != null; ) {
                output.append(line).append('\n');
                if (line.startsWith("mlp.graft on digits: ")) return;
            }
            throw new AssertionError("graft train ended before training:\n" + output);
        }

        void signal(String name) throws Exception {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            assertEquals(0, kill.waitFor(), "kill -" + name);
        }

        /** Reads the rest of the output and waits for the end. */
        int exitStatus() throws Exception {
            for (String line; (line = lines.readLine()) != null; ) output.append(line).append('\n');
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "graft train still runs:\n" + output);
            return process.exitValue();
        }

        String output() { return output.toString(); }
    }

    private static String[] concat(String[] first, String... rest) {
        String[] all = Arrays.copyOf(first, first.length + rest.length);
        System.arraycopy(rest, 0, all, first.length, rest.length);
        return all;
    }

    /** The metrics file without its last column, the seconds, which no two runs share. */
    private static List<String> withoutSeconds(Path out) throws IOException {
        return Files.readAllLines(out.resolve("metrics.csv")).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList();
    }
}
