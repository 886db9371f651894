package io.segstream.registry;

import java.util.List;
import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry API that SegStream needs; implementations cache so the
 * record hot path makes no remote call after the first use of a schema.
 */
public interface SchemaRegistryClient {

    /** Registers {@code schema} under {@code subject} (idempotent) and returns its global id. */
    int register(String subject, Schema schema);

    /** Returns the id of {@code schema} if it is already registered under {@code subject}, without registering. */
    int lookUp(String subject, Schema schema);

    /** Returns the schema with the given global id. */
    Schema schemaById(int id);

    /** Tells whether {@code schema} could be registered as the next version of {@code subject}. */
    CompatibilityResult testCompatibility(String subject, Schema schema);

    /** Sets the compatibility level of one subject, or the global default when {@code subject} is null. */
    void setCompatibility(String subject, CompatibilityLevel level);

    /** Lists the registered subjects. */
    List<String> subjects();
}
