package org.graft.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;

import org.junit.jupiter.api.Test;

import org.graft.core.Op;
import org.graft.ops.Builtin;
import org.graft.ops.Registry;

/**
 * The tables of {@code docs/ops.md} are the op registry's: each section's table, between its
 * markers, is what {@link #table} writes from the registrations beside the ops (and the
 * language's own functions, {@link Builtins#LANGUAGE_ONLY}), so the docs cannot drift from the
 * ops. After changing an op, rewrite them with
 * {@code mvn -B -o -pl graph-dsl -am test -Dtest=OpsDocTest -Dsurefire.failIfNoSpecifiedTests=false -Dgraft.docs.write=true}.
 */
class OpsDocTest {
    static final String BEGIN = "<!-- generated from the op registry (OpsDocTest): edit the ops' BUILTIN, not this table -->";
    static final String END = "<!-- end of the generated table -->";

    @Test
    void theDocsTablesAreTheRegistrys() throws IOException {
        Path file = docs();
        String text = Files.readString(file);
        String written = rewrite(text);
        if (Boolean.getBoolean("graft.docs.write")) {
            Files.writeString(file, written);
            return;
        }
        assertEquals(written, text, "docs/ops.md's tables differ from the registry; rewrite them as OpsDocTest's Javadoc says");
    }

    @Test
    void everyOpIsRegisteredOnceWithADocsLine() {
        var ops = new HashSet<Class<?>>();
        var names = new HashSet<String>();
        for (Registry.Entry e : Registry.all()) {
            assertTrue(Op.class.isAssignableFrom(e.op()), e.op() + " is no op");
            ops.add(e.op());
            Builtin b = e.builtin();
            assertFalse(b.doc().isBlank(), e.op() + " has no docs line");
            if (b.name() != null) {
                assertTrue(names.add(b.name()), b.name() + " is registered twice");
                assertNotNull(b.build(), b.name() + " has a name and no build");
                assertEquals(b.name(), Builtins.FUNCTIONS.get(b.name()).name(), "the language calls " + b.name());
            }
            for (String alias : b.aliases()) {   // swish for silu: the same op, called by its own name
                assertTrue(names.add(alias), alias + " is registered twice");
                assertEquals(alias, Builtins.FUNCTIONS.get(alias).name(), "the language calls " + alias);
            }
        }
        // one entry per op class, but FillLike, which the language names three ways, and Concat, which stack builds too
        assertEquals(Registry.all().size() - 3, ops.size());
    }

    /** {@code text} with each section's generated table written anew. */
    static String rewrite(String text) {
        String out = text;
        for (Registry.Section section : Registry.Section.values()) {
            String heading = "\n## " + section.title + "\n";
            int at = out.indexOf(heading);
            if (at < 0) throw new AssertionError("docs/ops.md has no section '## " + section.title + "'");
            int begin = out.indexOf(BEGIN, at), end = out.indexOf(END, at);
            int next = out.indexOf("\n## ", at + heading.length());
            if (begin < 0 || end < begin || (next >= 0 && end > next)) {
                throw new AssertionError("the section '" + section.title + "' of docs/ops.md has no generated table between "
                        + BEGIN + " and " + END);
            }
            out = out.substring(0, begin) + BEGIN + "\n" + table(section) + out.substring(end);
        }
        return out;
    }

    /** The table of one section: a row per registered op and language function, in the registry's order. */
    static String table(Registry.Section section) {
        var rows = new ArrayList<Registry.Entry>();
        for (Registry.Entry e : Registry.all()) if (e.section() == section) rows.add(e);
        for (Registry.Entry e : Builtins.LANGUAGE_ONLY) if (e.section() == section) rows.add(e);
        var out = new StringBuilder();
        String notes = section == Registry.Section.ELEMENTWISE_ONE ? "derivative, and our choice where it has none" : "notes";
        out.append("| language | Java | ").append(notes).append(" |\n|---|---|---|\n");
        for (Registry.Entry e : rows) {
            Builtin b = e.builtin();
            out.append("| ").append(b.written()).append(" | ").append(b.java()).append(" | ").append(b.doc()).append(" |\n");
        }
        return out.toString();
    }

    /** docs/ops.md of the checkout, found from the module's folder up. */
    private static Path docs() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path file = dir.resolve("docs/ops.md");
            if (Files.exists(file)) return file;
        }
        throw new AssertionError("no docs/ops.md above " + Path.of("").toAbsolutePath());
    }

    @Test
    void aSectionWithoutItsMarkersIsSaidSo() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> rewrite("# ops\n\n## Elementwise, one input\n\nno table\n"));
        assertTrue(e.getMessage().contains("has no generated table"), e.getMessage());
    }
}
