package org.graft.core;

/** One dimension of a {@link Type}: a fixed size, or a symbol such as the batch size {@code n}. */
public sealed interface Dim permits Dim.Size, Dim.Var {

    /** A dimension whose size is known when the graph is built. */
    record Size(int n) implements Dim {
        public Size {
            if (n < 0) throw new IllegalArgumentException("negative dimension " + n);
        }

        @Override
        public String toString() { return Integer.toString(n); }
    }

    /**
     * A dimension known only when values are fed. Two dims with the same name are the same
     * size; a symbol is never assumed to be 1, so it never broadcasts (as in Theano).
     */
    record Var(String name) implements Dim {
        public Var {
            if (name.isEmpty()) throw new IllegalArgumentException("a symbolic dimension needs a name");
        }

        @Override
        public String toString() { return name; }
    }

    static Dim of(int n) { return new Size(n); }

    static Dim of(String name) { return new Var(name); }

    default boolean isOne() { return this instanceof Size s && s.n() == 1; }
}
