package io.segstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.avro.Model;
import io.segstream.scoring.ModelFiles;
import io.segstream.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelsCommandTest {

    /** Invoice lines as the online-retail export has them: an invoice may span lines, a C-invoice cancels. */
    private static final String EXPORT = """
            InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
            100,A1,"MUG, RED",2,2011-01-01 10:00:00,5.00,17850.0,United Kingdom
            100,A2,PLATE,1,2011-01-01 10:00:00,2.50,17850.0,United Kingdom
            101,A1,"MUG, RED",4,2011-02-20 09:00:00,5.00,17850.0,United Kingdom
            C102,A1,"MUG, RED",-1,2011-03-01 09:00:00,5.00,17850.0,United Kingdom
            200,B1,LAMP,1,2011-01-21 12:00:00,20.00,13047.0,United Kingdom
            201,B1,LAMP,1,2011-03-22 12:00:00,20.00,13047.0,United Kingdom
            202,B1,LAMP,1,2011-04-01 12:00:00,20.00,13047.0,United Kingdom
            300,C1,CARD,5,2011-04-10 12:00:00,1.00,12583.0,France
            103,A1,"MUG, RED",1,2011-04-21 10:00:00,5.00,17850.0,United Kingdom
            301,C1,CARD,5,2011-05-21 12:00:00,1.00,12583.0,France
            """;

    @Test
    void trainClvFitsAnExportAndWritesAModelFileThatApplyAccepts(@TempDir Path dir) throws Exception {
        Path export = Files.writeString(dir.resolve("retail.csv"), EXPORT);
        Path model = dir.resolve("clv.json");

        String printed = Cli.run("models", "train", "clv", "--format", "online-retail", export.toString(),
                "--until", "2011-04-11", "--holdout-until", "2011-05-31", "--time-unit-days", "1",
                "--version", "retail-test", "--out", model.toString());

        assertThat(printed).startsWith("Fitted retail-test on 7 orders of 3 customers (2 with repeat purchases for spend):")
                .contains("Holdout 2011-04-11T00:00:00Z to 2011-05-31T00:00:00Z: 3 customers made 2 purchases.",
                        "Wrote " + model + "; publish it with: segstream models apply " + model + " --config F");
        Model written = ModelFiles.read(model);
        assertThat(written.getVersion()).isEqualTo("retail-test");
        assertThat(written.getProvenance()).containsEntry("data", "retail.csv").containsEntry("format", "online-retail")
                .containsEntry("rowsRead", "10").containsEntry("orders", "7");
    }

    @Test
    void trainIntentFitsAClickstreamExportAndWritesAModelFile(@TempDir Path dir) throws Exception {
        StringBuilder export = new StringBuilder("event_time,event_type,product_id,category_id,category_code,brand,price,"
                + "user_id,user_session\n");
        for (int s = 0; s < 40; s++) {
            String time = "2019-10-01 %02d:%02d:%02d UTC";
            int minute = s * 3;
            for (int v = 0; v < 3; v++) {
                export.append(time.formatted(minute / 60, minute % 60, v * 10)).append(",view,44600062,2103807459595387724,,"
                        + "shiseido,35.79,").append(1000 + s % 10).append(",session-").append(s).append('\n');
            }
            if (s % 4 == 0) {
                export.append(time.formatted(minute / 60, minute % 60, 40)).append(",cart,44600062,2103807459595387724,,"
                        + "shiseido,35.79,").append(1000 + s % 10).append(",session-").append(s).append('\n');
                export.append(time.formatted(minute / 60, minute % 60, 50)).append(",purchase,44600062,"
                        + "2103807459595387724,,shiseido,35.79,").append(1000 + s % 10).append(",session-").append(s)
                        .append('\n');
            }
        }
        Path file = Files.writeString(dir.resolve("events.csv"), export);
        Path model = dir.resolve("intent.json");

        // Sessions 0-29 (90 views, 8 carts) come before the 75% quantile, 01:30; sessions 30-39 (30 views, 2 carts) after.
        String printed = Cli.run("models", "train", "intent", "--format", "rees46", file.toString(), "--version",
                "intent-test", "--train-fraction", "0.75", "--out", model.toString());

        assertThat(printed).startsWith("Fitted intent-test on 98 of 130 clicks (32 in sessions that go on to a purchase); "
                + "tested on the 32 from 2019-10-01T01:30:00Z (8 positive).");
        assertThat(printed).contains("default-2026-11-v1 (in use)", "Wrote " + model);
        Model written = ModelFiles.read(model);
        assertThat(written.getName()).isEqualTo("intent");
        assertThat(written.getProvenance()).containsEntry("data", "events.csv").containsEntry("rows", "130");
    }

    @Test
    void trainSaysWhatItNeedsWhenGivenTheWrongInputs(@TempDir Path dir) throws Exception {
        Path export = Files.writeString(dir.resolve("retail.csv"), EXPORT);

        assertThat(Cli.runFailing(2, "models", "train", "clv"))
                .isEqualTo("give an export (--format online-retail FILE) or --from-api URL");
        assertThat(Cli.runFailing(2, "models", "train", "clv", "--from-api", "http://127.0.0.1:1", "--format",
                "online-retail", export.toString()))
                .isEqualTo("--from-api fits on the live state: give no FILE, --format, --until or --holdout-until with it");
        assertThat(Cli.runFailing(2, "models", "train", "clv", "--format", "rees46", export.toString()))
                .isEqualTo("--format rees46 has no orders to fit on; use online-retail");
        assertThat(Cli.runFailing(2, "models", "train", "intent", "--format", "rees46", export.toString(),
                "--features", "cart.items,clv.pAlive"))
                .startsWith("--features: ").contains("feature 'clv.pAlive' is predicted by model clv");
    }
}
