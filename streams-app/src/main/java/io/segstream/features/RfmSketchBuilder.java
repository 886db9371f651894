package io.segstream.features;

import io.segstream.avro.RfmSketches;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.datasketches.kll.KllDoublesSketch;

/** Summarises one task's customers into KLL sketches of recency, frequency and monetary value. */
public final class RfmSketchBuilder {

    private final KllDoublesSketch recency = KllDoublesSketch.newHeapInstance();
    private final KllDoublesSketch frequency = KllDoublesSketch.newHeapInstance();
    private final KllDoublesSketch monetary = KllDoublesSketch.newHeapInstance();
    private long customers;

    public void add(RfmState customer, long now) {
        if (customer.purchases() == 0) {
            return;
        }
        customers++;
        recency.update(Math.max(0, Math.floorDiv(now - customer.lastPurchase(), Times.DAY_MS)));
        frequency.update(customer.purchases());
        monetary.update(customer.monetary().doubleValue());
    }

    public RfmSketches build(String taskId, long now) {
        return RfmSketches.newBuilder()
                .setTaskId(taskId)
                .setCustomers(customers)
                .setRecencyDays(ByteBuffer.wrap(recency.toByteArray()))
                .setFrequency(ByteBuffer.wrap(frequency.toByteArray()))
                .setMonetary(ByteBuffer.wrap(monetary.toByteArray()))
                .setPublishedAt(Instant.ofEpochMilli(now))
                .build();
    }
}
