package ai.cloudact.jobs;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The real PostgreSQL server the migrate tests run against, found through the usual libpq
 * variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE) that src/test/scripts/start-postgres.sh
 * prints. Each test gets a database of its own. Unreachable: the tests fail under CI (CI=true) and
 * are skipped elsewhere, so a developer without PostgreSQL can still run the rest.
 */
final class TestPostgres {

    static final String HOST = env("PGHOST", "127.0.0.1");
    static final String PORT = env("PGPORT", "5432");
    static final String USER = env("PGUSER", "postgres");
    static final String PASSWORD = env("PGPASSWORD", "");
    static final String ADMIN_DATABASE = env("PGDATABASE", "postgres");

    private TestPostgres() {
    }

    static void requireReachable() {
        try (Connection ignored = connect(ADMIN_DATABASE)) {
            // reachable
        } catch (SQLException e) {
            String why = "PostgreSQL is not reachable at " + HOST + ":" + PORT + " as " + USER + " (" + e.getMessage()
                    + "); start it with: eval \"$(bash src/test/scripts/start-postgres.sh)\"";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(why);
            }
            Assumptions.abort(why);
        }
    }

    static String url(String database) {
        return "jdbc:postgresql://" + HOST + ":" + PORT + "/" + database;
    }

    static Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(url(database), USER, PASSWORD);
    }

    /** A new empty database, as a fresh Supabase project's would be for the migrations. */
    static String createDatabase() throws SQLException {
        String name = "migrate_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection admin = connect(ADMIN_DATABASE); Statement statement = admin.createStatement()) {
            statement.execute("create database " + name);
        }
        return name;
    }

    static void dropDatabase(String name) throws SQLException {
        try (Connection admin = connect(ADMIN_DATABASE); Statement statement = admin.createStatement()) {
            statement.execute("drop database if exists " + name + " with (force)");
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
