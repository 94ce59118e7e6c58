package ai.cloudact.jobs.serve;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

/**
 * The last firing of each job that has been taken on, by a tick or by the service's own trigger: the
 * store behind "at most once per firing". A firing is a job and a slot of its cron; {@link #claim}
 * takes it in one atomic statement, so concurrent or repeated ticks, other replicas and the triggers
 * never run the same firing twice. On PostgreSQL (table {@value #TABLE}, created here); in memory
 * when the service runs without a database.
 */
final class FiringLedger {

    static final String TABLE = "serve_firings";
    private static final List<String> DDL = List.of("""
            create table if not exists serve_firings (
              pack       varchar(100) not null,
              job        varchar(200) not null,
              last_slot  timestamp with time zone not null,
              claimed_by varchar(200) not null,
              claimed_at timestamp with time zone not null,
              primary key (pack, job))""");
    /** Inserts the job's row, or moves it forward; touches nothing (0 rows) when the slot is not newer. */
    private static final String CLAIM = """
            insert into serve_firings (pack, job, last_slot, claimed_by, claimed_at) values (?, ?, ?, ?, now())
            on conflict (pack, job) do update
              set last_slot = excluded.last_slot, claimed_by = excluded.claimed_by, claimed_at = excluded.claimed_at
              where serve_firings.last_slot < excluded.last_slot""";

    private final DataSource dataSource;
    private final String pack;
    private final String instance;
    private final Map<String, Instant> memory = new ConcurrentHashMap<>();

    /** @param dataSource the run-state database, or null: in memory, this process only */
    FiringLedger(DataSource dataSource, String pack, String instance) throws SQLException {
        this.dataSource = dataSource;
        this.pack = pack;
        this.instance = instance;
        if (dataSource != null) {
            SchemaOnce.create(dataSource, TABLE, DDL);
        }
    }

    /** True for the one caller that takes this firing: nobody has taken it, nor a later one of the job. */
    boolean claim(String job, Instant slot) throws SQLException {
        if (dataSource == null) {
            AtomicBoolean taken = new AtomicBoolean();
            memory.compute(job, (id, last) -> {
                boolean newer = last == null || last.isBefore(slot);
                taken.set(newer);
                return newer ? slot : last;
            });
            return taken.get();
        }
        try (Connection connection = dataSource.getConnection(); PreparedStatement claim = connection.prepareStatement(CLAIM)) {
            claim.setString(1, pack);
            claim.setString(2, job);
            claim.setObject(3, OffsetDateTime.ofInstant(slot, ZoneOffset.UTC));
            claim.setString(4, instance);
            return claim.executeUpdate() == 1;
        }
    }

    /** The last firing of the job taken on, or null when none has been. */
    Instant last(String job) throws SQLException {
        if (dataSource == null) {
            return memory.get(job);
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement("select last_slot from serve_firings where pack = ? and job = ?")) {
            query.setString(1, pack);
            query.setString(2, job);
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? row.getObject(1, OffsetDateTime.class).toInstant() : null;
            }
        }
    }
}
