package ai.cloudact.jobs.runtime;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.Map;
import java.util.StringJoiner;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/**
 * One JSON object per line, in the fields Cloud Logging reads from a container's stdout
 * (cloud.google.com/logging/docs/structured-logging): {@code timestampSeconds} and {@code timestampNanos}, {@code severity},
 * {@code message}, {@code logging.googleapis.com/labels} (job, environment, execution, task index,
 * attempt), {@code logging.googleapis.com/trace} (one per process run, so a run's lines group
 * together) and {@code logging.googleapis.com/sourceLocation}; then {@code exception} (a stack trace,
 * only when one was logged), {@code thread} and {@code logger}. Strings are escaped by Jackson's own
 * encoder.
 */
final class JsonLogFormat extends Formatter {

    private static final JsonStringEncoder ENCODER = JsonStringEncoder.getInstance();

    /** The fields that are the same on every line of the run, already written out. */
    private final String runFields;

    JsonLogFormat(Map<String, String> labels, String trace) {
        StringJoiner labelFields = new StringJoiner(",", ",\"logging.googleapis.com/labels\":{", "}");
        labels.forEach((name, value) -> labelFields.add(string(string(new StringBuilder(), name).append(':'), value)));
        StringBuilder fields = new StringBuilder(labelFields.toString()).append(",\"logging.googleapis.com/trace\":");
        this.runFields = string(fields, trace).toString();
    }

    @Override
    public String format(LogRecord record) {
        Instant time = record.getInstant();
        StringBuilder line = new StringBuilder(256).append("{\"timestampSeconds\":").append(time.getEpochSecond())
                .append(",\"timestampNanos\":").append(time.getNano())
                .append(",\"severity\":\"").append(severity(record.getLevel())).append("\",\"message\":");
        string(line, String.valueOf(formatMessage(record))).append(runFields);
        if (record.getSourceClassName() != null) {
            line.append(",\"logging.googleapis.com/sourceLocation\":{\"function\":");
            string(line, record.getSourceClassName() + "." + record.getSourceMethodName()).append('}');
        }
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            string(line.append(",\"exception\":"), trace.toString());
        }
        string(line.append(",\"thread\":"), Thread.currentThread().getName());
        string(line.append(",\"logger\":"), String.valueOf(record.getLoggerName()));
        return line.append("}\n").toString();
    }

    /** Cloud Logging's severity for a java.util.logging level (slf4j-jdk14 maps ERROR to SEVERE, DEBUG to FINE). */
    static String severity(Level level) {
        int value = level.intValue();
        return value >= Level.SEVERE.intValue() ? "ERROR"
                : value >= Level.WARNING.intValue() ? "WARNING"
                : value >= Level.INFO.intValue() ? "INFO"
                : "DEBUG";
    }

    private static StringBuilder string(StringBuilder json, String value) {
        return json.append('"').append(ENCODER.quoteAsString(value)).append('"');
    }
}
