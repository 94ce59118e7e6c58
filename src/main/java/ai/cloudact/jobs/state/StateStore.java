package ai.cloudact.jobs.state;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

import ai.cloudact.jobs.run.ConfigurationException;
import ai.cloudact.jobs.run.Redaction;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where run state lives: one JDBC connection pool (HikariCP) on the database STATE_DB_URL names
 * (PostgreSQL in deployment), or by default an embedded H2 file database {@code <STATE_DIR>/jobs},
 * so a local run needs nothing installed. The schema is brought up to date when the store opens
 * ({@link Schema}).
 *
 * <p>A configured database that cannot be reached is a configuration error (exit 2) naming the URL
 * with its password masked. The embedded default is a convenience and never the reason a job fails:
 * where it cannot be created (a read-only file system) {@link #openEmbedded} says so once as a WARN
 * and the run goes on without lease and history.
 *
 * <p>Several processes may share the embedded file (two local runs of a job must see each other's
 * lease): H2's automatic mixed mode lets the first one serve the file to the others, on the loopback
 * interface only, with a random key kept in the lock file beside the database.
 */
public final class StateStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("runner");
    /** A pool for one process; several runs of a service share it. */
    private static final int POOL_SIZE = 4;
    private static final long CONNECT_TIMEOUT_MS = 5_000;
    private static final long EMBEDDED_CONNECT_TIMEOUT_MS = 20_000;

    private final HikariDataSource pool;
    private final String shownUrl;
    private final boolean embedded;

    private StateStore(HikariDataSource pool, String shownUrl, boolean embedded) {
        this.pool = pool;
        this.shownUrl = shownUrl;
        this.embedded = embedded;
    }

    /**
     * The database STATE_DB_URL names, its schema up to date; a ConfigurationException (exit 2) that
     * names the URL, password masked, when it cannot be reached, the login fails or it is not a
     * database this store supports.
     */
    public static StateStore openConfigured(String url, String user, String password) {
        JdbcUrls.registerPassword(url);
        Redaction.register(password);
        String shown = masked(url);
        if (!url.startsWith("jdbc:postgresql:") && !url.startsWith("jdbc:h2:")) {
            throw new ConfigurationException("Invalid STATE_DB_URL '" + shown + "': the run state store is PostgreSQL"
                    + " (jdbc:postgresql://host:5432/db) or H2 (jdbc:h2:...)");
        }
        HikariDataSource pool = pool(url, user, password);
        try {
            StateStore store = new StateStore(pool, shown, false);
            store.check();
            return store;
        } catch (SQLException | RuntimeException e) {
            pool.close();
            throw new ConfigurationException("The run state store STATE_DB_URL=" + shown + " cannot be used: "
                    + Redaction.redact(reason(e)) + ". Check the URL, STATE_DB_USER and STATE_DB_PASSWORD, and that"
                    + " the database accepts connections from here.", e);
        }
    }

    /**
     * The embedded default under {@code directory}, its schema up to date; empty (after one WARN line
     * saying why and what is lost) when it cannot be created or opened there.
     */
    public static Optional<StateStore> openEmbedded(Path directory) {
        Path dir = directory.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
            if (!Files.isWritable(dir)) {
                throw new IOException(dir + " is not writable");
            }
        } catch (IOException | SecurityException e) {
            warnWithout(dir, "cannot create " + dir + " (" + oneLine(e) + ")");
            return Optional.empty();
        }
        // the automatic mixed mode's server listens on the loopback interface only
        System.setProperty("h2.bindAddress", "127.0.0.1");
        String url = "jdbc:h2:file:" + dir.resolve("jobs") + ";AUTO_SERVER=TRUE";
        HikariDataSource pool = pool(url, "sa", "");
        // processes that open a new file together wait for each other's file lock: give them time
        pool.setConnectionTimeout(EMBEDDED_CONNECT_TIMEOUT_MS);
        try {
            StateStore store = new StateStore(pool, url, true);
            store.check();
            return Optional.of(store);
        } catch (SQLException | RuntimeException e) {
            pool.close();
            warnWithout(dir, "cannot open " + dir.resolve("jobs") + " (" + reason(e) + ")");
            LOG.debug("Embedded run state store", e);
            return Optional.empty();
        }
    }

    private static void warnWithout(Path dir, String why) {
        LOG.warn("Run state: {}; this run goes on without overlap lease and history. Set STATE_DB_URL (PostgreSQL),"
                + " or STATE_DIR to a writable directory.", why);
    }

    private static HikariDataSource pool(String url, String user, String password) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("run-state");
        config.setJdbcUrl(url);
        if (user != null) {
            config.setUsername(user);
        }
        if (password != null) {
            config.setPassword(password);
        }
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(CONNECT_TIMEOUT_MS);
        config.setValidationTimeout(2_000);
        // no connection at construction: the first getConnection() reports the real cause (check())
        config.setInitializationFailTimeout(-1);
        if (url.startsWith("jdbc:postgresql:")) {
            // bounded, so that a database that stops answering cannot hang a run's end
            config.addDataSourceProperty("connectTimeout", "5");
            config.addDataSourceProperty("socketTimeout", "30");
            config.addDataSourceProperty("ApplicationName", "cloudact-jobs");
        }
        return new HikariDataSource(config);
    }

    /** Connects once and brings the schema up to date. */
    private void check() throws SQLException {
        try (Connection connection = pool.getConnection()) {
            Schema.migrate(connection);
        }
    }

    public Connection connection() throws SQLException {
        return pool.getConnection();
    }

    /** The database as it may be shown: STATE_DB_URL with its password masked, or the embedded file. */
    public String shownUrl() {
        return shownUrl;
    }

    /** The embedded default (a local convenience, never a reason to fail) rather than a configured database. */
    public boolean embedded() {
        return embedded;
    }

    @Override
    public void close() {
        pool.close();
    }

    /** A JDBC URL with its password (a password= parameter or user:password@) masked. */
    public static String masked(String url) {
        return JdbcUrls.masked(url);
    }

    /**
     * What the driver said (connection refused, authentication failed...): the pool's own "connection
     * is not available" says nothing, its cause does.
     */
    static String reason(Throwable e) {
        Throwable cause = e;
        while (cause instanceof java.sql.SQLTransientConnectionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return oneLine(cause);
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.replaceAll("\\s+", " ").trim();
    }
}
