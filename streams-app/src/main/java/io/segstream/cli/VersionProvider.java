package io.segstream.cli;

import org.apache.kafka.common.utils.AppInfoParser;
import picocli.CommandLine;

/** Prints SegStream's version and the Kafka client it was built with. */
final class VersionProvider implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = SegStreamCli.class.getPackage().getImplementationVersion();
        return new String[] {
            "segstream " + (version == null ? "(development build)" : version),
            "Kafka client " + AppInfoParser.getVersion() + ", Java " + System.getProperty("java.version")
        };
    }
}
