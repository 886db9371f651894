package io.segstream.architecture;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * Packages depend one way, in the direction the data flows: facts (what is known of a user) ←
 * features (state folded from events) ← scoring ← segments ← privacy (consent and erasure) ←
 * topology (the pipeline) ← query, app, cli. The infrastructure packages (config, serde, registry, dlq, avro, local, replay) sit
 * beside the chain and never reach into it from below.
 */
@AnalyzeClasses(packages = "io.segstream", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {

    @ArchTest
    static final ArchRule packagesDependOneWay = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("facts").definedBy("io.segstream.facts..")
            .layer("features").definedBy("io.segstream.features..")
            .layer("scoring").definedBy("io.segstream.scoring..")
            .layer("segments").definedBy("io.segstream.segments..")
            .layer("privacy").definedBy("io.segstream.privacy..")
            .layer("topology").definedBy("io.segstream.topology..")
            .layer("top").definedBy("io.segstream.query..", "io.segstream.app..", "io.segstream.cli..")
            .layer("infrastructure").definedBy("io.segstream.config..", "io.segstream.serde..", "io.segstream.registry..",
                    "io.segstream.dlq..")
            .whereLayer("top").mayNotBeAccessedByAnyLayer()
            .whereLayer("topology").mayOnlyBeAccessedByLayers("top")
            .whereLayer("privacy").mayOnlyBeAccessedByLayers("topology", "top")
            .whereLayer("segments").mayOnlyBeAccessedByLayers("privacy", "topology", "top")
            .whereLayer("scoring").mayOnlyBeAccessedByLayers("segments", "privacy", "topology", "top")
            .whereLayer("features").mayOnlyBeAccessedByLayers("scoring", "segments", "privacy", "topology", "top")
            .whereLayer("facts").mayOnlyBeAccessedByLayers("features", "scoring", "segments", "privacy", "topology", "top")
            .whereLayer("infrastructure").mayOnlyBeAccessedByLayers("facts", "features", "scoring", "segments", "privacy",
                    "topology", "top");
}
