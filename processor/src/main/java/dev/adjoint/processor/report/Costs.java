package dev.adjoint.processor.report;

import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.ir.ValueType;
import dev.adjoint.processor.ops.Broadcasting;
import dev.adjoint.processor.ops.LinearAlgebra;
import dev.adjoint.processor.ops.LinearCombination;
import dev.adjoint.processor.ops.MatrixAlgebra;
import dev.adjoint.processor.ops.Primitive;
import dev.adjoint.processor.ops.Reductions;
import dev.adjoint.processor.shape.ShapeInference;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Leading-order multiply-add counts of a lowered program, as polynomials in the shape symbols:
 * a product of an m×k and a k×n matrix costs m·k·n, an entrywise op or a reduction one per
 * entry, a Cholesky factorization n³/6 and an LU n³/3 (once per matrix and method: ops on the
 * same matrix share it), an inverse from a factorization n³/3 (Cholesky) or 2n³/3 (LU), a solve
 * with k right-hand sides n²·k. Scalar arithmetic and copies are not counted. A product whose
 * order is chosen at run time counts as the min of its two orders.
 */
final class Costs {
    /** {@code kind(a, b)}: a cost (or size) decided at run time. */
    record Alternative(String kind, List<Polynomial> options) {
        Alternative(String kind, Polynomial a, Polynomial b) {
            this(kind, List.of(a, b));
        }

        Alternative {
            options = List.copyOf(options);
        }

        Polynomial a() {
            return options.get(0);
        }

        Polynomial b() {
            return options.get(1);
        }

        MathMl toMathMl() {
            List<MathMl> parts = new ArrayList<>();
            parts.add(MathMl.upright(kind));
            parts.add(MathMl.mo("("));
            for (int i = 0; i < options.size(); i++) {
                if (i > 0) {
                    parts.add(MathMl.mo(","));
                }
                parts.add(options.get(i).toMathMl());
            }
            parts.add(MathMl.mo(")"));
            return MathMl.row(parts.toArray(MathMl[]::new));
        }
    }

    /** A polynomial plus run-time alternatives. */
    record Total(Polynomial fixed, List<Alternative> alternatives) {
        Total {
            alternatives = List.copyOf(alternatives);
        }

        MathMl toMathMl() {
            List<MathMl> items = new ArrayList<>();
            if (!fixed.isZero() || alternatives.isEmpty()) {
                items.add(fixed.toMathMl());
            }
            for (Alternative a : alternatives) {
                if (!items.isEmpty()) {
                    items.add(MathMl.mo("+"));
                }
                items.add(a.toMathMl());
            }
            return MathMl.row(items);
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder(fixed.toString());
            for (Alternative a : alternatives) {
                s.append(" + ").append(a.kind()).append('(').append(String.join(", ", a.options().stream().map(Object::toString).toList())).append(')');
            }
            return s.toString();
        }
    }

    private final Graph graph;
    private final ShapeInference shapes;
    private final Sizes sizes;
    private Polynomial fixed = Polynomial.ZERO;
    private final List<Alternative> alternatives = new ArrayList<>();
    private final Set<String> factored = new HashSet<>();

    private Costs(Program program, ShapeInference shapes, Sizes sizes) {
        this.graph = program.graph();
        this.shapes = shapes;
        this.sizes = sizes;
    }

    /** The multiply-adds of every node {@code program}'s result and gradients need. */
    static Total of(Program program, ShapeInference shapes, Sizes sizes) {
        Costs costs = new Costs(program, shapes, sizes);
        BitSet live = program.gradientNodes();
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            costs.add(graph(program).node(id));
        }
        return new Total(costs.fixed, costs.alternatives);
    }

    /** The cost of one node alone. */
    static Total ofNode(Program program, ShapeInference shapes, Sizes sizes, int id) {
        Costs costs = new Costs(program, shapes, sizes);
        costs.add(program.graph().node(id));
        return new Total(costs.fixed, costs.alternatives);
    }

    private static Graph graph(Program program) {
        return program.graph();
    }

    private String[] dims(int id) {
        return sizes.dims(shapes, id);
    }

    /** Dimensions of op(A): rows, columns. */
    private String[] op(int id, boolean transposed) {
        String[] d = dims(id);
        return transposed ? new String[] {d[1], d[0]} : d;
    }

    private void add(Polynomial p) {
        fixed = fixed.plus(p);
    }

    private void factor(int matrix, String kind) {
        if (factored.add(kind + ":" + matrix)) {
            String n = dims(matrix)[0];
            add(Polynomial.product(kind.equals("chol") ? 1.0 / 6 : 1.0 / 3, n, n, n));
        }
    }

    private void add(Node node) {
        Primitive op = node.op();
        if (op.isLeaf() || op instanceof MatrixAlgebra.Transpose || op instanceof Broadcasting.Identity
                || op instanceof Broadcasting.Filled || op instanceof Reductions.ElementCount) {
            return;
        }
        if (op instanceof MatrixAlgebra.MatMul m) {
            String[] a = op(node.input(0), m.transA());
            String[] b = op(node.input(1), m.transB());
            add(Polynomial.product(1, a[0], a[1], b[1]));
        } else if (op instanceof MatrixAlgebra.MatMulChain c) {
            String[] a = op(node.input(0), c.transA());
            String[] b = op(node.input(1), c.transB());
            String[] d = op(node.input(2), c.transC());
            Polynomial leftFirst = Polynomial.product(1, a[0], a[1], b[1]).plus(Polynomial.product(1, a[0], b[1], d[1]));
            Polynomial rightFirst = Polynomial.product(1, b[0], b[1], d[1]).plus(Polynomial.product(1, a[0], a[1], d[1]));
            alternatives.add(new Alternative("min", leftFirst, rightFirst));
        } else if (op instanceof MatrixAlgebra.GramOuterAdjoint) {
            String[] a = dims(node.input(0));
            String[] u = dims(node.input(1));
            String m = a[0];
            String n = a[1];
            String k = u[1];
            Polynomial outerFirst = Polynomial.product(1, n, k, n).plus(Polynomial.product(1, n, n))
                    .plus(Polynomial.product(1, m, n, n));
            Polynomial productsFirst = Polynomial.product(3, m, n, k);
            alternatives.add(new Alternative("min", outerFirst, productsFirst));
        } else if (op instanceof LinearCombination lc) {
            addLinearCombination(node, lc);
        } else if (op instanceof LinearAlgebra.LogDet || op instanceof LinearAlgebra.Determinant) {
            factor(node.input(0), op instanceof LinearAlgebra.LogDet ? "chol" : "lu");
            add(Polynomial.dim(dims(node.input(0))[0]));
        } else if (op instanceof LinearAlgebra.SpdInverse || op instanceof LinearAlgebra.Inverse) {
            boolean chol = op instanceof LinearAlgebra.SpdInverse;
            factor(node.input(0), chol ? "chol" : "lu");
            String n = dims(node.input(0))[0];
            add(Polynomial.product(chol ? 1.0 / 3 : 2.0 / 3, n, n, n));
        } else if (op instanceof LinearAlgebra.Solve || op instanceof LinearAlgebra.SolveTranspose
                || op instanceof LinearAlgebra.SpdSolve) {
            factor(node.input(0), op instanceof LinearAlgebra.SpdSolve ? "chol" : "lu");
            String n = dims(node.input(0))[0];
            add(Polynomial.product(1, n, n, dims(node.input(1))[1]));
        } else if (op instanceof LinearAlgebra.SpdQuadraticForm) {
            factor(node.input(0), "chol");
            String n = dims(node.input(0))[0];
            String k = dims(node.input(1))[1];
            add(Polynomial.product(0.5, n, n, k).plus(Polynomial.product(1, n, k)));
        } else if (op instanceof Reductions.Trace) {
            add(Polynomial.dim(dims(node.input(0))[0]));
        } else if (node.type() != ValueType.MATRIX) {
            // A reduction reads every entry of its matrix operand; scalar arithmetic is not counted.
            for (int in : node.inputs()) {
                if (graph.node(in).type() == ValueType.MATRIX) {
                    String[] d = dims(in);
                    add(Polynomial.product(1, d[0], d[1]));
                    break;
                }
            }
        } else {
            String[] d = dims(node.id()); // entrywise, broadcasting, sums: one per entry of the result
            add(Polynomial.product(1, d[0], d[1]));
        }
    }

    private void addLinearCombination(Node node, LinearCombination lc) {
        int at = 0;
        String[] out = dims(node.id());
        for (LinearCombination.Term term : lc.terms()) {
            if (term.scaled()) {
                at++;
            }
            switch (term.kind()) {
                case PRODUCT -> {
                    String[] a = op(node.input(at), term.transA());
                    String[] b = op(node.input(at + 1), term.transB());
                    add(Polynomial.product(1, a[0], a[1], b[1]));
                    at += 2;
                }
                case MATRIX -> {
                    add(Polynomial.product(1, out[0], out[1]));
                    at++;
                }
                case IDENTITY -> {
                    add(Polynomial.dim(out[0]));
                    at++;
                }
            }
        }
    }
}
