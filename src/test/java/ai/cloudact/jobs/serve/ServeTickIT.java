package ai.cloudact.jobs.serve;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import ai.cloudact.jobs.support.ApiStandIn;
import ai.cloudact.jobs.support.Repo;
import ai.cloudact.jobs.support.ServeProcess;
import ai.cloudact.jobs.support.TestPostgres;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /cron/tick} on two replicas (real processes, a real PostgreSQL) with no triggers of their
 * own (SERVE_SCHEDULER=tick), hammered by concurrent and repeated ticks while a job fires every 2 s:
 * no firing ever runs twice, and every run a tick reports is one the API saw.
 */
class ServeTickIT {

    private static final String SECRET = "it-tick-secret-1f0a93";
    private static final ObjectMapper JSON = new ObjectMapper();

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
            assertThat(replica.output()).doesNotContain(SECRET);
            replica.close();
        }
        TestPostgres.dropDatabase(database);
    }

    private ServeProcess replica(String name) throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of(
                "ROUTES_DIR", Repo.ROOT.resolve("src/test/resources/serve-routes").toString(),
                "SERVE_JOBS", "every-2s",
                "SERVE_SCHEDULER", "tick",
                "SERVE_AUTH", "bearer",
                "CRON_SECRET", SECRET,
                "STATE_DB_URL", TestPostgres.url(database),
                "STATE_DB_USER", TestPostgres.USER,
                "CA_API_URL", api.baseUrl(),
                "CA_ROOT_API_KEY", "it-tick-root-key",
                "TEST_REPLICA", name));
        ServeProcess replica = ServeProcess.start(name, settings);
        replicas.add(replica);
        return replica;
    }

    @Test
    void concurrentAndRepeatedTicksNeverRunAFiringTwice() throws Exception {
        ServeProcess a = replica("a");
        ServeProcess b = replica("b");
        a.awaitReady(Duration.ofSeconds(60));
        b.awaitReady(Duration.ofSeconds(60));

        List<JsonNode> answers = new ArrayList<>();
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            long until = System.nanoTime() + Duration.ofSeconds(12).toNanos();
            while (System.nanoTime() < until) {
                // a burst of 8 ticks at once, half to each replica, then the same again at once (a repeated tick)
                for (int round = 0; round < 2; round++) {
                    List<Future<HttpResponse<String>>> burst = new ArrayList<>();
                    for (int i = 0; i < 8; i++) {
                        ServeProcess target = i % 2 == 0 ? a : b;
                        burst.add(callers.submit(() -> target.post("/cron/tick", "Authorization", "Bearer " + SECRET)));
                    }
                    for (Future<HttpResponse<String>> call : burst) {
                        HttpResponse<String> response = call.get();
                        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                        answers.add(JSON.readTree(response.body()));
                    }
                }
                Thread.sleep(700);
            }
        } finally {
            callers.shutdownNow();
        }
        assertThat(a.terminate(Duration.ofSeconds(20))).isZero();
        assertThat(b.terminate(Duration.ofSeconds(20))).isZero();

        Map<String, Long> runs = api.findAll(postRequestedFor(urlPathEqualTo("/probe"))).stream()
                .collect(Collectors.groupingBy(request -> request.getHeader("X-Run-Key"), Collectors.counting()));
        assertThat(runs.values()).as("no firing ran twice: %s", runs).allSatisfy(count -> assertThat(count).isEqualTo(1));
        int executed = answers.stream().mapToInt(answer -> answer.get("executed").asInt()).sum();
        int succeeded = answers.stream().mapToInt(answer -> answer.get("succeeded").asInt()).sum();
        int skipped = answers.stream().mapToInt(answer -> answer.get("skipped").asInt()).sum();
        assertThat(succeeded).as("the runs the ticks report as done are the runs the API saw").isEqualTo(runs.size());
        // a run slower than the 2 s period (a loaded machine) still holds the lease when the next firing
        // starts: that run is SKIPPED, never run beside it (every-2s has no misfire policy to skip by)
        assertThat(executed).as("every run a tick started succeeded or was SKIPPED by the lease").isEqualTo(succeeded + skipped);
        assertThat(executed).as("12 s of a job firing every 2 s").isGreaterThanOrEqualTo(4);
        assertThat(answers).allSatisfy(answer -> {
            assertThat(answer.get("checked").asInt()).isEqualTo(1);
            assertThat(answer.get("failed").asInt()).isZero();
            assertThat(answer.get("executed").asInt()).isLessThanOrEqualTo(1);
        });
        assertThat(answers.stream().filter(answer -> answer.get("executed").asInt() == 0).count())
                .as("most ticks found their firing already taken").isGreaterThan(executed);
        assertThat(a.output() + b.output()).containsPattern("TICK checked=1 executed=1 succeeded=1 failed=0 skipped=0")
                .doesNotContain("trigger=quartz");
    }
}
