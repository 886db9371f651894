package io.segstream.scoring;

import io.segstream.avro.Model;
import io.segstream.facts.Clock;
import io.segstream.facts.Fact;
import io.segstream.facts.Facts;
import io.segstream.facts.Lifetime;
import io.segstream.facts.Predictions;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models this instance computes facts with, shared by every task: the published models of the
 * global {@code models} store (topic {@code segstream.models}) and, while no intent model is
 * published, the configured one. Readers take an immutable {@link Snapshot}; its
 * {@link Snapshot#generation()} grows with every change, which starts a re-evaluation pass over every user.
 */
public final class ModelCatalog {

    /** The model behind {@code intent.score}. */
    public static final String INTENT = "intent";
    /** The model behind the {@code clv.*} facts. */
    public static final String CLV = "clv";

    private static final Logger log = LoggerFactory.getLogger(ModelCatalog.class);

    private final IntentModel configuredIntent;
    private volatile Snapshot snapshot;

    /** An immutable view of the models in use; it predicts the model facts of a user. */
    public static final class Snapshot implements Predictions {
        private final long generation;
        private final Map<String, Model> published;
        private final IntentModel intent;
        private final CustomerLifetime clv;
        private final Map<String, String> versions;
        private final List<Clock> intentClocks;

        Snapshot(long generation, Map<String, Model> published, IntentModel intent, CustomerLifetime clv) {
            this.generation = generation;
            this.published = Map.copyOf(published);
            this.intent = intent;
            this.clv = clv;
            Map<String, String> versions = new LinkedHashMap<>();
            versions.put(INTENT, intent.version());
            if (clv != null) {
                versions.put(CLV, clv.version());
            }
            this.versions = Map.copyOf(versions);
            this.intentClocks = Facts.clocks(intent.facts());
        }

        public long generation() {
            return generation;
        }

        /** The models published on the topic and in use, by name. */
        public Map<String, Model> published() {
            return new TreeMap<>(published);
        }

        public IntentModel intent() {
            return intent;
        }

        /** The customer-lifetime model, or null while none is published. */
        public CustomerLifetime clv() {
            return clv;
        }

        @Override
        public double intentScore(Facts.Input input) {
            return intent.value(input);
        }

        @Override
        public Lifetime lifetime(Facts.Input input) {
            if (clv == null) {
                return Lifetime.absent("no clv model is published (segstream models apply)");
            }
            return clv.predict(input.features().rfm(), input.features().now());
        }

        @Override
        public Map<String, String> versions() {
            return versions;
        }

        @Override
        public List<Fact> intentInputs() {
            return intent.facts();
        }

        @Override
        public List<Clock> intentClocks() {
            return intentClocks;
        }
    }

    /** A catalog that scores intent with {@code configuredIntent} until an intent model is published. */
    public ModelCatalog(IntentModel configuredIntent) {
        this.configuredIntent = configuredIntent;
        this.snapshot = new Snapshot(0, Map.of(), configuredIntent, null);
    }

    public Snapshot snapshot() {
        return snapshot;
    }

    /**
     * Checks that {@code model} can be used under its name: a clear error saying what is wrong
     * (unknown name, wrong kind, missing or invalid parameters, unusable features).
     */
    public static void validate(Model model) {
        switch (model.getName()) {
            case INTENT -> IntentModel.from(model);
            case CLV -> CustomerLifetime.from(model);
            default -> throw new IllegalArgumentException("model name '" + model.getName() + "' is not one the pipeline "
                    + "uses; name it " + INTENT + " (intent.score) or " + CLV + " (clv.* facts)");
        }
    }

    /** Applies one record of the models topic (null = withdrawn); an unusable model is logged and ignored. */
    public synchronized void apply(String name, Model model) {
        Map<String, Model> next = new HashMap<>(snapshot.published);
        if (model == null) {
            if (next.remove(name) == null) {
                return;
            }
            log.info("Model {} withdrawn", name);
        } else {
            if (model.equals(next.get(name))) {
                return;
            }
            try {
                if (!name.equals(model.getName())) {
                    throw new IllegalArgumentException("it is keyed " + name + " but named " + model.getName());
                }
                validate(model);
            } catch (IllegalArgumentException e) {
                log.error("Model {} {} ignored, it cannot be used (check it with 'segstream models show'): {}", name,
                        model.getVersion(), e.getMessage());
                return;
            }
            next.put(name, model);
            log.info("Model {} {} in use", name, model.getVersion());
        }
        Model intent = next.get(INTENT);
        Model clv = next.get(CLV);
        snapshot = new Snapshot(snapshot.generation + 1, next, intent == null ? configuredIntent : IntentModel.from(intent),
                clv == null ? null : CustomerLifetime.from(clv));
    }

    /** Brings the catalog in line with the store: applies what differs, withdraws what is gone. */
    public synchronized void sync(ReadOnlyKeyValueStore<String, Model> store) {
        Map<String, Model> stored = new HashMap<>();
        try (KeyValueIterator<String, Model> entries = store.all()) {
            while (entries.hasNext()) {
                KeyValue<String, Model> entry = entries.next();
                stored.put(entry.key, entry.value);
            }
        }
        stored.forEach(this::apply);
        snapshot.published.keySet().stream().filter(name -> !stored.containsKey(name)).toList()
                .forEach(name -> apply(name, null));
    }
}
