package ai.cloudact.jobs.serve;

import java.time.Duration;
import java.util.Map;

import ai.cloudact.jobs.support.ServeProcess;
import ai.cloudact.jobs.support.TestPostgres;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Readiness follows the run-state database: a real replica is ready while PostgreSQL answers and turns
 * not-ready (503, liveness still 200) when the database stops. It stops the tests' shared PostgreSQL
 * server; the next test that needs one starts a new one.
 */
class ServeReadinessIT {

    @Test
    void notReadyWhenTheDatabaseStops() throws Exception {
        String database = TestPostgres.createDatabase();
        try (ServeProcess service = ServeProcess.start("ready", Map.of(
                "SERVE_JOBS", "quota-reset",
                "STATE_DB_URL", TestPostgres.url(database),
                "STATE_DB_USER", TestPostgres.USER,
                "CA_ROOT_API_KEY", "it-ready-root-key"))) {
            service.awaitReady(Duration.ofSeconds(60));
            assertThat(service.management("/observe/health/live").statusCode()).isEqualTo(200);

            TestPostgres.stop();

            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int status = 200;
            while (status == 200 && System.nanoTime() < until) {
                Thread.sleep(200);
                status = service.management("/observe/health/ready").statusCode();
            }
            assertThat(status).as("ready once the database is gone; output:%n%s", service.output()).isEqualTo(503);
            assertThat(service.management("/observe/health/ready").body()).contains("run-state database");
            assertThat(service.management("/observe/health/live").statusCode()).as("alive: not restarted for an outage").isEqualTo(200);
            assertThat(service.isAlive()).isTrue();
        }
    }
}
