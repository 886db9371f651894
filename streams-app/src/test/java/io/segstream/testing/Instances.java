package io.segstream.testing;

import static org.awaitility.Awaitility.await;

import io.segstream.app.SegStreamApp;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams;

/** Starting several instances of one application in integration tests. */
public final class Instances {

    private Instances() {}

    /** Starts every instance and waits until each is RUNNING with at least one active task of its own. */
    public static void startWithTasks(SegStreamApp... apps) {
        for (SegStreamApp app : apps) {
            app.start();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> List.of(apps).stream().allMatch(app ->
                app.streams().state() == KafkaStreams.State.RUNNING
                        && !app.streams().metadataForLocalThreads().iterator().next().activeTasks().isEmpty()));
    }
}
