package io.segstream.segments;

import io.segstream.avro.SegmentDefinition;
import io.segstream.facts.Facts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Who draft definitions would hold right now, without publishing them: each user is evaluated with
 * the live definitions plus the drafts (a draft replaces the live definition of its name), so
 * exclusive groups and consent decide as they would once the drafts are applied. Counts every
 * member of each draft and keeps the {@code sampleSize} smallest member ids as its sample (so the
 * samples of several instances merge into the cluster's).
 */
public final class SegmentPreview {

    private final SegmentCatalog.Snapshot catalog;
    private final List<String> drafts;
    private final int sampleSize;
    private final Map<String, Long> members = new LinkedHashMap<>();
    private final Map<String, TreeSet<String>> samples = new LinkedHashMap<>();
    private long users;

    private SegmentPreview(SegmentCatalog.Snapshot catalog, List<String> drafts, int sampleSize) {
        this.catalog = catalog;
        this.drafts = drafts;
        this.sampleSize = sampleSize;
        drafts.forEach(name -> {
            members.put(name, 0L);
            samples.put(name, new TreeSet<>());
        });
    }

    /**
     * A preview of {@code drafts} over {@code live}; throws {@link InvalidDefinitionException} naming the
     * draft whose condition does not compile.
     */
    public static SegmentPreview of(SegmentCatalog.Snapshot live, List<SegmentDefinition> drafts, int sampleSize) {
        Map<String, CompiledSegment> segments = new LinkedHashMap<>(live.segments());
        List<String> names = new ArrayList<>();
        for (SegmentDefinition draft : drafts) {
            try {
                segments.put(draft.getName(), CompiledSegment.compile(draft));
            } catch (InvalidDefinitionException e) {
                throw new InvalidDefinitionException(draft.getName() + ": " + e.getMessage());
            }
            names.add(draft.getName());
        }
        return new SegmentPreview(new SegmentCatalog.Snapshot(live.generation(), segments), List.copyOf(names), sampleSize);
    }

    /** Evaluates one user: their facts now, and whether their consent allows segments that require it. */
    public void add(String user, Facts.Input input, boolean consented) {
        users++;
        Map<String, CompiledSegment> matching = catalog.matching(input, consented);
        for (String draft : drafts) {
            if (matching.containsKey(draft)) {
                members.merge(draft, 1L, Long::sum);
                TreeSet<String> sample = samples.get(draft);
                sample.add(user);
                if (sample.size() > sampleSize) {
                    sample.pollLast();
                }
            }
        }
    }

    /** Users evaluated. */
    public long users() {
        return users;
    }

    /** The drafts' names, in the order given. */
    public List<String> drafts() {
        return drafts;
    }

    public long members(String draft) {
        return members.get(draft);
    }

    /** The smallest member ids of {@code draft}, sorted. */
    public List<String> sample(String draft) {
        return List.copyOf(samples.get(draft));
    }
}
