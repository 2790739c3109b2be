package org.graft.cli;

import static org.graft.cli.Run.graft;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.DoubleBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.graft.core.tensor.Tensor;
import org.graft.models.data.Data;
import org.graft.models.data.DataSets;

/**
 * {@code graft export}: a trained model leaves Graft and classifies as it did in training, run by
 * ONNX Runtime where it is deployed; what cannot export is an error that says where.
 */
class ExportCommandTest {

    @TempDir
    Path dir;

    /** The digits MLP, exported with its trained params, classifies the digits test split with the accuracy graft train reported. */
    @Test
    void theExportedDigitsMlpHasTheAccuracyTrainingReported() throws Exception {
        Path run = dir.resolve("mlp");
        Run trained = graft("train", "mlp", "--data", "digits", "--epochs", "3", "--out", run.toString());
        assertEquals(0, trained.status(), trained.err());
        double reported = Double.parseDouble(lastLine(trained.out(), "test accuracy: ").substring("test accuracy: ".length()));
        Path file = dir.resolve("mlp.onnx");
        Run exported = graft("export", "mlp", "--from", run.toString(), "--out", file.toString());
        assertEquals(0, exported.status(), exported.err());
        assertEquals("wrote " + file + ": logits of mlp.graft in f64, opset 17\n", exported.out());

        Data digits = DataSets.load("digits");
        Tensor images = digits.test().features(), labels = digits.test().targets();
        int n = images.shape().dim(0), d = images.shape().dim(1), k = labels.shape().dim(1);
        var env = OrtEnvironment.getEnvironment();
        double[] logits;
        try (OrtSession session = env.createSession(Files.readAllBytes(file));
             var x = OnnxTensor.createTensor(env, DoubleBuffer.wrap(images.toArray()), new long[] {n, d});
             var result = session.run(Map.of("x", x))) {
            logits = ((OnnxTensor) result.get("logits").orElseThrow()).getDoubleBuffer().array();
        }
        int right = 0;
        for (int i = 0; i < n; i++) if (argmax(logits, i * k, k) == argmax(labels.toArray(), i * k, k)) right++;
        // the figure as training printed it, to 4 digits
        assertEquals(reported, Math.round(10000.0 * right / n) / 10000.0, 0, right + " right of " + n);
    }

    @Test
    void aRandomOpInTheExportedPathIsAnErrorAtItsPosition() {
        // at dropout 0 the draw is rewritten away (bernoulli of ones is ones), so the loss exports
        Run run = graft("export", "mlp", "--output", "loss", "--set", "dropout=0.5", "--set", "x=[[0.5, 0.5]]", "--set", "y=[[0, 1]]",
                "--out", dir.resolve("m.onnx").toString());
        assertEquals(1, run.status());
        assertTrue(run.err().startsWith("mlp.graft:"), run.err());
        assertTrue(run.err().contains("cannot export bernoulli to ONNX: it has no ONNX equivalent (a random op"), run.err());
        assertTrue(Files.notExists(dir.resolve("m.onnx")), "no file is written");
    }

    @Test
    void aProgramWithoutInferenceOutputsAsksForThem() {
        Run run = graft("export", "vae", "--out", dir.resolve("v.onnx").toString());
        assertEquals(1, run.status());
        assertEquals("error: vae.graft: no output to export: it has no output statement; name the bindings to export with --output NAME\n",
                run.err());
    }

    @Test
    void aRunOfAnotherSourceIsRefused() throws Exception {
        Path run = dir.resolve("xor");
        assertEquals(0, graft("train", "xor", "--data", "xor", "--epochs", "1", "--out", run.toString()).status());
        Run exported = graft("export", "mlp", "--from", run.toString(), "--out", dir.resolve("m.onnx").toString());
        assertEquals(1, exported.status());
        assertEquals("error: --from " + run + ": the run trained another source than mlp.graft (its run.json holds the source it trained)\n",
                exported.err());
    }

    private static int argmax(double[] v, int from, int k) {
        int best = from;
        for (int i = from + 1; i < from + k; i++) if (v[i] > v[best]) best = i;
        return best - from;
    }

    private static String lastLine(String text, String prefix) {
        List<String> lines = text.lines().filter(l -> l.startsWith(prefix)).toList();
        return lines.get(lines.size() - 1);
    }
}
