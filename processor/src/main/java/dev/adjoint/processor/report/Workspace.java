package dev.adjoint.processor.report;

import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import dev.adjoint.processor.emit.FormulaPrinter;
import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.ir.ValueType;
import dev.adjoint.processor.ops.Leaves;
import dev.adjoint.processor.ops.MatrixAlgebra;
import dev.adjoint.processor.shape.ShapeInference;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The generated class's workspace, read from the class as emitted: every {@code DMatrixRMaj}
 * field with its symbolic shape (found from the node it holds, which its Javadoc names) and the
 * total number of doubles, and the factorization fields.
 */
final class Workspace {
    /** One field: its name, what it holds, its shape as text and its size (a polynomial or a run-time max). */
    record Field(String name, String holds, List<String[]> shapes, Costs.Total size) {}

    final List<Field> matrices = new ArrayList<>();
    final List<Field> factorizations = new ArrayList<>();
    Costs.Total total;

    private final Sizes sizes;
    private final Map<String, Located> byDoc = new HashMap<>();
    /** Nodes that own scratch fields (run-time product orders), by their field documentation. */
    private final Map<String, Located> scratchOwners = new HashMap<>();
    private final Map<String, String[]> byName = new HashMap<>();
    /** Shared workspaces that hold matrices of several shapes in turn. */
    private final Map<String, List<String[]>> pooled = new HashMap<>();

    private record Located(Program program, ShapeInference shapes, Node node) {}

    Workspace(JavaFile file, Sizes sizes, Program gradient, ShapeInference gradientShapes, Program value,
            ShapeInference valueShapes) {
        this.sizes = sizes;
        index(gradient, gradientShapes);
        index(value, valueShapes);
        for (int p : gradient.parameters()) {
            Node node = gradient.graph().node(p);
            if (node.type() == ValueType.MATRIX) {
                byName.put(((Leaves.Param) node.op()).name(), sizes.dims(gradientShapes, p));
            }
        }
    }

    /** Lists the class's fields, with the shapes of the indexed programs' nodes they hold. */
    void describeFields(JavaFile file) {
        matrices.clear();
        factorizations.clear();
        Polynomial fixed = Polynomial.ZERO;
        List<Costs.Alternative> alternatives = new ArrayList<>();
        for (FieldSpec field : file.typeSpec().fieldSpecs()) {
            String type = field.type().toString();
            String doc = unescape(field.javadoc().toString()).strip();
            String holds = doc.replaceAll("\\{@(?:code|link) #?([^}]*)}", "$1");
            if (type.equals("org.ejml.data.DMatrixRMaj")) {
                Field f = matrixField(field.name(), doc);
                f = new Field(f.name(), holds, f.shapes(), f.size());
                matrices.add(f);
                fixed = fixed.plus(f.size().fixed());
                alternatives.addAll(f.size().alternatives());
            } else if (type.endsWith("Factorization")) {
                String matrix = doc.replaceAll("(?s).*\\{@code ([^}]*)}.*", "$1");
                String[] d = byName.getOrDefault(matrix, new String[] {"?", "?"});
                String kind = type.endsWith("SpdFactorization") ? "Cholesky" : "LU";
                factorizations.add(new Field(field.name(), kind + " factorization of " + matrix, List.<String[]>of(d),
                        new Costs.Total(Polynomial.product(1, d[0], d[1]), List.of())));
            }
        }
        total = new Costs.Total(fixed, alternatives);
    }

    void index(Program program, ShapeInference shapes) {
        Graph graph = program.graph();
        FormulaPrinter formulas = new FormulaPrinter(graph);
        BitSet live = program.gradientNodes();
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            Node node = graph.node(id);
            if (node.type() == ValueType.MATRIX && node.op().inline(node) == null) {
                String doc = fieldDoc(program, formulas, node);
                byDoc.putIfAbsent(doc, new Located(program, shapes, node));
                if (node.op() instanceof MatrixAlgebra.MatMulChain || node.op() instanceof MatrixAlgebra.GramOuterAdjoint) {
                    scratchOwners.putIfAbsent(doc, new Located(program, shapes, node));
                }
            }
        }
    }

    /** What {@code ClassEmitter} writes as a workspace field's Javadoc. */
    private static String fieldDoc(Program program, FormulaPrinter formulas, Node node) {
        Integer primal = program.cotangentOf().get(node.id());
        if (primal != null) {
            Node p = program.graph().node(primal);
            String name = program.graph().names().get(primal);
            String described = p.op() instanceof Leaves.Param param ? param.name()
                    : name != null ? name : p.origin().text().isEmpty() ? formulas.print(primal) : p.origin().text();
            return "∂L/∂(" + described + ")";
        }
        return node.origin().text().isEmpty() ? formulas.print(node.id()) : node.origin().text();
    }

    private Field matrixField(String name, String doc) {
        if (doc.startsWith(dev.adjoint.processor.emit.ClassEmitter.WORKSPACE_DOC)) {
            // A pooled workspace: as large as the largest intermediate it holds.
            List<String[]> shapes = new ArrayList<>();
            List<Polynomial> sizes = new ArrayList<>();
            for (String item : doc.split("<li>")) {
                String held = item.replace("</ul>", "").strip();
                Located at = byDoc.get(held);
                if (held.startsWith(dev.adjoint.processor.emit.ClassEmitter.WORKSPACE_DOC) || at == null) {
                    continue;
                }
                String[] dims = this.sizes.dims(at.shapes(), at.node().id());
                Polynomial size = Polynomial.product(1, dims[0], dims[1]);
                if (sizes.stream().noneMatch(p -> p.toString().equals(size.toString()))) {
                    shapes.add(dims);
                    sizes.add(size);
                }
            }
            if (sizes.size() == 1) {
                return known(name, doc, shapes.get(0));
            }
            if (sizes.size() > 1) {
                pooled.put(name, shapes);
                return new Field(name, doc, shapes, new Costs.Total(Polynomial.ZERO, List.of(new Costs.Alternative("max", sizes))));
            }
        }
        Located at = byDoc.get(doc);
        if (at != null) {
            return known(name, doc, sizes.dims(at.shapes(), at.node().id()));
        }
        if (doc.startsWith("intermediate of ")) {
            Located owner = scratchOwners.get(doc.substring("intermediate of ".length()));
            if (owner != null && owner.node().op() instanceof MatrixAlgebra.MatMulChain c) {
                Node n = owner.node();
                String[] a = op(owner, n.input(0), c.transA());
                String[] b = op(owner, n.input(1), c.transB());
                String[] d = op(owner, n.input(2), c.transC());
                return alternatives(name, doc, new String[] {a[0], b[1]}, new String[] {b[0], d[1]});
            }
            if (owner != null && owner.node().op() instanceof MatrixAlgebra.GramOuterAdjoint) {
                String[] a = sizes.dims(owner.shapes(), owner.node().input(0));
                String[] u = sizes.dims(owner.shapes(), owner.node().input(1));
                return name.endsWith("Outer") ? known(name, doc, new String[] {a[1], a[1]})
                        : alternatives(name, doc, new String[] {a[1], a[1]}, new String[] {a[0], u[1]});
            }
        }
        if (doc.startsWith("the transpose of ")) {
            String of = doc.substring("the transpose of ".length()).split("[ ,]")[0];
            String[] d = byName.get(of);
            if (d != null) {
                return known(name, doc, new String[] {d[1], d[0]});
            }
            List<String[]> several = pooled.get(of);
            if (several != null) { // the transpose of a shared workspace: as large as the largest it holds
                List<String[]> shapes = several.stream().map(x -> new String[] {x[1], x[0]}).toList();
                List<Polynomial> sizes = shapes.stream().map(x -> Polynomial.product(1, x[0], x[1])).toList();
                return new Field(name, doc, shapes, new Costs.Total(Polynomial.ZERO, List.of(new Costs.Alternative("max", sizes))));
            }
        }
        if (doc.startsWith("∂L/∂")) {
            String param = doc.substring(4).split(" ")[0];
            if (doc.contains("1×1")) {
                return known(name, doc, new String[] {"1", "1"});
            }
            String[] d = byName.get(param);
            if (d != null) {
                return known(name, doc, d);
            }
        }
        return known(name, doc, new String[] {"?", "?"});
    }

    private String[] op(Located at, int id, boolean transposed) {
        String[] d = sizes.dims(at.shapes(), id);
        return transposed ? new String[] {d[1], d[0]} : d;
    }

    private Field known(String name, String doc, String[] dims) {
        byName.put(name, dims);
        return new Field(name, doc, List.<String[]>of(dims), new Costs.Total(Polynomial.product(1, dims[0], dims[1]), List.of()));
    }

    private Field alternatives(String name, String doc, String[] one, String[] other) {
        Polynomial a = Polynomial.product(1, one[0], one[1]);
        Polynomial b = Polynomial.product(1, other[0], other[1]);
        Costs.Total size = a.toString().equals(b.toString()) ? new Costs.Total(a, List.of())
                : new Costs.Total(Polynomial.ZERO, List.of(new Costs.Alternative("max", a, b)));
        return new Field(name, doc, List.of(one, other), size);
    }

    private static String unescape(String javadoc) {
        return javadoc.replace("*&#47;", "*/").replace("&#64;", "@").replace("&lt;", "<").replace("&gt;", ">")
                .replace("\\\\u", "\\u").replace("&amp;", "&");
    }
}
