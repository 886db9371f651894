package io.segstream.config;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.tools.StreamsResetter;

/**
 * Resets the application for a replay or after a disaster, as Kafka's own streams reset tool does
 * ({@link StreamsResetter}, which this runs): refuses while any instance is in the consumer group,
 * moves the group's offsets on the inputs (clickstream, orders, privacy requests) to a chosen
 * point, deletes the application's internal topics (the state stores' changelogs), then deletes
 * this host's local state. Output topics and the compacted topics read whole at every start
 * (definitions, models, sketches) are left alone.
 */
public final class ApplicationReset {

    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    private static final DateTimeFormatter RESETTER_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** Where the inputs' offsets go: the earliest or latest offset, or the first record at or after an instant. */
    public record Point(String kind, Instant at) {
        public static final Point EARLIEST = new Point("earliest", null);
        public static final Point LATEST = new Point("latest", null);

        public static Point at(Instant instant) {
            return new Point("time", instant);
        }

        /**
         * {@code earliest}, {@code latest}, an ISO-8601 instant ({@code 2026-12-01T00:00:00Z}) or a
         * duration back from {@code now} ({@code 7d}, {@code 36h}, {@code PT30M}).
         */
        public static Point parse(String text, Instant now) {
            String value = text.strip();
            if (value.equalsIgnoreCase("earliest")) {
                return EARLIEST;
            }
            if (value.equalsIgnoreCase("latest")) {
                return LATEST;
            }
            if (value.contains("T") && !value.startsWith("P") && !value.startsWith("p")) {
                try {
                    return at(Instant.parse(value));
                } catch (java.time.format.DateTimeParseException e) {
                    throw new IllegalArgumentException("'" + text + "' is not an instant: write it as 2026-12-01T00:00:00Z");
                }
            }
            try {
                return at(now.minus(Durations.parse(value)));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("'" + text + "' is neither earliest, latest, an instant "
                        + "(2026-12-01T00:00:00Z) nor a duration back from now (7d, 36h, PT30M)");
            }
        }

        List<String> arguments() {
            return switch (kind) {
                case "earliest" -> List.of("--to-earliest");
                case "latest" -> List.of("--to-latest");
                default -> List.of("--to-datetime", RESETTER_TIME.format(at));
            };
        }

        @Override
        public String toString() {
            return at == null ? kind : at.toString();
        }
    }

    private final SegStreamConfig config;
    private final PrintWriter out;

    public ApplicationReset(SegStreamConfig config, PrintWriter out) {
        this.config = config;
        this.out = out;
    }

    /** The group's members, each as client id and host; empty when the group is empty or unknown. */
    public List<String> members() {
        String group = config.getString(SegStreamConfig.APPLICATION_ID);
        try (Admin admin = Admin.create(config.clientProperties())) {
            ConsumerGroupDescription description = admin.describeConsumerGroups(Set.of(group)).describedGroups()
                    .get(group).get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            List<String> members = new ArrayList<>();
            for (MemberDescription member : description.members()) {
                members.add(member.clientId() + " on " + member.host()
                        + member.groupInstanceId().map(id -> " (group.instance.id " + id + ")").orElse(""));
            }
            return members;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return List.of();
            }
            throw new KafkaException("Cannot describe consumer group " + group + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaException("Kafka did not describe consumer group " + group + " within " + ADMIN_TIMEOUT.toSeconds()
                    + " s: check that the brokers are up and that " + SegStreamConfig.BOOTSTRAP_SERVERS + " names them");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("Interrupted", e);
        }
    }

    /** This host's state of the application: {@code state.dir}/{@code application.id}. */
    public Path localState() {
        String stateDir = config.passthrough(StreamsConfig.STATE_DIR_CONFIG);
        return Path.of(stateDir != null ? stateDir : System.getProperty("java.io.tmpdir") + "/kafka-streams",
                config.getString(SegStreamConfig.APPLICATION_ID));
    }

    /**
     * Runs the reset; with {@code dryRun} only says what it would do. Returns the exit code: 0 done,
     * 1 refused (instances in the group) or failed (the tool printed why).
     */
    public int run(Point to, boolean dryRun) {
        List<String> members = members();
        String group = config.getString(SegStreamConfig.APPLICATION_ID);
        if (!members.isEmpty()) {
            throw new IllegalStateException(members.size() + " instance(s) are still in consumer group " + group + ": "
                    + String.join(", ", members) + ". Stop every instance first (a stopped instance leaves the group; "
                    + "one that crashed stays in it until its session.timeout.ms has passed), then run the reset again");
        }
        Topics topics = Topics.from(config);
        Path clientSettings = clientSettingsFile();
        try {
            List<String> arguments = new ArrayList<>(List.of(
                    "--application-id", group,
                    "--bootstrap-server", String.join(",", config.getList(SegStreamConfig.BOOTSTRAP_SERVERS)),
                    "--command-config", clientSettings.toString(),
                    "--input-topics", String.join(",", topics.clickstream(), topics.orders(), topics.privacyRequests())));
            arguments.addAll(to.arguments());
            if (dryRun) {
                arguments.add("--dry-run");
            }
            out.println((dryRun ? "Dry run: would reset " : "Resetting ") + "application " + group + ", inputs to " + to);
            out.flush();
            int code = new StreamsResetter().execute(arguments.toArray(String[]::new), new Properties());
            if (code != 0) {
                return code;
            }
        } finally {
            deleteQuietly(clientSettings);
        }
        Path state = localState();
        if (!Files.exists(state)) {
            out.println("No local state at " + state + ".");
        } else if (dryRun) {
            out.println("Would delete the local state " + state + ".");
        } else {
            try {
                Utils.delete(state.toFile());
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot delete the local state " + state, e);
            }
            out.println("Deleted the local state " + state + ".");
        }
        out.println("Other hosts of this application: delete their " + StreamsConfig.STATE_DIR_CONFIG + "/" + group
                + " before starting them again.");
        return 0;
    }

    /** The Kafka client settings (security included) as the tool's --command-config file, readable by the owner only. */
    private Path clientSettingsFile() {
        try {
            Path file = Files.createTempFile("segstream-reset-", ".properties");
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // Not a POSIX file system: the temporary folder's own protection applies.
            }
            Properties properties = new Properties();
            for (Map.Entry<String, Object> entry : config.clientProperties().entrySet()) {
                properties.setProperty(entry.getKey(), String.valueOf(entry.getValue()));
            }
            try (OutputStream stream = Files.newOutputStream(file)) {
                properties.store(stream, null);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the reset tool's client settings", e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // A temporary file; the OS cleans its temporary folder.
        }
    }
}
