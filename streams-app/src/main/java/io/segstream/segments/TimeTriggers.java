package io.segstream.segments;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.ast.CelReference;
import io.segstream.facts.Clock;
import io.segstream.facts.Fact;
import io.segstream.facts.Facts;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * When time alone can flip a condition. From the checked expression: each fact it reads that time
 * moves ({@link Fact#clock()}), and for a counter ({@code rfm.recencyDays}, {@code
 * cart.minutesSinceActivity}) compared only with constants, the counts at which a comparison flips.
 * Such a condition can change only when a counter reaches one of those counts (a recency threshold
 * of 60 days: once, 60 days after the purchase) or when another fact it reads changes by its own
 * clock (a session ending, a window ageing out). A counter used any other way (arithmetic, a
 * function argument) counts as changing at each of its steps.
 */
final class TimeTriggers {

    static final Set<String> COMPARISONS = Set.of("_<_", "_<=_", "_>_", "_>=_", "_==_", "_!=_");
    static final Map<String, String> MIRRORED = Map.of("_<_", "_>_", "_<=_", "_>=_", "_>_", "_<_", "_>=_", "_<=_");
    static final TimeTriggers NONE = new TimeTriggers(List.of());

    /** A fact the condition reads that time moves; {@code counts} are the flip points of a counter, or null. */
    private record Watch(Fact fact, long[] counts) {}

    private final List<Watch> watches;
    /** The counters compared only with constants, and the counts at which each flips a comparison. */
    private final Clock.Counter[] counters;
    private final long[][] flips;
    /** The clocks of the other facts watched, each once (facts of one window share their clock). */
    private final Clock[] steps;

    private TimeTriggers(List<Watch> watches) {
        this.watches = watches;
        List<Clock.Counter> counted = new ArrayList<>();
        List<long[]> counts = new ArrayList<>();
        Set<Clock> stepping = new LinkedHashSet<>();
        for (Watch watch : watches) {
            if (watch.counts() != null && watch.fact().clock() instanceof Clock.Counter counter) {
                counted.add(counter);
                counts.add(watch.counts());
            } else {
                stepping.add(watch.fact().clock());
            }
        }
        this.counters = counted.toArray(Clock.Counter[]::new);
        this.flips = counts.toArray(long[][]::new);
        this.steps = stepping.toArray(Clock[]::new);
    }

    /** The triggers of the checked expression {@code ast}. */
    static TimeTriggers of(CelAbstractSyntaxTree ast) {
        Analysis analysis = new Analysis(ast.getReferenceMap());
        analysis.visit(ast.getExpr());
        List<Watch> watches = new ArrayList<>();
        analysis.counts.forEach((fact, counts) -> watches.add(new Watch(fact,
                analysis.otherwise.contains(fact) ? null : counts.stream().mapToLong(Long::longValue).toArray())));
        return watches.isEmpty() ? NONE : new TimeTriggers(List.copyOf(watches));
    }

    /**
     * The triggers of a set of conditions: per fact, every flip count of any of them, or each step when
     * one of them reads the fact other than in a comparison with a constant. Its {@link #next} is the
     * earliest of theirs, looked up once per fact.
     */
    static TimeTriggers merge(List<TimeTriggers> triggers) {
        Map<Fact, TreeSet<Long>> counts = new LinkedHashMap<>();
        Set<Fact> everyStep = new HashSet<>();
        for (TimeTriggers trigger : triggers) {
            for (Watch watch : trigger.watches) {
                TreeSet<Long> flips = counts.computeIfAbsent(watch.fact(), fact -> new TreeSet<>());
                if (watch.counts() == null) {
                    everyStep.add(watch.fact());
                } else {
                    Arrays.stream(watch.counts()).forEach(flips::add);
                }
            }
        }
        List<Watch> watches = new ArrayList<>();
        counts.forEach((fact, flips) -> watches.add(new Watch(fact,
                everyStep.contains(fact) ? null : flips.stream().mapToLong(Long::longValue).toArray())));
        return watches.isEmpty() ? NONE : new TimeTriggers(List.copyOf(watches));
    }

    /** Whether time alone never changes the condition. */
    boolean none() {
        return watches.isEmpty();
    }

    /**
     * The first instant after {@code now} at which the condition can hold differently for this user with
     * no new event; {@link Long#MAX_VALUE} when time alone cannot change it.
     */
    long next(Facts.Input input, long now) {
        long next = Long.MAX_VALUE;
        for (int i = 0; i < counters.length; i++) {
            next = Math.min(next, counters[i].firstReached(input, flips[i], now));
        }
        for (Clock clock : steps) {
            next = Math.min(next, clock.nextChange(input, now));
        }
        return next;
    }

    /** A walk over the expression collecting the time-moved facts and how each is used. */
    private static final class Analysis {
        private final Map<Long, CelReference> references;
        /** Every time-moved fact read, with the flip counts of its comparisons with constants. */
        private final Map<Fact, TreeSet<Long>> counts = new LinkedHashMap<>();
        /** Time-moved facts read other than in a comparison of a counter with a constant. */
        private final Set<Fact> otherwise = new HashSet<>();

        Analysis(Map<Long, CelReference> references) {
            this.references = references;
        }

        void visit(CelExpr expr) {
            Fact fact = fact(expr);
            if (fact != null) {
                // A fact read by itself (not inside a comparison handled below).
                counts.computeIfAbsent(fact, f -> new TreeSet<>());
                otherwise.add(fact);
                return;
            }
            switch (expr.getKind()) {
                case CALL -> {
                    if (!comparisonWithConstant(expr)) {
                        expr.call().target().ifPresent(this::visit);
                        expr.call().args().forEach(this::visit);
                    }
                }
                case SELECT -> visit(expr.select().operand());
                case LIST -> expr.list().elements().forEach(this::visit);
                case MAP -> expr.map().entries().forEach(entry -> {
                    visit(entry.key());
                    visit(entry.value());
                });
                case STRUCT -> expr.struct().entries().forEach(entry -> visit(entry.value()));
                case COMPREHENSION -> {
                    visit(expr.comprehension().iterRange());
                    visit(expr.comprehension().accuInit());
                    visit(expr.comprehension().loopCondition());
                    visit(expr.comprehension().loopStep());
                    visit(expr.comprehension().result());
                }
                default -> { }
            }
        }

        /** Records a counter compared with a numeric constant (either side); false when {@code call} is not one. */
        private boolean comparisonWithConstant(CelExpr call) {
            if (!COMPARISONS.contains(call.call().function()) || call.call().args().size() != 2) {
                return false;
            }
            String function = call.call().function();
            CelExpr left = call.call().args().get(0);
            CelExpr right = call.call().args().get(1);
            Fact fact = fact(left);
            CelExpr constant = right;
            if (fact == null) {
                // t < c is c > t, and so on.
                fact = fact(right);
                constant = left;
                function = MIRRORED.getOrDefault(function, function);
            }
            if (fact == null || !(fact.clock() instanceof Clock.Counter) || constant.getKind() != CelExpr.ExprKind.Kind.CONSTANT) {
                return false;
            }
            CelConstant value = constant.constant();
            double t = switch (value.getKind()) {
                case INT64_VALUE -> value.int64Value();
                case UINT64_VALUE -> value.uint64Value().doubleValue();
                case DOUBLE_VALUE -> value.doubleValue();
                default -> Double.NaN;
            };
            if (Double.isNaN(t)) {
                return false;
            }
            // The counts at which "count OP t" flips, for a whole count that only grows.
            TreeSet<Long> flips = counts.computeIfAbsent(fact, f -> new TreeSet<>());
            switch (function) {
                case "_>=_", "_<_" -> flips.add((long) Math.ceil(t));
                case "_>_", "_<=_" -> flips.add((long) Math.floor(t) + 1);
                default -> {
                    if (t == Math.rint(t)) {
                        flips.add((long) t);
                        flips.add((long) t + 1);
                    }
                }
            }
            return true;
        }

        /** The time-moved fact {@code expr} reads as a whole, or null. */
        private Fact fact(CelExpr expr) {
            CelReference reference = references.get(expr.id());
            if (reference == null) {
                return null;
            }
            Fact fact = Facts.named(reference.name());
            return fact == null || fact.clock() == Clock.NONE ? null : fact;
        }
    }
}
