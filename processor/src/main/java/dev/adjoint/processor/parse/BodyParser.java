package dev.adjoint.processor.parse;

import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.BinaryTree;
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
import dev.adjoint.processor.ops.IntOps;
import dev.adjoint.processor.ops.Leaves;
import dev.adjoint.processor.ops.ScalarOps;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * reassignment rebinds a name. Every call is resolved to its symbol and looked up in
 * {@link DslSurface}. Anything else is a {@link DslError} on the exact sub-expression; parsing
 * goes on with the next statement so that one compilation reports every error.
 */
public final class BodyParser {
    private final Trees trees;
    private final Types types;
    private final CompilationUnitTree unit;
    private final String fileName;
    private final Builder b = new Builder();
    private final Map<String, Local> scope = new HashMap<>();
    private final Map<Integer, Tree> nodeTrees = new HashMap<>();
    private final List<DslError> errors = new ArrayList<>();

    /** A name in scope: its current node, its declared type, whether it is a parameter. */
    private record Local(int node, ValueType type, boolean parameter) {}

    /** Thrown for an expression that uses a local whose definition already failed: no second error. */
    private static final class Poisoned extends RuntimeException {
        Poisoned() {
            super(null, null, false, false);
        }
    }

    private static final int POISON = -1;

    private BodyParser(Trees trees, Types types, CompilationUnitTree unit) {
        this.trees = trees;
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
        BodyParser parser = new BodyParser(trees, types, methodPath.getCompilationUnit());
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
                scope.put(name, new Local(POISON, ValueType.SCALAR, true));
                continue;
            }
            int node = b.apply(new Leaves.Param(i, name, type), new Origin(name, fileName, line(tree.getParameters().get(i))));
            nodeTrees.putIfAbsent(node, tree.getParameters().get(i));
            parameters.add(node);
            scope.put(name, new Local(node, type, true));
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
                    result = returned(ret, path, method.getReturnType().getKind() == TypeKind.DOUBLE);
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
        return new ParsedFunction(b.build(), parameters, result, nodeTrees, errors);
    }

    private int returned(ReturnTree ret, TreePath path, boolean returnsDouble) {
        if (ret.getExpression() == null) {
            throw new DslError(Code.ADJ314, ret, "return a double value");
        }
        int value = expression(ret.getExpression(), path);
        if (b.type(value) == ValueType.MATRIX) {
            if (!returnsDouble) {
                throw new Poisoned(); // the signature check already says the method must return double
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
                } else if (expr instanceof MethodInvocationTree) {
                    throw new DslError(Code.ADJ313, expr, "a call whose result is discarded has no effect on the loss; "
                            + "assign it to a local (SimpleMatrix t = ...;) or remove it");
                } else {
                    throw unsupported(expr, expr.getKind());
                }
            }
            default -> throw unsupported(statement, statement.getKind());
        }
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
            case FOR_LOOP, ENHANCED_FOR_LOOP, WHILE_LOOP, DO_WHILE_LOOP ->
                    "loops are not supported in a @Differentiable method: write straight-line code "
                            + "(unroll the loop, or express it as a matrix operation such as A.mult(B) or Ops.rowSums(A))";
            case IF, SWITCH, SWITCH_EXPRESSION, CONDITIONAL_EXPRESSION ->
                    "branches are not supported in a @Differentiable method: the gradient must be the same "
                            + "formula for every input (use Ops.relu for max(x, 0), or write one method per case)";
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
        ValueType declared = element == null ? null : valueType(element.asType());
        if (variable.getInitializer() == null) {
            // Later assignments give it a value; until then uses are not reported again.
            scope.put(name, new Local(POISON, declared == null ? ValueType.SCALAR : declared, false));
            throw new DslError(Code.ADJ316, variable, "declare " + name + " with its value: " + variable.getType() + " " + name + " = ...;");
        }
        ExpressionTree init = variable.getInitializer();
        while (init instanceof ParenthesizedTree p) {
            init = p.getExpression();
        }
        if (init.getKind() == Tree.Kind.LAMBDA_EXPRESSION || init.getKind() == Tree.Kind.MEMBER_REFERENCE) {
            scope.put(name, new Local(POISON, ValueType.SCALAR, false));
            throw unsupported(init, init.getKind());
        }
        if (declared == null) {
            scope.put(name, new Local(POISON, ValueType.SCALAR, false));
            Tree typeTree = variable.getType();
            boolean typeWritten = typeTree != null && trees.getSourcePositions().getStartPosition(unit, typeTree) >= 0;
            throw new DslError(Code.ADJ316, typeWritten ? typeTree : variable.getInitializer(),
                    "local " + name + " has type " + (element == null ? variable.getType() : element.asType())
                            + "; locals of a @Differentiable method are SimpleMatrix, double or int (or var)");
        }
        scope.put(name, new Local(POISON, declared, false));
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
        if (local.type() != ValueType.SCALAR) {
            throw new DslError(Code.ADJ309, compound, "compound assignment is supported on double locals only; for matrices write "
                    + name + " = " + name + ".plus(...), .minus(...), .scale(...) or .divide(...)");
        }
        if (local.node() == POISON) {
            throw new Poisoned();
        }
        ScalarOps.Op op = switch (compound.getKind()) {
            case PLUS_ASSIGNMENT -> ScalarOps.Op.ADD;
            case MINUS_ASSIGNMENT -> ScalarOps.Op.SUB;
            case MULTIPLY_ASSIGNMENT -> ScalarOps.Op.MUL;
            case DIVIDE_ASSIGNMENT -> ScalarOps.Op.DIV;
            default -> throw new DslError(Code.ADJ309, compound, "only +=, -=, *= and /= are supported on double locals");
        };
        int rhs = toScalar(expression(compound.getExpression(), new TreePath(path, compound.getExpression())), compound.getExpression());
        int value = record(b.apply(new ScalarOps.Arith(op), origin(compound), local.node(), rhs), compound);
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
        scope.put(name, new Local(value, type, false));
        if (!b.node(value).op().isLeaf() || b.node(value).op() instanceof IntOps.ShapeQuery) {
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
        };
    }

    private int toScalar(int value, Tree where) {
        return switch (b.type(value)) {
            case SCALAR -> value;
            case INT -> b.node(value).op() instanceof Leaves.IntConst c
                    ? b.constant(c.value())
                    : b.apply(new ScalarOps.FromInt(), origin(where), value);
            case MATRIX -> throw new DslError(Code.ADJ317, where, "expected a double here, found a SimpleMatrix");
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
            // The only boolean the DSL has: the flag of A.extractVector(row, i), lowered as 1 or 0.
            case BOOLEAN_LITERAL -> record(b.apply(new Leaves.IntConst(Boolean.TRUE.equals(((LiteralTree) expr).getValue()) ? 1 : 0),
                    origin(expr)), expr);
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
                }, expr);
            }
            case TYPE_CAST -> cast((TypeCastTree) expr, path);
            case NEW_CLASS, NEW_ARRAY -> throw new DslError(Code.ADJ310, expr, "creating objects is not supported in a @Differentiable method: "
                    + "use SimpleMatrix.identity(n), SimpleMatrix.ones(r, c) or SimpleMatrix.filled(r, c, v), "
                    + "or pass the matrix as a parameter");
            case CONDITIONAL_EXPRESSION, LAMBDA_EXPRESSION, MEMBER_REFERENCE, PREFIX_INCREMENT, PREFIX_DECREMENT,
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
            if (local.node() == POISON) {
                throw new Poisoned();
            }
            return local.node();
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
        DslSurface.Form form = DslSurface.find(owner.getQualifiedName().toString(), method.getSimpleName().toString(), parameterTypes);
        List<ExpressionTree> operands = new ArrayList<>();
        List<TreePath> operandPaths = new ArrayList<>();
        if (!method.getModifiers().contains(Modifier.STATIC) && select instanceof MemberSelectTree member) {
            operands.add(member.getExpression());
            operandPaths.add(new TreePath(new TreePath(path, select), member.getExpression()));
        }
        for (ExpressionTree arg : call.getArguments()) {
            operands.add(arg);
            operandPaths.add(new TreePath(path, arg));
        }
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
        if (!method.getModifiers().contains(Modifier.STATIC)) {
            receiver = values.get(0);
            args = values.subList(1, values.size());
        }
        Origin origin = origin(call);
        int node = form.lowering().lower(new DslSurface.Calls() {
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
        }, receiver, args);
        return record(node, call);
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
            return new DslError(Code.ADJ302, where, "calls to other methods are not supported in a @Differentiable method ("
                    + owner.getSimpleName() + "." + spelled + "): Adjoint differentiates only the DSL forms written in this "
                    + "method's body, so inline the helper here, written with DSL forms (see docs/dsl.md)");
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

    private Origin origin(Tree tree) {
        return new Origin(tree.toString(), fileName, line(tree));
    }

    private long line(Tree tree) {
        long pos = trees.getSourcePositions().getStartPosition(unit, tree);
        return pos < 0 ? 0 : unit.getLineMap().getLineNumber(pos);
    }
}
