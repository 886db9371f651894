package io.segstream.cli;

import io.segstream.avro.Model;
import io.segstream.config.SegStreamConfig;
import io.segstream.registry.SchemaRegistries;
import io.segstream.scoring.ModelFiles;
import io.segstream.scoring.ModelTopic;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code segstream models list|show|apply|withdraw}: the models the pipeline computes facts with. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "List, show, apply and withdraw the models behind the clv.* facts and intent.score.",
        subcommands = {ModelsCommand.ListModels.class, ModelsCommand.Show.class, ModelsCommand.Apply.class,
                ModelsCommand.Withdraw.class, TrainCommand.class})
final class ModelsCommand {

    static ModelTopic modelTopic(SegStreamConfig config) {
        return new ModelTopic(config, SchemaRegistries.client(config.all()));
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Print the published models.")
    static final class ListModels implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Map<String, Model> current = modelTopic(config.load()).current();
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%-8s %-24s %-22s %-24s %s%n", "NAME", "KIND", "VERSION", "TRAINED AT", "PARAMETERS");
            current.values().forEach(model -> out.printf("%-8s %-24s %-22s %-24s %s%n", model.getName(), model.getKind(),
                    model.getVersion(), model.getTrainedAt(), new TreeMap<>(model.getParameters())));
            if (current.isEmpty()) {
                out.println("(none published: intent.score uses the configured or bundled model, clv.* facts are absent)");
            }
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Print a published model as JSON (the form 'models apply' reads), with its provenance.")
    static final class Show implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "model name: clv or intent")
        String name;

        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Model model = modelTopic(config.load()).current().get(name);
            if (model == null) {
                spec.commandLine().getErr().println("No published model named '" + name + "'.");
                return 1;
            }
            spec.commandLine().getOut().println(ModelFiles.json(model));
            return 0;
        }
    }

    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = "Check a model file (as 'models train' writes it) and publish it; every running instance "
                    + "computes its facts with it from then on, without a restart.")
    static final class Apply implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "model JSON file")
        Path file;

        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Model model;
            try {
                model = ModelFiles.read(file);
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println(e.getMessage());
                return 1;
            }
            modelTopic(config.load()).publish(model);
            spec.commandLine().getOut().println("Published model " + model.getName() + " " + model.getVersion() + ".");
            return 0;
        }
    }

    @Command(name = "withdraw", mixinStandardHelpOptions = true,
            description = "Withdraw a published model: its facts become absent (intent.score falls back to the "
                    + "configured or bundled model).")
    static final class Withdraw implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "model name: clv or intent")
        String name;

        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            ModelTopic topic = modelTopic(config.load());
            if (!topic.current().containsKey(name)) {
                spec.commandLine().getErr().println("No published model named '" + name + "'.");
                return 1;
            }
            topic.withdraw(name);
            spec.commandLine().getOut().println("Withdrew " + name + ".");
            return 0;
        }
    }
}
