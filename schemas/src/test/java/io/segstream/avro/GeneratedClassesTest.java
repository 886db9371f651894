package io.segstream.avro;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.apache.avro.util.ClassSecurityValidator;
import org.junit.jupiter.api.Test;

class GeneratedClassesTest {

    @Test
    void trustingThePackageLetsBuildersFillEnumDefaultsAndTrustsNothingElse() {
        GeneratedClasses.trust();
        GeneratedClasses.trust();

        ClickEvent event = ClickEvent.newBuilder().setEventId("e1").setUserId("u1").setType(ClickEventType.SEARCH)
                .setEventTimestamp(Instant.EPOCH).build();

        assertThat(event.getDevice()).isEqualTo(DeviceType.UNKNOWN);
        assertThat(ClassSecurityValidator.getGlobal().isTrusted(SegmentChangeKind.class)).isTrue();
        assertThat(ClassSecurityValidator.getGlobal().isTrusted(java.util.ArrayList.class)).isFalse();
        assertThat(ClassSecurityValidator.getGlobal().isTrusted(java.io.File.class)).isFalse();
    }
}
