package org.graft.dsl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.graft.core.SourcePos;

/**
 * The names bound in one scope: the program's top level, or the body of an inlined fn call
 * (whose parameters and local bindings shadow the names around it). A name is bound once in
 * a scope.
 */
final class Scope {

    /** A bound name: its value, where it was bound, and what kind of statement bound it. */
    record Entry(Value value, SourcePos pos, String kind) {}

    private final Scope parent;
    private final Map<String, Entry> names = new LinkedHashMap<>();

    Scope(Scope parent) { this.parent = parent; }

    /** The innermost binding of {@code name}, or null. */
    Entry lookup(String name) {
        for (Scope s = this; s != null; s = s.parent) {
            Entry e = s.names.get(name);
            if (e != null) return e;
        }
        return null;
    }

    /** The binding of {@code name} in this scope itself, or null. */
    Entry own(String name) { return names.get(name); }

    void bind(String name, Value value, SourcePos pos, String kind) { names.put(name, new Entry(value, pos, kind)); }

    /** Every name visible here, innermost first, for suggestions. */
    List<String> visible() {
        var out = new ArrayList<String>();
        for (Scope s = this; s != null; s = s.parent) out.addAll(s.names.keySet());
        return out;
    }
}
