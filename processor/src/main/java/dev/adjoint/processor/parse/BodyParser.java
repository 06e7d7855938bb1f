package dev.adjoint.processor.parse;

import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.BinaryTree;
import com.sun.source.tree.BlockTree;
import com.sun.source.tree.BreakTree;
import com.sun.source.tree.ConditionalExpressionTree;
import com.sun.source.tree.ContinueTree;
import com.sun.source.tree.ForLoopTree;
import com.sun.source.tree.IfTree;
import com.sun.source.tree.WhileLoopTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.CompoundAssignmentTree;
import com.sun.source.tree.ExpressionStatementTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.LiteralTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.ParenthesizedTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.TypeCastTree;
import com.sun.source.tree.UnaryTree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.Trees;
import dev.adjoint.processor.diag.Code;
import dev.adjoint.processor.ir.Builder;
import dev.adjoint.processor.ir.Origin;
import dev.adjoint.processor.ir.ValueType;
import dev.adjoint.processor.ops.Cond;
import dev.adjoint.processor.ops.IntOps;
import dev.adjoint.processor.ops.Logic;
import dev.adjoint.processor.ops.Loop;
import dev.adjoint.processor.ops.Regions;
import dev.adjoint.processor.ops.Leaves;
import dev.adjoint.processor.ops.ScalarOps;
import dev.adjoint.processor.shape.ShapeInference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.Types;

/**
 * Lowers the body of a {@code @Differentiable} method (straight-line Java over
 * {@code SimpleMatrix}, {@code double} and {@code int}) to IR. Locals become SSA values;
 * reassignment rebinds a name. Every call is resolved to its symbol and looked up in one
 * {@link OpRegistry} (built-in forms, user functions, inlined helpers). Anything else is a {@link DslError} on the exact sub-expression; parsing
 * goes on with the next statement so that one compilation reports every error.
 */
public final class BodyParser {
    private final Trees trees;
    private final Types types;
    private final CompilationUnitTree unit;
    private final String fileName;
    /** The builder of the graph being parsed: the method's, or a region's (a loop body, a branch). */
    private Builder b = new Builder();
    private final Map<String, Local> scope = new HashMap<>();
    /** For each node of the graph being parsed, the first expression that produced it. */
    private Map<Integer, Tree> nodeTrees = new HashMap<>();
    private final Map<dev.adjoint.processor.ir.Node, Tree> regionTrees = new HashMap<>();
    private final List<DslError> errors = new ArrayList<>();
    private final OpRegistry ops;
    private final List<ShapeInference.CallSite> callSites = new ArrayList<>();
    private final Frame root = new Frame(null, b, nodeTrees);
    private Frame current = root;

    /** A name in scope: its current node, its declared type, whether it is a parameter, the frame holding the node. */
    private record Local(int node, ValueType type, boolean parameter, Frame frame) {}

    /** The hidden boolean locals {@code break} and {@code continue} set inside a loop body. */
    private static final String BREAK = "#break";
    private static final String CONTINUE = "#continue";

    /** A local declared without a value and not assigned yet. */
    private static final int UNSET = -2;

    /**
     * The graph being built for one region (a loop's condition or body, a branch): its inputs are
     * {@code Regions.Input} leaves, each bound to a value of the enclosing frame ({@code operands}):
     * the loop-carried values first (set up by the loop), then the values it reads from outside,
     * imported on first use.
     */
    private static final class Frame {
        final Frame parent;
        final Builder builder;
        final Map<Integer, Tree> trees;
        final List<ValueType> inputTypes = new ArrayList<>();
        final List<Integer> inputLeaves = new ArrayList<>();
        final List<Integer> operands = new ArrayList<>();
        final Map<Integer, Integer> imported = new HashMap<>();

        Frame(Frame parent, Builder builder, Map<Integer, Tree> trees) {
            this.parent = parent;
            this.builder = builder;
            this.trees = trees;
        }

        int addInput(ValueType type, int operand, boolean capture, String name) {
            int leaf = builder.apply(new dev.adjoint.processor.ops.Regions.Input(inputTypes.size(), type));
            if (name != null && !name.startsWith("#")) {
                builder.name(leaf, name); // comments and formulas inside the region read the local's name
            }
            inputTypes.add(type);
            inputLeaves.add(leaf);
            operands.add(operand);
            if (capture) {
                imported.put(operand, leaf);
            }
            return leaf;
        }
    }

    /** Thrown for an expression that uses a local whose definition already failed: no second error. */
    private static final class Poisoned extends RuntimeException {
        Poisoned() {
            super(null, null, false, false);
        }
    }

    private static final int POISON = -1;

    private BodyParser(Trees trees, Types types, CompilationUnitTree unit, OpRegistry ops) {
        this.trees = trees;
        this.ops = ops;
        this.types = types;
        this.unit = unit;
        String name = unit.getSourceFile().getName();
        this.fileName = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
    }

    /**
     * @param methodPath the path to the method's tree; its body must already be attributed
     *     (see {@link #attribute})
     */
    public static ParsedFunction parse(Trees trees, Types types, TreePath methodPath, ExecutableElement method) {
        return parse(trees, types, methodPath, method, OpRegistry.builtIns());
    }

    /**
     * @param ops resolves every call: built-in forms, user functions with {@code @Derivative}
     *     rules, other {@code @Differentiable} methods (inlined)
     */
    public static ParsedFunction parse(Trees trees, Types types, TreePath methodPath, ExecutableElement method, OpRegistry ops) {
        BodyParser parser = new BodyParser(trees, types, methodPath.getCompilationUnit(), ops);
        return parser.run(methodPath, method);
    }

    /**
     * Makes javac attribute the method body (processors run before attribution): resolving one
     * identifier inside it types the whole class.
     */
    public static void attribute(Trees trees, TreePath methodPath) {
        new com.sun.source.util.TreePathScanner<Void, Void>() {
            boolean done;

            @Override
            public Void visitIdentifier(IdentifierTree node, Void unused) {
                if (!done) {
                    done = true;
                    trees.getElement(getCurrentPath());
                }
                return null;
            }
        }.scan(new TreePath(methodPath, ((MethodTree) methodPath.getLeaf()).getBody()), null);
    }

    private ParsedFunction run(TreePath methodPath, ExecutableElement method) {
        List<Integer> parameters = new ArrayList<>();
        MethodTree tree = (MethodTree) methodPath.getLeaf();
        for (int i = 0; i < method.getParameters().size(); i++) {
            VariableElement p = method.getParameters().get(i);
            String name = p.getSimpleName().toString();
            ValueType type = valueType(p.asType());
            if (type == null) {
                // Reported by the processor's signature check; uses of it are not reported again.
                scope.put(name, new Local(POISON, ValueType.SCALAR, true, root));
                continue;
            }
            int node = b.apply(new Leaves.Param(i, name, type), new Origin(name, fileName, line(tree.getParameters().get(i))));
            nodeTrees.putIfAbsent(node, tree.getParameters().get(i));
            parameters.add(node);
            scope.put(name, new Local(node, type, true, root));
        }

        int result = POISON;
        boolean returns = false;
        List<? extends StatementTree> statements = tree.getBody().getStatements();
        TreePath bodyPath = new TreePath(methodPath, tree.getBody());
        for (int i = 0; i < statements.size(); i++) {
            StatementTree statement = statements.get(i);
            TreePath path = new TreePath(bodyPath, statement);
            try {
                if (statement instanceof ReturnTree ret) {
                    returns = true;
                    if (i != statements.size() - 1) {
                        throw new DslError(Code.ADJ314, statement, "return must be the last statement of a @Differentiable method");
                    }
                    result = returned(ret, path, valueType(method.getReturnType()));
                } else {
                    statement(statement, path);
                }
            } catch (DslError e) {
                errors.add(e);
            } catch (Poisoned e) {
                // Already reported where the poisoned local was defined.
            }
        }
        if (!returns && errors.isEmpty()) {
            errors.add(new DslError(Code.ADJ314, tree, "a @Differentiable method must end with return <double expression>;"));
        }
        return new ParsedFunction(b.build(), parameters, result, nodeTrees, errors, callSites, regionTrees);
    }

    private int returned(ReturnTree ret, TreePath path, ValueType returns) {
        if (ret.getExpression() == null) {
            throw new DslError(Code.ADJ314, ret, "return a double value");
        }
        int value = expression(ret.getExpression(), path);
        if (returns == ValueType.MATRIX) {
            return convert(value, ValueType.MATRIX, ret.getExpression()); // a helper
        }
        if (b.type(value) == ValueType.MATRIX) {
            if (returns != ValueType.SCALAR) {
                throw new Poisoned(); // the signature check already says what the method must return
            }
            throw new DslError(Code.ADJ314, ret.getExpression(), "a @Differentiable method returns a double; reduce the matrix, "
                    + "e.g. Ops.sumSquares(A), A.elementSum() or A.trace()");
        }
        return toScalar(value, ret.getExpression());
    }

    private void statement(StatementTree statement, TreePath path) {
        switch (statement.getKind()) {
            case VARIABLE -> declaration((VariableTree) statement, path);
            case EXPRESSION_STATEMENT -> {
                ExpressionTree expr = ((ExpressionStatementTree) statement).getExpression();
                TreePath exprPath = new TreePath(path, expr);
                if (expr instanceof AssignmentTree assignment) {
                    assignment(assignment, exprPath);
                } else if (expr instanceof CompoundAssignmentTree compound) {
                    compoundAssignment(compound, exprPath);
                } else if (expr instanceof UnaryTree unary && isIncrement(unary.getKind())) {
                    increment(unary);
                } else if (expr instanceof MethodInvocationTree) {
                    throw new DslError(Code.ADJ313, expr, "a call whose result is discarded has no effect on the loss; "
                            + "assign it to a local (SimpleMatrix t = ...;) or remove it");
                } else {
                    throw unsupported(expr, expr.getKind());
                }
            }
            case BLOCK -> block(((BlockTree) statement).getStatements(), path);
            case FOR_LOOP -> forLoop((ForLoopTree) statement, path);
            case WHILE_LOOP -> {
                WhileLoopTree loop = (WhileLoopTree) statement;
                loop(loop, "while " + loop.getCondition(), null, -1, stripParens(loop.getCondition()), loop.getStatement(), null, path);
            }
            case IF -> ifStatement((IfTree) statement, path);
            case BREAK, CONTINUE -> jump(statement);
            case LABELED_STATEMENT -> throw new DslError(Code.ADJ344, statement, "labels are not supported in a @Differentiable "
                    + "method: break and continue leave or continue the innermost loop; to leave an outer loop, set a "
                    + "boolean local and test it in that loop's condition");
            case EMPTY_STATEMENT -> {
            }
            case RETURN -> throw new DslError(Code.ADJ342, statement, "return must be the last statement of a @Differentiable "
                    + "method, outside loops and branches: assign the value to a local in each branch and return it at the end");
            default -> throw unsupported(statement, statement.getKind());
        }
    }

    /** Statements in order; each error is reported and parsing goes on with the next statement. */
    private void statements(List<? extends StatementTree> statements, TreePath parent) {
        for (int i = 0; i < statements.size(); i++) {
            StatementTree statement = statements.get(i);
            try {
                statement(statement, new TreePath(parent, statement));
            } catch (DslError e) {
                errors.add(e);
            } catch (Poisoned e) {
                // Already reported where the poisoned local was defined.
            }
            if (i + 1 < statements.size() && scope.containsKey(BREAK) && exits(statement)) {
                // After a statement that may break or continue, the rest of the body runs only if it did not.
                guarded(statements.subList(i + 1, statements.size()), parent, statement);
                return;
            }
        }
    }

    /** A block's statements; locals declared in it go out of scope at its end. */
    private void block(List<? extends StatementTree> statements, TreePath path) {
        java.util.Set<String> before = new java.util.HashSet<>(scope.keySet());
        try {
            statements(statements, path);
        } finally {
            scope.keySet().retainAll(before);
        }
    }

    private static boolean isIncrement(Tree.Kind kind) {
        return kind == Tree.Kind.POSTFIX_INCREMENT || kind == Tree.Kind.PREFIX_INCREMENT
                || kind == Tree.Kind.POSTFIX_DECREMENT || kind == Tree.Kind.PREFIX_DECREMENT;
    }

    /** {@code i++}, {@code i--} (prefix or postfix) as a statement, on an int or double local. */
    private void increment(UnaryTree unary) {
        Local local = target(unary.getExpression());
        String name = ((IdentifierTree) unary.getExpression()).getName().toString();
        int one = unary.getKind() == Tree.Kind.POSTFIX_INCREMENT || unary.getKind() == Tree.Kind.PREFIX_INCREMENT ? 1 : -1;
        int old = read(local, unary.getExpression());
        int value = switch (local.type()) {
            case INT -> b.apply(new IntOps.Arith(IntOps.Op.ADD), origin(unary), old, b.apply(new Leaves.IntConst(one)));
            case SCALAR -> b.apply(new ScalarOps.Arith(ScalarOps.Op.ADD), origin(unary), old, b.constant(one));
            default -> throw new DslError(Code.ADJ309, unary, "++ and -- apply to int and double locals");
        };
        bind(name, record(value, unary), local.type());
    }

    private static ExpressionTree stripParens(ExpressionTree expr) {
        while (expr instanceof ParenthesizedTree p) {
            expr = p.getExpression();
        }
        return expr;
    }

    // ---- control flow ---------------------------------------------------------------------------

    /** {@code for (int i = start; i < end; i++)}, with {@code < <= > >=} and {@code ++ -- += k -= k}. */
    private void forLoop(ForLoopTree loop, TreePath path) {
        String form = "write the loop as for (int i = start; i < end; i++) (or <=, >, >=; i--, i += k, i -= k)";
        if (loop.getInitializer().size() != 1 || !(loop.getInitializer().get(0) instanceof VariableTree init)
                || init.getInitializer() == null) {
            throw new DslError(Code.ADJ340, loop.getInitializer().isEmpty() ? loop : loop.getInitializer().get(0),
                    "a for loop of a @Differentiable method declares one int loop variable with its start value: " + form);
        }
        String index = init.getName().toString();
        Element element = trees.getElement(new TreePath(path, init));
        if (element == null || element.asType().getKind() != TypeKind.INT) {
            throw new DslError(Code.ADJ340, init, "the loop variable " + index + " must be an int: " + form);
        }
        if (loop.getCondition() == null) {
            throw new DslError(Code.ADJ340, loop, "a for loop needs a condition such as " + index + " < n: " + form);
        }
        if (loop.getUpdate().size() != 1 || !updates(loop.getUpdate().get(0).getExpression(), index)) {
            throw new DslError(Code.ADJ340, loop.getUpdate().isEmpty() ? loop : loop.getUpdate().get(0),
                    "the update of a for loop steps its variable " + index + " by a constant or an int value: " + form);
        }
        int start = convert(expression(init.getInitializer(), new TreePath(new TreePath(path, init), init.getInitializer())),
                ValueType.INT, init.getInitializer());
        String text = "for (" + init.toString().replace("int ", "int ").strip() + "; " + loop.getCondition() + "; "
                + loop.getUpdate().get(0).getExpression() + ")";
        loop(loop, text, index, start, stripParens(loop.getCondition()), loop.getStatement(), loop.getUpdate().get(0), path);
    }

    /** Whether {@code expr} is {@code i++}, {@code i--}, {@code ++i}, {@code --i}, {@code i += k} or {@code i -= k}. */
    private static boolean updates(ExpressionTree expr, String index) {
        if (expr instanceof UnaryTree u && isIncrement(u.getKind())) {
            return u.getExpression() instanceof IdentifierTree id && id.getName().contentEquals(index);
        }
        if (expr instanceof CompoundAssignmentTree c
                && (c.getKind() == Tree.Kind.PLUS_ASSIGNMENT || c.getKind() == Tree.Kind.MINUS_ASSIGNMENT)) {
            return c.getVariable() instanceof IdentifierTree id && id.getName().contentEquals(index);
        }
        return false;
    }

    /**
     * A loop: ONE {@code Loop} node whose condition and body are regions. Loop-carried values: the
     * loop variable (if any), the locals declared before the loop that the body assigns and the
     * break flag; every other value the body reads is a loop-invariant operand.
     */
    private void loop(StatementTree tree, String text, String index, int start, ExpressionTree condition, StatementTree body,
            ExpressionStatementTree update, TreePath path) {
        Map<String, Local> saved = new HashMap<>(scope);
        java.util.Set<String> assigned = assignedNames(body);
        if (index != null && assigned.contains(index)) {
            throw new DslError(Code.ADJ340, assignmentTo(body, index), "the loop variable " + index
                    + " is assigned in the body; only the loop's update may change it (use another local)");
        }
        List<String> names = new ArrayList<>();
        List<ValueType> types = new ArrayList<>();
        List<Integer> inits = new ArrayList<>();
        if (index != null) {
            names.add(index);
            types.add(ValueType.INT);
            inits.add(start);
        }
        boolean poisoned = false;
        for (String name : assigned) {
            Local local = scope.get(name);
            if (name.equals(BREAK) || name.equals(CONTINUE) || local == null || local.parameter() || local.node() == UNSET) {
                continue; // flags are the loop's own; declared inside; reported on assignment; assigned before any use
            }
            if (local.node() == POISON) {
                poisoned = true;
                continue;
            }
            names.add(name);
            types.add(local.type());
            inits.add(read(local, tree));
        }
        boolean breaks = assigned.contains(BREAK);
        if (breaks) {
            names.add(BREAK);
            types.add(ValueType.BOOLEAN);
            inits.add(b.apply(new Logic.BoolConst(false)));
        }
        int errorsBefore = errors.size();
        Frame outer = current;
        Frame condFrame = new Frame(outer, new Builder(), new HashMap<>());
        Frame bodyFrame = new Frame(outer, new Builder(), new HashMap<>());
        int test;
        List<Integer> outputs = new ArrayList<>();
        try {
            enter(condFrame);
            for (int k = 0; k < names.size(); k++) {
                scope.put(names.get(k), new Local(condFrame.addInput(types.get(k), inits.get(k), false, names.get(k)), types.get(k), false, condFrame));
            }
            test = condition(condition, new TreePath(path, condition));
            if (breaks) {
                test = b.apply(new Logic.Junction(true), b.apply(new Logic.Not(), read(scope.get(BREAK), tree)), test);
            }
            scope.clear();
            scope.putAll(saved);
            enter(bodyFrame);
            for (int k = 0; k < condFrame.inputTypes.size(); k++) {
                int leaf = bodyFrame.addInput(condFrame.inputTypes.get(k), condFrame.operands.get(k), k >= names.size(),
                        condFrame.builder.build().names().get(condFrame.inputLeaves.get(k)));
                if (k < names.size()) {
                    scope.put(names.get(k), new Local(leaf, types.get(k), false, bodyFrame));
                }
            }
            scope.put(CONTINUE, new Local(b.apply(new Logic.BoolConst(false)), ValueType.BOOLEAN, false, bodyFrame));
            if (!breaks) {
                scope.put(BREAK, new Local(b.apply(new Logic.BoolConst(false)), ValueType.BOOLEAN, false, bodyFrame));
            }
            TreePath bodyPath = new TreePath(path, body);
            if (body instanceof BlockTree block) {
                block(block.getStatements(), bodyPath);
            } else {
                statements(List.of(body), path);
            }
            if (update != null) {
                statement(update, new TreePath(path, update));
            }
            for (int k = 0; k < names.size(); k++) {
                Local local = scope.get(names.get(k));
                if (local == null || local.node() == POISON) {
                    throw new Poisoned();
                }
                outputs.add(read(local, tree));
            }
        } catch (Poisoned e) {
            poisoned = true;
            test = -1;
        } finally {
            enter(outer);
            scope.clear();
            scope.putAll(saved);
        }
        if (poisoned || errors.size() > errorsBefore) {
            for (String name : names) {
                if (scope.containsKey(name) && !name.equals(index)) {
                    Local local = scope.get(name);
                    scope.put(name, new Local(POISON, local.type(), false, outer));
                }
            }
            return;
        }
        Regions.Region bodyRegion = finish(bodyFrame, outputs, bodyFrame.inputTypes);
        Regions.Region condRegion = finish(condFrame, List.of(test), bodyFrame.inputTypes);
        int node = record(b.apply(new Loop(condRegion, bodyRegion, names.stream().map(n -> n.replace("#", "")).toList()),
                origin(text, tree), bodyFrame.operands), tree);
        for (int k = 0; k < names.size(); k++) {
            String name = names.get(k);
            if (saved.containsKey(name) && !name.equals(BREAK) && !(index != null && name.equals(index))) {
                bind(name, b.apply(new Regions.Out(k, types.get(k), name), node), types.get(k));
            }
        }
    }

    /** A condition: a boolean expression over int, double and boolean values. */
    private int condition(ExpressionTree condition, TreePath path) {
        int value = expression(condition, path);
        if (b.type(value) != ValueType.BOOLEAN) {
            throw new DslError(Code.ADJ343, condition, "a condition is a boolean: compare int or double values with "
                    + "< <= > >= == != and combine them with && || !");
        }
        return value;
    }

    private void enter(Frame frame) {
        current = frame;
        b = frame.builder;
        nodeTrees = frame.trees;
    }

    /** The region a frame built, with inputs numbered as {@code types} (a superset of the frame's own). */
    private Regions.Region finish(Frame frame, List<Integer> outputs, List<ValueType> types) {
        dev.adjoint.processor.ir.Graph graph = frame.builder.build();
        frame.trees.forEach((id, tree) -> regionTrees.putIfAbsent(graph.node(id), tree));
        List<Integer> leaves = new ArrayList<>(frame.inputLeaves);
        while (leaves.size() < types.size()) {
            leaves.add(-1);
        }
        return new Regions.Region(graph, types, leaves, outputs);
    }

    /** {@code if (c) ... else ...}: one {@code Cond} node whose results are the locals either branch assigns. */
    private void ifStatement(IfTree tree, TreePath path) {
        ExpressionTree c = stripParens(tree.getCondition());
        int predicate = condition(c, new TreePath(path, c));
        List<StatementTree> then = List.of(tree.getThenStatement());
        List<StatementTree> otherwise = tree.getElseStatement() == null ? List.of() : List.of(tree.getElseStatement());
        branch(predicate, then, otherwise, tree, "if " + tree.getCondition(), path);
    }

    /** The statements after one that may break or continue: they run only if it did neither. */
    private void guarded(List<? extends StatementTree> rest, TreePath path, StatementTree after) {
        int exited = b.apply(new Logic.Junction(false), read(scope.get(BREAK), after), read(scope.get(CONTINUE), after));
        branch(b.apply(new Logic.Not(), exited), new ArrayList<>(rest), List.of(), after,
                "unless the loop broke or continued", path);
    }

    private void branch(int predicate, List<? extends StatementTree> then, List<? extends StatementTree> otherwise, Tree tree,
            String text, TreePath path) {
        Map<String, Local> saved = new HashMap<>(scope);
        java.util.Set<String> assigned = new java.util.LinkedHashSet<>();
        for (StatementTree s : then) assigned.addAll(assignedNames(s));
        for (StatementTree s : otherwise) assigned.addAll(assignedNames(s));
        List<String> names = new ArrayList<>();
        for (String name : assigned) {
            Local local = scope.get(name);
            if (local != null && !local.parameter()) {
                names.add(name);
            }
        }
        int errorsBefore = errors.size();
        Frame outer = current;
        Frame thenFrame = new Frame(outer, new Builder(), new HashMap<>());
        Frame elseFrame = new Frame(outer, new Builder(), new HashMap<>());
        List<Integer> thenOut = new ArrayList<>();
        List<Integer> elseOut = new ArrayList<>();
        boolean poisoned = false;
        try {
            enter(thenFrame);
            block(then, path);
            results(names, thenOut, tree);
            scope.clear();
            scope.putAll(saved);
            enter(elseFrame);
            for (int k = 0; k < thenFrame.inputTypes.size(); k++) {
                elseFrame.addInput(thenFrame.inputTypes.get(k), thenFrame.operands.get(k), true,
                        thenFrame.builder.build().names().get(thenFrame.inputLeaves.get(k)));
            }
            block(otherwise, path);
            results(names, elseOut, tree);
        } catch (Poisoned e) {
            poisoned = true;
        } finally {
            enter(outer);
            scope.clear();
            scope.putAll(saved);
        }
        if (poisoned || errors.size() > errorsBefore) {
            for (String name : names) {
                Local local = scope.get(name);
                scope.put(name, new Local(POISON, local.type(), false, outer));
            }
            return;
        }
        // A local assigned in only one branch, and unset before, stays unset (javac rejects reading it).
        List<String> kept = new ArrayList<>();
        List<Integer> keptThen = new ArrayList<>();
        List<Integer> keptElse = new ArrayList<>();
        for (int k = 0; k < names.size(); k++) {
            if (thenOut.get(k) != UNSET && elseOut.get(k) != UNSET) {
                kept.add(names.get(k));
                keptThen.add(thenOut.get(k));
                keptElse.add(elseOut.get(k));
            }
        }
        Regions.Region a = finish(thenFrame, keptThen, elseFrame.inputTypes);
        Regions.Region e = finish(elseFrame, keptElse, elseFrame.inputTypes);
        List<Integer> operands = new ArrayList<>();
        operands.add(predicate);
        operands.addAll(elseFrame.operands);
        int node = record(b.apply(new Cond(a, e, kept.stream().map(n -> n.replace("#", "")).toList()), origin(text, tree),
                operands), tree);
        for (int k = 0; k < kept.size(); k++) {
            ValueType type = scope.get(kept.get(k)).type();
            bind(kept.get(k), b.apply(new Regions.Out(k, type, kept.get(k).replace("#", "")), node), type);
        }
    }

    /** The current value of each named local in the frame being parsed ({@code UNSET} where unset). */
    private void results(List<String> names, List<Integer> out, Tree where) {
        for (String name : names) {
            Local local = scope.get(name);
            if (local.node() == POISON) {
                throw new Poisoned();
            }
            out.add(local.node() == UNSET ? UNSET : read(local, where));
        }
    }

    /** {@code c ? a : b} on int, double or matrix values: a {@code Cond} with one result. */
    private int conditional(ConditionalExpressionTree tree, TreePath path) {
        ExpressionTree c = stripParens(tree.getCondition());
        int predicate = condition(c, new TreePath(path, c));
        Frame outer = current;
        Frame thenFrame = new Frame(outer, new Builder(), new HashMap<>());
        Frame elseFrame = new Frame(outer, new Builder(), new HashMap<>());
        int a;
        int e;
        try {
            enter(thenFrame);
            a = expression(tree.getTrueExpression(), new TreePath(path, tree.getTrueExpression()));
            enter(elseFrame);
            for (int k = 0; k < thenFrame.inputTypes.size(); k++) {
                elseFrame.addInput(thenFrame.inputTypes.get(k), thenFrame.operands.get(k), true,
                        thenFrame.builder.build().names().get(thenFrame.inputLeaves.get(k)));
            }
            e = expression(tree.getFalseExpression(), new TreePath(path, tree.getFalseExpression()));
            ValueType ta = thenFrame.builder.type(a);
            ValueType te = b.type(e);
            if (ta != te) {
                if (ta == ValueType.MATRIX || te == ValueType.MATRIX || ta == ValueType.BOOLEAN || te == ValueType.BOOLEAN) {
                    throw new DslError(Code.ADJ317, tree, "both sides of ?: must be of one kind, found a " + describe(ta)
                            + " and a " + describe(te));
                }
                e = toScalar(e, tree.getFalseExpression());
                enter(thenFrame);
                a = toScalar(a, tree.getTrueExpression());
            }
        } finally {
            enter(outer);
        }
        Regions.Region ra = finish(thenFrame, List.of(a), elseFrame.inputTypes);
        Regions.Region re = finish(elseFrame, List.of(e), elseFrame.inputTypes);
        List<Integer> operands = new ArrayList<>();
        operands.add(predicate);
        operands.addAll(elseFrame.operands);
        int node = record(b.apply(new Cond(ra, re, List.of("choice")), origin(tree), operands), tree);
        return b.apply(new Regions.Out(0, ra.outputType(0), "(" + tree + ")"), origin(tree), node);
    }

    /** {@code break;} and {@code continue;} set the loop's flags; the rest of the body is guarded by them. */
    private void jump(StatementTree statement) {
        boolean isBreak = statement.getKind() == Tree.Kind.BREAK;
        javax.lang.model.element.Name label = isBreak ? ((BreakTree) statement).getLabel() : ((ContinueTree) statement).getLabel();
        if (label != null) {
            throw new DslError(Code.ADJ344, statement, "labeled break and continue are not supported: they leave or "
                    + "continue the innermost loop only (use a boolean local and test it in the outer loop's condition)");
        }
        if (!scope.containsKey(BREAK)) {
            throw new DslError(Code.ADJ344, statement, (isBreak ? "break" : "continue") + " outside a loop");
        }
        bind(isBreak ? BREAK : CONTINUE, b.apply(new Logic.BoolConst(true)), ValueType.BOOLEAN);
    }

    /** Whether a statement may break or continue the loop it is in. */
    private static boolean exits(StatementTree statement) {
        java.util.Set<String> names = assignedNames(statement);
        return names.contains(BREAK) || names.contains(CONTINUE);
    }

    /**
     * The locals a statement may assign (by name), plus {@link #BREAK} and {@link #CONTINUE} for
     * the {@code break} and {@code continue} statements that leave or continue the loop it is in.
     */
    private static java.util.Set<String> assignedNames(Tree tree) {
        java.util.Set<String> names = new java.util.LinkedHashSet<>();
        new com.sun.source.util.TreeScanner<Void, Void>() {
            int loops;

            @Override
            public Void visitAssignment(AssignmentTree node, Void unused) {
                target(node.getVariable());
                return super.visitAssignment(node, unused);
            }

            @Override
            public Void visitCompoundAssignment(CompoundAssignmentTree node, Void unused) {
                target(node.getVariable());
                return super.visitCompoundAssignment(node, unused);
            }

            @Override
            public Void visitUnary(UnaryTree node, Void unused) {
                if (isIncrement(node.getKind())) {
                    target(node.getExpression());
                }
                return super.visitUnary(node, unused);
            }

            private void target(ExpressionTree variable) {
                if (variable instanceof IdentifierTree id) {
                    names.add(id.getName().toString());
                }
            }

            @Override
            public Void visitBreak(BreakTree node, Void unused) {
                if (loops == 0) names.add(BREAK);
                return null;
            }

            @Override
            public Void visitContinue(ContinueTree node, Void unused) {
                if (loops == 0) names.add(CONTINUE);
                return null;
            }

            @Override
            public Void visitForLoop(ForLoopTree node, Void unused) {
                loops++;
                super.visitForLoop(node, unused);
                loops--;
                return null;
            }

            @Override
            public Void visitWhileLoop(WhileLoopTree node, Void unused) {
                loops++;
                super.visitWhileLoop(node, unused);
                loops--;
                return null;
            }

            @Override
            public Void visitDoWhileLoop(com.sun.source.tree.DoWhileLoopTree node, Void unused) {
                loops++;
                super.visitDoWhileLoop(node, unused);
                loops--;
                return null;
            }

            @Override
            public Void visitEnhancedForLoop(com.sun.source.tree.EnhancedForLoopTree node, Void unused) {
                loops++;
                super.visitEnhancedForLoop(node, unused);
                loops--;
                return null;
            }
        }.scan(tree, null);
        return names;
    }

    /** The first assignment to {@code name} inside {@code tree}, for the error's position. */
    private static Tree assignmentTo(Tree tree, String name) {
        Tree[] found = new Tree[1];
        new com.sun.source.util.TreeScanner<Void, Void>() {
            @Override
            public Void scan(Tree node, Void unused) {
                if (found[0] == null && node != null) {
                    ExpressionTree target = node instanceof AssignmentTree a ? a.getVariable()
                            : node instanceof CompoundAssignmentTree c ? c.getVariable()
                            : node instanceof UnaryTree u && isIncrement(u.getKind()) ? u.getExpression() : null;
                    if (target instanceof IdentifierTree id && id.getName().contentEquals(name)) {
                        found[0] = node;
                        return null;
                    }
                }
                return super.scan(node, unused);
            }
        }.scan(tree, null);
        return found[0] == null ? tree : found[0];
    }

    /** The value of a local in the frame being parsed, importing it into each region between. */
    private int read(Local local, Tree where) {
        if (local.node() == POISON) {
            throw new Poisoned();
        }
        if (local.node() == UNSET) {
            throw new DslError(Code.ADJ341, where, "this local might not have been assigned here: give it a value "
                    + "before this point on every path (in both branches of an if, or before the loop)");
        }
        return valueIn(current, local);
    }

    private int valueIn(Frame frame, Local local) {
        if (frame == local.frame()) {
            return local.node();
        }
        int outer = valueIn(frame.parent, local);
        Integer leaf = frame.imported.get(outer);
        if (leaf != null) {
            return leaf;
        }
        String name = null;
        for (Map.Entry<String, Local> e : scope.entrySet()) {
            if (e.getValue().equals(local)) {
                name = e.getKey();
            }
        }
        return frame.addInput(local.type(), outer, true, name);
    }

    private static DslError unsupported(Tree tree, Tree.Kind kind) {
        Code code = switch (kind) {
            case FOR_LOOP, ENHANCED_FOR_LOOP, WHILE_LOOP, DO_WHILE_LOOP -> Code.ADJ303;
            case IF, SWITCH, SWITCH_EXPRESSION, CONDITIONAL_EXPRESSION -> Code.ADJ304;
            case TRY, THROW, SYNCHRONIZED -> Code.ADJ305;
            case LAMBDA_EXPRESSION, MEMBER_REFERENCE -> Code.ADJ306;
            default -> Code.ADJ318;
        };
        return new DslError(code, tree, unsupportedStatement(kind));
    }

    private static String unsupportedStatement(Tree.Kind kind) {
        return switch (kind) {
            case DO_WHILE_LOOP -> "do-while loops are not supported in a @Differentiable method: write "
                    + "while (condition) { ... } (with the first iteration before it if it must run once)";
            case FOR_LOOP, ENHANCED_FOR_LOOP, WHILE_LOOP -> "for-each loops are not supported in a @Differentiable method: "
                    + "loop over an index, for (int i = 0; i < n; i++), or over columns with A.getColumn(j)";
            case IF, SWITCH, SWITCH_EXPRESSION, CONDITIONAL_EXPRESSION ->
                    "switch is not supported in a @Differentiable method: write if (...) { ... } else if (...) { ... } "
                            + "else { ... }, or c ? a : b";
            case TRY, THROW, SYNCHRONIZED ->
                    "try, throw and synchronized are not supported in a @Differentiable method: "
                            + "generated code reports invalid inputs itself";
            case LAMBDA_EXPRESSION, MEMBER_REFERENCE ->
                    "lambdas and method references are not supported in a @Differentiable method: "
                            + "use the entrywise helpers of Ops (sigmoid, tanh, relu, swish, softplus) or A.elementExp()";
            case PREFIX_INCREMENT, PREFIX_DECREMENT, POSTFIX_INCREMENT, POSTFIX_DECREMENT ->
                    "++ and -- are not supported: write x += 1 on a double local";
            case BLOCK -> "nested blocks are not supported in a @Differentiable method: write the statements at the top level";
            case CLASS, INTERFACE, ENUM, RECORD -> "local classes are not supported in a @Differentiable method";
            default -> kind.toString().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                    + " is not supported in a @Differentiable method: use local declarations, assignments and one final return";
        };
    }

    private void declaration(VariableTree variable, TreePath path) {
        String name = variable.getName().toString();
        Element element = trees.getElement(path);
        ValueType declared = element == null ? null : localType(types, element.asType());
        if (variable.getInitializer() == null) {
            if (declared == null) {
                scope.put(name, new Local(POISON, ValueType.SCALAR, false, current));
                throw new DslError(Code.ADJ316, variable.getType(), "local " + name + " has type " + variable.getType()
                        + "; locals of a @Differentiable method are SimpleMatrix, double, int or boolean");
            }
            // Declared without a value: assignments (in both branches of an if, say) give it one.
            scope.put(name, new Local(UNSET, declared, false, current));
            return;
        }
        ExpressionTree init = variable.getInitializer();
        while (init instanceof ParenthesizedTree p) {
            init = p.getExpression();
        }
        if (init.getKind() == Tree.Kind.LAMBDA_EXPRESSION || init.getKind() == Tree.Kind.MEMBER_REFERENCE) {
            scope.put(name, new Local(POISON, ValueType.SCALAR, false, current));
            throw unsupported(init, init.getKind());
        }
        if (declared == null) {
            scope.put(name, new Local(POISON, ValueType.SCALAR, false, current));
            Tree typeTree = variable.getType();
            boolean typeWritten = typeTree != null && trees.getSourcePositions().getStartPosition(unit, typeTree) >= 0;
            throw new DslError(Code.ADJ316, typeWritten ? typeTree : variable.getInitializer(),
                    "local " + name + " has type " + (element == null ? variable.getType() : element.asType())
                            + "; locals of a @Differentiable method are SimpleMatrix, double, int or boolean (or var)");
        }
        scope.put(name, new Local(POISON, declared, false, current));
        int value = convert(expression(variable.getInitializer(), new TreePath(path, variable.getInitializer())),
                declared, variable.getInitializer());
        bind(name, value, declared);
    }

    private void assignment(AssignmentTree assignment, TreePath path) {
        Local local = target(assignment.getVariable());
        String name = ((IdentifierTree) assignment.getVariable()).getName().toString();
        int value = convert(expression(assignment.getExpression(), new TreePath(path, assignment.getExpression())),
                local.type(), assignment.getExpression());
        bind(name, value, local.type());
    }

    private void compoundAssignment(CompoundAssignmentTree compound, TreePath path) {
        Local local = target(compound.getVariable());
        String name = ((IdentifierTree) compound.getVariable()).getName().toString();
        if (local.type() != ValueType.SCALAR && local.type() != ValueType.INT) {
            throw new DslError(Code.ADJ309, compound, "compound assignment is supported on double and int locals only; for matrices write "
                    + name + " = " + name + ".plus(...), .minus(...), .scale(...) or .divide(...)");
        }
        int old = read(local, compound.getVariable());
        if (local.type() == ValueType.INT) {
            IntOps.Op op = switch (compound.getKind()) {
                case PLUS_ASSIGNMENT -> IntOps.Op.ADD;
                case MINUS_ASSIGNMENT -> IntOps.Op.SUB;
                case MULTIPLY_ASSIGNMENT -> IntOps.Op.MUL;
                case DIVIDE_ASSIGNMENT -> IntOps.Op.DIV;
                default -> throw new DslError(Code.ADJ309, compound, "only +=, -=, *= and /= are supported on int locals");
            };
            int rhs = convert(expression(compound.getExpression(), new TreePath(path, compound.getExpression())), ValueType.INT,
                    compound.getExpression());
            bind(name, record(b.apply(new IntOps.Arith(op), origin(compound), old, rhs), compound), ValueType.INT);
            return;
        }
        ScalarOps.Op op = switch (compound.getKind()) {
            case PLUS_ASSIGNMENT -> ScalarOps.Op.ADD;
            case MINUS_ASSIGNMENT -> ScalarOps.Op.SUB;
            case MULTIPLY_ASSIGNMENT -> ScalarOps.Op.MUL;
            case DIVIDE_ASSIGNMENT -> ScalarOps.Op.DIV;
            default -> throw new DslError(Code.ADJ309, compound, "only +=, -=, *= and /= are supported on double locals");
        };
        int rhs = toScalar(expression(compound.getExpression(), new TreePath(path, compound.getExpression())), compound.getExpression());
        int value = record(b.apply(new ScalarOps.Arith(op), origin(compound), old, rhs), compound);
        bind(name, value, ValueType.SCALAR);
    }

    /** The local an assignment writes, with the errors SPEC promises for anything else. */
    private Local target(ExpressionTree variable) {
        if (!(variable instanceof IdentifierTree id)) {
            throw new DslError(Code.ADJ308, variable, "only local variables can be assigned in a @Differentiable method (no fields or array elements)");
        }
        Local local = scope.get(id.getName().toString());
        if (local == null) {
            throw new DslError(Code.ADJ308, variable, "only local variables can be assigned in a @Differentiable method; "
                    + id.getName() + " is not a local");
        }
        if (local.parameter()) {
            throw new DslError(Code.ADJ308, variable, "assignment to parameter " + id.getName()
                    + ": parameters are inputs and are never modified; declare a local instead (var "
                    + id.getName() + "2 = ...;)");
        }
        return local;
    }

    private void bind(String name, int value, ValueType type) {
        scope.put(name, new Local(value, type, false, current));
        if (!name.startsWith("#") && (!b.node(value).op().isLeaf() || b.node(value).op() instanceof IntOps.ShapeQuery)) {
            b.name(value, name);
        }
    }

    private int convert(int value, ValueType target, Tree where) {
        ValueType actual = b.type(value);
        if (actual == target) {
            return value;
        }
        if (target == ValueType.SCALAR && actual == ValueType.INT) {
            return toScalar(value, where);
        }
        throw new DslError(Code.ADJ317, where, "expected a " + describe(target) + " here, found a " + describe(actual));
    }

    private static String describe(ValueType type) {
        return switch (type) {
            case MATRIX -> "SimpleMatrix";
            case SCALAR -> "double";
            case INT -> "int";
            case BOOLEAN -> "boolean";
            case TUPLE -> "tuple";
        };
    }

    private int toScalar(int value, Tree where) {
        return switch (b.type(value)) {
            case SCALAR -> value;
            case INT -> b.node(value).op() instanceof Leaves.IntConst c
                    ? b.constant(c.value())
                    : b.apply(new ScalarOps.FromInt(), origin(where), value);
            case MATRIX -> throw new DslError(Code.ADJ317, where, "expected a double here, found a SimpleMatrix");
            case BOOLEAN, TUPLE -> throw new DslError(Code.ADJ317, where, "expected a double here, found a boolean");
        };
    }

    private int expression(ExpressionTree expr, TreePath path) {
        return switch (expr.getKind()) {
            case PARENTHESIZED -> {
                ExpressionTree inner = ((ParenthesizedTree) expr).getExpression();
                yield expression(inner, new TreePath(path, inner));
            }
            case INT_LITERAL -> record(b.apply(new Leaves.IntConst((Integer) ((LiteralTree) expr).getValue()), origin(expr)), expr);
            case DOUBLE_LITERAL -> record(b.constant((Double) ((LiteralTree) expr).getValue()), expr);
            case FLOAT_LITERAL, LONG_LITERAL -> throw new DslError(Code.ADJ318, expr, "use a double or int literal (" + expr + " is "
                    + (expr.getKind() == Tree.Kind.FLOAT_LITERAL ? "a float" : "a long") + ")");
            case IDENTIFIER -> identifier((IdentifierTree) expr, path);
            case MEMBER_SELECT -> constantField(expr, path);
            case METHOD_INVOCATION -> call((MethodInvocationTree) expr, path);
            case PLUS, MINUS, MULTIPLY, DIVIDE -> binary((BinaryTree) expr, path);
            case UNARY_MINUS, UNARY_PLUS -> {
                ExpressionTree operand = ((UnaryTree) expr).getExpression();
                int value = expression(operand, new TreePath(path, operand));
                if (expr.getKind() == Tree.Kind.UNARY_PLUS) {
                    yield value;
                }
                yield record(switch (b.type(value)) {
                    case INT -> b.apply(new IntOps.Negate(), origin(expr), value);
                    case SCALAR -> b.apply(new ScalarOps.Negate(), origin(expr), value);
                    case MATRIX -> throw new DslError(Code.ADJ311, expr, "use A.negative() to negate a matrix");
                    case BOOLEAN, TUPLE -> throw new DslError(Code.ADJ343, expr, "use ! to negate a boolean");
                }, expr);
            }
            case TYPE_CAST -> cast((TypeCastTree) expr, path);
            case BOOLEAN_LITERAL -> record(b.apply(new Logic.BoolConst((Boolean) ((LiteralTree) expr).getValue()), origin(expr)), expr);
            case LESS_THAN, LESS_THAN_EQUAL, GREATER_THAN, GREATER_THAN_EQUAL, EQUAL_TO, NOT_EQUAL_TO -> comparison((BinaryTree) expr, path);
            case CONDITIONAL_AND, CONDITIONAL_OR -> {
                BinaryTree binary = (BinaryTree) expr;
                List<Integer> operands = all(List.of(binary.getLeftOperand(), binary.getRightOperand()),
                        List.of(new TreePath(path, binary.getLeftOperand()), new TreePath(path, binary.getRightOperand())));
                for (int k = 0; k < 2; k++) {
                    if (b.type(operands.get(k)) != ValueType.BOOLEAN) {
                        throw new DslError(Code.ADJ343, k == 0 ? binary.getLeftOperand() : binary.getRightOperand(),
                                "&& and || combine boolean values (comparisons, boolean locals)");
                    }
                }
                yield record(b.apply(new Logic.Junction(expr.getKind() == Tree.Kind.CONDITIONAL_AND), origin(expr),
                        operands.get(0), operands.get(1)), expr);
            }
            case LOGICAL_COMPLEMENT -> {
                ExpressionTree operand = ((UnaryTree) expr).getExpression();
                int value = expression(operand, new TreePath(path, operand));
                if (b.type(value) != ValueType.BOOLEAN) {
                    throw new DslError(Code.ADJ343, operand, "! negates a boolean value (a comparison, a boolean local)");
                }
                yield record(b.apply(new Logic.Not(), origin(expr), value), expr);
            }
            case CONDITIONAL_EXPRESSION -> record(conditional((ConditionalExpressionTree) expr, path), expr);
            case NEW_CLASS, NEW_ARRAY -> throw new DslError(Code.ADJ310, expr, "creating objects is not supported in a @Differentiable method: "
                    + "use SimpleMatrix.identity(n), SimpleMatrix.ones(r, c) or SimpleMatrix.filled(r, c, v), "
                    + "or pass the matrix as a parameter");
            case LAMBDA_EXPRESSION, MEMBER_REFERENCE, PREFIX_INCREMENT, PREFIX_DECREMENT,
                    POSTFIX_INCREMENT, POSTFIX_DECREMENT, SWITCH_EXPRESSION -> throw unsupported(expr, expr.getKind());
            case ASSIGNMENT, PLUS_ASSIGNMENT, MINUS_ASSIGNMENT, MULTIPLY_ASSIGNMENT, DIVIDE_ASSIGNMENT ->
                    throw new DslError(Code.ADJ318, expr, "assignments inside expressions are not supported: assign in a statement of its own");
            case ARRAY_ACCESS -> throw new DslError(Code.ADJ318, expr, "array access is not supported in a @Differentiable method");
            default -> throw new DslError(Code.ADJ318, expr, "the operator or expression '" + expr + "' is not part of the Adjoint DSL: "
                    + "scalars support + - * /, unary minus, (double) casts and the Math functions of docs/dsl.md");
        };
    }

    private int record(int node, Tree tree) {
        nodeTrees.putIfAbsent(node, tree);
        return node;
    }

    private int identifier(IdentifierTree id, TreePath path) {
        Local local = scope.get(id.getName().toString());
        Element element = trees.getElement(path);
        if (local != null && (element == null || element.getKind() == ElementKind.LOCAL_VARIABLE
                || element.getKind() == ElementKind.PARAMETER)) {
            return read(local, id);
        }
        return constantField(id, path);
    }

    /** {@code Math.PI} and {@code Math.E} (qualified or statically imported); any other field is an error. */
    private int constantField(ExpressionTree expr, TreePath path) {
        Element element = trees.getElement(path);
        if (element instanceof VariableElement field && field.getKind() == ElementKind.FIELD
                && field.getEnclosingElement() instanceof TypeElement owner
                && owner.getQualifiedName().contentEquals(DslSurface.MATH)) {
            String name = field.getSimpleName().toString();
            if (name.equals("PI")) return record(b.constant(Math.PI), expr);
            if (name.equals("E")) return record(b.constant(Math.E), expr);
        }
        throw new DslError(Code.ADJ307, expr, "field access is not supported in a @Differentiable method ('" + expr
                + "'): pass the value as a parameter (only Math.PI and Math.E are built in)");
    }

    private int binary(BinaryTree binary, TreePath path) {
        List<Integer> operands = all(List.of(binary.getLeftOperand(), binary.getRightOperand()),
                List.of(new TreePath(path, binary.getLeftOperand()), new TreePath(path, binary.getRightOperand())));
        int left = operands.get(0);
        int right = operands.get(1);
        if (b.type(left) == ValueType.MATRIX || b.type(right) == ValueType.MATRIX) {
            throw new DslError(Code.ADJ311, binary, "Java operators apply to scalars; for matrices use A.plus(B), A.minus(B), A.mult(B) or A.scale(s)");
        }
        if (b.type(left) == ValueType.INT && b.type(right) == ValueType.INT) {
            IntOps.Op op = switch (binary.getKind()) {
                case PLUS -> IntOps.Op.ADD;
                case MINUS -> IntOps.Op.SUB;
                case MULTIPLY -> IntOps.Op.MUL;
                default -> IntOps.Op.DIV;
            };
            return record(b.apply(new IntOps.Arith(op), origin(binary), left, right), binary);
        }
        ScalarOps.Op op = switch (binary.getKind()) {
            case PLUS -> ScalarOps.Op.ADD;
            case MINUS -> ScalarOps.Op.SUB;
            case MULTIPLY -> ScalarOps.Op.MUL;
            default -> ScalarOps.Op.DIV;
        };
        return record(b.apply(new ScalarOps.Arith(op), origin(binary),
                toScalar(left, binary.getLeftOperand()), toScalar(right, binary.getRightOperand())), binary);
    }

    /** {@code a < b} (and {@code <= > >= == !=}) on two int or two double values (an int is widened). */
    private int comparison(BinaryTree binary, TreePath path) {
        List<Integer> operands = all(List.of(binary.getLeftOperand(), binary.getRightOperand()),
                List.of(new TreePath(path, binary.getLeftOperand()), new TreePath(path, binary.getRightOperand())));
        int left = operands.get(0);
        int right = operands.get(1);
        for (int k = 0; k < 2; k++) {
            ValueType t = b.type(operands.get(k));
            if (t == ValueType.MATRIX || t == ValueType.BOOLEAN) {
                throw new DslError(Code.ADJ343, k == 0 ? binary.getLeftOperand() : binary.getRightOperand(),
                        "comparisons apply to int and double values" + (t == ValueType.MATRIX
                                ? "; reduce the matrix first (A.elementSum(), A.normF(), Ops.sumSquares(A), ...)"
                                : "; combine booleans with && || !"));
            }
        }
        Logic.Comparison op = switch (binary.getKind()) {
            case LESS_THAN -> Logic.Comparison.LT;
            case LESS_THAN_EQUAL -> Logic.Comparison.LE;
            case GREATER_THAN -> Logic.Comparison.GT;
            case GREATER_THAN_EQUAL -> Logic.Comparison.GE;
            case EQUAL_TO -> Logic.Comparison.EQ;
            default -> Logic.Comparison.NE;
        };
        if (b.type(left) != b.type(right)) {
            left = toScalar(left, binary.getLeftOperand());
            right = toScalar(right, binary.getRightOperand());
        }
        return record(b.apply(new Logic.Compare(op), origin(binary), left, right), binary);
    }

    private int cast(TypeCastTree cast, TreePath path) {
        TypeMirror target = trees.getTypeMirror(new TreePath(path, cast.getType()));
        boolean toDouble = target != null ? target.getKind() == TypeKind.DOUBLE : cast.getType().toString().equals("double");
        if (!toDouble) {
            throw new DslError(Code.ADJ312, cast, "only (double) casts are supported in a @Differentiable method");
        }
        int value = expression(cast.getExpression(), new TreePath(path, cast.getExpression()));
        return record(toScalar(value, cast), cast);
    }

    private int call(MethodInvocationTree call, TreePath path) {
        ExpressionTree select = call.getMethodSelect();
        Element element = trees.getElement(new TreePath(path, select));
        String spelled = select instanceof MemberSelectTree m ? m.getIdentifier().toString() : select.toString();
        if (!(element instanceof ExecutableElement method)) {
            throw new DslError(Code.ADJ318, call, "cannot resolve " + spelled + "(...)");
        }
        TypeElement owner = (TypeElement) method.getEnclosingElement();
        List<String> parameterTypes = method.getParameters().stream()
                .map(p -> types.erasure(p.asType()).toString())
                .toList();
        List<ExpressionTree> operands = new ArrayList<>();
        List<TreePath> operandPaths = new ArrayList<>();
        boolean instance = !method.getModifiers().contains(Modifier.STATIC);
        if (instance && select instanceof MemberSelectTree member) {
            operands.add(member.getExpression());
            operandPaths.add(new TreePath(new TreePath(path, select), member.getExpression()));
        }
        for (ExpressionTree arg : call.getArguments()) {
            operands.add(arg);
            operandPaths.add(new TreePath(path, arg));
        }
        // Before the operands: an uninlinable helper is one error on the call, whatever its arguments.
        OpRegistry.Form form = ops.resolve(method, parameterTypes, call);
        if (form == null) {
            if (select instanceof MemberSelectTree member && mentionsPoisonedLocal(member.getExpression())) {
                throw new Poisoned(); // a method of a rejected local: it was already reported where it was declared
            }
            // Report the call, then whatever is wrong inside its DSL-typed operands (independent errors).
            errors.add(unsupportedCall(select, owner, method, spelled, parameterTypes));
            List<ExpressionTree> typed = new ArrayList<>();
            List<TreePath> typedPaths = new ArrayList<>();
            for (int i = 0; i < operands.size(); i++) {
                if (valueType(trees.getTypeMirror(operandPaths.get(i))) != null) {
                    typed.add(operands.get(i));
                    typedPaths.add(operandPaths.get(i));
                }
            }
            try {
                all(typed, typedPaths);
            } catch (Poisoned ignored) {
                // Reported.
            }
            throw new Poisoned();
        }

        List<Integer> values = all(operands, operandPaths);
        int receiver = -1;
        List<Integer> args = values;
        List<ExpressionTree> argTrees = operands;
        if (instance) {
            receiver = values.get(0);
            args = values.subList(1, values.size());
            argTrees = operands.subList(1, operands.size());
        }
        return record(form.lowering().lower(new CallBeingLowered(call, argTrees), receiver, args), call);
    }

    /** What a form's lowering sees of the call being parsed; every node it creates is blamed on the call. */
    private final class CallBeingLowered implements OpRegistry.Calls {
        private final MethodInvocationTree call;
        /** The argument expressions (without the receiver), for errors on one argument. */
        private final List<ExpressionTree> args;
        private final Origin origin;

        CallBeingLowered(MethodInvocationTree call, List<ExpressionTree> args) {
            this.call = call;
            this.args = args;
            this.origin = BodyParser.this.origin(call);
        }

        @Override
        public Builder builder() {
            return b;
        }

        @Override
        public Origin origin() {
            return origin;
        }

        @Override
        public int scalar(int value) {
            return toScalar(value, call);
        }

        @Override
        public int argument(List<Integer> values, int index, ValueType kind) {
            return convert(values.get(index), kind, args.get(index));
        }

        @Override
        public int inline(InlineIr ir, List<Integer> values) {
            long callLine = line(call);
            // Run-time messages name the helper's expression and the call: "W.mult(X) at Layers.java:9, inlined at Net.java:20".
            UnaryOperator<Origin> inlined = o -> o.line() <= 0 ? o
                    : new Origin(o.text(), o.file() + ":" + o.line() + ", inlined at " + fileName, callLine);
            int result = record(ir.replay(b, values, inlined, id -> record(id, call)), call);
            if (ir.shapes().stream().anyMatch(s -> !s.isEmpty())) {
                List<String> names = ir.parameters().stream().map(p -> ((Leaves.Param) ir.nodes().get(p).op()).name()).toList();
                callSites.add(new ShapeInference.CallSite(result, values, names, ir.shapes(), ir.method()));
            }
            return result;
        }

        @Override
        public DslError error(Code code, String message) {
            return new DslError(code, call, message);
        }
    }

    /**
     * Lowers independent operands (of one operator or call), reporting the errors of every one of
     * them rather than only the first; if any failed, the whole expression is {@link Poisoned}.
     */
    private List<Integer> all(List<? extends ExpressionTree> exprs, List<TreePath> paths) {
        List<Integer> values = new ArrayList<>();
        boolean failed = false;
        for (int i = 0; i < exprs.size(); i++) {
            try {
                values.add(expression(exprs.get(i), paths.get(i)));
            } catch (DslError e) {
                errors.add(e);
                failed = true;
            } catch (Poisoned e) {
                failed = true;
            }
        }
        if (failed) {
            throw new Poisoned();
        }
        return values;
    }

    private boolean mentionsPoisonedLocal(Tree tree) {
        Boolean found = new com.sun.source.util.TreeScanner<Boolean, Void>() {
            @Override
            public Boolean visitIdentifier(IdentifierTree id, Void unused) {
                Local local = scope.get(id.getName().toString());
                return local != null && local.node() == POISON;
            }

            @Override
            public Boolean reduce(Boolean a, Boolean b) {
                return Boolean.TRUE.equals(a) || Boolean.TRUE.equals(b);
            }
        }.scan(tree, null);
        return Boolean.TRUE.equals(found);
    }

    private static DslError unsupportedCall(Tree where, TypeElement owner, ExecutableElement method, String spelled,
            List<String> parameterTypes) {
        String qualified = owner.getQualifiedName().toString();
        boolean known = qualified.equals(DslSurface.SIMPLE_BASE) || qualified.equals(DslSurface.SIMPLE_MATRIX)
                || qualified.equals(DslSurface.OPS) || qualified.equals(DslSurface.MATH);
        if (!known) {
            // The user's own code (or a library's): no DSL form is "near" it, whatever its spelling.
            return new DslError(Code.ADJ302, where, owner.getSimpleName() + "." + spelled + " is neither @Differentiable nor has "
                    + "@Derivative rules, so Adjoint cannot differentiate it: if its body is written with DSL forms, annotate it "
                    + "@Differentiable (a static helper returning SimpleMatrix or double); otherwise declare its derivative with "
                    + "@Derivative(of = \"" + spelled + "\", wrt = \"...\") rules in its class (see docs/dsl.md)");
        }
        String what = owner.getSimpleName() + "." + spelled + " is not differentiable by Adjoint";
        String hint = DslSurface.hint(qualified, method.getSimpleName().toString());
        if (hint != null) {
            return new DslError(Code.ADJ301, where, what + ": " + hint);
        }
        boolean instance = !method.getModifiers().contains(Modifier.STATIC);
        return new DslError(Code.ADJ301, where, what + "; did you mean "
                + String.join(", ", DslSurface.nearest(qualified, spelled, instance, parameterTypes, 3)) + "?");
    }

    private ValueType valueType(TypeMirror type) {
        return valueType(types, type);
    }

    /** The DSL kind of a local's Java type: as {@link #valueType}, and {@code boolean}. */
    static ValueType localType(Types types, TypeMirror type) {
        return type != null && type.getKind() == TypeKind.BOOLEAN ? ValueType.BOOLEAN : valueType(types, type);
    }

    /** The DSL kind of a Java type ({@code SimpleMatrix}, {@code double}, {@code int}), or null for any other. */
    public static ValueType valueType(Types types, TypeMirror type) {
        if (type == null) {
            return null;
        }
        if (type.getKind() == TypeKind.DOUBLE) return ValueType.SCALAR;
        if (type.getKind() == TypeKind.INT) return ValueType.INT;
        if (type.getKind() == TypeKind.DECLARED && types.erasure(type).toString().equals(DslSurface.SIMPLE_MATRIX)) {
            return ValueType.MATRIX;
        }
        return null;
    }

    private Origin origin(String text, Tree tree) {
        return new Origin(text, fileName, line(tree));
    }

    private Origin origin(Tree tree) {
        return new Origin(tree.toString(), fileName, line(tree));
    }

    private long line(Tree tree) {
        long pos = trees.getSourcePositions().getStartPosition(unit, tree);
        return pos < 0 ? 0 : unit.getLineMap().getLineNumber(pos);
    }
}
