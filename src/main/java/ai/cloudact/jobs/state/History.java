package ai.cloudact.jobs.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ai.cloudact.jobs.run.RunRecord;

/**
 * The execution history: one row per run, whatever its end (success, failure, skipped, terminated,
 * a configuration error once the store was reachable). A run that took its lease writes its row at
 * the start (outcome RUNNING, {@code alive_until} renewed with the lease) and completes it at the
 * end; a run that ends before (skipped, configuration error) writes it complete at once. A row that
 * never got its end and whose {@code alive_until} has passed is a run whose process died: shown as
 * {@value #LOST}.
 */
public final class History {

    public static final String RUNNING = "RUNNING";
    public static final String LOST = "LOST";

    /** run_key's width: a longer key is stored cut (Sql.fit), and compared as stored. */
    static final int RUN_KEY_SIZE = 512;

    private static final Pattern ROWS_DELETED = Pattern.compile("\\brows_deleted=(\\d{1,18})\\b");
    private static final String COLUMNS = "run_id, job, pack, environment, run_key, shard, started_at, ended_at, alive_until,"
            + " outcome, exit_code, attempts, http_status, ok, failed, skipped, rows_deleted, reason, host, execution";

    private History() {
    }

    /**
     * One row, as {@code --history} shows it.
     *
     * @param outcome as stored, except {@value #LOST} for a run without an end whose alive_until has passed
     */
    public record Row(String runId, String job, String pack, String environment, String runKey, String shard, Instant started,
                      Instant ended, Instant aliveUntil, String outcome, Integer exitCode, Integer attempts, Integer httpStatus,
                      Integer ok, Integer failed, Integer skipped, Long rowsDeleted, String reason, String host, String execution) {

        public Duration duration() {
            return ended == null ? null : Duration.between(started, ended);
        }
    }

    /** Where and as what a run runs: the same for each row it writes. */
    record Origin(String host, String execution) {
    }

    /** The start of a run that holds its lease: outcome RUNNING, alive until {@code aliveUntil}. */
    static void start(Connection connection, String runId, String job, String pack, String environment, String runKey, String shard,
                      Instant started, Instant aliveUntil, Origin origin) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO run_history (" + COLUMNS + ")"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setQueryTimeout(Sql.QUERY_TIMEOUT_SECONDS);
            insert.setString(1, runId);
            insert.setString(2, Sql.fit(job, 128));
            insert.setString(3, Sql.fit(pack, 64));
            insert.setString(4, Sql.fit(environment, 32));
            insert.setString(5, Sql.fit(runKey, RUN_KEY_SIZE));
            insert.setString(6, shard);
            Sql.setTime(insert, 7, started);
            Sql.setTime(insert, 8, null);
            Sql.setTime(insert, 9, aliveUntil);
            insert.setString(10, RUNNING);
            for (int i = 11; i <= 17; i++) {
                insert.setNull(i, i == 17 ? Types.BIGINT : Types.INTEGER);
            }
            insert.setString(18, null);
            insert.setString(19, Sql.fit(origin.host(), 255));
            insert.setString(20, Sql.fit(origin.execution(), 255));
            insert.executeUpdate();
        }
    }

    /** The running row is still alive until then (renewed with the lease). */
    static void alive(Connection connection, String runId, Instant aliveUntil) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE run_history SET alive_until = ? WHERE run_id = ? AND ended_at IS NULL")) {
            update.setQueryTimeout(Sql.QUERY_TIMEOUT_SECONDS);
            Sql.setTime(update, 1, aliveUntil);
            update.setString(2, runId);
            update.executeUpdate();
        }
    }

    /** The run's end: completes its row, or writes it whole when the run never started one. */
    static void end(Connection connection, String runId, RunRecord record, Instant ended, Origin origin) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE run_history SET ended_at = ?, alive_until = ?,"
                + " outcome = ?, exit_code = ?, attempts = ?, http_status = ?, ok = ?, failed = ?, skipped = ?, rows_deleted = ?,"
                + " reason = ?, job = ?, run_key = ? WHERE run_id = ?")) {
            update.setQueryTimeout(Sql.QUERY_TIMEOUT_SECONDS);
            Sql.setTime(update, 1, ended);
            Sql.setTime(update, 2, ended);
            setEnd(update, 3, record);
            update.setString(12, Sql.fit(record.job(), 128));
            update.setString(13, Sql.fit(record.runKey(), RUN_KEY_SIZE));
            update.setString(14, runId);
            if (update.executeUpdate() == 1) {
                return;
            }
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO run_history (" + COLUMNS + ")"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setQueryTimeout(Sql.QUERY_TIMEOUT_SECONDS);
            insert.setString(1, runId);
            insert.setString(2, Sql.fit(record.job(), 128));
            insert.setString(3, Sql.fit(record.pack(), 64));
            insert.setString(4, Sql.fit(record.environment(), 32));
            insert.setString(5, Sql.fit(record.runKey(), RUN_KEY_SIZE));
            insert.setString(6, record.shard());
            Sql.setTime(insert, 7, record.started());
            Sql.setTime(insert, 8, ended);
            Sql.setTime(insert, 9, ended);
            setEnd(insert, 10, record);
            insert.setString(19, Sql.fit(origin.host(), 255));
            insert.setString(20, Sql.fit(origin.execution(), 255));
            insert.executeUpdate();
        }
    }

    /** outcome, exit_code, attempts, http_status, ok, failed, skipped, rows_deleted, reason from {@code from} on. */
    private static void setEnd(PreparedStatement statement, int from, RunRecord record) throws SQLException {
        statement.setString(from, record.outcome().name());
        statement.setInt(from + 1, record.exitCode().code);
        statement.setInt(from + 2, record.attempts());
        Sql.setInteger(statement, from + 3, record.httpStatus());
        Sql.setInteger(statement, from + 4, record.fanOut() ? record.ok() : null);
        Sql.setInteger(statement, from + 5, record.fanOut() ? record.failed() : null);
        Sql.setInteger(statement, from + 6, record.fanOut() ? record.skipped() : null);
        Long rowsDeleted = rowsDeleted(record);
        if (rowsDeleted == null) {
            statement.setNull(from + 7, Types.BIGINT);
        } else {
            statement.setLong(from + 7, rowsDeleted);
        }
        statement.setString(from + 8, Sql.fit(record.reason(), 2000));
    }

    /** rows_deleted, from the run's results or what the route added to its summary (quota-cleanup). */
    static Long rowsDeleted(RunRecord record) {
        String value = record.results().get("rows_deleted");
        if (value == null && record.extra() != null) {
            Matcher found = ROWS_DELETED.matcher(record.extra());
            value = found.find() ? found.group(1) : null;
        }
        try {
            return value == null ? null : Long.valueOf(value.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The latest {@code limit} runs, newest first; of one job when {@code job} is not null. */
    static List<Row> latest(Connection connection, String job, int limit, Instant now) throws SQLException {
        String sql = "SELECT " + COLUMNS + " FROM run_history" + (job == null ? "" : " WHERE job = ?")
                + " ORDER BY started_at DESC, run_id DESC";
        try (PreparedStatement query = connection.prepareStatement(sql)) {
            query.setQueryTimeout(Sql.QUERY_TIMEOUT_SECONDS);
            query.setMaxRows(limit);
            if (job != null) {
                query.setString(1, job);
            }
            List<Row> rows = new ArrayList<>();
            try (ResultSet result = query.executeQuery()) {
                while (result.next()) {
                    rows.add(row(result, now));
                }
            }
            return rows;
        }
    }

    /** Rows of runs that started before {@code before}. */
    static int deleteStartedBefore(Connection connection, Instant before) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM run_history WHERE started_at < ?")) {
            delete.setQueryTimeout(Sql.QUERY_TIMEOUT_SECONDS);
            Sql.setTime(delete, 1, before);
            return delete.executeUpdate();
        }
    }

    private static Row row(ResultSet result, Instant now) throws SQLException {
        Instant ended = Sql.time(result, "ended_at");
        Instant aliveUntil = Sql.time(result, "alive_until");
        String outcome = result.getString("outcome");
        if (ended == null && RUNNING.equals(outcome) && aliveUntil.isBefore(now)) {
            outcome = LOST;
        }
        long rowsDeleted = result.getLong("rows_deleted");
        Long deleted = result.wasNull() ? null : rowsDeleted;
        return new Row(result.getString("run_id"), result.getString("job"), result.getString("pack"), result.getString("environment"),
                result.getString("run_key"), result.getString("shard"), Sql.time(result, "started_at"), ended, aliveUntil, outcome,
                Sql.integer(result, "exit_code"), Sql.integer(result, "attempts"), Sql.integer(result, "http_status"),
                Sql.integer(result, "ok"), Sql.integer(result, "failed"), Sql.integer(result, "skipped"), deleted,
                result.getString("reason"), result.getString("host"), result.getString("execution"));
    }
}
