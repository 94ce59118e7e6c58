package ai.cloudact.jobs.state;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The store's schema, created and upgraded by the runtime itself: the scripts
 * {@code state/schema/V<n>__<what>.sql} (one dialect-neutral script per version, for PostgreSQL and
 * H2), each applied once, in order, recorded in {@code schema_version}. The scripts are written to be
 * harmless when applied twice (IF NOT EXISTS), and on PostgreSQL a transaction-scoped advisory lock
 * makes runtimes that start together apply them one after the other. A database already at a newer
 * version (a newer runtime ran) is left as it is.
 */
final class Schema {

    /** Every version, in order. A new version is a new script appended here, never an edited one. */
    static final List<String> SCRIPTS = List.of("V1__run_state.sql");
    /** The advisory lock's key on PostgreSQL: any fixed number that no other tool of the database uses. */
    private static final long LOCK_KEY = 0x6a6f62735354L;

    private Schema() {
    }

    /** Applies the versions the database does not have yet; the version it is at afterwards. */
    static int migrate(Connection connection) throws SQLException {
        boolean postgres = connection.getMetaData().getDatabaseProductName().toLowerCase().contains("postgres");
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            if (postgres) {
                try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                    lock.setLong(1, LOCK_KEY);
                    lock.execute();
                }
            }
            try (Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY,"
                        + " script VARCHAR(200) NOT NULL, applied_at TIMESTAMP WITH TIME ZONE NOT NULL)");
            }
            int current = current(connection);
            for (int i = current; i < SCRIPTS.size(); i++) {
                apply(connection, i + 1, SCRIPTS.get(i));
            }
            connection.commit();
            return Math.max(current, SCRIPTS.size());
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    private static int current(Connection connection) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT MAX(version) FROM schema_version");
             ResultSet rows = query.executeQuery()) {
            return rows.next() ? rows.getInt(1) : 0;
        }
    }

    private static void apply(Connection connection, int version, String script) throws SQLException {
        if (!script.startsWith("V" + version + "__")) {
            throw new IllegalStateException("schema script " + script + " is not version " + version);
        }
        try (Statement statement = connection.createStatement()) {
            for (String sql : statements(read(script))) {
                statement.execute(sql);
            }
        }
        // where DDL commits by itself (H2), another runtime may have recorded this version meanwhile
        if (current(connection) < version) {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO schema_version (version, script, applied_at) VALUES (?, ?, ?)")) {
                insert.setInt(1, version);
                insert.setString(2, script);
                insert.setObject(3, OffsetDateTime.now(ZoneOffset.UTC));
                insert.executeUpdate();
            } catch (SQLException e) {
                if (!Sql.isDuplicateKey(e)) {
                    throw e;
                }
            }
        }
    }

    private static String read(String script) {
        try (InputStream in = Schema.class.getClassLoader().getResourceAsStream("state/schema/" + script)) {
            if (in == null) {
                throw new IllegalStateException("state/schema/" + script + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The script's statements: separated by ';' at a line's end; '--' comments dropped. */
    static List<String> statements(String script) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : script.split("\n")) {
            int comment = line.indexOf("--");
            String code = (comment >= 0 ? line.substring(0, comment) : line).strip();
            if (code.isEmpty()) {
                continue;
            }
            current.append(code).append('\n');
            if (code.endsWith(";")) {
                statements.add(current.substring(0, current.lastIndexOf(";")).strip());
                current.setLength(0);
            }
        }
        if (!current.toString().isBlank()) {
            statements.add(current.toString().strip());
        }
        return statements;
    }
}
