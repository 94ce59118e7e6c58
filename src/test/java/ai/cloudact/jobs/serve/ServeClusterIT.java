package ai.cloudact.jobs.serve;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import ai.cloudact.jobs.support.ApiStandIn;
import ai.cloudact.jobs.support.Repo;
import ai.cloudact.jobs.support.ServeProcess;
import ai.cloudact.jobs.support.TestPostgres;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.quartz.CronTrigger;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two {@code --serve} replicas as real processes, clustered on a real PostgreSQL, sharing a job that
 * fires every 2 s: each firing runs once (no gap, no duplicate); a replica stopped mid-run (SIGKILL, or
 * SIGTERM past its grace) has its firing recovered by the other, which keeps firing; and the stored
 * triggers follow the job files.
 */
class ServeClusterIT {

    private static final String ROOT_KEY = "it-serve-root-key-77d1";
    private static final Pattern STARTED = Pattern.compile("Starting job every-2s .* trigger=quartz run=(every-2s:\\S+)");

    @RegisterExtension
    static WireMockExtension api = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private String database;
    private final List<ServeProcess> replicas = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        database = TestPostgres.createDatabase();
        ApiStandIn.answerEverything(api);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (ServeProcess replica : replicas) {
            assertThat(replica.output()).doesNotContain(ROOT_KEY);
            replica.close();
        }
        TestPostgres.dropDatabase(database);
    }

    private ServeProcess replica(String name) throws Exception {
        return replica(name, "every-2s");
    }

    private ServeProcess replica(String name, String jobs) throws Exception {
        return replica(name, jobs, Map.of());
    }

    private ServeProcess replica(String name, String jobs, Map<String, String> extra) throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of(
                "ROUTES_DIR", Repo.ROOT.resolve("src/test/resources/serve-routes").toString(),
                "SERVE_JOBS", jobs,
                "STATE_DB_URL", TestPostgres.url(database),
                "STATE_DB_USER", TestPostgres.USER,
                "CA_API_URL", api.baseUrl(),
                "CA_ROOT_API_KEY", ROOT_KEY,
                "TEST_REPLICA", name,
                // a recovered firing waits for the dead replica's lease to expire: short here
                "LEASE_TTL", "6s",
                "RETRY_DELAY_MS", "20"));
        settings.putAll(extra);
        ServeProcess replica = ServeProcess.start(name, settings);
        replicas.add(replica);
        return replica;
    }

    @Test
    void twoReplicasRunEachFiringExactlyOnceWithoutGaps() throws Exception {
        ServeProcess a = replica("a", "every-2s,nightly-skip");
        ServeProcess b = replica("b", "every-2s,nightly-skip");
        a.awaitReady(Duration.ofSeconds(60));
        b.awaitReady(Duration.ofSeconds(60));
        // Quartz's store has each job's cron, time zone (the pack's when the route names none) and misfire policy
        assertThat(storedTriggers()).containsEntry("every-2s", "*/2 * * * * ? Etc/UTC misfire=" + CronTrigger.MISFIRE_INSTRUCTION_FIRE_ONCE_NOW)
                .containsEntry("nightly-skip", "0 30 2 * * ? Europe/Berlin misfire=" + CronTrigger.MISFIRE_INSTRUCTION_DO_NOTHING)
                .hasSize(2);
        Instant from = Instant.now();
        Thread.sleep(30_000);
        Instant to = Instant.now();
        assertThat(a.terminate(Duration.ofSeconds(20))).as(a.output()).isZero();
        assertThat(b.terminate(Duration.ofSeconds(20))).as(b.output()).isZero();

        Map<Instant, List<String>> runs = firings();
        assertThat(runs.values()).as("no firing ran twice: %s", runs).allSatisfy(replicas -> assertThat(replicas).hasSize(1));
        // every 2-second slot of the 30 s (less one slot at each edge, which start and stop may cut) ran
        List<Instant> expected = new ArrayList<>();
        for (Instant slot = evenSecondAfter(from.plusSeconds(2)); slot.isBefore(to.minusSeconds(2)); slot = slot.plusSeconds(2)) {
            expected.add(slot);
        }
        assertThat(expected).hasSizeGreaterThanOrEqualTo(12);
        assertThat(runs.keySet()).as("no gap: every firing of the window ran").containsAll(expected);
        assertThat(a.output() + b.output()).contains("clustered on the run-state database");
    }

    /**
     * SIGKILL: the replica dies at once. SIGTERM: past its SHUTDOWN_GRACE the run is recorded TERMINATED
     * and the replica exits 0, leaving the firing to the other replica the same way.
     */
    @ParameterizedTest
    @ValueSource(strings = {"SIGKILL", "SIGTERM"})
    void aReplicaStoppedMidRunHasItsFiringRecoveredByTheOtherWhichKeepsFiring(String signal) throws Exception {
        // replica a's calls hang: whatever firing a takes is still under way when it is stopped
        api.stubFor(post(urlPathEqualTo("/probe")).withHeader("X-Replica", equalTo("a")).atPriority(1)
                .willReturn(aResponse().withStatus(200).withBody("{}").withFixedDelay(60_000)));
        ServeProcess a = replica("a", "every-2s", Map.of("SHUTDOWN_GRACE", "1s")).awaitReady(Duration.ofSeconds(60));
        String interrupted = a.awaitOutput(STARTED, Duration.ofSeconds(30));
        ServeProcess b = replica("b").awaitReady(Duration.ofSeconds(60));
        if (signal.equals("SIGKILL")) {
            a.kill();
        } else {
            assertThat(a.terminate(Duration.ofSeconds(20))).isZero();
            assertThat(a.output()).containsPattern("SUMMARY job=every-2s environment=local outcome=TERMINATED .*SHUTDOWN_GRACE=1s");
        }
        Instant killed = Instant.now();

        String recovered = b.awaitOutput(Pattern.compile("trigger=quartz-recovery run=(" + Pattern.quote(interrupted) + ")"),
                Duration.ofSeconds(60));
        assertThat(recovered).isEqualTo(interrupted);
        // b keeps firing: several firings after the kill
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (firings().keySet().stream().filter(slot -> slot.isAfter(killed)).count() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(b.terminate(Duration.ofSeconds(20))).as(b.output()).isZero();

        Map<Instant, List<String>> runs = firings();
        Instant interruptedSlot = Instant.parse(interrupted.substring("every-2s:".length()));
        assertThat(runs.get(interruptedSlot)).as("the interrupted firing, run again by b").containsOnlyOnce("b");
        runs.remove(interruptedSlot);
        assertThat(runs.values()).as("every other firing ran once").allSatisfy(replicas -> assertThat(replicas).hasSize(1));
        assertThat(runs.keySet().stream().filter(slot -> slot.isAfter(killed)).count()).as("b kept firing: %s", runs)
                .isGreaterThanOrEqualTo(3);
        assertThat(b.output()).containsPattern("SUMMARY job=every-2s environment=local outcome=SUCCESS");
    }

    @Test
    void storedTriggersFollowTheJobFilesAtEachStart(@TempDir Path changed) throws Exception {
        ServeProcess first = replica("a", "every-2s,nightly-skip").awaitReady(Duration.ofSeconds(60));
        assertThat(first.terminate(Duration.ofSeconds(20))).isZero();
        assertThat(storedTriggers()).containsKeys("every-2s", "nightly-skip");

        // the same jobs with nightly-skip's time zone and misfire policy changed in its file
        Path routes = Repo.ROOT.resolve("src/test/resources/serve-routes");
        Files.copy(routes.resolve("every-2s.yaml"), changed.resolve("every-2s.yaml"));
        Files.writeString(changed.resolve("nightly-skip.yaml"), Files.readString(routes.resolve("nightly-skip.yaml"))
                .replace("misfire: skip", "misfire: fire-once-now").replace("Europe/Berlin", "America/New_York"));
        Map<String, String> settings = new HashMap<>(Map.of("ROUTES_DIR", changed.toString(), "SERVE_JOBS", "every-2s,nightly-skip",
                "STATE_DB_URL", TestPostgres.url(database), "STATE_DB_USER", TestPostgres.USER, "CA_API_URL", api.baseUrl(),
                "CA_ROOT_API_KEY", ROOT_KEY));
        ServeProcess second = ServeProcess.start("b", settings);
        replicas.add(second);
        second.awaitReady(Duration.ofSeconds(60));
        assertThat(second.terminate(Duration.ofSeconds(20))).isZero();
        assertThat(storedTriggers()).containsEntry("nightly-skip",
                "0 30 2 * * ? America/New_York misfire=" + CronTrigger.MISFIRE_INSTRUCTION_FIRE_ONCE_NOW);

        // a job no longer served loses its trigger
        ServeProcess third = replica("c", "every-2s").awaitReady(Duration.ofSeconds(60));
        assertThat(third.terminate(Duration.ofSeconds(20))).isZero();
        assertThat(storedTriggers()).containsOnlyKeys("every-2s");
        assertThat(third.output()).contains("Removing the stored trigger of nightly-skip");
    }

    /** The triggers in Quartz's tables: job to "cron zone misfire=N". */
    private Map<String, String> storedTriggers() throws Exception {
        Map<String, String> triggers = new TreeMap<>();
        try (Connection connection = TestPostgres.connect(database); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("select t.trigger_name, c.cron_expression, c.time_zone_id, t.misfire_instr"
                     + " from qrtz_triggers t join qrtz_cron_triggers c"
                     + " on c.sched_name = t.sched_name and c.trigger_name = t.trigger_name and c.trigger_group = t.trigger_group")) {
            while (rows.next()) {
                triggers.put(rows.getString(1), rows.getString(2) + " " + rows.getString(3) + " misfire=" + rows.getInt(4));
            }
        }
        return triggers;
    }

    /** The firings the API saw: slot to the replicas that called for it, in order. */
    private static Map<Instant, List<String>> firings() {
        List<LoggedRequest> probes = api.findAll(postRequestedFor(urlPathEqualTo("/probe")));
        return probes.stream().collect(Collectors.groupingBy(
                request -> Instant.parse(request.getHeader("X-Run-Key").substring("every-2s:".length())), TreeMap::new,
                Collectors.mapping(request -> request.getHeader("X-Replica"), Collectors.toList())));
    }

    private static Instant evenSecondAfter(Instant at) {
        long second = at.getEpochSecond() + 1;
        return Instant.ofEpochSecond(second % 2 == 0 ? second : second + 1);
    }
}
