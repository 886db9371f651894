package io.segstream.segments;

import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import io.segstream.facts.Fact;
import io.segstream.facts.Facts;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A compiled, type-checked condition and the facts it reads. Thread-safe; evaluation reads facts lazily.
 *
 * <p>A condition is a pure function of the values of the facts it reads (the checked expression's
 * references, so nothing else can reach it): its results are remembered by those values ({@link ResultMemory}).
 */
public final class Condition {

    private final String expression;
    private final CelRuntime.Program program;
    private final List<Fact> reads;
    /** Positions of {@link #reads} in the facts catalog. */
    private final int[] readIndexes;
    /** The names of {@link #reads}, in order. */
    private final String[] readNames;
    /** Whether a model predicts one of the facts read. */
    private final boolean readsPredictions;
    private final TimeTriggers timeTriggers;
    private final Formula formula;
    private final ResultMemory memory = new ResultMemory();

    Condition(String expression, CelRuntime.Program program, List<Fact> reads, TimeTriggers timeTriggers, Formula formula) {
        this.expression = expression;
        this.program = program;
        this.reads = List.copyOf(reads);
        this.readIndexes = reads.stream().mapToInt(Facts::indexOf).toArray();
        this.readNames = reads.stream().map(Fact::name).toArray(String[]::new);
        this.readsPredictions = reads.stream().anyMatch(fact -> fact.model() != null);
        this.timeTriggers = timeTriggers;
        this.formula = formula;
    }

    /** The condition as the {@code &&}, {@code ||} and {@code !} of its atoms, for evaluating only what changed. */
    Formula formula() {
        return formula;
    }

    TimeTriggers timeTriggers() {
        return timeTriggers;
    }

    public String expression() {
        return expression;
    }

    /**
     * The first instant after {@code now} at which the condition can hold differently for the user of
     * {@code input} without a new event of theirs; {@link Long#MAX_VALUE} when time alone cannot change it.
     */
    public long nextChange(Facts.Input input, long now) {
        return timeTriggers.next(input, now);
    }

    /** Whether time alone can change the condition for some user. */
    public boolean movesWithTime() {
        return !timeTriggers.none();
    }

    /** The facts this condition reads, in catalog order. */
    public List<Fact> reads() {
        return reads;
    }

    /**
     * Whether the condition holds; an evaluation error (a missing map key, an absent fact such as
     * {@code clv.pAlive} without a clv model) counts as false.
     */
    public boolean test(Facts.Input input) {
        return test(input, values(input));
    }

    /** The values of the facts this condition reads, in the order of {@link #reads()}. */
    private Object[] values(Facts.Input input) {
        Object[] values = new Object[readIndexes.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = input.value(readIndexes[i]);
        }
        return values;
    }

    /** {@link #test(Facts.Input)} given the {@link #values} of {@code input}. */
    private boolean test(Facts.Input input, Object[] values) {
        return memory.result(Arrays.asList(values), () -> Formula.of(evaluate(input))) == Formula.TRUE;
    }

    private boolean evaluate(Facts.Input input) {
        try {
            return Boolean.TRUE.equals(program.eval(name -> Optional.ofNullable(input.value(name))));
        } catch (CelEvaluationException e) {
            return false;
        }
    }

    /** The versions of the models that predicted facts this condition reads, by model name. */
    public Map<String, String> models(Facts.Input input) {
        if (!readsPredictions) {
            return Map.of();
        }
        Map<String, String> models = new TreeMap<>();
        for (Fact fact : reads) {
            String version = fact.model() == null ? null : input.modelVersion(fact.model());
            if (version != null) {
                models.put(fact.model(), version);
            }
        }
        return models;
    }

    /** The values of the facts this condition reads, by name: the "why" of a decision. */
    public Map<String, Object> evidence(Facts.Input input) {
        Map<String, Object> evidence = new LinkedHashMap<>();
        for (int i = 0; i < readIndexes.length; i++) {
            evidence.put(readNames[i], input.value(readIndexes[i]));
        }
        return evidence;
    }

    /** {@link #evidence} as a SegmentChange carries it: flat, sorted by name ({@link Evidence}). */
    TreeMap<String, Object> changeEvidence(Evidence.Flattened facts) {
        TreeMap<String, Object> flat = new TreeMap<>();
        for (int i = 0; i < readIndexes.length; i++) {
            facts.addTo(flat, readIndexes[i], readNames[i]);
        }
        return flat;
    }
}
