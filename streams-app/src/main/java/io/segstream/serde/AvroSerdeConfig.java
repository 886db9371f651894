package io.segstream.serde;

import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Serde settings beyond the registry connection (which {@code RegistryConfig} reads from the same map). */
final class AvroSerdeConfig extends AbstractConfig {

    static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";

    private static final ConfigDef DEFINITION = new ConfigDef()
            .define(AUTO_REGISTER_SCHEMAS, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Register a topic's schema on first write. When false the schema must already be "
                            + "registered (by a deployment step) and is only looked up.");

    AvroSerdeConfig(Map<?, ?> originals) {
        super(DEFINITION, originals, false);
    }

    boolean autoRegisterSchemas() {
        return getBoolean(AUTO_REGISTER_SCHEMAS);
    }
}
