package ai.cloudact.jobs.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * The overlap lease: at most one live run holds {@code (pack, job, shard)} at a time. A row per key
 * names its holder and when the lease expires; the holder renews it while it runs and deletes it at
 * its end. A holder that died stops renewing, so its lease expires by itself and the next run takes
 * it over. Taking it is one transaction that locks the key's row (SELECT ... FOR UPDATE), so of two
 * runs that try at the same moment exactly one gets it, on PostgreSQL and H2 alike.
 *
 * <p>Times come from the runs' clocks, which on Cloud Run and Kubernetes are kept in sync to well
 * under a second, a small fraction of any sensible LEASE_TTL.
 */
public final class Lease {

    /** Whole-job leases have this shard. */
    public static final String WHOLE_JOB = "-";

    private Lease() {
    }

    /** What the lease is on. */
    public record Key(String pack, String job, String shard) {
        public Key {
            shard = shard == null ? WHOLE_JOB : shard;
        }
    }

    /**
     * Who holds (or held) a lease.
     *
     * @param runId     the holder's run
     * @param host      the machine or container
     * @param execution the Cloud Run execution and task, the pod, or the process id
     * @param since     when its run started
     * @param until     when its lease expires unless renewed
     */
    public record Holder(String runId, String host, String execution, Instant since, Instant until) {

        /** "execution on host", as log lines and the skip reason name the holder. */
        public String owner() {
            return execution + " on " + host;
        }
    }

    /**
     * The outcome of an attempt to take the lease.
     *
     * @param taken          whether this run holds it now
     * @param holder         when not taken: who holds it; when taken over: the run that held it
     * @param earlierAttempt taken over from a live lease of an earlier attempt of the same run
     * @param sameRun        not taken: the live holder is the same run
     * @param doneBy         not taken: the same run already succeeded, in this run (id); else null
     */
    public record Attempt(boolean taken, Optional<Holder> holder, boolean earlierAttempt, boolean sameRun, String doneBy) {

        public Attempt(boolean taken, Optional<Holder> holder) {
            this(taken, holder, false, false, null);
        }
    }

    /**
     * A run that may be a platform's retry of the same run, whose earlier attempt may have left its
     * lease held.
     *
     * @param runKey        the run's key, as the history stores it
     * @param earlierExited the platform starts a retry only once the earlier attempt has exited (Cloud
     *                      Run): the same run's live lease is that dead attempt's, taken over at once.
     *                      Otherwise (a pod of a Kubernetes Job, which may, rarely, run two pods of one
     *                      Job at once) the same run's live lease is never taken over, only its expiry,
     *                      and nothing is taken once the same run has succeeded.
     */
    public record SameRun(String runKey, boolean earlierExited) {
    }

    /** Takes the lease for {@code me} until {@code me.until()} unless a live holder has it. */
    static Attempt acquire(Connection connection, Key key, Holder me, Instant now) throws SQLException {
        return acquire(connection, key, me, null, now);
    }

    /**
     * Takes the lease for {@code me} until {@code me.until()} unless a live holder has it. With
     * {@code sameRun}, a live holder of the same run (its key from the history) is an earlier attempt of
     * this very run: Cloud Run retrying a task whose container died (taken over at once), or a pod of
     * the same Kubernetes Job (refused, {@link Attempt#sameRun()}: the caller waits for the lease).
     */
    static Attempt acquire(Connection connection, Key key, Holder me, SameRun sameRun, Instant now) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            Optional<Holder> current = lockHolder(connection, key);
            boolean live = current.isPresent() && current.get().until().isAfter(now);
            // a twin pod whose run another pod has done meanwhile (its end wrote the history, then freed the lease)
            String done = !live && sameRun != null && !sameRun.earlierExited() ? succeeded(connection, sameRun.runKey()) : null;
            Attempt attempt;
            if (live) {
                Holder holder = current.get();
                boolean same = sameRun != null && !holder.runId().equals(me.runId())
                        && sameRun.runKey().equals(runKeyOf(connection, holder.runId()));
                if (same && sameRun.earlierExited()) {
                    update(connection, key, me);
                    attempt = new Attempt(true, current, true, false, null);
                } else {
                    attempt = new Attempt(false, current, false, same, null);
                }
            } else if (done != null) {
                attempt = new Attempt(false, Optional.empty(), false, false, done);
            } else if (current.isPresent()) {
                update(connection, key, me);
                attempt = new Attempt(true, current);
            } else {
                try {
                    insert(connection, key, me);
                    attempt = new Attempt(true, Optional.empty());
                } catch (SQLException e) {
                    if (!Sql.isDuplicateKey(e)) {
                        throw e;
                    }
                    // another run inserted it between our look and our insert: it holds the lease
                    connection.rollback();
                    attempt = new Attempt(false, lockHolder(connection, key));
                }
            }
            connection.commit();
            return attempt;
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /** Extends this run's lease; false when it is no longer this run's (it expired and another run took it). */
    static boolean renew(Connection connection, Key key, String runId, Instant until) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE run_lease SET expires_at = ? WHERE pack = ? AND job = ? AND shard = ? AND run_id = ?")) {
            update.setQueryTimeout(Sql.QUERY_TIMEOUT_SECONDS);
            Sql.setTime(update, 1, until);
            setKey(update, 2, key);
            update.setString(5, runId);
            return update.executeUpdate() == 1;
        }
    }

    /** Gives the lease up, if this run still holds it. */
    static void release(Connection connection, Key key, String runId) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement(
                "DELETE FROM run_lease WHERE pack = ? AND job = ? AND shard = ? AND run_id = ?")) {
            delete.setQueryTimeout(Sql.QUERY_TIMEOUT_SECONDS);
            setKey(delete, 1, key);
            delete.setString(4, runId);
            delete.executeUpdate();
        }
    }

    /** Who holds the key now (expired or not), without locking. */
    static Optional<Holder> holder(Connection connection, Key key) throws SQLException {
        return select(connection, key, "");
    }

    /** Leases that expired before {@code before}: their holders are long gone. */
    static int deleteExpired(Connection connection, Instant before) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM run_lease WHERE expires_at < ?")) {
            delete.setQueryTimeout(Sql.QUERY_TIMEOUT_SECONDS);
            Sql.setTime(delete, 1, before);
            return delete.executeUpdate();
        }
    }

    /** A run of this run key that ended in SUCCESS (its id), or null. */
    private static String succeeded(Connection connection, String runKey) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT run_id FROM run_history WHERE run_key = ? AND outcome = 'SUCCESS' AND ended_at IS NOT NULL")) {
            query.setQueryTimeout(Sql.QUERY_TIMEOUT_SECONDS);
            query.setMaxRows(1);
            query.setString(1, runKey);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
    }

    /** The run key of a run in the history (as stored: cut to the column's size), or null. */
    private static String runKeyOf(Connection connection, String runId) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT run_key FROM run_history WHERE run_id = ?")) {
            query.setQueryTimeout(Sql.QUERY_TIMEOUT_SECONDS);
            query.setString(1, runId);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
    }

    private static Optional<Holder> lockHolder(Connection connection, Key key) throws SQLException {
        return select(connection, key, " FOR UPDATE");
    }

    private static Optional<Holder> select(Connection connection, Key key, String lock) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT run_id, host, execution, since, expires_at"
                + " FROM run_lease WHERE pack = ? AND job = ? AND shard = ?" + lock)) {
            query.setQueryTimeout(Sql.QUERY_TIMEOUT_SECONDS);
            setKey(query, 1, key);
            try (ResultSet rows = query.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Holder(rows.getString("run_id"), rows.getString("host"), rows.getString("execution"),
                        Sql.time(rows, "since"), Sql.time(rows, "expires_at")));
            }
        }
    }

    private static void insert(Connection connection, Key key, Holder me) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO run_lease"
                + " (pack, job, shard, run_id, host, execution, since, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setQueryTimeout(Sql.QUERY_TIMEOUT_SECONDS);
            setKey(insert, 1, key);
            setHolder(insert, 4, me);
            insert.executeUpdate();
        }
    }

    private static void update(Connection connection, Key key, Holder me) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE run_lease"
                + " SET run_id = ?, host = ?, execution = ?, since = ?, expires_at = ? WHERE pack = ? AND job = ? AND shard = ?")) {
            update.setQueryTimeout(Sql.QUERY_TIMEOUT_SECONDS);
            setHolder(update, 1, me);
            setKey(update, 6, key);
            update.executeUpdate();
        }
    }

    private static void setKey(PreparedStatement statement, int from, Key key) throws SQLException {
        statement.setString(from, key.pack());
        statement.setString(from + 1, key.job());
        statement.setString(from + 2, key.shard());
    }

    private static void setHolder(PreparedStatement statement, int from, Holder holder) throws SQLException {
        statement.setString(from, holder.runId());
        statement.setString(from + 1, Sql.fit(holder.host(), 255));
        statement.setString(from + 2, Sql.fit(holder.execution(), 255));
        Sql.setTime(statement, from + 3, holder.since());
        Sql.setTime(statement, from + 4, holder.until());
    }
}
