package ai.cloudact.jobs.serve;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;

import javax.sql.DataSource;

import org.quartz.impl.jdbcjobstore.JobStoreTX;

/**
 * Quartz's own tables on the run-state database, from the script Quartz ships for PostgreSQL
 * ({@code tables_postgres.sql} in its jar, so they always match the Quartz version in use), created
 * by the runtime once and never dropped: the script's DROP statements are left out.
 */
final class QuartzTables {

    private static final String SCRIPT = "org/quartz/impl/jdbcjobstore/tables_postgres.sql";

    private QuartzTables() {
    }

    static void ensure(DataSource dataSource) throws SQLException {
        SchemaOnce.create(dataSource, "qrtz_locks", statements());
    }

    /** The CREATE statements of the script, comments and DROP/COMMIT left out. */
    static List<String> statements() {
        try (InputStream in = JobStoreTX.class.getClassLoader().getResourceAsStream(SCRIPT)) {
            if (in == null) {
                throw new IllegalStateException(SCRIPT + " is missing from the Quartz jar");
            }
            String script = new String(in.readAllBytes(), StandardCharsets.UTF_8).replaceAll("(?m)--.*$", "");
            return Arrays.stream(script.split(";")).map(String::trim)
                    .filter(sql -> sql.regionMatches(true, 0, "create", 0, 6)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
