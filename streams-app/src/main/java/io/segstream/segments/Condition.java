package io.segstream.segments;

import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import io.segstream.facts.Fact;
import io.segstream.facts.Facts;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A compiled, type-checked condition and the facts it reads. Thread-safe; evaluation reads facts lazily. */
public final class Condition {

    private final String expression;
    private final CelRuntime.Program program;
    private final List<Fact> reads;

    Condition(String expression, CelRuntime.Program program, List<Fact> reads) {
        this.expression = expression;
        this.program = program;
        this.reads = List.copyOf(reads);
    }

    public String expression() {
        return expression;
    }

    /** The facts this condition reads, in catalog order. */
    public List<Fact> reads() {
        return reads;
    }

    /** Whether the condition holds; an evaluation error (e.g. a missing map key) counts as false. */
    public boolean test(Facts.Input input) {
        try {
            return Boolean.TRUE.equals(program.eval(name -> Optional.ofNullable(input.value(name))));
        } catch (CelEvaluationException e) {
            return false;
        }
    }

    /** The values of the facts this condition reads, by name: the "why" of a decision. */
    public Map<String, Object> evidence(Facts.Input input) {
        Map<String, Object> evidence = new LinkedHashMap<>();
        reads.forEach(fact -> evidence.put(fact.name(), input.value(fact.name())));
        return evidence;
    }
}
