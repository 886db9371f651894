package io.segstream.features;

import io.segstream.avro.RfmSketches;
import io.segstream.facts.Rfm;
import io.segstream.facts.RfmScores;
import java.nio.ByteBuffer;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

/**
 * Population-wide RFM quintiles, merged from every task's sketches (global store
 * {@code rfm-sketches}), so a score compares a customer with all customers, not one partition.
 * A value's score is 1 + floor(5 x its mid-rank), so ties share a score; R is reversed.
 */
public final class RfmQuintiles {

    private final KllDoublesSketch recency = KllDoublesSketch.newHeapInstance();
    private final KllDoublesSketch frequency = KllDoublesSketch.newHeapInstance();
    private final KllDoublesSketch monetary = KllDoublesSketch.newHeapInstance();

    /** Merges the sketches of every task. */
    public static RfmQuintiles merge(Iterable<RfmSketches> tasks) {
        RfmQuintiles quintiles = new RfmQuintiles();
        for (RfmSketches task : tasks) {
            quintiles.recency.merge(heapify(task.getRecencyDays()));
            quintiles.frequency.merge(heapify(task.getFrequency()));
            quintiles.monetary.merge(heapify(task.getMonetary()));
        }
        return quintiles;
    }

    /** Customers in the merged population. */
    public long population() {
        return frequency.getN();
    }

    /** The customer's scores, or null for someone who never purchased or before any sketch arrived. */
    public RfmScores scores(Rfm rfm) {
        if (rfm.frequency() == 0 || frequency.isEmpty()) {
            return null;
        }
        return new RfmScores(6 - quintile(recency, rfm.recencyDays()), quintile(frequency, rfm.frequency()),
                quintile(monetary, rfm.monetary().doubleValue()));
    }

    private static int quintile(KllDoublesSketch sketch, double value) {
        double midRank = (sketch.getRank(value, QuantileSearchCriteria.EXCLUSIVE)
                + sketch.getRank(value, QuantileSearchCriteria.INCLUSIVE)) / 2;
        return Math.min(5, 1 + (int) Math.floor(midRank * 5));
    }

    private static KllDoublesSketch heapify(ByteBuffer bytes) {
        ByteBuffer view = bytes.duplicate();
        byte[] copy = new byte[view.remaining()];
        view.get(copy);
        return KllDoublesSketch.heapify(Memory.wrap(copy));
    }
}
