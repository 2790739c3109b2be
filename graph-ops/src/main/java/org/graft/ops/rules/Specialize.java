package org.graft.ops.rules;

import static org.graft.core.rewrite.Pattern.on;
import static org.graft.core.rewrite.Pattern.scalar;
import static org.graft.core.rewrite.Pattern.var;
import static org.graft.core.rewrite.Rule.rule;
import static org.graft.ops.Ops.bernoulliLogits;
import static org.graft.ops.Ops.gemm;
import static org.graft.ops.Ops.matmul;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.sub;
import static org.graft.ops.Ops.scaledGemm;
import static org.graft.ops.Ops.sqrt;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.vdot;

import java.util.List;

import org.graft.core.Apply;
import org.graft.core.Constant;
import org.graft.core.Node;
import org.graft.core.ops.Add;
import org.graft.core.rewrite.Match;
import org.graft.core.rewrite.Pattern;
import org.graft.core.rewrite.Rule;
import org.graft.ops.Binary.Mul;
import org.graft.ops.Binary.Pow;
import org.graft.ops.Binary.Sub;
import org.graft.ops.Linalg.Gemm;
import org.graft.ops.Linalg.MatMul;
import org.graft.ops.Linalg.Transpose;
import org.graft.ops.Random.Bernoulli;
import org.graft.ops.Reduce.Sum;
import org.graft.ops.Unary.Sigmoid;
import org.graft.ops.Unary.Square;

/**
 * Specialize: cheaper forms of the same computation. Powers become the elementwise op that
 * computes them directly; a matrix product reads transposed operands as they are stored
 * instead of forming the transpose, and takes into the same pass (a GEMM) a scalar factor
 * (BLAS's alpha, a constant or a scalar node such as a learning rate that a schedule sets) and a
 * term added to it or subtracted from (beta = 1), so that an SGD step {@code w - lr * dw} is one
 * product accumulated onto {@code w}; a sum of products over every element becomes a dot product;
 * a sample of a sigmoid's probabilities is drawn in the pass that computes them. A rule that
 * absorbs a node into
 * its replacement does so only when nothing else reads that node, so no work is done twice.
 */
public final class Specialize {
    private Specialize() {}

    private static final Pattern.Var X = var("x"), Y = var("y"), A = var("a"), B = var("b"), C = var("c");
    private static final Pattern.Var P = var("product"), S = var("s");

    public static final List<Rule> RULES = List.of(
            rule("x * x -> square(x)",   on(Mul.class, X, X),             m -> square(m.get(X))),
            rule("x^2 -> square(x)",     on(Pow.class, X, scalar(2.0)),   m -> keepsType(m, X) ? square(m.get(X)) : null),
            rule("x^0.5 -> sqrt(x)",     on(Pow.class, X, scalar(0.5)),   m -> keepsType(m, X) ? sqrt(m.get(X)) : null),

            rule("matmul(aᵀ, bᵀ) -> gemm(a, b, transA, transB)", on(MatMul.class, transposed(A), transposed(B)),
                    m -> gemm(m.get(A), m.get(B), true, true)),
            rule("matmul(aᵀ, b) -> gemm(a, b, transA)", on(MatMul.class, transposed(A), matrix(B)),
                    m -> gemm(m.get(A), m.get(B), true, false)),
            rule("matmul(a, bᵀ) -> gemm(a, b, transB)", on(MatMul.class, matrix(A), transposed(B)),
                    m -> gemm(m.get(A), m.get(B), false, true)),
            rule("(op(a) op(b))ᵀ -> op(b)ᵀ op(a)ᵀ", transposed(on(Gemm.class, A, B).as(P)), Specialize::transposedProduct),
            rule("matmul(a, b) + c -> gemm(a, b, c)", on(Add.class, P.where(Specialize::isMatrixProduct), C),
                    m -> withBias(m, 1)),
            rule("c + matmul(a, b) -> gemm(a, b, c)", on(Add.class, C, P.where(Specialize::isMatrixProduct)),
                    m -> withBias(m, 1)),
            rule("c - matmul(a, b) -> gemm(a, b, c, alpha = -1)", on(Sub.class, C, P.where(Specialize::isMatrixProduct)),
                    m -> withBias(m, -1)),
            rule("s * matmul(a, b) -> gemm(a, b, alpha = s)", on(Mul.class, S.where(Specialize::isScalarConstant),
                    P.where(Specialize::isMatrixProduct)), Specialize::scaled),
            rule("matmul(a, b) * s -> gemm(a, b, alpha = s)", on(Mul.class, P.where(Specialize::isMatrixProduct),
                    S.where(Specialize::isScalarConstant)), Specialize::scaled),
            rule("s * matmul(a, b) -> gemm(a, b, scale = s)", on(Mul.class, S.where(Specialize::isScalarNode),
                    P.where(Specialize::isMatrixProduct)), Specialize::scaledByNode),
            rule("matmul(a, b) * s -> gemm(a, b, scale = s)", on(Mul.class, P.where(Specialize::isMatrixProduct),
                    S.where(Specialize::isScalarNode)), Specialize::scaledByNode),
            rule("s * gemm(a, b, c) -> gemm(a, b, s * c, scale = s)", on(Mul.class, S.where(Specialize::isScalar),
                    P.where(Specialize::isProductWithBias)), Specialize::scaledWithBias),
            rule("gemm(a, b, c) * s -> gemm(a, b, s * c, scale = s)", on(Mul.class, P.where(Specialize::isProductWithBias),
                    S.where(Specialize::isScalar)), Specialize::scaledWithBias),
            rule("c - gemm(a, b, d) -> gemm(a, b, c - d, alpha = -alpha)", on(Sub.class, C, P.where(Specialize::isProductWithBias)),
                    Specialize::subtractedWithBias),

            rule("bernoulli(sigmoid(x)) -> bernoulli_logits(x)", on(Bernoulli.class, on(Sigmoid.class, X).as(P)),
                    m -> m.uses(P) == 1 ? bernoulliLogits(m.get(X)) : null),

            rule("sum(x * y) -> vdot(x, y)",    on(Sum.class, on(Mul.class, X, Y).as(P)),  m -> dot(m, m.get(X), m.get(Y))),
            rule("sum(square(x)) -> vdot(x, x)", on(Sum.class, on(Square.class, X).as(P)), m -> dot(m, m.get(X), m.get(X))));

    /** The rank-2 operand of a matmul, whose transpose would be a matrix too. */
    private static Pattern matrix(Pattern.Var v) { return v.where(n -> n.type().rank() == 2); }

    /** {@code transpose(v)} of a matrix: the permutation [1, 0]. */
    private static Pattern transposed(Pattern v) {
        return on(Transpose.class, v).where(n -> ((Apply) n).op() instanceof Transpose t && t.perm().equals(List.of(1, 0)));
    }

    // x^2 = x * x and x^0.5 = √x only where the exponent does not broadcast x to a larger shape.
    // Two IEEE corners differ: at x = -∞, Math.pow(x, 0.5) is +∞ and √x NaN, -∞ being outside
    // √'s domain like every negative number, where both are NaN; at x = -0, √x is -0 and the
    // power +0, equal as numbers. Theano rewrites the power the same way (local_pow_specialize).
    private static boolean keepsType(Match m, Pattern.Var x) { return m.get(x).type().equals(m.node().type()); }

    /** A product of two matrices without a bias: a matmul of rank-2 operands, or a GEMM without its c. */
    private static boolean isMatrixProduct(Node n) {
        if (!(n instanceof Apply a)) return false;
        if (a.op() instanceof Gemm g) return a.inputs().size() == g.biasIndex();
        return a.op() instanceof MatMul && a.inputs().get(0).type().rank() == 2 && a.inputs().get(1).type().rank() == 2;
    }

    // (α op(A) op(B))ᵀ = α op(B)ᵀ op(A)ᵀ: the transpose of a product, as the gradient of a
    // transposed operand has it (tied weights), is the product the other way round with the flags
    // flipped, when nothing else reads the product.
    private static Node transposedProduct(Match m) {
        Gemm op = m.op(P, Gemm.class);
        if (m.uses(P) != 1) return null;
        boolean transB = !op.transA(), transA = !op.transB();
        if (op.alpha() != 1) return gemm(m.get(B), m.get(A), transA, transB, op.alpha());
        return transA || transB ? gemm(m.get(B), m.get(A), transA, transB) : matmul(m.get(B), m.get(A));
    }

    // c ± α op(a) op(b) = gemm(a, b, c, alpha = ±α) when c broadcasts to the product's shape (the
    // sum's type is the product's) and nothing else reads the product, which the GEMM would
    // compute again.
    private static Node withBias(Match m, double sign) {
        Apply p = (Apply) m.get(P);
        if (m.uses(P) != 1 || !m.node().type().equals(p.type())) return null;
        Gemm op = gemmOf(p);
        Node a = p.inputs().get(0), b = p.inputs().get(1);
        if (op.scaled()) return scaledGemm(a, b, p.inputs().get(2), m.get(C), op.transA(), op.transB(), sign * op.alpha());
        return gemm(a, b, m.get(C), op.transA(), op.transB(), sign * op.alpha());
    }

    // s α op(a) op(b) = gemm(a, b, alpha = s α) for a scalar constant s, when nothing else reads
    // the product: the scaling is done by the product's own multiply-adds instead of a pass over it
    private static Node scaled(Match m) {
        Apply p = (Apply) m.get(P);
        double s = ((Constant) m.get(S)).value().item();
        if (m.uses(P) != 1 || !m.node().type().equals(p.type()) || !Double.isFinite(s * gemmOf(p).alpha())) return null;
        Gemm op = gemmOf(p);
        Node a = p.inputs().get(0), b = p.inputs().get(1);
        if (op.scaled()) return scaledGemm(a, b, p.inputs().get(2), op.transA(), op.transB(), s * op.alpha());
        return gemm(a, b, op.transA(), op.transB(), s * op.alpha());
    }

    // s α op(a) op(b) = gemm(a, b, scale = s, alpha = α) for a scalar node s of the product's
    // dtype (a learning rate that is a param) when nothing else reads the product: the product
    // scales itself by α s, read when it runs. A product scaled by a node already is left as it is.
    private static Node scaledByNode(Match m) {
        Apply p = (Apply) m.get(P);
        Node s = m.get(S);
        Gemm op = gemmOf(p);
        if (m.uses(P) != 1 || op.scaled() || !m.node().type().equals(p.type()) || s.type().dtype() != p.type().dtype()) return null;
        return scaledGemm(p.inputs().get(0), p.inputs().get(1), s, op.transA(), op.transB(), op.alpha());
    }

    /** The product as a GEMM: itself, or a matmul's flags. */
    private static Gemm gemmOf(Apply product) { return product.op() instanceof Gemm g ? g : new Gemm(false, false); }

    private static boolean isScalarConstant(Node n) { return n instanceof Constant c && c.type().isScalar(); }

    private static boolean isScalar(Node n) { return n.type().isScalar(); }

    /** A GEMM with its c. */
    private static boolean isProductWithBias(Node n) {
        return n instanceof Apply a && a.op() instanceof Gemm g && a.inputs().size() > g.biasIndex();
    }

    // s (α op(a) op(b) + d) = α s op(a) op(b) + s d, a GEMM again, for a scalar s of the product's
    // dtype when nothing else reads the product: a gradient summed from two products (tied
    // weights, an RBM's two phases) scaled by a learning rate. The scaling moves onto d, which
    // specialize folds into d's own product in its turn, or which is no larger than the product.
    private static Node scaledWithBias(Match m) {
        Apply p = (Apply) m.get(P);
        Node s = m.get(S);
        Gemm op = gemmOf(p);
        if (m.uses(P) != 1 || !m.node().type().equals(p.type()) || s.type().dtype() != p.type().dtype()) return null;
        Node a = p.inputs().get(0), b = p.inputs().get(1), d = p.inputs().get(op.biasIndex());
        if (s instanceof Constant k) {
            double f = k.value().item() * op.alpha();
            if (!Double.isFinite(f)) return null;
            return op.scaled() ? scaledGemm(a, b, p.inputs().get(2), mul(s, d), op.transA(), op.transB(), f)
                    : gemm(a, b, mul(s, d), op.transA(), op.transB(), f);
        }
        return op.scaled() ? null : scaledGemm(a, b, s, mul(s, d), op.transA(), op.transB(), op.alpha());
    }

    // c - (α op(a) op(b) + d) = (c - d) - α op(a) op(b): the product accumulates onto c - d, which
    // specialize makes a product onto c in its turn when d is one, so that W - lr dW, dW a sum of
    // products, is a chain of products onto W. Where c broadcasts to the product without growing
    // it and nothing else reads the product.
    private static Node subtractedWithBias(Match m) {
        Apply p = (Apply) m.get(P);
        Gemm op = gemmOf(p);
        if (m.uses(P) != 1 || !m.node().type().equals(p.type())) return null;
        Node a = p.inputs().get(0), b = p.inputs().get(1), rest = sub(m.get(C), p.inputs().get(op.biasIndex()));
        return op.scaled() ? scaledGemm(a, b, p.inputs().get(2), rest, op.transA(), op.transB(), -op.alpha())
                : gemm(a, b, rest, op.transA(), op.transB(), -op.alpha());
    }

    /** A scalar that is not a constant, whose value is known only when the product runs. */
    private static boolean isScalarNode(Node n) { return !(n instanceof Constant) && n.type().isScalar(); }

    // Σ over every element of x ⊙ y is vdot(x, y) when x and y have one type (no broadcasting),
    // the sum leaves a scalar, and nothing else reads the product.
    private static Node dot(Match m, Node x, Node y) {
        boolean everyElement = m.node().type().isScalar();
        return everyElement && x.type().equals(y.type()) && m.uses(P) == 1 ? vdot(x, y) : null;
    }
}
