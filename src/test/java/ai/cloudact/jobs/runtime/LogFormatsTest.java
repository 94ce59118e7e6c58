package ai.cloudact.jobs.runtime;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The log lines as Cloud Logging and an operator read them: one JSON object per line whatever the
 * message holds, Cloud Logging's severities, the run's labels and trace on every line; short text
 * lines with SLF4J's level names; and the levels that LogSetup gives the jobs, the libraries and the
 * summary.
 */
class LogFormatsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static LogRecord record(Level level, String message, Throwable thrown) {
        LogRecord record = new LogRecord(level, message);
        record.setLoggerName("ai.cloudact.jobs.runner");
        record.setInstant(Instant.parse("2026-11-29T01:02:03.456Z"));
        record.setSourceClassName("ai.cloudact.jobs.runtime.OneShot");
        record.setSourceMethodName("run");
        record.setThrown(thrown);
        return record;
    }

    private static JsonLogFormat jsonFormat() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("job", "quota-reset");
        labels.put("execution", "exec-\"1\"");
        return new JsonLogFormat(labels, "projects/p/traces/abc");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"SEVERE, ERROR", "WARNING, WARNING", "INFO, INFO", "CONFIG, DEBUG", "FINE, DEBUG", "FINEST, DEBUG"})
    void jsonLinesCarryCloudLoggingSeverities(String level, String severity) throws Exception {
        JsonNode entry = JSON.readTree(jsonFormat().format(record(Level.parse(level), "m", null)));
        assertThat(entry.path("severity").asText()).isEqualTo(severity);
    }

    @Test
    void aJsonLineIsOneObjectWhateverTheMessageHolds() throws Exception {
        String hostile = "quote \" backslash \\ slash / newline \n tab \t nul \u0000 bell \u0007 line sep \u2028 emoji \ud83d\ude00 é";
        String line = jsonFormat().format(record(Level.INFO, hostile, null));

        assertThat(line).endsWith("}\n");
        assertThat(line.substring(0, line.length() - 1)).doesNotContain("\n", "\r", "\u0000");
        JsonNode entry = JSON.readTree(line);
        assertThat(entry.path("message").asText()).isEqualTo(hostile);
        assertThat(Instant.ofEpochSecond(entry.path("timestampSeconds").asLong(), entry.path("timestampNanos").asLong()))
                .isEqualTo(Instant.parse("2026-11-29T01:02:03.456Z"));
        assertThat(entry.path("logging.googleapis.com/labels").path("job").asText()).isEqualTo("quota-reset");
        assertThat(entry.path("logging.googleapis.com/labels").path("execution").asText()).isEqualTo("exec-\"1\"");
        assertThat(entry.path("logging.googleapis.com/trace").asText()).isEqualTo("projects/p/traces/abc");
        assertThat(entry.path("logging.googleapis.com/sourceLocation").path("function").asText())
                .isEqualTo("ai.cloudact.jobs.runtime.OneShot.run");
        assertThat(entry.path("thread").asText()).isEqualTo(Thread.currentThread().getName());
        assertThat(entry.path("logger").asText()).isEqualTo("ai.cloudact.jobs.runner");
        assertThat(entry.has("exception")).as("no exception field without one").isFalse();
    }

    @Test
    void aLoggedExceptionIsOneFieldOfTheSameLine() throws Exception {
        String line = jsonFormat().format(record(Level.FINE, "failed", new IllegalStateException("boom\nsecond line")));

        assertThat(line.lines()).hasSize(1);
        assertThat(JSON.readTree(line).path("exception").asText()).startsWith("java.lang.IllegalStateException: boom\nsecond line")
                .contains("\tat ai.cloudact.jobs.runtime.LogFormatsTest");
    }

    @Test
    void textLinesUseSlf4jLevelNamesAndTheLoggersLastName() {
        String line = new TextLogFormat(false).format(record(Level.WARNING, "careful", null));

        assertThat(line).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  \\[runner\\] careful\n");
        assertThat(new TextLogFormat(false).format(record(Level.FINE, "d", null))).contains(" DEBUG [runner] d");
        assertThat(new TextLogFormat(false).format(record(Level.FINEST, "t", null))).contains(" TRACE [runner] t");
        assertThat(new TextLogFormat(false).format(record(Level.SEVERE, "e", new RuntimeException("why"))))
                .contains(" ERROR [runner] e\njava.lang.RuntimeException: why\n");
    }

    @Test
    void textIsColouredOnlyWhenAsked() {
        assertThat(new TextLogFormat(true).format(record(Level.SEVERE, "e", null))).contains("\u001b[1;31mERROR\u001b[m");
        assertThat(new TextLogFormat(false).format(record(Level.SEVERE, "e", null))).doesNotContain("\u001b");
    }

    /**
     * LogSetup itself, on this JVM's java.util.logging: every line on the current System.out in the
     * chosen format; the jobs at LOG_LEVEL, libraries at WARN even at DEBUG, the summary at every level.
     */
    @Test
    void setupSendsEveryLoggerToStdoutAtItsLevel() throws Exception {
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        // the test JVM's own logging file would keep its levels (LogSetup honours one)
        String testConfig = System.clearProperty("java.util.logging.config.file");
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            LogSetup.prepare(Map.of("CLOUD_RUN_JOB", "j", "CLOUD_RUN_EXECUTION", "e-7"), "quota-reset", "test", "proj", "DEBUG", null);
            LoggerFactory.getLogger("ai.cloudact.jobs.probe").debug("job debug {}", 1);
            LoggerFactory.getLogger("org.apache.camel.probe").info("camel info");
            LoggerFactory.getLogger("org.apache.hc.client5.http.headers").debug("Authorization: secret");
            LoggerFactory.getLogger("com.google.auth").warn("google warn");
            Logger.getLogger("io.grpc.probe").info("grpc info through java.util.logging");

            LogSetup.prepare(Map.of(), "quota-reset", "local", null, "OFF", "text");
            LoggerFactory.getLogger("ai.cloudact.jobs.probe").error("job error at OFF");
            LoggerFactory.getLogger("summary").info("SUMMARY job=quota-reset outcome=SUCCESS");
        } finally {
            System.setOut(stdout);
            if (testConfig != null) {
                System.setProperty("java.util.logging.config.file", testConfig);
            }
            LogManager.getLogManager().readConfiguration();
        }
        String[] lines = captured.toString(StandardCharsets.UTF_8).split("\n");

        assertThat(lines).hasSize(3);
        JsonNode first = JSON.readTree(lines[0]);
        assertThat(first.path("message").asText()).isEqualTo("job debug 1");
        assertThat(first.path("severity").asText()).isEqualTo("DEBUG");
        assertThat(first.path("logging.googleapis.com/labels").path("execution").asText()).isEqualTo("e-7");
        assertThat(first.path("logging.googleapis.com/trace").asText()).matches("projects/proj/traces/[0-9a-f]{32}");
        assertThat(JSON.readTree(lines[1]).path("message").asText()).isEqualTo("google warn");
        assertThat(lines[2]).contains(" INFO  [summary] SUMMARY job=quota-reset outcome=SUCCESS");
    }
}
