package ai.cloudact.jobs.serve;

import ai.cloudact.jobs.run.ConfigurationException;
import ai.cloudact.jobs.runtime.Settings;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;

/**
 * The service's connection pool for Quartz's clustered job store and the firing ledger on the
 * run-state database (STATE_DB_URL, PostgreSQL). Lease and history use the run state store's own
 * small pool ({@link ai.cloudact.jobs.state.StateStore}) on the same database: the two are sized for
 * different work (Quartz: a connection per trigger thread), and either may fail without the other.
 */
final class StateDataSource {

    private StateDataSource() {
    }

    /** Whether STATE_DB_URL names a PostgreSQL database, the one the service clusters on. */
    static boolean isPostgres(String url) {
        return url != null && url.startsWith("jdbc:postgresql:");
    }

    /**
     * A pool on STATE_DB_URL, or null when it is unset or not PostgreSQL. Fails at once (no retry loop
     * at start) when the database cannot be reached, with the driver's reason.
     *
     * @param size the most connections at once: Quartz's threads, its own housekeeping and the ledger
     */
    static HikariDataSource open(Settings settings, int size) {
        settings.check(Settings.STATE);
        String url = settings.value(Settings.STATE_DB_URL);
        if (!isPostgres(url)) {
            return null;
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("state");
        config.setJdbcUrl(url);
        config.setUsername(settings.value(Settings.STATE_DB_USER));
        config.setPassword(settings.value(Settings.STATE_DB_PASSWORD));
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(1);
        // short waits: a readiness probe must answer while the database is away, and a firing fails fast
        config.setConnectionTimeout(3000);
        config.setValidationTimeout(1000);
        config.setInitializationFailTimeout(1);
        try {
            return new HikariDataSource(config);
        } catch (HikariPool.PoolInitializationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new StateUnreachable("the run-state database (STATE_DB_URL=" + Settings.mask(url) + ") cannot be reached: "
                    + cause.getMessage(), e);
        } catch (RuntimeException e) {
            throw new ConfigurationException("STATE_DB_URL=" + Settings.mask(url) + ": " + e.getMessage(), e);
        }
    }

    /** The database is configured but away: a transient failure (exit 1), not a configuration error. */
    static final class StateUnreachable extends RuntimeException {
        StateUnreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
