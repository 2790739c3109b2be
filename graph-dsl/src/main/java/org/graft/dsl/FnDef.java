package org.graft.dsl;

import java.util.List;

import org.graft.core.SourcePos;

/**
 * A function of the program, inlined where it is called: its parameters and either a body
 * expression ({@code fn f(x) = ...}) or a block ({@code fn f(x) { ... return ... }}), read in
 * the scope where it was defined.
 */
record FnDef(String name, List<String> params, GraftParser.ExprContext body, GraftParser.BlockContext block,
             Scope scope, SourcePos pos) {
    FnDef { params = List.copyOf(params); }
}
