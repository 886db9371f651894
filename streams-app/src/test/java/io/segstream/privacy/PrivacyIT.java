package io.segstream.privacy;

import static io.segstream.testing.Definitions.segment;
import static io.segstream.testing.Events.add;
import static io.segstream.testing.Events.purchase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

import io.segstream.app.SegStreamApp;
import io.segstream.avro.CartAbandoned;
import io.segstream.avro.ChangeTrigger;
import io.segstream.avro.ClickEvent;
import io.segstream.avro.Order;
import io.segstream.avro.PrivacyAudit;
import io.segstream.avro.PrivacyOutcome;
import io.segstream.avro.SegmentChange;
import io.segstream.avro.SegmentChangeKind;
import io.segstream.avro.UserSegments;
import io.segstream.config.SegStreamConfig;
import io.segstream.config.StoreNames;
import io.segstream.config.TopicCreator;
import io.segstream.config.Topics;
import io.segstream.local.EmbeddedKafkaBroker;
import io.segstream.local.Ports;
import io.segstream.registry.HttpSchemaRegistryClient;
import io.segstream.registry.RegistryConfig;
import io.segstream.segments.DefinitionTopic;
import io.segstream.serde.SpecificAvroDeserializer;
import io.segstream.serde.SpecificAvroSerializer;
import io.segstream.testing.ApicurioRegistry;
import io.segstream.testing.Cli;
import io.segstream.testing.Chaos;
import io.segstream.testing.Instances;
import io.segstream.testing.RealInfrastructure;
import io.segstream.testing.TestConfigs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Privacy requests on the real broker and registry, two instances, published with the CLI as an
 * operator would: an erasure reaches every store, changelog and API answer, and consent moves users
 * exactly once.
 */
@ExtendWith(RealInfrastructure.class)
class PrivacyIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration ABANDON_AFTER = Duration.ofSeconds(20);

    @Test
    void anErasureRemovesTheUserEverywhereWithinASecondAndConsentMovesUsersExactlyOnce(EmbeddedKafkaBroker kafka,
            ApicurioRegistry registry, @TempDir Path dir) throws Exception {
        String suffix = TestConfigs.suffix();
        Map<String, String> shared = TestConfigs.pipeline(kafka.bootstrapServers(), registry.url(), suffix);
        shared.put(SegStreamConfig.TOPICS_PARTITIONS, "2");
        // Live operation: deadlines fire on the wall clock.
        shared.put(SegStreamConfig.TIME_MODE, "wall");
        shared.put(SegStreamConfig.CART_ABANDON_AFTER, ABANDON_AFTER.toSeconds() + "s");
        shared.put(SegStreamConfig.PUNCTUATION_INTERVAL, "500ms");
        shared.put(SegStreamConfig.PRIVACY_AUDIT_KEY, "it-key");
        int portOne = Ports.freeLoopbackPort();
        int portTwo = Ports.freeLoopbackPort();
        SegStreamConfig one = TestConfigs.instance(shared, suffix, 1, portOne);
        SegStreamConfig two = TestConfigs.instance(shared, suffix, 2, portTwo);
        Topics topics = Topics.from(one);
        TopicCreator.createMissing(one);
        Path configFile = TestConfigs.write(shared, dir.resolve("segstream.properties"));
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(new RegistryConfig(shared));
        new DefinitionTopic(one, client).publish(List.of(
                segment("cart-holders", "cart.items > 0", 1).setOutputTopic("segment.cart-holders-" + suffix).build(),
                segment("buyers", "rfm.frequency >= 1", 1).setRequiresConsent(false).build()));
        TopicCreator.createMissing(one, List.of("segment.cart-holders-" + suffix));

        try (SegStreamApp first = new SegStreamApp(one, client); SegStreamApp second = new SegStreamApp(two, client)) {
            Instances.startWithTasks(first, second);
            List<String> users = IntStream.range(0, 12).mapToObj(i -> "user-" + i).toList();
            HostInfo hostTwo = new HostInfo("127.0.0.1", portTwo);
            String erased = users.stream().filter(user -> hostTwo.equals(first.streams()
                    .queryMetadataForKey(StoreNames.USERS, user, Serdes.String().serializer()).activeHost()))
                    .findFirst().orElseThrow();
            String kept = users.stream().filter(user -> !user.equals(erased)).findFirst().orElseThrow();
            String consenting = users.stream().filter(user -> !user.equals(erased) && !user.equals(kept))
                    .findFirst().orElseThrow();

            Instant now = Instant.now();
            send(kafka, client, topics, List.of(erased, kept, consenting), now);
            String apiOne = "http://127.0.0.1:" + portOne;
            String apiTwo = "http://127.0.0.1:" + portTwo;
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                for (String user : List.of(erased, kept, consenting)) {
                    assertThat(get(apiOne + "/api/v1/users/" + user).statusCode()).isEqualTo(200);
                }
            });

            String erasure = Cli.run("privacy", "erase", erased, "--config", configFile.toString(), "--request-id", "erase-1");
            long published = System.nanoTime();
            assertThat(erasure).startsWith("Published ERASE request erase-1 for user " + erased + " to " + topics.privacyRequests());
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() ->
                    get(apiOne + "/api/v1/users/" + erased).statusCode() == 404
                            && get(apiTwo + "/api/v1/users/" + erased).statusCode() == 404);
            long goneAfterMs = (System.nanoTime() - published) / 1_000_000;
            System.out.println("[privacy] " + erased + " answered 404 on both instances " + goneAfterMs + " ms after the request");
            assertThat(goneAfterMs).as("ms until both instances answer 404").isLessThan(1_000);
            assertThat(get(apiOne + "/api/v1/users/" + kept).statusCode()).isEqualTo(200);

            // Consent: withdraw, re-send the same request, grant.
            Cli.run("privacy", "consent", consenting, "withdrawn", "--config", configFile.toString(), "--request-id", "c-1",
                    "--requested-at", "2026-12-01T10:00:00Z");
            Cli.run("privacy", "consent", consenting, "withdrawn", "--config", configFile.toString(), "--request-id", "c-1",
                    "--requested-at", "2026-12-01T10:00:00Z");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    body(apiOne + "/api/v1/users/" + consenting)).contains("\"given\":\"WITHDRAWN\""));
            // The grant comes over the API's admin route, as a consent platform's webhook would send it.
            HttpResponse<String> granted = post(apiTwo + "/api/v1/privacy/requests",
                    "{\"userId\": \"" + consenting + "\", \"type\": \"CONSENT_GRANTED\", \"requestId\": \"c-2\"}");
            assertThat(granted.statusCode()).as(granted.body()).isEqualTo(202);
            assertThat(granted.body()).contains("\"requestId\":\"c-2\"", "\"topic\":\"" + topics.privacyRequests() + "\"");
            HttpResponse<String> unknownType = post(apiTwo + "/api/v1/privacy/requests",
                    "{\"userId\": \"" + consenting + "\", \"type\": \"FORGET\"}");
            assertThat(unknownType.statusCode()).isEqualTo(400);
            assertThat(unknownType.body()).contains("type must be ERASE, CONSENT_GRANTED or CONSENT_WITHDRAWN, was 'FORGET'");

            // The kept user's cart is abandoned on time: timers fire. The erased user's never is.
            SpecificAvroDeserializer<CartAbandoned> abandonments = new SpecificAvroDeserializer<>(CartAbandoned.class, client);
            await().atMost(ABANDON_AFTER.plusSeconds(30)).untilAsserted(() -> assertThat(Chaos.readAll(kafka.bootstrapServers(),
                    topics.cartAbandoned(), abandonments)).extracting(ConsumerRecord::key).contains(kept));
            Thread.sleep(2_000);
            assertThat(Chaos.readAll(kafka.bootstrapServers(), topics.cartAbandoned(), abandonments))
                    .extracting(ConsumerRecord::key).doesNotContain(erased).contains(consenting);

            SpecificAvroDeserializer<SegmentChange> changes = new SpecificAvroDeserializer<>(SegmentChange.class, client);
            List<SegmentChange> all = Chaos.readAll(kafka.bootstrapServers(), topics.segmentChanges(), changes).stream()
                    .map(ConsumerRecord::value).toList();
            assertThat(all.stream().filter(change -> change.getUserId().equals(erased)))
                    .extracting(SegmentChange::getSegment, SegmentChange::getKind, SegmentChange::getTrigger)
                    .containsExactlyInAnyOrder(
                            tuple("cart-holders", SegmentChangeKind.ENTERED, ChangeTrigger.EVENT),
                            tuple("buyers", SegmentChangeKind.ENTERED, ChangeTrigger.EVENT),
                            tuple("cart-holders", SegmentChangeKind.EXITED, ChangeTrigger.ERASURE),
                            tuple("buyers", SegmentChangeKind.EXITED, ChangeTrigger.ERASURE));
            assertThat(all.stream().filter(change -> change.getUserId().equals(erased)
                    && change.getKind() == SegmentChangeKind.EXITED)).allSatisfy(exit -> assertThat(exit.getFeatures()).isEmpty());
            assertThat(all.stream().filter(change -> change.getUserId().equals(consenting)))
                    .extracting(SegmentChange::getSegment, SegmentChange::getKind, SegmentChange::getTrigger)
                    .containsExactly(
                            tuple("buyers", SegmentChangeKind.ENTERED, ChangeTrigger.EVENT),
                            tuple("cart-holders", SegmentChangeKind.ENTERED, ChangeTrigger.EVENT),
                            tuple("cart-holders", SegmentChangeKind.EXITED, ChangeTrigger.CONSENT),
                            tuple("cart-holders", SegmentChangeKind.ENTERED, ChangeTrigger.CONSENT));

            // The compacted membership topic ends with a tombstone for the erased user.
            List<ConsumerRecord<String, UserSegments>> memberships = Chaos.readAll(kafka.bootstrapServers(),
                    topics.segmentMembership(), new SpecificAvroDeserializer<>(UserSegments.class, client));
            assertThat(lastValues(memberships)).containsEntry(erased, null).containsKey(kept);
            assertThat(lastValues(memberships).get(kept)).isNotNull();

            // Every changelog of the application read to its end: no live record for the erased user's key.
            Set<String> changelogs;
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                changelogs = admin.listTopics().names().get().stream()
                        .filter(topic -> topic.startsWith(one.getString(SegStreamConfig.APPLICATION_ID) + "-")
                                && topic.endsWith("-changelog"))
                        .collect(Collectors.toSet());
            }
            assertThat(changelogs).contains(changelog(one, StoreNames.USERS), changelog(one, StoreNames.TIMERS));
            int erasedRecords = 0;
            for (String changelog : changelogs) {
                List<ConsumerRecord<String, byte[]>> records =
                        Chaos.readAll(kafka.bootstrapServers(), changelog, new ByteArrayDeserializer());
                erasedRecords += (int) records.stream().filter(record -> mentions(record.key(), erased)).count();
                Map<String, byte[]> last = lastValues(records);
                assertThat(last.entrySet().stream().filter(entry -> mentions(entry.getKey(), erased) && entry.getValue() != null)
                        .map(Map.Entry::getKey).toList()).as(changelog).isEmpty();
            }
            assertThat(erasedRecords).as("the erased user had records in the changelogs (users, timers)").isGreaterThanOrEqualTo(4);

            // One audit per handled request, none for the re-sent one.
            List<PrivacyAudit> audits = Chaos.readAll(kafka.bootstrapServers(), topics.privacyAudit(),
                    new SpecificAvroDeserializer<>(PrivacyAudit.class, client)).stream().map(ConsumerRecord::value).toList();
            assertThat(audits).extracting(audit -> audit.getRequestId(), PrivacyAudit::getOutcome)
                    .containsExactlyInAnyOrder(tuple("erase-1", PrivacyOutcome.ERASED), tuple("c-1", PrivacyOutcome.CONSENT_RECORDED),
                            tuple("c-2", PrivacyOutcome.CONSENT_RECORDED));
            assertThat(audits.stream().filter(audit -> audit.getRequestId().equals("erase-1")).findFirst().orElseThrow()
                    .getStoresPurged()).containsExactly("users", "timers");
            assertThat(audits).allSatisfy(audit -> assertThat(audit.toString()).doesNotContain(erased).doesNotContain(consenting));
        }
    }

    /**
     * At-least-once an erasure's request id is stored once the request's offset is committed (so a crash
     * before that commit makes the request erase again), and from then on it outlives a restart.
     */
    @Test
    void atLeastOnceAnErasuresRequestIdIsStoredAfterTheCommitOfTheRequestAndOutlivesARestart(EmbeddedKafkaBroker kafka,
            ApicurioRegistry registry, @TempDir Path dir) throws Exception {
        String suffix = TestConfigs.suffix();
        Map<String, String> shared = TestConfigs.pipeline(kafka.bootstrapServers(), registry.url(), suffix);
        shared.put("processing.guarantee", "at_least_once");
        shared.put("commit.interval.ms", "500");
        SegStreamConfig config = TestConfigs.instance(shared, suffix, 1, Ports.freeLoopbackPort());
        Topics topics = Topics.from(config);
        TopicCreator.createMissing(config);
        Path configFile = TestConfigs.write(shared, dir.resolve("segstream.properties"));
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(new RegistryConfig(shared));
        String requestIds = changelog(config, StoreNames.PRIVACY_REQUEST_IDS);

        try (SegStreamApp app = new SegStreamApp(config, client)) {
            Instances.startWithTasks(app);
            send(kafka, client, topics, List.of("user-1"), Instant.now());
            Cli.run("privacy", "erase", "user-1", "--config", configFile.toString(), "--request-id", "erase-a");
            await().atMost(Duration.ofSeconds(30)).until(() -> requestIdStored(kafka, requestIds, "erase-a"));
        }
        try (SegStreamApp app = new SegStreamApp(config, client)) {
            Instances.startWithTasks(app);
            Cli.run("privacy", "erase", "user-1", "--config", configFile.toString(), "--request-id", "erase-a");
            Cli.run("privacy", "erase", "user-1", "--config", configFile.toString(), "--request-id", "erase-b");
            SpecificAvroDeserializer<PrivacyAudit> audits = new SpecificAvroDeserializer<>(PrivacyAudit.class, client);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                    Chaos.readAll(kafka.bootstrapServers(), topics.privacyAudit(), audits).stream().map(ConsumerRecord::value))
                    .extracting(audit -> audit.getRequestId(), PrivacyAudit::getOutcome)
                    .containsExactly(tuple("erase-a", PrivacyOutcome.ERASED), tuple("erase-b", PrivacyOutcome.NOTHING_STORED)));
        }
    }

    /** Whether the changelog of store {@code privacy-request-ids} holds {@code id} (a window store's key: the id, then its time). */
    private static boolean requestIdStored(EmbeddedKafkaBroker kafka, String changelog, String id) {
        return Chaos.readAll(kafka.bootstrapServers(), changelog, new ByteArrayDeserializer()).stream()
                .anyMatch(record -> record.key().startsWith(id) && record.value() != null);
    }

    /** Whether a changelog key belongs to {@code user}: the user itself (users) or a timer key ending in |user. */
    private static boolean mentions(String key, String user) {
        return key.equals(user) || key.endsWith("|" + user);
    }

    private static String changelog(SegStreamConfig config, String store) {
        return config.getString(SegStreamConfig.APPLICATION_ID) + "-" + store + "-changelog";
    }

    private static <V> Map<String, V> lastValues(List<ConsumerRecord<String, V>> records) {
        Map<String, V> last = new HashMap<>();
        records.forEach(record -> last.put(record.key(), record.value()));
        return last;
    }

    /** Each user buys once and puts two items in the cart. */
    private static void send(EmbeddedKafkaBroker kafka, HttpSchemaRegistryClient client, Topics topics, List<String> users,
            Instant now) throws Exception {
        SpecificAvroSerializer<ClickEvent> clicks = new SpecificAvroSerializer<>(ClickEvent.class, client, false);
        SpecificAvroSerializer<Order> orders = new SpecificAvroSerializer<>(Order.class, client, false);
        try (KafkaProducer<String, byte[]> producer = Chaos.producer(kafka.bootstrapServers())) {
            for (String user : users) {
                producer.send(new ProducerRecord<>(topics.orders(), user, orders.serialize(topics.orders(),
                        purchase("o-" + user, user, "30.00", now.minusSeconds(60))))).get();
                producer.send(new ProducerRecord<>(topics.clickstream(), user, clicks.serialize(topics.clickstream(),
                        add("e-" + user, user, "sku-1", 2, "10.00", now)))).get();
            }
        }
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String url, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String body(String url) throws Exception {
        HttpResponse<String> response = get(url);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }
}
