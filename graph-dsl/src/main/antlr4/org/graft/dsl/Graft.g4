/*
 * The Graft language: statements that declare inputs and params, bind names to expressions,
 * define functions and name the outputs, the training objective, the params that training
 * sets rather than trains (update) and what it reports (metric) (docs/language.md).
 *
 * A statement ends at a newline. Newlines inside ( ) and [ ] do not end anything: Parsing's
 * token filter drops them before the parser sees them, so an expression continues over lines
 * inside open brackets (inside { } they still separate the statements of a block).
 */
grammar Graft;

// Each statement ends at a newline or at the end of the file. Written so, one token tells
// whether another statement comes, and a token that can neither continue a statement nor
// start one is reported where it stands.
program
    : NEWLINE* (statement (NEWLINE+ | EOF))* EOF
    ;

statement
    : INPUT NAME ':' type                                              # inputStmt
    | PARAM NAME ':' type '=' expr                                     # paramStmt
    | CONST NAME '=' expr                                              # constStmt
    | FN NAME '(' names? ')' '=' expr                                  # fnStmt
    | FN NAME '(' names? ')' block                                     # fnBlockStmt
    | NAME '=' expr                                                    # bindStmt
    | NAME (',' NAME)+ '=' expr                                        # destructureStmt
    | OUTPUT names                                                     # outputStmt
    | direction=(MINIMIZE | MAXIMIZE) expr WITH NAME '(' args? ')'     # objectiveStmt
    | UPDATE NAME '=' expr                                             # updateStmt
    | METRIC NAME '=' expr                                             # metricStmt
    ;

block
    : '{' NEWLINE* (statement NEWLINE+)* RETURN expr (',' expr)* NEWLINE* '}'
    ;

names
    : NAME (',' NAME)*
    ;

type
    : dtype=NAME? '[' (dim (',' dim)*)? ']'
    ;

dim
    : NUMBER
    | NAME
    ;

// Alternatives are listed from the tightest binding to the loosest.
expr
    : expr '[' subscript (',' subscript)* ']'                          # indexExpr
    | expr '.' NAME                                                    # memberExpr
    | <assoc=right> expr '^' expr                                      # powExpr
    | '-' expr                                                         # negExpr
    | expr op=('*' | '/' | '@') expr                                   # mulExpr
    | expr op=('+' | '-') expr                                         # addExpr
    | expr op=('<' | '<=' | '>' | '>=' | '==' | '!=') expr             # compareExpr
    | NAME '(' args? ')'                                               # callExpr
    | '(' expr ')'                                                     # parenExpr
    | '[' (expr (',' expr)*)? ']'                                      # arrayExpr
    | NUMBER                                                           # numberExpr
    | (TRUE | FALSE)                                                   # boolExpr
    | STRING                                                           # stringExpr
    | NAME                                                             # nameExpr
    ;

subscript
    : start=expr? ':' stop=expr? (':' step=expr?)?                     # rangeSubscript
    | expr                                                             # indexSubscript
    ;

args
    : arg (',' arg)*
    ;

arg
    : (NAME '=')? expr
    ;

INPUT    : 'input' ;
PARAM    : 'param' ;
CONST    : 'const' ;
FN       : 'fn' ;
RETURN   : 'return' ;
OUTPUT   : 'output' ;
MINIMIZE : 'minimize' ;
MAXIMIZE : 'maximize' ;
WITH     : 'with' ;
UPDATE   : 'update' ;
METRIC   : 'metric' ;
TRUE     : 'true' ;
FALSE    : 'false' ;

NAME     : [a-zA-Z_] [a-zA-Z_0-9]* ;
NUMBER   : DIGITS ('.' DIGITS?)? EXPONENT?
         | '.' DIGITS EXPONENT?
         ;
fragment DIGITS   : [0-9]+ ;
fragment EXPONENT : [eE] [+-]? DIGITS ;

STRING   : '"' ~["\r\n]* '"' ;   // a word naming a choice, as padding = "same"

NEWLINE  : '\r'? '\n' | '\r' ;
COMMENT  : '#' ~[\r\n]* -> skip ;
SPACE    : [ \t\f]+ -> skip ;

// Any other character is a token of its own, so the parser reports it where it stands
// rather than the lexer printing a message of its own.
UNKNOWN  : . ;
