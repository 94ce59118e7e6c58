package ai.cloudact.jobs.state;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** The few JDBC conversions the store's statements share (both databases alike). */
final class Sql {

    /** A statement of the run's start or end waits at most this long for the database. */
    static final int QUERY_TIMEOUT_SECONDS = 5;

    private Sql() {
    }

    /** A unique or primary key already taken (SQLSTATE 23505 in PostgreSQL and H2). */
    static boolean isDuplicateKey(SQLException e) {
        return "23505".equals(e.getSQLState());
    }

    static void setTime(PreparedStatement statement, int index, Instant time) throws SQLException {
        statement.setObject(index, time == null ? null : OffsetDateTime.ofInstant(time, ZoneOffset.UTC));
    }

    static Instant time(ResultSet rows, String column) throws SQLException {
        OffsetDateTime time = rows.getObject(column, OffsetDateTime.class);
        return time == null ? null : time.toInstant();
    }

    static void setInteger(PreparedStatement statement, int index, Integer value) throws SQLException {
        if (value == null) {
            statement.setNull(index, java.sql.Types.INTEGER);
        } else {
            statement.setInt(index, value);
        }
    }

    static Integer integer(ResultSet rows, String column) throws SQLException {
        int value = rows.getInt(column);
        return rows.wasNull() ? null : value;
    }

    /** Text cut to a column's width. */
    static String fit(String text, int width) {
        return text == null || text.length() <= width ? text : text.substring(0, width - 3) + "...";
    }
}
