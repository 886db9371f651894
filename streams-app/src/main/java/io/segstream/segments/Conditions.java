package io.segstream.segments;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.ast.CelReference;
import dev.cel.common.navigation.CelNavigableExpr;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerBuilder;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.parser.CelUnparser;
import dev.cel.parser.CelUnparserFactory;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import io.segstream.facts.Fact;
import io.segstream.facts.Facts;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Compiles segment conditions (CEL) against the {@link Facts} catalog: parsed and type-checked once
 * per definition version, must yield a bool. The compiler and runtime are built once and shared.
 */
public final class Conditions {

    private static final CelOptions OPTIONS = CelOptions.current()
            .enableHeterogeneousNumericComparisons(true)
            .comprehensionMaxIterations(10_000)
            .populateMacroCalls(true)
            .build();
    private static final CelCompiler COMPILER = compiler();
    private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();
    private static final CelUnparser UNPARSER = CelUnparserFactory.newUnparser();

    private Conditions() {}

    /** Compiles {@code expression}; throws {@link InvalidDefinitionException} saying what is wrong and where. */
    public static Condition compile(String expression) {
        if (expression == null || expression.isBlank()) {
            throw new InvalidDefinitionException("condition is empty");
        }
        CelValidationResult result = COMPILER.compile(expression);
        if (result.hasError()) {
            throw new InvalidDefinitionException("condition does not compile:\n" + result.getErrorString()
                    + unknownFactHints(expression));
        }
        try {
            CelAbstractSyntaxTree ast = result.getAst();
            return new Condition(expression, RUNTIME.createProgram(ast), referencedFacts(ast), TimeTriggers.of(ast),
                    formula(ast, ast.getExpr()));
        } catch (CelValidationException | CelEvaluationException e) {
            throw new InvalidDefinitionException("condition cannot be planned: " + e.getMessage());
        }
    }

    /** "did you mean" lines for dotted names in the expression that are not facts. */
    private static String unknownFactHints(String expression) {
        StringBuilder hints = new StringBuilder();
        java.util.regex.Matcher names = QUALIFIED_NAME.matcher(expression);
        while (names.find()) {
            String name = names.group();
            if (Facts.named(name) == null) {
                Fact closest = Facts.ALL.stream()
                        .min(java.util.Comparator.comparingInt(fact -> editDistance(fact.name(), name)))
                        .orElseThrow();
                hints.append("\n'").append(name).append("' is not a fact; did you mean '").append(closest.name())
                        .append("'? (facts are listed in the README)");
            }
        }
        return hints.toString();
    }

    private static final Pattern QUALIFIED_NAME = Pattern.compile("(?<![\\w.'\"])[a-z]+\\.[a-zA-Z][\\w]*(?![\\w(])");

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /**
     * {@code expr}, a boolean part of the checked {@code ast}, as the {@code &&}, {@code ||} and {@code !}
     * of atoms: expressions that are none of these three (a comprehension, with its own logic inside, is
     * an atom).
     */
    private static Formula formula(CelAbstractSyntaxTree ast, CelExpr expr) {
        if (expr.getKind() == CelExpr.ExprKind.Kind.CALL) {
            String function = expr.call().function();
            if (function.equals("_&&_") || function.equals("_||_")) {
                List<CelExpr> operands = new ArrayList<>();
                operands(expr, function, operands);
                List<Formula> parts = operands.stream().map(operand -> formula(ast, operand)).toList();
                return function.equals("_&&_") ? Formula.and(parts) : Formula.or(parts);
            }
            if (function.equals("!_")) {
                return Formula.not(formula(ast, expr.call().args().get(0)));
            }
        }
        return Formula.atom(atom(ast, expr));
    }

    private static Atom atom(CelAbstractSyntaxTree ast, CelExpr expr) {
        String key = UNPARSER.unparse(CelAbstractSyntaxTree.newParsedAst(expr, ast.getSource()));
        Fact fact = fact(ast, expr);
        if (fact != null && fact.type().equals(SimpleType.BOOL)) {
            return new Atom.Flag(key, Facts.indexOf(fact));
        }
        Atom threshold = threshold(ast, expr, key);
        if (threshold != null) {
            return threshold;
        }
        Atom member = member(ast, expr, key);
        if (member != null) {
            return member;
        }
        Atom entries = entries(ast, expr, key);
        if (entries != null) {
            return entries;
        }
        try {
            CelRuntime.Program program = RUNTIME.createProgram(CelAbstractSyntaxTree.newCheckedAst(expr, ast.getSource(),
                    ast.getReferenceMap(), ast.getTypeMap()));
            Set<Long> ids = CelNavigableExpr.fromExpr(expr).allNodes().map(node -> node.expr().id())
                    .collect(Collectors.toSet());
            Set<String> names = ast.getReferenceMap().entrySet().stream().filter(entry -> ids.contains(entry.getKey()))
                    .map(entry -> entry.getValue().name()).collect(Collectors.toSet());
            int[] reads = Facts.ALL.stream().filter(read -> names.contains(read.name())).mapToInt(Facts::indexOf).toArray();
            return new Atom.Expression(key, program, reads);
        } catch (CelEvaluationException e) {
            throw new InvalidDefinitionException("condition cannot be planned: " + e.getMessage());
        }
    }

    /**
     * {@code m.exists(k, p)} or {@code m.all(k, p)} over a map fact {@code m} whose body {@code p} reads
     * {@code m} only as {@code m[k]} (and any other fact, its context), as a {@link Atom.Entries}; else null.
     */
    private static Atom entries(CelAbstractSyntaxTree ast, CelExpr expr, String key) {
        if (expr.getKind() != CelExpr.ExprKind.Kind.COMPREHENSION) {
            return null;
        }
        CelExpr macro = ast.getSource().getMacroCalls().get(expr.id());
        CelExpr step = expr.comprehension().loopStep();
        String accumulator = expr.comprehension().accuVar();
        if (macro == null || macro.getKind() != CelExpr.ExprKind.Kind.CALL || step.getKind() != CelExpr.ExprKind.Kind.CALL
                || step.call().args().size() != 2 || step.call().args().get(0).getKind() != CelExpr.ExprKind.Kind.IDENT
                || !step.call().args().get(0).ident().name().equals(accumulator)) {
            return null;
        }
        boolean all = macro.call().function().equals("all") && step.call().function().equals("_&&_");
        boolean exists = macro.call().function().equals("exists") && step.call().function().equals("_||_");
        Fact fact = fact(ast, expr.comprehension().iterRange());
        if (!(all || exists) || fact == null || !(fact.type() instanceof MapType)) {
            return null;
        }
        String iterVar = expr.comprehension().iterVar();
        CelExpr body = step.call().args().get(1);
        int[] context = context(ast, body, fact, iterVar);
        if (context == null) {
            return null;
        }
        try {
            CelRuntime.Program program = RUNTIME.createProgram(CelAbstractSyntaxTree.newCheckedAst(body, ast.getSource(),
                    ast.getReferenceMap(), ast.getTypeMap()));
            List<CelExpr> parts = new ArrayList<>();
            boolean and = true;
            if (body.getKind() == CelExpr.ExprKind.Kind.CALL
                    && (body.call().function().equals("_&&_") || body.call().function().equals("_||_"))) {
                and = body.call().function().equals("_&&_");
                operands(body, body.call().function(), parts);
            } else {
                parts.add(body);
            }
            List<CelRuntime.Program> keyParts = new ArrayList<>();
            List<CelRuntime.Program> guards = new ArrayList<>();
            List<Atom.Entries.KeyIn> keyTests = new ArrayList<>();
            for (CelExpr part : parts) {
                boolean onEntryAlone = context(ast, part, fact, iterVar).length == 0;
                boolean onKeyAlone = onEntryAlone && entryReads(ast, part, fact, iterVar).isEmpty();
                if (context.length > 0 && !onEntryAlone) {
                    keyTests.add(keyIn(ast, part, iterVar));
                } else if (onKeyAlone || context.length > 0) {
                    CelRuntime.Program partProgram = RUNTIME.createProgram(CelAbstractSyntaxTree.newCheckedAst(part,
                            ast.getSource(), ast.getReferenceMap(), ast.getTypeMap()));
                    if (onKeyAlone) {
                        keyParts.add(partProgram);
                    }
                    if (context.length > 0) {
                        guards.add(partProgram);
                    }
                }
            }
            if (keyTests.contains(null)) {
                keyTests.clear();
            }
            return new Atom.Entries(key, Facts.indexOf(fact), fact.name(), iterVar, program, all, context, and, keyParts,
                    guards, keyTests);
        } catch (CelEvaluationException e) {
            return null;
        }
    }

    /**
     * {@code k in f} or {@code !(k in f)}, for the comprehension's key {@code k} and a map or list fact
     * {@code f}, as a test run without CEL; else null.
     */
    private static Atom.Entries.KeyIn keyIn(CelAbstractSyntaxTree ast, CelExpr part, String iterVar) {
        boolean negated = part.getKind() == CelExpr.ExprKind.Kind.CALL && part.call().function().equals("!_");
        CelExpr test = negated ? part.call().args().get(0) : part;
        if (test.getKind() != CelExpr.ExprKind.Kind.CALL || !test.call().function().equals("@in")
                || test.call().args().size() != 2) {
            return null;
        }
        CelExpr element = test.call().args().get(0);
        Fact container = fact(ast, test.call().args().get(1));
        if (element.getKind() != CelExpr.ExprKind.Kind.IDENT || !element.ident().name().equals(iterVar)
                || container == null || !(container.type() instanceof MapType || container.type() instanceof ListType)) {
            return null;
        }
        return new Atom.Entries.KeyIn(Facts.indexOf(container), negated);
    }

    /** The operands of a chain of one junction ({@code a && b && c}, however the parser nested it). */
    private static void operands(CelExpr expr, String function, List<CelExpr> into) {
        for (CelExpr arg : expr.call().args()) {
            if (arg.getKind() == CelExpr.ExprKind.Kind.CALL && arg.call().function().equals(function)) {
                operands(arg, function, into);
            } else {
                into.add(arg);
            }
        }
    }

    /**
     * The facts other than {@code map} that {@code body} reads (positions in {@link Facts#ALL}), or null
     * when it reads {@code map} otherwise than as {@code map[iterVar]}.
     */
    private static int[] context(CelAbstractSyntaxTree ast, CelExpr body, Fact map, String iterVar) {
        Set<Long> entryReads = entryReads(ast, body, map, iterVar);
        Set<Fact> others = new java.util.HashSet<>();
        for (CelExpr node : CelNavigableExpr.fromExpr(body).allNodes().map(CelNavigableExpr::expr).toList()) {
            Fact read = fact(ast, node);
            if (read != null && !entryReads.contains(node.id())) {
                if (read.equals(map)) {
                    return null;
                }
                others.add(read);
            }
        }
        return Facts.ALL.stream().filter(others::contains).mapToInt(Facts::indexOf).toArray();
    }

    /** The ids of the reads of {@code map} in {@code body} that are {@code map[iterVar]}, the entry's value. */
    private static Set<Long> entryReads(CelAbstractSyntaxTree ast, CelExpr body, Fact map, String iterVar) {
        return CelNavigableExpr.fromExpr(body).allNodes().map(CelNavigableExpr::expr)
                .filter(node -> node.getKind() == CelExpr.ExprKind.Kind.CALL && node.call().function().equals("_[_]")
                        && node.call().args().size() == 2 && map.equals(fact(ast, node.call().args().get(0)))
                        && node.call().args().get(1).getKind() == CelExpr.ExprKind.Kind.IDENT
                        && node.call().args().get(1).ident().name().equals(iterVar))
                .map(node -> node.call().args().get(0).id())
                .collect(Collectors.toSet());
    }

    /** A constant string in a map or list fact, as a {@link Atom.Member}; else null. */
    private static Atom member(CelAbstractSyntaxTree ast, CelExpr expr, String key) {
        if (expr.getKind() != CelExpr.ExprKind.Kind.CALL || !expr.call().function().equals("@in")
                || expr.call().args().size() != 2) {
            return null;
        }
        String element = string(expr.call().args().get(0));
        Fact fact = fact(ast, expr.call().args().get(1));
        if (element == null || fact == null || !(fact.type() instanceof MapType || fact.type() instanceof ListType)) {
            return null;
        }
        return new Atom.Member(key, Facts.indexOf(fact), element);
    }

    /** The value of a string constant, or null. */
    private static String string(CelExpr expr) {
        return expr.getKind() == CelExpr.ExprKind.Kind.CONSTANT
                && expr.constant().getKind() == CelConstant.Kind.STRING_VALUE ? expr.constant().stringValue() : null;
    }

    /**
     * A numeric fact, or an entry of a map fact with a constant key ({@code m['k']}), compared with a
     * numeric constant, either side, as a {@link Atom.Threshold}; else null.
     */
    private static Atom threshold(CelAbstractSyntaxTree ast, CelExpr expr, String key) {
        if (expr.getKind() != CelExpr.ExprKind.Kind.CALL || !TimeTriggers.COMPARISONS.contains(expr.call().function())
                || expr.call().args().size() != 2) {
            return null;
        }
        String function = expr.call().function();
        CelExpr left = expr.call().args().get(0);
        CelExpr right = expr.call().args().get(1);
        CelExpr operand = left;
        CelExpr constant = right;
        if (constant.getKind() != CelExpr.ExprKind.Kind.CONSTANT) {
            operand = right;
            constant = left;
            function = TimeTriggers.MIRRORED.getOrDefault(function, function);
        }
        if (constant.getKind() != CelExpr.ExprKind.Kind.CONSTANT) {
            return null;
        }
        Fact fact = fact(ast, operand);
        String entry = null;
        if (fact == null && operand.getKind() == CelExpr.ExprKind.Kind.CALL && operand.call().function().equals("_[_]")
                && operand.call().args().size() == 2) {
            // m['k']: an entry of a map fact whose values are numbers.
            fact = fact(ast, operand.call().args().get(0));
            entry = string(operand.call().args().get(1));
            if (fact == null || entry == null || !(fact.type() instanceof MapType map) || !numeric(map.valueType())) {
                return null;
            }
        } else if (fact == null || !numeric(fact.type())) {
            return null;
        }
        CelConstant value = constant.constant();
        return switch (value.getKind()) {
            case INT64_VALUE -> new Atom.Threshold(key, Facts.indexOf(fact), entry, function, value.int64Value(),
                    value.int64Value());
            case DOUBLE_VALUE -> new Atom.Threshold(key, Facts.indexOf(fact), entry, function, value.doubleValue(), null);
            default -> null;
        };
    }

    private static boolean numeric(CelType type) {
        return type.equals(SimpleType.INT) || type.equals(SimpleType.DOUBLE);
    }

    /** The fact {@code expr} reads as a whole, or null. */
    private static Fact fact(CelAbstractSyntaxTree ast, CelExpr expr) {
        CelReference reference = ast.getReferenceMap().get(expr.id());
        return reference == null ? null : Facts.named(reference.name());
    }

    /** The facts the checked expression refers to, in catalog order: every variable it can read. */
    private static List<Fact> referencedFacts(CelAbstractSyntaxTree ast) {
        Set<String> names = ast.getReferenceMap().values().stream().map(CelReference::name).collect(Collectors.toSet());
        return Facts.ALL.stream().filter(fact -> names.contains(fact.name())).toList();
    }

    private static CelCompiler compiler() {
        CelCompilerBuilder builder = CelCompilerFactory.standardCelCompilerBuilder()
                .setOptions(OPTIONS)
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .setResultType(SimpleType.BOOL);
        Facts.ALL.forEach(fact -> builder.addVar(fact.name(), fact.type()));
        return builder.build();
    }
}
