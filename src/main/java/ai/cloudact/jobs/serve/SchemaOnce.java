package ai.cloudact.jobs.serve;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import javax.sql.DataSource;

/**
 * Creates a set of tables once, whichever replica gets there first: the statements run in one
 * transaction under a PostgreSQL advisory lock, and only when their marker table does not exist yet.
 * Replicas that start together on an empty database therefore neither fail nor create twice.
 */
final class SchemaOnce {

    /** One lock for the service's schema work; any fixed number the other users of the database do not take. */
    private static final long LOCK = 0x6A6F62735F736572L;

    private SchemaOnce() {
    }

    static void create(DataSource dataSource, String markerTable, List<String> statements) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute("select pg_advisory_xact_lock(" + LOCK + ")");
                if (!exists(connection, markerTable)) {
                    for (String sql : statements) {
                        statement.execute(sql);
                    }
                }
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    private static boolean exists(Connection connection, String table) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet found = statement.executeQuery("select to_regclass('" + table.replace("'", "") + "') is not null")) {
            return found.next() && found.getBoolean(1);
        }
    }
}
