package org.graft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import picocli.CommandLine;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * The documentation, run as it is written. README.md and docs/*.md say how each fenced block
 * is to be tested in an HTML comment on the line before its fence, {@code <!-- test: KIND -->}:
 *
 * <ul>
 *   <li>{@code file NAME}: the block is the file NAME (a {@code .graft} source, a {@code .java}
 *       program), written into a folder of the document's own, where the transcripts after it
 *       run; {@code file NAME, the bundled MODEL} is also the bundled model's source, as is.
 *       A {@code .java} file must be run by a transcript of its document.</li>
 *   <li>{@code transcript}: lines {@code $ COMMAND}, each followed by what it prints (standard
 *       output, then standard error). {@code ./graft ARGS} runs in this process, through the
 *       command line's own {@link GraftCli}; {@code java -cp JAR NAME.java ARGS} compiles the
 *       file NAME.java in memory and runs its {@code main}.</li>
 *   <li>{@code parsed only, WHY}: {@code ./graft} command lines (a shell block) that are parsed
 *       by the command line, so their options exist and their values convert, but not run.</li>
 *   <li>{@code java fragment after PRELUDE}: Java statements, or an expression when the last
 *       line does not end in {@code ;}, compiled and run after the declarations
 *       {@link #PRELUDES} holds under that name, or after those of {@code the java block above}
 *       and that block itself.</li>
 *   <li>{@code jqwik test class}: a test class, compiled, whose properties jqwik runs.</li>
 *   <li>{@code maven dependency}: each {@code <dependency>} names a module of this build, in
 *       the group and version of this build.</li>
 * </ul>
 *
 * Every Java block must be marked, and so must every block of the tutorial in
 * docs/language.md. A transcript's output is compared as text, line by line, except for what
 * must vary, and only that:
 *
 * <ul>
 *   <li>the folder: file arguments that name a file or folder of the document's folder are passed as
 *       paths in it (a data set's file too, after its colon: {@code csv-seq:walk.csv}), so is the value of
 *       {@code --out}, {@code graft train} without {@code --out} gets one there (its default,
 *       {@code runs/MODEL}, is relative to the working directory), and the folder's path is
 *       removed from what is printed; {@code java -cp}'s class path is this test's;</li>
 *   <li>a number printed with 15 significant digits or more (a double in full, as {@code eval}
 *       writes them) may differ by 1e-12 of itself: the JDK's {@code Math} functions may differ
 *       in the last place between machines;</li>
 *   <li>{@code gradcheck}'s abs and rel error figures, which measure round-off and so change
 *       wholly with that last place: of its lines, only the param's name and the verdict are
 *       compared;</li>
 *   <li>{@code train}'s epoch lines: the seconds at their end, which are times, and which lines
 *       between the first epoch's and the last's appear, since one is printed at most once a
 *       second.</li>
 * </ul>
 */
class DocsTest {
    static final Path ROOT = Path.of("..");
    static final String TUTORIAL = "## Tutorial";

    @TempDir
    Path folders;

    /** Declarations a fragment of the docs takes as given, by the name its marker uses. */
    static final Map<String, Prelude> PRELUDES = preludes();

    record Prelude(String imports, String statements) {}

    private static Map<String, Prelude> preludes() {
        String builders = """
                import static org.graft.ops.Ops.*;

                import java.util.List;
                import java.util.Map;
                import java.util.SplittableRandom;

                import org.graft.core.Input;
                import org.graft.core.Node;
                import org.graft.core.Param;
                import org.graft.core.runtime.Compiler;
                import org.graft.core.runtime.Function;
                import org.graft.core.runtime.Options;
                import org.graft.core.tensor.Shape;
                import org.graft.core.tensor.Tensor;
                import org.graft.ops.optim.Optimizer;
                """;
        String params = """
                Input x = input("x", "n", 4);
                Input y = input("y", "n", 2);
                var random = new SplittableRandom(1);
                Param W1 = param("W1", Tensor.normal(Shape.of(4, 3), 0, 0.5, random));
                Param b1 = param("b1", Tensor.zeros(Shape.of(3)));
                Param W2 = param("W2", Tensor.normal(Shape.of(3, 2), 0, 0.5, random));
                Param b2 = param("b2", Tensor.zeros(Shape.of(2)));
                """;
        String step = """
                Node loss = mean(softmaxCrossEntropy(add(matmul(relu(add(matmul(x, W1), b1)), W2), b2), y));
                List<Input> inputs = List.of(x, y);
                List<Node> outputs = List.of(loss);
                Map<Param, Node> updates = Optimizer.sgd(0.1).updates(loss, List.of(W1, b1, W2, b2));
                """;
        String patterns = """
                import static org.graft.core.rewrite.Pattern.on;
                import static org.graft.core.rewrite.Pattern.var;
                import static org.graft.core.rewrite.Rule.rule;
                import static org.graft.ops.Ops.neg;
                import static org.graft.ops.Ops.softplus;

                import org.graft.core.rewrite.Pattern;
                import org.graft.ops.Unary.Log;
                import org.graft.ops.Unary.Sigmoid;
                """;
        return Map.of(
                "mlp-params", new Prelude(builders, params),
                "training-step", new Prelude(builders, params + step),
                "patterns", new Prelude(patterns, "Pattern.Var X = var(\"x\");\n"));
    }

    // ---- the documents and their blocks ----------------------------------------------------------------

    /** A fenced block: where it starts (the fence's line, from 1), its info string, its marker (null: none) and its text. */
    record Block(Path doc, int line, String info, String marker, String text) {
        String where() { return ROOT.relativize(doc) + ":" + line; }
    }

    private static final Pattern MARKER = Pattern.compile("<!-- test: (.+?) -->");

    static List<Path> documents() throws IOException {
        var docs = new ArrayList<Path>();
        docs.add(ROOT.resolve("README.md"));
        try (Stream<Path> files = Files.list(ROOT.resolve("docs"))) {
            files.filter(f -> f.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    static List<Block> blocks(Path doc) throws IOException {
        List<String> lines = Files.readAllLines(doc);
        var blocks = new ArrayList<Block>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).startsWith("```")) continue;
            int start = i;
            String previous = start > 0 ? lines.get(start - 1) : "";
            Matcher marker = MARKER.matcher(previous);
            var text = new StringBuilder();
            for (i++; i < lines.size() && !lines.get(i).startsWith("```"); i++) text.append(lines.get(i)).append('\n');
            assertTrue(i < lines.size(), doc + ":" + (start + 1) + ": a block that is never closed");
            blocks.add(new Block(doc, start + 1, lines.get(start).substring(3).strip(), marker.matches() ? marker.group(1) : null,
                    text.toString()));
        }
        return blocks;
    }

    /** The line of docs/language.md where its tutorial starts. */
    private static int tutorialLine(Path doc) throws IOException {
        List<String> lines = Files.readAllLines(doc);
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).startsWith(TUTORIAL)) return i + 1;
        throw new AssertionError(doc + " has no line starting with " + TUTORIAL);
    }

    @Test
    void everyJavaBlockAndEveryBlockOfTheTutorialSaysHowItIsTested() throws IOException {
        Path language = ROOT.resolve("docs/language.md");
        int tutorial = tutorialLine(language);
        var unmarked = new ArrayList<String>();
        for (Path doc : documents()) {
            for (Block b : blocks(doc)) {
                boolean mustBeMarked = b.info().equals("java") || doc.equals(language) && b.line() > tutorial;
                if (mustBeMarked && b.marker() == null) unmarked.add(b.where());
            }
        }
        assertEquals(List.of(), unmarked, "blocks without a <!-- test: ... --> line before them");
    }

    @TestFactory
    Stream<DynamicNode> theDocumentsRunAsWritten() throws IOException {
        var containers = new ArrayList<DynamicNode>();
        for (Path doc : documents()) {
            List<Block> marked = blocks(doc).stream().filter(b -> b.marker() != null).toList();
            if (marked.isEmpty()) continue;
            var run = new DocumentRun(doc, folders.resolve(doc.getFileName().toString()));
            var tests = new ArrayList<DynamicTest>();
            for (Block b : marked) tests.add(DynamicTest.dynamicTest(b.where() + " " + b.marker(), () -> run.test(b)));
            tests.add(DynamicTest.dynamicTest(ROOT.relativize(doc) + ": every program it shows is run", run::everyProgramRan));
            containers.add(DynamicContainer.dynamicContainer(ROOT.relativize(doc).toString(), tests));
        }
        return containers.stream();
    }

    // ---- one document, block after block ----------------------------------------------------------------

    /** The blocks of one document, tested in order: its files go into its folder, where its transcripts run. */
    private static final class DocumentRun {
        private final Path doc;
        private final Path folder;
        private final Set<String> programs = new LinkedHashSet<>();   // the .java files written, until a transcript runs them
        private Prelude above;                                       // the last java fragment, with its prelude

        DocumentRun(Path doc, Path folder) {
            this.doc = doc;
            this.folder = folder;
        }

        void test(Block b) throws Exception {
            Files.createDirectories(folder);
            String kind = b.marker();
            if (kind.startsWith("file ")) file(b, kind.substring("file ".length()));
            else if (kind.equals("transcript")) transcript(b);
            else if (kind.startsWith("parsed only")) parsedOnly(b);
            else if (kind.startsWith("java fragment after ")) fragment(b, kind.substring("java fragment after ".length()));
            else if (kind.equals("jqwik test class")) jqwik(b);
            else if (kind.equals("maven dependency")) mavenDependency(b);
            else fail(b.where() + ": no such kind of block: " + kind);
        }

        void everyProgramRan() { assertEquals(Set.of(), programs, ROOT.relativize(doc) + ": programs no transcript runs"); }

        private void file(Block b, String what) throws IOException {
            String[] parts = what.split(", the bundled ", 2);
            String name = parts[0];
            if (parts.length == 2) {
                var model = BundledModels.find(parts[1]);
                assertTrue(model.isPresent(), b.where() + ": no bundled model " + parts[1]);
                assertEquals(BundledModels.source(model.get()), b.text(), b.where() + ": not the source of the bundled " + parts[1]);
            }
            Files.writeString(folder.resolve(name), b.text());
            if (name.endsWith(".java")) programs.add(name);
        }

        private void transcript(Block b) throws Exception {
            List<String> lines = b.text().lines().toList();
            for (int i = 0; i < lines.size(); ) {
                String command = lines.get(i);
                assertTrue(command.startsWith("$ "), b.where() + ": expected a line '$ COMMAND', found " + command);
                var expected = new StringBuilder();
                for (i++; i < lines.size() && !lines.get(i).startsWith("$ "); i++) expected.append(lines.get(i)).append('\n');
                List<String> words = Shell.words(command.substring(2));
                String printed = switch (words.get(0)) {
                    case "./graft" -> graft(words.subList(1, words.size()));
                    case "java" -> java(words, b);
                    default -> throw new AssertionError(b.where() + ": a command this test cannot run: " + command);
                };
                Output.assertSame(expected.toString(), printed.replace(folder + "/", ""), b.where() + ": " + command);
            }
        }

        private String graft(List<String> words) {
            var args = new ArrayList<String>();
            for (int i = 0; i < words.size(); i++) {
                // what a command writes (--out) goes into the folder too, where the commands after it read it
                args.add(i > 0 && words.get(i - 1).equals("--out") ? folder.resolve(words.get(i)).toString() : inFolder(words.get(i)));
            }
            if (args.get(0).equals("train") && !args.contains("--out") && !args.contains("--resume")) {
                String model = Path.of(words.get(1)).getFileName().toString().replaceFirst("\\.graft$", "");
                args.addAll(List.of("--out", folder.resolve("runs").resolve(model).toString()));
            }
            Run run = Run.graft(args.toArray(new String[0]));
            return run.out() + run.err();
        }

        /**
         * A word that names a file or a folder of the folder ({@code --from runs/mlp}), as it is or a file after a data
         * set's colon, with its path in its place.
         */
        private String inFolder(String word) {
            if (!word.isEmpty() && Files.exists(folder.resolve(word))) return folder.resolve(word).toString();
            int colon = word.indexOf(':');
            if (colon < 0 || !Files.isRegularFile(folder.resolve(word.substring(colon + 1)))) return word;
            return word.substring(0, colon + 1) + folder.resolve(word.substring(colon + 1));
        }

        /** {@code java -cp JAR NAME.java ARGS}: NAME.java from the folder, compiled here and run with this test's class path. */
        private String java(List<String> words, Block b) throws Exception {
            assertTrue(words.size() >= 4 && words.get(1).equals("-cp") && words.get(3).endsWith(".java"),
                    b.where() + ": expected java -cp JAR NAME.java ARGS, found " + words);
            String file = words.get(3);
            assertTrue(programs.contains(file) || Files.exists(folder.resolve(file)), b.where() + ": no file " + file + " above");
            programs.remove(file);
            String name = file.substring(0, file.length() - ".java".length());
            var args = new ArrayList<String>();
            for (String w : words.subList(4, words.size())) args.add(Files.isRegularFile(folder.resolve(w)) ? folder.resolve(w).toString() : w);
            ClassLoader loader = InMemory.compile(name, Files.readString(folder.resolve(file)), b.where());
            return InMemory.runMain(loader.loadClass(name), args.toArray(new String[0]));
        }

        private void parsedOnly(Block b) {
            for (String line : b.text().lines().filter(l -> !l.isBlank()).toList()) {
                List<String> words = Shell.words(line);
                assertEquals("./graft", words.get(0), b.where() + ": " + line);
                var out = new StringWriter();
                CommandLine cli = GraftCli.commandLine(new PrintWriter(out), new PrintWriter(out), CommandLine.Help.Ansi.OFF);
                cli.parseArgs(words.subList(1, words.size()).toArray(new String[0]));   // a ParameterException fails the test
            }
        }

        private void fragment(Block b, String after) throws Exception {
            Prelude prelude;
            if (after.equals("the java block above")) {
                prelude = above;
                assertNotNull(prelude, b.where() + ": no java fragment above");
            } else {
                String name = after.split(" ", 2)[0];
                prelude = PRELUDES.get(name);
                assertNotNull(prelude, b.where() + ": no prelude " + name + " in DocsTest.PRELUDES");
            }
            String code = b.text().strip();
            String lastLine = code.lines().reduce((first, second) -> second).orElse("").replaceFirst("\\s*//.*$", "");
            String body = lastLine.endsWith(";") || lastLine.endsWith("}") ? code : "Object value = " + code + ";";
            String source = prelude.imports() + "\npublic class Fragment {\n    public static void main(String[] args) throws Exception {\n"
                    + prelude.statements() + body + "\n    }\n}\n";
            InMemory.runMain(InMemory.compile("Fragment", source, b.where()).loadClass("Fragment"), new String[0]);
            above = new Prelude(prelude.imports(), prelude.statements() + code + "\n");
        }

        private void jqwik(Block b) throws Exception {
            Matcher name = Pattern.compile("(?m)^(?:public\\s+)?class\\s+(\\w+)").matcher(b.text());
            assertTrue(name.find(), b.where() + ": no class in the block");
            Class<?> test = InMemory.compile(name.group(1), b.text(), b.where()).loadClass(name.group(1));
            var listener = new SummaryGeneratingListener();
            LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(test)).build(), listener);
            var summary = listener.getSummary();
            var failures = new StringWriter();
            summary.printFailuresTo(new PrintWriter(failures), 20);
            assertEquals(0, summary.getTotalFailureCount(), b.where() + ": " + failures);
            assertTrue(summary.getTestsSucceededCount() > 0, b.where() + ": jqwik ran no property of " + name.group(1));
        }

        private void mavenDependency(Block b) throws Exception {
            var factory = DocumentBuilderFactory.newInstance();
            Element pom = factory.newDocumentBuilder().parse(ROOT.resolve("pom.xml").toFile()).getDocumentElement();
            String group = child(pom, "groupId"), version = child(pom, "version");
            var modules = new ArrayList<String>();
            NodeList list = pom.getElementsByTagName("module");
            for (int i = 0; i < list.getLength(); i++) modules.add(list.item(i).getTextContent().strip());
            Element block = factory.newDocumentBuilder()
                    .parse(new java.io.ByteArrayInputStream(("<dependencies>" + b.text() + "</dependencies>").getBytes(StandardCharsets.UTF_8)))
                    .getDocumentElement();
            NodeList dependencies = block.getElementsByTagName("dependency");
            assertTrue(dependencies.getLength() > 0, b.where() + ": no <dependency>");
            for (int i = 0; i < dependencies.getLength(); i++) {
                var d = (Element) dependencies.item(i);
                assertEquals(group, child(d, "groupId"), b.where());
                assertTrue(modules.contains(child(d, "artifactId")), b.where() + ": " + child(d, "artifactId") + " is not one of " + modules);
                assertEquals(version, child(d, "version"), b.where());
            }
        }

        private static String child(Element parent, String tag) {
            for (var n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element e && e.getTagName().equals(tag)) return e.getTextContent().strip();
            }
            throw new AssertionError("no <" + tag + "> in <" + parent.getTagName() + ">");
        }
    }

    // ---- comparing what was printed with what the document shows --------------------------------------------------

    static final class Output {
        private static final Pattern GRADCHECK = Pattern.compile("(\\S+)  abs error \\S+  rel error \\S+  (ok|FAILED)");
        private static final Pattern EPOCH = Pattern.compile("epoch (\\d+)/(\\d+)  .*");
        private static final Pattern SECONDS = Pattern.compile("  \\d+\\.\\d s$");
        private static final Pattern NUMBER = Pattern.compile("-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?");

        /** Fails unless {@code actual} is {@code expected} but for what must vary (see the class's comment). */
        static void assertSame(String expected, String actual, String where) {
            List<String> e = comparable(expected), a = comparable(actual);
            boolean same = e.size() == a.size();
            for (int i = 0; same && i < e.size(); i++) same = sameLine(e.get(i), a.get(i));
            if (!same) assertEquals(expected, actual, where);   // shows the two texts whole
        }

        /** The lines, without train's epoch lines between the first and the last, nor their seconds. */
        private static List<String> comparable(String text) {
            var lines = new ArrayList<String>();
            for (String line : text.lines().toList()) {
                Matcher epoch = EPOCH.matcher(line);
                if (epoch.matches()) {
                    int k = Integer.parseInt(epoch.group(1));
                    if (k != 1 && k != Integer.parseInt(epoch.group(2))) continue;
                    line = SECONDS.matcher(line).replaceFirst("");
                }
                lines.add(line);
            }
            return lines;
        }

        private static boolean sameLine(String expected, String actual) {
            Matcher e = GRADCHECK.matcher(expected), a = GRADCHECK.matcher(actual);
            if (e.matches()) return a.matches() && e.group(1).equals(a.group(1)) && e.group(2).equals(a.group(2));
            List<String> eTokens = tokens(expected), aTokens = tokens(actual);
            if (eTokens.size() != aTokens.size()) return false;
            for (int i = 0; i < eTokens.size(); i++) {
                String x = eTokens.get(i), y = aTokens.get(i);
                if (x.equals(y)) continue;
                if (!NUMBER.matcher(x).matches() || !NUMBER.matcher(y).matches() || significantDigits(x) < 15) return false;
                double u = Double.parseDouble(x), v = Double.parseDouble(y);
                if (Math.abs(u - v) > 1e-12 * Math.abs(u)) return false;
            }
            return true;
        }

        /** The line cut into numbers and the text between them. */
        private static List<String> tokens(String line) {
            var tokens = new ArrayList<String>();
            Matcher m = NUMBER.matcher(line);
            int at = 0;
            while (m.find()) {
                tokens.add(line.substring(at, m.start()));
                tokens.add(m.group());
                at = m.end();
            }
            tokens.add(line.substring(at));
            return tokens;
        }

        private static int significantDigits(String number) {
            String mantissa = number.replaceFirst("[eE].*", "").replace("-", "").replace(".", "").replaceFirst("^0+", "");
            return mantissa.length();
        }
    }

    // ---- shell words -----------------------------------------------------------------------------------

    static final class Shell {
        /** The words of a command line as a POSIX shell splits them: quotes removed, a {@code #} word ending the line. */
        static List<String> words(String line) {
            var words = new ArrayList<String>();
            var word = new StringBuilder();
            boolean inWord = false;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (c == '\'') {
                    int end = line.indexOf('\'', i + 1);
                    assertTrue(end > 0, "an unclosed ' in " + line);
                    word.append(line, i + 1, end);
                    i = end;
                    inWord = true;
                } else if (c == '"') {
                    int end = line.indexOf('"', i + 1);
                    assertTrue(end > 0, "an unclosed \" in " + line);
                    word.append(line, i + 1, end);
                    i = end;
                    inWord = true;
                } else if (Character.isWhitespace(c)) {
                    if (inWord) words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                } else if (c == '#' && !inWord) {
                    break;
                } else {
                    word.append(c);
                    inWord = true;
                }
            }
            if (inWord) words.add(word.toString());
            return words;
        }
    }

    // ---- Java, compiled in memory -------------------------------------------------------------------

    static final class InMemory {
        /**
         * Compiles {@code source}, the file {@code name}.java, against this test's class path and
         * gives a loader of its classes; a compile error fails the test with javac's messages,
         * placed at {@code where}.
         */
        static ClassLoader compile(String name, String source, String where) {
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            assertNotNull(javac, "no Java compiler: the tests need a JDK");
            var diagnostics = new DiagnosticCollector<JavaFileObject>();
            var classes = new HashMap<String, ByteArrayOutputStream>();
            JavaFileManager files = new ForwardingJavaFileManager<>(javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
                @Override
                public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind, FileObject sibling) {
                    return new SimpleJavaFileObject(URI.create("memory:///" + className.replace('.', '/') + kind.extension), kind) {
                        @Override
                        public OutputStream openOutputStream() {
                            var bytes = new ByteArrayOutputStream();
                            classes.put(className, bytes);
                            return bytes;
                        }
                    };
                }
            };
            var file = new SimpleJavaFileObject(URI.create("string:///" + name + ".java"), JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) { return source; }
            };
            List<String> options = List.of("-classpath", System.getProperty("java.class.path"), "-proc:none");
            boolean compiled = javac.getTask(null, files, diagnostics, options, null, List.of(file)).call();
            if (!compiled) {
                var messages = new StringBuilder(where + ": the block does not compile:");
                for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                    messages.append("\n  line ").append(d.getLineNumber()).append(" of ").append(name).append(".java: ")
                            .append(d.getMessage(null));
                }
                fail(messages.toString());
            }
            var bytecode = new LinkedHashMap<String, byte[]>();
            classes.forEach((className, bytes) -> bytecode.put(className, bytes.toByteArray()));
            return new ClassLoader(DocsTest.class.getClassLoader()) {
                @Override
                protected Class<?> findClass(String className) throws ClassNotFoundException {
                    byte[] b = bytecode.get(className);
                    if (b == null) throw new ClassNotFoundException(className);
                    return defineClass(className, b, 0, b.length);
                }
            };
        }

        /** Runs {@code main(args)} of {@code program} and gives what it printed, standard output then standard error. */
        static String runMain(Class<?> program, String[] args) throws Exception {
            PrintStream out = System.out, err = System.err;
            var printedOut = new ByteArrayOutputStream();
            var printedErr = new ByteArrayOutputStream();
            try {
                System.setOut(new PrintStream(printedOut, true, StandardCharsets.UTF_8));
                System.setErr(new PrintStream(printedErr, true, StandardCharsets.UTF_8));
                program.getMethod("main", String[].class).invoke(null, (Object) args);
            } catch (InvocationTargetException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            } finally {
                System.setOut(out);
                System.setErr(err);
            }
            return printedOut.toString(StandardCharsets.UTF_8) + printedErr.toString(StandardCharsets.UTF_8);
        }
    }
}
