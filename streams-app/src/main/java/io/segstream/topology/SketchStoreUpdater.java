package io.segstream.topology;

import io.segstream.avro.RfmSketches;
import io.segstream.config.StoreNames;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/** Keeps the global store {@code rfm-sketches} equal to the compacted sketches topic: one entry per task. */
final class SketchStoreUpdater implements Processor<String, RfmSketches, Void, Void> {

    private KeyValueStore<String, RfmSketches> store;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(StoreNames.RFM_SKETCHES);
    }

    @Override
    public void process(Record<String, RfmSketches> record) {
        if (record.value() == null) {
            store.delete(record.key());
        } else {
            store.put(record.key(), record.value());
        }
    }
}
