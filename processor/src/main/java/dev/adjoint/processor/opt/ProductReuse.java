package dev.adjoint.processor.opt;

import dev.adjoint.processor.ir.Builder;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.ops.MatrixAlgebra.MatMul;
import java.util.BitSet;

/**
 * Reassociates a product of three factors when one association reuses a product the program
 * computes anyway: {@code op(A)·(op(B)·op(C))} becomes {@code (op(A)·op(B))·op(C)} if
 * {@code op(A)·op(B)} (or its transpose) is a live node, and symmetrically; a product that the
 * backward pass computes is built earlier and shared (the autoencoder's W·x). This never adds
 * work, and it is what turns the GP-LVM's {@code K⁻¹·(Y·Yᵀ)·K⁻¹} into {@code P·Pᵀ} with
 * {@code P = K⁻¹·Y} from the forward pass. Run after {@link Symmetry}, whose analysis also lets a
 * symmetric factor be read either way.
 */
public final class ProductReuse implements Pass {
    @Override
    public String name() {
        return "product-reuse";
    }

    @Override
    public String description() {
        return "reassociates three-factor products so that one reuses a product already computed";
    }

    /** A product found among the live nodes, possibly as its transpose. */
    private record Found(int id, boolean transposed) {}

    @Override
    public Program apply(Program program, PassContext context) {
        BitSet liveOld = program.gradientNodes();
        BitSet liveNew = new BitSet();
        // A product the program computes only later (the backward pass's W·x) is found through the
        // old graph and built now; the later node then hash-conses to it.
        Builder old = Builder.from(program.graph());
        java.util.Map<Integer, Integer> oldOf = new java.util.HashMap<>();
        int[] mapped = {0};
        Symmetry.Analysis[] sym = new Symmetry.Analysis[1];
        return Rewriter.rewrite(program, (b, node, in, map) -> {
            for (; mapped[0] < node.id(); mapped[0]++) {
                oldOf.putIfAbsent(map[mapped[0]], mapped[0]);
                if (liveOld.get(mapped[0])) {
                    liveNew.set(map[mapped[0]]);
                }
            }
            Later later = (x, tx, y, ty) -> {
                Integer ox = oldOf.get(x);
                Integer oy = oldOf.get(y);
                if (ox == null || oy == null) {
                    return null;
                }
                int product = old.find(new MatMul(tx, ty), ox, oy);
                return product > node.id() && liveOld.get(product) ? new Found(b.matmul(x, y, tx, ty), false) : null;
            };
            if (!(node.op() instanceof MatMul m) || !liveOld.get(node.id())) {
                return -1;
            }
            if (sym[0] == null) {
                sym[0] = new Symmetry.Analysis(b::node);
            }
            int left = in.get(0);
            int right = in.get(1);
            Node r = b.node(right);
            if (!m.transB() && r.op() instanceof MatMul inner) {
                Found p = find(b, sym[0], liveNew, later, left, m.transA(), r.input(0), inner.transA());
                if (p != null) {
                    return b.apply(new MatMul(p.transposed(), inner.transB()), node.origin(), p.id(), r.input(1));
                }
            }
            Node l = b.node(left);
            if (!m.transA() && l.op() instanceof MatMul inner) {
                Found q = find(b, sym[0], liveNew, later, l.input(1), inner.transB(), right, m.transB());
                if (q != null) {
                    return b.apply(new MatMul(inner.transA(), q.transposed()), node.origin(), l.input(0), q.id());
                }
            }
            return -1;
        });
    }

    /** Looks up op(x)·op(y) (new ids) among the products the program computes after the current node. */
    @FunctionalInterface
    private interface Later {
        Found find(int x, boolean tx, int y, boolean ty);
    }

    /**
     * A live node computing op(x)·op(y), directly or as the transpose of op(y)ᵀ·op(x)ᵀ, built so
     * far or computed later in the program.
     */
    private static Found find(Builder b, Symmetry.Analysis sym, BitSet live, Later later, int x, boolean tx, int y, boolean ty) {
        boolean sx = sym.symmetric(x);
        boolean sy = sym.symmetric(y);
        int direct = b.find(new MatMul(tx && !sx, ty && !sy), x, y);
        if (direct >= 0 && live.get(direct)) {
            return new Found(direct, false);
        }
        int transposed = b.find(new MatMul(!ty && !sy, !tx && !sx), y, x);
        if (transposed >= 0 && live.get(transposed)) {
            return new Found(transposed, true);
        }
        Found ahead = later.find(x, tx && !sx, y, ty && !sy);
        if (ahead == null) {
            Found reversed = later.find(y, !ty && !sy, x, !tx && !sx);
            ahead = reversed == null ? null : new Found(reversed.id(), true);
        }
        return ahead;
    }
}
