package io.segstream.registry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Hands out one shared client per configured registry, so every serde of a JVM shares one cache. */
public final class SchemaRegistries {

    private static final Map<Map<String, ?>, SchemaRegistryClient> SHARED = new ConcurrentHashMap<>();

    private SchemaRegistries() {}

    /** The client for the registry that {@code configs} names (see {@link RegistryConfig}). */
    public static SchemaRegistryClient client(Map<String, ?> configs) {
        RegistryConfig config = new RegistryConfig(configs);
        return config.inMemoryName()
                .<SchemaRegistryClient>map(InMemorySchemaRegistry::named)
                .orElseGet(() -> SHARED.computeIfAbsent(config.values(), ignored -> new HttpSchemaRegistryClient(config)));
    }
}
