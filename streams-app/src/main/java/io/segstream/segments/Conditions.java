package io.segstream.segments;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelReference;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerBuilder;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import io.segstream.facts.Fact;
import io.segstream.facts.Facts;
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
            .build();
    private static final CelCompiler COMPILER = compiler();
    private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();

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
            CelRuntime.Program program = RUNTIME.createProgram(result.getAst());
            return new Condition(expression, program, referencedFacts(result.getAst()), TimeTriggers.of(result.getAst()));
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
