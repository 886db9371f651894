package io.segstream.topology;

import io.segstream.avro.SegmentChange;
import io.segstream.features.UserFeatureProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/** Passes on the segment changes that also go to their segment's own output topic. */
final class RouteFilter implements FixedKeyProcessor<String, SegmentChange, SegmentChange> {

    private FixedKeyProcessorContext<String, SegmentChange> context;

    @Override
    public void init(FixedKeyProcessorContext<String, SegmentChange> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, SegmentChange> record) {
        if (record.headers().lastHeader(UserFeatureProcessor.ROUTE_HEADER) != null) {
            context.forward(record);
        }
    }
}
