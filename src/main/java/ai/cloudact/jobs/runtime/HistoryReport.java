package ai.cloudact.jobs.runtime;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.cloudact.jobs.run.Summary;
import ai.cloudact.jobs.state.History;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** {@code --history} as text (a table, newest first) or JSON (an array of objects, newest first). */
final class HistoryReport {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
    private static final String ROW = "%-20s %-16s %-5s %-19s %4s %9s  %-30s %s%n";

    private HistoryReport() {
    }

    static String text(List<History.Row> rows) {
        StringBuilder out = new StringBuilder(String.format(ROW, "STARTED", "JOB", "SHARD", "OUTCOME", "EXIT", "DURATION", "DONE",
                "WHERE / REASON"));
        for (History.Row row : rows) {
            out.append(String.format(ROW, TIME.format(row.started()), row.job(), row.shard() == null ? "-" : row.shard(), row.outcome(),
                    row.exitCode() == null ? "-" : row.exitCode(), duration(row.duration()), done(row), row.execution() + " on " + row.host()));
            if (row.reason() != null) {
                out.append(String.format("%-20s reason: %s%n", "", Summary.oneLine(row.reason())));
            }
        }
        return out.toString();
    }

    static String json(List<History.Row> rows) {
        List<Map<String, Object>> objects = new ArrayList<>();
        for (History.Row row : rows) {
            Map<String, Object> object = new LinkedHashMap<>();
            object.put("run_id", row.runId());
            object.put("job", row.job());
            object.put("pack", row.pack());
            object.put("environment", row.environment());
            object.put("idempotency_key", row.runKey());
            object.put("shard", row.shard());
            object.put("started", time(row.started()));
            object.put("ended", time(row.ended()));
            object.put("duration_seconds", row.duration() == null ? null : row.duration().toMillis() / 1000.0);
            object.put("outcome", row.outcome());
            object.put("exit_code", row.exitCode());
            object.put("attempts", row.attempts());
            object.put("http_status", row.httpStatus());
            object.put("ok", row.ok());
            object.put("failed", row.failed());
            object.put("skipped", row.skipped());
            object.put("rows_deleted", row.rowsDeleted());
            object.put("reason", row.reason());
            object.put("host", row.host());
            object.put("execution", row.execution());
            objects.add(object);
        }
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(objects) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String time(Instant time) {
        return time == null ? null : time.toString();
    }

    private static String duration(Duration duration) {
        if (duration == null) {
            return "-";
        }
        long millis = duration.toMillis();
        return millis / 1000 + "." + String.format("%03d", millis % 1000) + "s";
    }

    /** What the run did: counts of a fan-out, rows deleted, HTTP attempts. */
    private static String done(History.Row row) {
        List<String> parts = new ArrayList<>();
        if (row.ok() != null) {
            parts.add("ok=" + row.ok() + " failed=" + row.failed() + " skipped=" + row.skipped());
        }
        if (row.rowsDeleted() != null) {
            parts.add("rows_deleted=" + row.rowsDeleted());
        }
        if (parts.isEmpty() && row.attempts() != null && row.attempts() > 0) {
            parts.add("attempts=" + row.attempts());
        }
        return parts.isEmpty() ? "-" : String.join(" ", parts);
    }
}
