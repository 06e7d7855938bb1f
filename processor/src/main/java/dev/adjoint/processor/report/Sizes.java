package dev.adjoint.processor.report;

import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.ir.ValueType;
import dev.adjoint.processor.ops.Leaves;
import dev.adjoint.processor.ops.ScalarOps;
import dev.adjoint.processor.shape.ShapeInference;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One symbol per independent dimension of a function's parameters, so that shapes and costs read
 * as formulas: a declared {@code @Shape} symbol, else the name of an {@code int} (or
 * {@code double}) local the user set to that dimension ({@code int n = X.numRows()}), else a
 * letter not used by any parameter or local. Dimensions rendered by {@link ShapeInference} as
 * {@code rows(W)} or {@code cols(x)} map to the symbol of that parameter dimension, whichever
 * program's inference rendered them.
 */
final class Sizes {
    private static final List<String> POOL = List.of("m", "n", "k", "p", "q", "r", "s", "t", "u", "v", "w", "a", "b",
            "c", "d", "e", "f", "g", "h", "i", "j", "l");

    /** "rows(W)" / "cols(W)" → symbol, for every matrix parameter. */
    private final Map<String, String> symbols = new LinkedHashMap<>();
    /** Symbol → where it comes from, e.g. "rows of W = rows of Y". */
    private final Map<String, List<String>> meanings = new LinkedHashMap<>();

    Sizes(Program program, ShapeInference shapes) {
        Graph graph = program.graph();
        Set<String> taken = new HashSet<>(graph.names().values());
        List<Node> matrices = new ArrayList<>();
        for (int p : program.parameters()) {
            Node node = graph.node(p);
            taken.add(((Leaves.Param) node.op()).name());
            if (node.type() == ValueType.MATRIX) {
                matrices.add(node);
            }
        }
        // Group parameter dimensions by their class, as the inference renders it.
        Map<String, List<String>> classes = new LinkedHashMap<>();
        for (Node node : matrices) {
            String[] dims = shapes.describeShape(node.id()).split("×");
            String name = ((Leaves.Param) node.op()).name();
            for (int axis = 0; axis < 2 && axis < dims.length; axis++) {
                classes.computeIfAbsent(dims[axis], k -> new ArrayList<>()).add((axis == 0 ? "rows(" : "cols(") + name + ")");
                if (!dims[axis].contains("(") && !dims[axis].matches("\\d+") && !dims[axis].equals("?")) {
                    taken.add(dims[axis]); // a declared symbol
                }
            }
        }
        // User locals holding a dimension name it.
        Map<String, String> userNames = new LinkedHashMap<>();
        for (Map.Entry<Integer, String> named : new java.util.TreeMap<>(graph.names()).entrySet()) {
            Node node = graph.node(named.getKey());
            Node intNode = node.type() == ValueType.INT ? node
                    : node.op() instanceof ScalarOps.FromInt ? graph.node(node.input(0)) : null;
            if (intNode == null || intNode.type() != ValueType.INT) {
                continue;
            }
            try {
                if (shapes.valueOf(intNode) instanceof ShapeInference.Anchor.ParameterDim pd) {
                    Node param = paramNamed(graph, program, pd.parameter());
                    if (param != null) {
                        String[] dims = shapes.describeShape(param.id()).split("×");
                        userNames.putIfAbsent(dims[pd.axis()], named.getValue());
                    }
                }
            } catch (RuntimeException e) {
                // no parameter dimension behind it
            }
        }
        int next = 0;
        for (Map.Entry<String, List<String>> c : classes.entrySet()) {
            String rendered = c.getKey();
            String symbol;
            if (!rendered.contains("(") && !rendered.equals("?")) {
                symbol = rendered; // a constant or a declared symbol
            } else if (userNames.containsKey(rendered)) {
                symbol = userNames.get(rendered);
            } else {
                while (taken.contains(POOL.get(next % POOL.size()) + (next >= POOL.size() ? next / POOL.size() : ""))) next++;
                symbol = POOL.get(next % POOL.size()) + (next >= POOL.size() ? next / POOL.size() : "");
            }
            taken.add(symbol);
            for (String paramDim : c.getValue()) {
                symbols.put(paramDim, symbol);
                if (!symbol.matches("\\d+")) {
                    meanings.computeIfAbsent(symbol, k -> new ArrayList<>()).add(paramDim);
                }
            }
        }
    }

    private static Node paramNamed(Graph graph, Program program, String name) {
        for (int p : program.parameters()) {
            if (graph.node(p).op() instanceof Leaves.Param param && param.name().equals(name)) {
                return graph.node(p);
            }
        }
        return null;
    }

    /** The two dimensions of a matrix node of a program whose shapes are {@code shapes}, as symbols. */
    String[] dims(ShapeInference shapes, int matrixNode) {
        String[] dims = shapes.describeShape(matrixNode).split("×");
        if (dims.length != 2) {
            return new String[] {"?", "?"};
        }
        String[] symbols = new String[2];
        for (int axis = 0; axis < 2; axis++) {
            String name = dims[axis].equals("?") ? shapes.intName(matrixNode, axis) : null;
            symbols[axis] = name != null ? name : symbol(dims[axis]);
        }
        return symbols;
    }

    private String symbol(String rendered) {
        return symbols.getOrDefault(rendered, rendered);
    }

    /** Symbol → the parameter dimensions it stands for ({@code rows(W)}, {@code cols(x)}, ...). */
    Map<String, List<String>> meanings() {
        return meanings;
    }
}
