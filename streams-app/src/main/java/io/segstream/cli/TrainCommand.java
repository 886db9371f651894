package io.segstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.segstream.avro.Model;
import io.segstream.avro.Order;
import io.segstream.config.SegStreamConfig;
import io.segstream.facts.Rfm;
import io.segstream.features.FeatureSettings;
import io.segstream.replay.ExportReader;
import io.segstream.replay.ReplayFormat;
import io.segstream.scoring.CustomerLifetimeTraining;
import io.segstream.scoring.IntentModel;
import io.segstream.scoring.IntentTraining;
import io.segstream.scoring.ModelFiles;
import io.segstream.topology.SegStreamTopology;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code segstream models train clv|intent}: fitting the models on an export, offline, or (clv) on the
 * customers a running pipeline holds; each writes a model file for {@code models apply}.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Fit a model on an export, offline, or (clv) on a running pipeline's customers.",
        subcommands = {TrainCommand.TrainClv.class, TrainCommand.TrainIntent.class})
final class TrainCommand {

    @Command(name = "clv", mixinStandardHelpOptions = true,
            description = "Fit the clv model (BG/NBD + Gamma-Gamma) by maximum likelihood, on the orders of an export "
                    + "(folded per customer as the pipeline folds them) or on every customer a running pipeline holds "
                    + "(--from-api); write it as a model file for 'models apply'. With an export and --holdout-until, "
                    + "report how its predictions of the purchases from --until to then compare with what customers did, "
                    + "and with keeping each customer's rate.")
    static final class TrainClv implements Callable<Integer> {
        @Option(names = "--format", description = "export format: online-retail")
        String format;

        @Parameters(paramLabel = "FILE", arity = "0..1", description = "the export (.csv or .csv.gz)")
        Path file;

        @Option(names = "--from-api", paramLabel = "URL", description = "fit on the live state instead: the HTTP API of "
                + "any instance, e.g. http://127.0.0.1:7070 (it gathers every instance's customers)")
        String api;

        @Option(names = "--token", description = "bearer token of role admin for --from-api (else SEGSTREAM_API_TOKEN)")
        String token;

        @Option(names = "--until", description = "fit on orders before this time (ISO date or instant, UTC); "
                + "default: every order, histories as of the last one")
        String until;

        @Option(names = "--holdout-until", description = "count purchases from --until to this time and compare the "
                + "predictions with them")
        String holdoutUntil;

        @Option(names = "--time-unit-days", defaultValue = "7", description = "time unit of the parameters, in days "
                + "(default ${DEFAULT-VALUE}); the facts are the same whatever the unit")
        double timeUnitDays;

        @Option(names = "--version", description = "version label of the model (default clv-DATE of the data's end)")
        String version;

        @Option(names = "--out", defaultValue = "clv-model.json", description = "model file to write (default ${DEFAULT-VALUE})")
        Path modelFile;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            CustomerLifetimeTraining.Result result;
            if (api != null) {
                if (file != null || format != null || until != null || holdoutUntil != null) {
                    spec.commandLine().getErr().println("--from-api fits on the live state: give no FILE, --format, "
                            + "--until or --holdout-until with it");
                    return 2;
                }
                result = fromApi();
            } else {
                if (file == null || format == null) {
                    spec.commandLine().getErr().println("give an export (--format online-retail FILE) or --from-api URL");
                    return 2;
                }
                ReplayFormat exportFormat = ReplayFormat.parse(format);
                if (exportFormat != ReplayFormat.ONLINE_RETAIL) {
                    spec.commandLine().getErr().println("--format " + format + " has no orders to fit on; use online-retail");
                    return 2;
                }
                result = fromExport(exportFormat);
            }
            ModelFiles.write(result.model(), modelFile);
            out.printf("Fitted %s on %d orders of %d customers (%d with repeat purchases for spend):%n",
                    result.model().getVersion(), result.orders(), result.customers(), result.spendCustomers());
            new TreeMap<>(result.model().getParameters()).forEach((name, value) ->
                    out.printf("  %-13s %.6g%n", name, value));
            if (result.holdout() != null) {
                CustomerLifetimeTraining.Holdout holdout = result.holdout();
                out.printf("Holdout %s to %s: %d customers made %d purchases.%n", holdout.from(), holdout.until(),
                        holdout.customers(), holdout.actualPurchases());
                out.printf("  %-30s %12s %10s%n", "predictor", "MAE/customer", "total");
                holdout.scores().forEach(score -> out.printf("  %-30s %12.3f %10.0f%n", score.predictor(),
                        score.meanAbsoluteError(), score.total()));
            }
            out.println("Wrote " + modelFile + "; publish it with: segstream models apply " + modelFile + " --config F");
            return 0;
        }

        private CustomerLifetimeTraining.Result fromExport(ReplayFormat exportFormat) throws IOException {
            Instant fitUntil = until == null ? null : instant(until, "--until");
            CustomerLifetimeTraining training = new CustomerLifetimeTraining(fitUntil,
                    holdoutUntil == null ? null : instant(holdoutUntil, "--holdout-until"));
            ExportReader reader = new ExportReader(exportFormat);
            reader.read(file, record -> {
                if (record instanceof Order order) {
                    training.add(order);
                }
            });
            String label = version != null ? version
                    : "clv-" + (fitUntil == null ? LocalDate.now(ZoneOffset.UTC) : fitUntil.toString()
                            .substring(0, 10));
            Map<String, String> provenance = Map.of("data", file.getFileName().toString(),
                    "format", exportFormat.name().toLowerCase(Locale.ROOT).replace('_', '-'),
                    "rowsRead", Long.toString(reader.summary().rows()));
            return training.fit(label, timeUnitDays, provenance);
        }

        /** Fits on every customer the pipeline holds, gathered by one instance's API from all of them. */
        private CustomerLifetimeTraining.Result fromApi() throws Exception {
            JsonNode body = new ApiClient(api, token).get("/api/v1/customers/histories", Duration.ofMinutes(5));
            int answered = body.path("instances").asInt();
            int expected = body.path("expectedInstances").asInt();
            if (answered < expected) {
                throw new IllegalStateException("only " + answered + " of " + expected + " instances answered; fitting on "
                        + "part of the customers would bias the model, retry when every instance is up");
            }
            Instant asOf = Instant.parse(body.path("asOf").asText());
            List<Rfm> customers = new ArrayList<>();
            for (JsonNode customer : body.path("customers")) {
                long purchases = customer.get(0).asLong();
                BigDecimal monetary = customer.get(3).decimalValue();
                customers.add(new Rfm(purchases, monetary,
                        Rfm.averageOrderValue(monetary, purchases),
                        Instant.ofEpochMilli(customer.get(1).asLong()), Instant.ofEpochMilli(customer.get(2).asLong()),
                        null, 0, BigDecimal.ZERO, 0, 0, BigDecimal.ZERO, null));
            }
            String label = version != null ? version : "clv-" + asOf.toString().substring(0, 10);
            return CustomerLifetimeTraining.fitCustomers(customers, asOf, label, timeUnitDays,
                    Map.of("data", "live state via " + api, "instances", Integer.toString(answered)));
        }
    }

    @Command(name = "intent", mixinStandardHelpOptions = true,
            description = "Fit the intent model (logistic regression, Tribuo) on a clickstream export replayed through "
                    + "the pipeline's feature code: each click's facts are a row, labelled by whether the session goes on "
                    + "to a purchase; fitted on the earlier clicks, measured on the later ones against the model in use "
                    + "(intent.model.path or the bundled prior). Writes a model file for 'models apply'.")
    static final class TrainIntent implements Callable<Integer> {
        @Option(names = "--format", required = true, description = "export format: rees46")
        String format;

        @Parameters(paramLabel = "FILE", description = "the export (.csv or .csv.gz)")
        Path file;

        @Option(names = "--train-fraction", defaultValue = "0.7",
                description = "share of the clicks, earliest first, to fit on (default ${DEFAULT-VALUE}); the rest measure it")
        double trainFraction;

        @Option(names = "--features", split = ",", description = "facts to fit on (numeric or boolean; default: "
                + "cart.items, cart.lines, cart.value, cart.checkoutStarted, dwell.sessionActive, dwell.sessionPages, "
                + "dwell.sessionDwellMs, dwell.sessions, interest.totalViews, interest.topCategoryViews, rfm.frequency, "
                + "rfm.monetary)")
        List<String> features = IntentTraining.DEFAULT_FEATURES;

        @Option(names = "--seed", defaultValue = "1", description = "seed of the optimiser's shuffling (default ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--version", description = "version label of the model (default intent-DATE of today)")
        String version;

        @Option(names = "--out", defaultValue = "intent-model.json", description = "model file to write (default ${DEFAULT-VALUE})")
        Path modelFile;

        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            ReplayFormat exportFormat = ReplayFormat.parse(format);
            if (exportFormat != ReplayFormat.REES46) {
                spec.commandLine().getErr().println("--format " + format + " has no clickstream to fit on; use rees46");
                return 2;
            }
            if (!(trainFraction > 0 && trainFraction < 1)) {
                spec.commandLine().getErr().println("--train-fraction must be between 0 and 1, not " + trainFraction);
                return 2;
            }
            // Training talks to no cluster: the session gap and windows come from --config when given, else defaults.
            SegStreamConfig settings = config.file == null
                    ? SegStreamConfig.of(Map.of(SegStreamConfig.BOOTSTRAP_SERVERS, "unused:9092")) : config.load();
            IntentModel prior = SegStreamTopology.intentModel(settings);
            IntentTraining training;
            try {
                training = new IntentTraining(FeatureSettings.from(settings), features, prior);
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("--features: " + e.getMessage());
                return 2;
            }
            ExportReader reader = new ExportReader(exportFormat);
            reader.read(file, training::add);
            String label = version != null ? version : "intent-" + LocalDate.now(ZoneOffset.UTC);
            Map<String, String> provenance = Map.of("data", file.getFileName().toString(), "format", "rees46",
                    "rowsRead", Long.toString(reader.summary().rows()));
            IntentTraining.Result result = training.fit(label, trainFraction, seed, provenance);
            ModelFiles.write(result.model(), modelFile);
            out.printf("Fitted %s on %d of %d clicks (%d in sessions that go on to a purchase); tested on the %d from %s "
                    + "(%d positive).%n", label, result.trainRows(), result.rows(), result.positiveTrainRows(),
                    result.testRows(), result.splitAt(), result.positiveTestRows());
            out.printf("  %-28s %8s %9s%n", "model", "ROC AUC", "log loss");
            out.printf("  %-28s %8.4f %9.4f%n", label, result.fitted().rocAuc(), result.fitted().logLoss());
            out.printf("  %-28s %8.4f %9.4f%n", prior.version() + " (in use)", result.prior().rocAuc(),
                    result.prior().logLoss());
            result.model().getFeatures().forEach(feature -> out.printf("  %-28s weight %+.4f (mean %.4g, scale %.4g)%n",
                    feature.getFact(), feature.getWeight(), feature.getMean(), feature.getScale()));
            out.printf("  %-28s %+.4f%n", "bias", result.model().getParameters().get(IntentModel.BIAS));
            out.println("Wrote " + modelFile + "; publish it with: segstream models apply " + modelFile + " --config F");
            return 0;
        }
    }

    /** An ISO date (midnight UTC) or instant given to {@code option}. */
    static Instant instant(String value, String option) {
        try {
            return value.length() == 10 ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(new TrainCommand()),
                    option + " takes an ISO date (2011-09-01) or instant (2011-09-01T00:00:00Z), not '" + value + "'");
        }
    }
}
