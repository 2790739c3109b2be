package org.graft.dsl;

import java.util.List;

import org.graft.core.Node;
import org.graft.core.SourcePos;

/** What an expression of the language stands for while a program is compiled. */
sealed interface Value {

    /** How the value reads in a message: {@code "2 values"}, {@code "fn dense"}. */
    String describe();

    /** A graph node: every numeric expression, literals included. */
    record Expr(Node node) implements Value {
        public String describe() { return "a value of type " + node.type(); }
    }

    /** {@code true} or {@code false}. */
    record Bool(boolean value) implements Value {
        public String describe() { return String.valueOf(value); }
    }

    /** A string literal: a word naming one of an argument's choices, as {@code padding = "same"}. */
    record Text(String text) implements Value {
        public String describe() { return "the string \"" + text + "\""; }
    }

    /** {@code none}: an argument that stands for nothing, as {@code axis = none} (every axis). */
    record None() implements Value {
        public String describe() { return "none"; }
    }

    /** Several values at once: what {@code split} and a fn that returns {@code a, b} give. */
    record Tuple(List<Value> items) implements Value {
        public Tuple { items = List.copyOf(items); }
        public String describe() { return items.size() + " values"; }
    }

    /**
     * An array literal. Its use decides what it is: a constant tensor in arithmetic, the
     * operands of {@code concat}, the dims of {@code reshape}.
     */
    record Array(List<Value> items, List<SourcePos> positions) implements Value {
        public Array {
            items = List.copyOf(items);
            positions = List.copyOf(positions);
        }

        public String describe() { return "an array of " + items.size() + (items.size() == 1 ? " element" : " elements"); }
    }

    /** A fn, where {@code iterate} takes one. */
    record Fn(FnDef def) implements Value {
        public String describe() { return "fn " + def.name(); }
    }
}
