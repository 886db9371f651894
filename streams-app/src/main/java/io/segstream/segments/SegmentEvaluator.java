package io.segstream.segments;

import io.segstream.avro.ChangeTrigger;
import io.segstream.avro.SegmentChange;
import io.segstream.avro.SegmentChangeKind;
import io.segstream.avro.UserSegments;
import io.segstream.facts.Facts;
import io.segstream.facts.UserFeatures;
import io.segstream.scoring.ModelCatalog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Decides a user's segments and what changed: scores intent, evaluates the catalog, and diffs the
 * result with the stored membership. Emits a change only when membership really changes.
 */
public final class SegmentEvaluator {

    /** A change and the extra topic it also goes to (the segment's output topic), or null. */
    public record RoutedChange(SegmentChange change, String outputTopic) {}

    /**
     * The new membership, the changes, the user's full membership when it changed (else null), and the
     * first instant after the evaluation's "now" at which time alone can change one of their conditions
     * ({@link Long#MAX_VALUE}: only an event can).
     */
    public record Outcome(MembershipState membership, List<RoutedChange> changes, UserSegments current, long nextChange) {
        public boolean changed() {
            return current != null;
        }
    }

    private final ModelCatalog models;

    public SegmentEvaluator(ModelCatalog models) {
        this.models = models;
    }

    public ModelCatalog models() {
        return models;
    }

    /** The facts of a user, with the models' predictions (each computed when a condition first reads it). */
    public Facts.Input facts(UserFeatures features) {
        return new Facts.Input(features, models.snapshot());
    }

    /**
     * The user's segments now, and the changes from {@code stored}. Without {@code consented} the user
     * holds no segment that requires consent; leaving one for that reason says CONSENT and carries no
     * feature values (they are not handed to the tools the user withdrew from).
     */
    public Outcome evaluate(UserFeatures features, SegmentCatalog.Snapshot catalog, MembershipState stored,
            long eventTime, long emittedAt, ChangeTrigger trigger, boolean consented) {
        MembershipState current = stored == null ? new MembershipState() : stored;
        Facts.Input input = facts(features);
        LastResults last = current.lastResults;
        long nextChange = catalog.nextChange(input, features.now());
        if (last.refresh(catalog, input, current, consented)) {
            return evaluateChanged(features, input, catalog, current, eventTime, emittedAt, trigger, consented, nextChange);
        }
        Map<String, CompiledSegment> matching = catalog.matching(input, last, consented);
        if (holdsExactly(current, matching)) {
            // Unchanged (the usual case), the user keeps their membership object and with it its encoding.
            last.reconciled(current);
            return new Outcome(current, List.of(), null, nextChange);
        }
        TreeMap<String, MembershipState.Member> held = new TreeMap<>();
        List<RoutedChange> changes = new ArrayList<>();
        Evidence.Flattened flat = new Evidence.Flattened(input);
        current.forEach((name, member) -> {
            CompiledSegment segment = catalog.segments().get(name);
            if (matching.containsKey(name)) {
                held.put(name, new MembershipState.Member(segment.version(), member.since(),
                        segment.definition().getOutputTopic()));
            } else if (segment == null) {
                changes.add(exit(features.userId(), name, member, ChangeTrigger.DEFINITION_CHANGE, eventTime, emittedAt));
            } else if (!consented && segment.requiresConsent()) {
                changes.add(new RoutedChange(change(features.userId(), name, SegmentChangeKind.EXITED, ChangeTrigger.CONSENT,
                        eventTime, emittedAt, segment.version(), Map.of(), Map.of()), member.outputTopic()));
            } else {
                changes.add(decided(features.userId(), segment, SegmentChangeKind.EXITED, exitCause(trigger, segment, member),
                        eventTime, emittedAt, flat, member.outputTopic()));
            }
        });
        matching.forEach((name, segment) -> {
            if (!current.holds(name)) {
                held.put(name, new MembershipState.Member(segment.version(), eventTime,
                        segment.definition().getOutputTopic()));
                changes.add(decided(features.userId(), segment, SegmentChangeKind.ENTERED, cause(trigger, segment), eventTime,
                        emittedAt, flat, segment.definition().getOutputTopic()));
            }
        });
        // Past holdsExactly the membership differs, if only in a definition version (then nothing is emitted).
        MembershipState next = MembershipState.of(held, last);
        boolean changed = !current.sameSegments(next);
        last.reconciled(next);
        return new Outcome(next, changes, changed ? userSegments(features.userId(), next, eventTime) : null, nextChange);
    }

    /**
     * {@link #evaluate} continuing the user's last evaluation of the same snapshot: only the segments
     * whose conditions changed result (and their exclusive groups) are looked at.
     */
    private Outcome evaluateChanged(UserFeatures features, Facts.Input input, SegmentCatalog.Snapshot catalog,
            MembershipState current, long eventTime, long emittedAt, ChangeTrigger trigger, boolean consented,
            long nextChange) {
        LastResults last = current.lastResults;
        List<Integer> entering = new ArrayList<>();
        List<Integer> leaving = new ArrayList<>();
        catalog.changedMatches(last, consented, (slot, holds) -> (holds ? entering : leaving).add(slot));
        if (entering.isEmpty() && leaving.isEmpty()) {
            return new Outcome(current, List.of(), null, nextChange);
        }
        // In the order evaluating everything emits them: exits by name, entries in the order of matching.
        leaving.sort(Comparator.comparing(slot -> catalog.segment(slot).name()));
        entering.sort(Comparator.comparingInt(catalog::matchingOrder));
        List<String> left = new ArrayList<>(leaving.size());
        TreeMap<String, MembershipState.Member> entered = new TreeMap<>();
        List<RoutedChange> changes = new ArrayList<>(leaving.size() + entering.size());
        Evidence.Flattened flat = new Evidence.Flattened(input);
        for (int slot : leaving) {
            CompiledSegment segment = catalog.segment(slot);
            MembershipState.Member member = current.member(segment.name());
            left.add(segment.name());
            changes.add(decided(features.userId(), segment, SegmentChangeKind.EXITED, exitCause(trigger, segment, member),
                    eventTime, emittedAt, flat, member.outputTopic()));
            last.hold(slot, false);
        }
        for (int slot : entering) {
            CompiledSegment segment = catalog.segment(slot);
            entered.put(segment.name(), new MembershipState.Member(segment.version(), eventTime,
                    segment.definition().getOutputTopic()));
            changes.add(decided(features.userId(), segment, SegmentChangeKind.ENTERED, cause(trigger, segment), eventTime,
                    emittedAt, flat, segment.definition().getOutputTopic()));
            last.hold(slot, true);
        }
        MembershipState next = current.changed(left, entered);
        last.settled(next);
        return new Outcome(next, changes, userSegments(features.userId(), next, eventTime), nextChange);
    }

    /**
     * The user leaves every segment of {@code stored} because of {@code trigger} (an erasure): the exits,
     * carrying no feature values, and an empty membership. The caller tombstones the user's membership.
     */
    public List<RoutedChange> exitAll(String user, MembershipState stored, ChangeTrigger trigger, long eventTime,
            long emittedAt) {
        List<RoutedChange> exits = new ArrayList<>();
        stored.forEach((name, member) -> exits.add(exit(user, name, member, trigger, eventTime, emittedAt)));
        return exits;
    }

    /** An exit without feature values, at the version the user entered under (for retired segments and erasure). */
    private static RoutedChange exit(String user, String segment, MembershipState.Member member, ChangeTrigger trigger,
            long eventTime, long emittedAt) {
        return new RoutedChange(change(user, segment, SegmentChangeKind.EXITED, trigger, eventTime, emittedAt,
                member.version(), Map.of(), Map.of()), member.outputTopic());
    }

    /** In a pass after a definition change, a member of an unchanged definition left because of time. */
    private static ChangeTrigger exitCause(ChangeTrigger trigger, CompiledSegment segment, MembershipState.Member member) {
        return trigger == ChangeTrigger.DEFINITION_CHANGE && segment.version() == member.version() ? ChangeTrigger.TIME
                : cause(trigger, segment);
    }

    /** In a pass after a model was published, a segment whose condition reads no model fact changed because of time. */
    private static ChangeTrigger cause(ChangeTrigger trigger, CompiledSegment segment) {
        if (trigger == ChangeTrigger.MODEL_CHANGE
                && segment.condition().reads().stream().noneMatch(fact -> fact.model() != null)) {
            return ChangeTrigger.TIME;
        }
        return trigger;
    }

    /** Whether {@code membership} is exactly {@code matching}, each segment at its current version and topic. */
    private static boolean holdsExactly(MembershipState membership, Map<String, CompiledSegment> matching) {
        if (membership.size() != matching.size()) {
            return false;
        }
        for (CompiledSegment segment : matching.values()) {
            MembershipState.Member member = membership.member(segment.name());
            if (member == null || member.version() != segment.version()
                    || !Objects.equals(member.outputTopic(), segment.definition().getOutputTopic())) {
                return false;
            }
        }
        return true;
    }

    /** A change decided by {@code segment}'s condition, with the fact values and model versions it read. */
    private static RoutedChange decided(String user, CompiledSegment segment, SegmentChangeKind kind, ChangeTrigger cause,
            long eventTime, long emittedAt, Evidence.Flattened facts, String topic) {
        return new RoutedChange(change(user, segment.name(), kind, cause, eventTime, emittedAt, segment.version(),
                segment.condition().changeEvidence(facts), segment.condition().models(facts.input())), topic);
    }

    private static SegmentChange change(String user, String segment, SegmentChangeKind kind, ChangeTrigger trigger,
            long eventTime, long emittedAt, long version, Map<String, Object> evidence, Map<String, String> models) {
        return new SegmentChange(user, segment, kind, trigger, Instant.ofEpochMilli(eventTime), Instant.ofEpochMilli(emittedAt),
                version, evidence, models);
    }

    private static UserSegments userSegments(String user, MembershipState membership, long eventTime) {
        return new UserSegments(user, membership.records(), Instant.ofEpochMilli(eventTime));
    }
}
