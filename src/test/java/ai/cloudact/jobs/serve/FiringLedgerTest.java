package ai.cloudact.jobs.serve;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import ai.cloudact.jobs.support.TestPostgres;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The firing ledger on a real PostgreSQL: many replicas claiming the same firing at once, one wins; an
 * older firing is never taken after a newer one; its table and Quartz's are created once, even by
 * replicas starting together, and a second start changes nothing.
 */
class FiringLedgerTest {

    private static final Instant SLOT = Instant.parse("2026-01-01T00:00:00Z");

    private String database;
    private HikariDataSource pool;

    @BeforeEach
    void setUp() throws Exception {
        database = TestPostgres.createDatabase();
        pool = new HikariDataSource();
        pool.setJdbcUrl(TestPostgres.url(database));
        pool.setUsername(TestPostgres.USER);
        pool.setMaximumPoolSize(20);
    }

    @AfterEach
    void tearDown() throws Exception {
        pool.close();
        TestPostgres.dropDatabase(database);
    }

    @Test
    void concurrentClaimsOfOneFiringHaveOneWinner() throws Exception {
        List<FiringLedger> replicas = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            replicas.add(new FiringLedger(pool, "cloudact", "replica-" + i));
        }
        for (int round = 0; round < 5; round++) {
            Instant slot = SLOT.plusSeconds(60L * round);
            assertThat(winners(16, index -> replicas.get(index % replicas.size()).claim("quota-reset", slot))).isEqualTo(1);
        }
        assertThat(replicas.get(0).last("quota-reset")).isEqualTo(SLOT.plusSeconds(240));
        assertThat(replicas.get(1).last("alerts")).isNull();
    }

    @Test
    void anOlderFiringIsNeverTakenAfterANewerOne() throws Exception {
        FiringLedger ledger = new FiringLedger(pool, "cloudact", "replica");
        FiringLedger otherPack = new FiringLedger(pool, "validibot", "replica");
        assertThat(ledger.claim("alerts", SLOT.plusSeconds(60))).isTrue();
        assertThat(ledger.claim("alerts", SLOT)).isFalse();
        assertThat(ledger.claim("alerts", SLOT.plusSeconds(60))).isFalse();
        assertThat(otherPack.claim("alerts", SLOT)).as("packs are apart").isTrue();
        assertThat(ledger.claim("alerts", SLOT.plusSeconds(120))).isTrue();
    }

    @Test
    void inMemoryTheSameRules() throws Exception {
        FiringLedger ledger = new FiringLedger(null, "cloudact", "alone");
        assertThat(winners(16, index -> ledger.claim("alerts", SLOT))).isEqualTo(1);
        assertThat(ledger.claim("alerts", SLOT.minusSeconds(60))).isFalse();
        assertThat(ledger.last("alerts")).isEqualTo(SLOT);
    }

    @Test
    void tablesAreCreatedOnceByReplicasStartingTogether() throws Exception {
        assertThat(winners(4, index -> {
            QuartzTables.ensure(pool);
            new FiringLedger(pool, "cloudact", "replica-" + index);
            return true;
        })).isEqualTo(4);
        QuartzTables.ensure(pool);
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement();
             ResultSet tables = statement.executeQuery("select count(*) from information_schema.tables where table_schema = 'public'"
                     + " and (table_name like 'qrtz_%' or table_name = 'serve_firings')")) {
            tables.next();
            assertThat(tables.getInt(1)).as("Quartz's 11 tables and the ledger").isEqualTo(12);
        }
        assertThat(QuartzTables.statements()).noneMatch(sql -> sql.toLowerCase().contains("drop"));
    }

    private interface Attempt {
        boolean run(int index) throws Exception;
    }

    /** Runs the attempt on {@code n} threads at once; how many returned true. */
    private static int winners(int n, Attempt attempt) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(n);
        try {
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                Callable<Boolean> call = () -> {
                    start.await();
                    return attempt.run(index);
                };
                results.add(threads.submit(call));
            }
            start.countDown();
            int won = 0;
            for (Future<Boolean> result : results) {
                won += result.get() ? 1 : 0;
            }
            return won;
        } finally {
            threads.shutdownNow();
        }
    }
}
