package ai.cloudact.jobs.state;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;

/**
 * Keeps the store small: history rows older than HISTORY_RETENTION go, and so do leases that
 * expired that long ago (jobs that no longer run). Done by the runtime at the end of a run, at most
 * once per {@link #EVERY} in a process that runs many.
 */
final class Pruning {

    static final Duration EVERY = Duration.ofHours(1);

    private Pruning() {
    }

    /** Deletes what is older than {@code retention}; how many history rows went. */
    static int prune(Connection connection, Duration retention, Instant now) throws SQLException {
        Instant before = now.minus(retention);
        int rows = History.deleteStartedBefore(connection, before);
        Lease.deleteExpired(connection, before);
        return rows;
    }
}
