package ai.cloudact.jobs.serve;

import java.util.List;

import ai.cloudact.jobs.run.ConfigurationException;
import ai.cloudact.jobs.runtime.Setting;
import ai.cloudact.jobs.runtime.Settings;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;

/**
 * The service's one connection pool on the run-state database (STATE_DB_URL, PostgreSQL), used by
 * Quartz's job store and the firing ledger. The only place the service opens that database, so that
 * it can take the runtime's shared run-state pool instead once there is one.
 */
final class StateDataSource {

    static final Setting URL = new Setting("STATE_DB_URL", "state.db.url", null, "a jdbc:postgresql://host:port/database URL",
            "the run-state database", false, value -> value.startsWith("jdbc:") ? null : "not a JDBC URL");
    static final Setting USER = new Setting("STATE_DB_USER", "state.db.user", null, "text", "the run-state database's user", false,
            value -> null);
    static final Setting PASSWORD = new Setting("STATE_DB_PASSWORD", null, null, "text (a secret: never printed)",
            "the run-state database's password", true, value -> null);

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
        settings.check(List.of(URL, USER, PASSWORD));
        String url = settings.value(URL);
        if (!isPostgres(url)) {
            return null;
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("state");
        config.setJdbcUrl(url);
        config.setUsername(settings.value(USER));
        config.setPassword(settings.value(PASSWORD));
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
