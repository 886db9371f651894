package io.segstream.app;

import static io.segstream.testing.Events.add;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.segstream.avro.ClickEvent;
import io.segstream.avro.SegmentChange;
import io.segstream.avro.SegmentChangeKind;
import io.segstream.cli.SegStreamCli;
import io.segstream.config.SegStreamConfig;
import io.segstream.config.Topics;
import io.segstream.local.EmbeddedKafkaBroker;
import io.segstream.local.Ports;
import io.segstream.registry.HttpSchemaRegistryClient;
import io.segstream.registry.RegistryConfig;
import io.segstream.serde.SpecificAvroDeserializer;
import io.segstream.serde.SpecificAvroSerializer;
import io.segstream.testing.ApicurioRegistry;
import io.segstream.testing.Certificates;
import io.segstream.testing.RealInfrastructure;
import io.segstream.testing.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline and the CLI against a broker that only lets clients in over SASL_SSL with
 * SCRAM-SHA-512, configured by properties alone: the settings pass through to every Kafka client.
 * The broker's certificate is made by the test; a PLAINTEXT listener serves only its own set-up.
 */
@ExtendWith(RealInfrastructure.class)
class KafkaSecurityIT {

    private static final String USER = "segstream";
    private static final String PASSWORD = "scram-" + UUID.randomUUID();
    private static final Instant T0 = Instant.now().minusSeconds(60);

    @Test
    void thePipelineRunsEndToEndThroughASaslSslListener(ApicurioRegistry registry, @TempDir Path dir) throws Exception {
        Certificates.Stores certificate = Certificates.forLoopback(dir, "broker");
        int plainPort = Ports.freeLoopbackPort();
        int securePort = Ports.freeLoopbackPort();
        int controllerPort = Ports.freeLoopbackPort();
        Map<String, String> broker = new HashMap<>();
        broker.put("listeners", "PLAINTEXT://127.0.0.1:" + plainPort + ",SASL_SSL://127.0.0.1:" + securePort
                + ",CONTROLLER://127.0.0.1:" + controllerPort);
        broker.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + plainPort + ",SASL_SSL://127.0.0.1:" + securePort);
        broker.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT");
        broker.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
        broker.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        broker.put("listener.name.sasl_ssl.ssl.keystore.location", certificate.keystore().toString());
        broker.put("listener.name.sasl_ssl.ssl.keystore.password", certificate.password());
        broker.put("listener.name.sasl_ssl.ssl.key.password", certificate.password());
        broker.put("listener.name.sasl_ssl.ssl.keystore.type", "PKCS12");

        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start(null, broker, plainPort, controllerPort)) {
            try (Admin admin = Admin.create(kafka.clientConfig())) {
                admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(USER,
                        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), PASSWORD))).all().get();
            }
            String suffix = TestConfigs.suffix();
            Map<String, String> settings = TestConfigs.pipeline("127.0.0.1:" + securePort, registry.url(), suffix);
            settings.putAll(security(certificate, PASSWORD));
            Path configFile = dir.resolve("segstream.properties");
            Properties properties = new Properties();
            properties.putAll(settings);
            try (var out = Files.newOutputStream(configFile)) {
                properties.store(out, null);
            }
            Path segments = dir.resolve("segments.yaml");
            Files.writeString(segments, """
                    segments:
                      - name: cart-holders
                        condition: cart.items > 0
                    """);
            SegStreamConfig config = SegStreamConfig.of(settings);
            Topics topics = Topics.from(config);

            // The credentials reach the broker's metadata shortly after they are set: retry the first command.
            await().atMost(Duration.ofSeconds(30)).until(() -> SegStreamCli.execute("topics", "create", "--config",
                    configFile.toString()) == 0);
            assertThat(SegStreamCli.execute("segments", "apply", segments.toString(), "--config", configFile.toString()))
                    .isZero();

            HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(new RegistryConfig(settings));
            try (SegStreamApp app = new SegStreamApp(config, client)) {
                app.start();
                await().atMost(Duration.ofSeconds(60)).until(() -> app.streams().state() == KafkaStreams.State.RUNNING);
                SpecificAvroSerializer<ClickEvent> clicks = new SpecificAvroSerializer<>(ClickEvent.class, client, false);
                try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config.clientProperties(),
                        new StringSerializer(), new ByteArraySerializer())) {
                    for (String user : List.of("u1", "u2", "u3")) {
                        producer.send(new ProducerRecord<>(topics.clickstream(), user, clicks.serialize(topics.clickstream(),
                                add("e-" + user, user, "sku-1", 1, "10.00", T0)))).get();
                    }
                }
                List<SegmentChange> changes = read(config, topics.segmentChanges(),
                        new SpecificAvroDeserializer<>(SegmentChange.class, client), 3);
                assertThat(changes).extracting(SegmentChange::getUserId).containsExactlyInAnyOrder("u1", "u2", "u3");
                assertThat(changes).allSatisfy(change -> {
                    assertThat(change.getSegment()).isEqualTo("cart-holders");
                    assertThat(change.getKind()).isEqualTo(SegmentChangeKind.ENTERED);
                });
            }

            // The listener really asks: a wrong password is refused.
            Map<String, Object> wrong = new HashMap<>(SegStreamConfig.of(settings).clientProperties());
            wrong.putAll(security(certificate, "not-the-password"));
            try (Admin admin = Admin.create(wrong)) {
                assertThatThrownBy(() -> admin.listTopics().names().get())
                        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(SaslAuthenticationException.class);
            }
        }
    }

    /** Client settings for SASL_SSL with SCRAM-SHA-512, trusting the broker's certificate, as a user writes them. */
    private static Map<String, String> security(Certificates.Stores certificate, String password) {
        Map<String, String> security = new HashMap<>();
        security.put("security.protocol", "SASL_SSL");
        security.put("sasl.mechanism", "SCRAM-SHA-512");
        security.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + USER + "\" password=\"" + password + "\";");
        security.put("ssl.truststore.location", certificate.truststore().toString());
        security.put("ssl.truststore.password", certificate.password());
        security.put("ssl.truststore.type", "PKCS12");
        return security;
    }

    /** Reads {@code count} records of {@code topic} (read_committed) over the secured listener. */
    private static <V> List<V> read(SegStreamConfig config, String topic,
            org.apache.kafka.common.serialization.Deserializer<V> values, int count) {
        Map<String, Object> consumer = config.clientProperties();
        consumer.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<V> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(consumer, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            reader.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (records.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : reader.poll(Duration.ofMillis(200))) {
                    records.add(values.deserialize(topic, record.value()));
                }
            }
        }
        assertThat(records).as("records on " + topic).hasSize(count);
        return records;
    }
}
