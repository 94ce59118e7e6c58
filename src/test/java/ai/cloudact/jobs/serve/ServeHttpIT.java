package ai.cloudact.jobs.serve;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

import ai.cloudact.jobs.support.ApiStandIn;
import ai.cloudact.jobs.support.JobProcess;
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

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /jobs/{id}/run} on a real replica: the answer for each outcome (200, 500, 400, 404,
 * 202 with {@code ?async=true}), a run ended at its job's timeout, the metrics the runs leave, and SIGTERM: no new call, the run under
 * way gets SHUTDOWN_GRACE, then it is recorded TERMINATED, its caller gets 503, and the process exits 0.
 */
class ServeHttpIT {

    private static final String ROOT_KEY = "it-http-root-key-30c2";
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static WireMockExtension api = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private String database;
    private ServeProcess service;

    @BeforeEach
    void setUp() throws Exception {
        database = TestPostgres.createDatabase();
        ApiStandIn.answerEverything(api);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (service != null) {
            assertThat(service.output()).doesNotContain(ROOT_KEY);
            service.close();
        }
        TestPostgres.dropDatabase(database);
    }

    private ServeProcess serve(Map<String, String> extra) throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of(
                "ROUTES_DIR", Repo.ROOT.resolve("src/test/resources/serve-routes").toString(),
                "SERVE_JOBS", "bootstrap,bootstrap-sync,every-2s,slow,hangs",
                "STATE_DB_URL", TestPostgres.url(database),
                "STATE_DB_USER", TestPostgres.USER,
                "CA_API_URL", api.baseUrl(),
                "CA_ROOT_API_KEY", ROOT_KEY,
                "RETRY_DELAY_MS", "20"));
        settings.putAll(extra);
        service = ServeProcess.start("http", settings).awaitReady(Duration.ofSeconds(60));
        return service;
    }

    @Test
    void eachOutcomeHasItsAnswerAndItsMetrics() throws Exception {
        api.stubFor(post(urlPathEqualTo("/admin/bootstrap/sync")).atPriority(1)
                .willReturn(aResponse().withStatus(400).withBody("{\"detail\":\"bad request\"}")));
        serve(Map.of());

        HttpResponse<String> ok = service.post("/jobs/bootstrap/run");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(ok.headers().firstValue("Content-Type")).contains("application/json");
        JsonNode body = JSON.readTree(ok.body());
        assertThat(body.get("job").asText()).isEqualTo("bootstrap");
        assertThat(body.get("outcome").asText()).isEqualTo("SUCCESS");
        assertThat(body.get("exitCode").asInt()).isZero();
        assertThat(body.get("durationMs").asLong()).isNotNegative();
        assertThat(body.get("attempts").asInt()).isEqualTo(1);
        assertThat(body.get("counts").get("ok").asInt()).isZero();
        assertThat(body.get("reason").isNull()).isTrue();
        assertThat(service.post("/jobs/cloudact-manual-bootstrap/run").statusCode()).as("by long name").isEqualTo(200);

        HttpResponse<String> failed = service.post("/jobs/bootstrap-sync/run");
        assertThat(failed.statusCode()).as(failed.body()).isEqualTo(500);
        assertThat(JSON.readTree(failed.body()).get("outcome").asText()).isEqualTo("FAILED");
        assertThat(JSON.readTree(failed.body()).get("exitCode").asInt()).isEqualTo(1);
        assertThat(JSON.readTree(failed.body()).get("reason").asText()).contains("HTTP 400");

        api.stubFor(post(urlPathEqualTo("/hang")).atPriority(1).willReturn(aResponse().withStatus(200).withFixedDelay(30_000)));
        long asked = System.nanoTime();
        HttpResponse<String> hung = service.post("/jobs/hangs/run");
        assertThat(hung.statusCode()).as(hung.body()).isEqualTo(500);
        assertThat(JSON.readTree(hung.body()).get("reason").asText()).isEqualTo("deadline exceeded: the run took longer than the job's timeout 2s");
        assertThat((System.nanoTime() - asked) / 1_000_000).as("answered at the job's timeout, not the call's").isLessThan(20_000);

        HttpResponse<String> unknown = service.post("/jobs/quota-reset/run");
        assertThat(unknown.statusCode()).as("a job this replica does not serve").isEqualTo(404);
        assertThat(unknown.body()).contains("unknown job 'quota-reset'").contains("bootstrap");

        HttpResponse<String> async = service.post("/jobs/bootstrap/run?async=true");
        assertThat(async.statusCode()).as(async.body()).isEqualTo(202);
        assertThat(JSON.readTree(async.body()).get("executionId").asText()).matches("[0-9a-f-]{36}");
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (api.findAll(postRequestedFor(urlPathEqualTo("/admin/bootstrap"))).size() < 3 && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertThat(api.findAll(postRequestedFor(urlPathEqualTo("/admin/bootstrap")))).as("the asynchronous run ran").hasSize(3);
        service.awaitOutput(Pattern.compile("SUMMARY job=every-2s environment=local outcome=SUCCESS"), Duration.ofSeconds(20));

        String metrics = service.management("/observe/metrics").body();
        assertThat(metrics)
                .contains("jobs_runs_total{job=\"bootstrap\",outcome=\"SUCCESS\"}")
                .contains("jobs_runs_total{job=\"bootstrap-sync\",outcome=\"FAILED\"} 1.0")
                .contains("jobs_run_duration_seconds_count{job=\"bootstrap\",outcome=\"SUCCESS\"}")
                .contains("jobs_http_requests_total{endpoint=\"/jobs/{id}/run\",status=\"200\"} 2.0")
                .contains("jobs_http_requests_total{endpoint=\"/jobs/{id}/run\",status=\"500\"} 2.0")
                .contains("jobs_runs_total{job=\"hangs\",outcome=\"FAILED\"} 1.0")
                .contains("jobs_http_requests_total{endpoint=\"/jobs/{id}/run\",status=\"404\"} 1.0")
                .contains("jobs_http_requests_total{endpoint=\"/jobs/{id}/run\",status=\"202\"} 1.0")
                .containsPattern("jobs_last_success_timestamp_seconds\\{job=\"every-2s\"} 1\\.\\d+E9")
                .contains("jobs_last_success_timestamp_seconds{job=\"bootstrap-sync\"} 0.0");
        assertThat(service.management("/observe/health/live").statusCode()).isEqualTo(200);
        assertThat(service.output()).containsPattern("SUMMARY job=bootstrap-sync environment=local outcome=FAILED");
    }

    /**
     * A run on request takes the same path as a one-shot run: the overlap lease (a second request for
     * the job while it runs is SKIPPED, as is a one-shot run of it), and a history row that --history
     * shows under the execution id the 202 answered.
     */
    @Test
    void runsOnRequestTakeTheLeaseAndWriteTheHistoryLikeEveryRun() throws Exception {
        api.stubFor(post(urlPathEqualTo("/slow")).atPriority(1).willReturn(aResponse().withStatus(200).withBody("{}").withFixedDelay(4_000)));
        serve(Map.of());

        HttpResponse<String> started = service.post("/jobs/slow/run?async=true");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        String executionId = JSON.readTree(started.body()).get("executionId").asText();
        service.awaitOutput(Pattern.compile("Starting job slow "), Duration.ofSeconds(20));

        HttpResponse<String> again = service.post("/jobs/slow/run");
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(JSON.readTree(again.body()).get("outcome").asText()).isEqualTo("SKIPPED");
        assertThat(JSON.readTree(again.body()).get("reason").asText()).startsWith("already running: ");
        JobProcess.Result oneShot = JobProcess.run(stateOf(Map.of("JOB_ID", "slow")));
        assertThat(oneShot.exitCode()).as(oneShot.output()).isZero();
        assertThat(oneShot.output()).contains("outcome=SKIPPED", "already running: ");

        service.awaitOutput(Pattern.compile("SUMMARY job=slow environment=local outcome=SUCCESS"), Duration.ofSeconds(20));
        assertThat(api.findAll(postRequestedFor(urlPathEqualTo("/slow")))).as("one call: the first run's").hasSize(1);
        JobProcess.Result history = JobProcess.run(stateOf(Map.of()), "--history", "slow", "--format", "json");
        assertThat(history.exitCode()).as(history.output()).isZero();
        JsonNode rows = JSON.readTree(history.output().substring(history.output().indexOf('[')));
        assertThat(rows).extracting(row -> row.get("outcome").asText()).containsExactlyInAnyOrder("SUCCESS", "SKIPPED", "SKIPPED");
        assertThat(rows).filteredOn(row -> row.get("outcome").asText().equals("SUCCESS")).singleElement()
                .satisfies(row -> assertThat(row.get("run_id").asText()).isEqualTo(executionId));
    }

    /** The service's database and API for a one-shot run or --history beside it. */
    private Map<String, String> stateOf(Map<String, String> more) {
        Map<String, String> env = new HashMap<>(Map.of(
                "ROUTES_DIR", Repo.ROOT.resolve("src/test/resources/serve-routes").toString(),
                "STATE_DB_URL", TestPostgres.url(database),
                "STATE_DB_USER", TestPostgres.USER,
                "CA_API_URL", api.baseUrl(),
                "CA_ROOT_API_KEY", ROOT_KEY));
        env.putAll(more);
        return env;
    }

    @Test
    void aConfigurationErrorIsA400() throws Exception {
        // stage talks TLS only: a plain http:// API URL is a configuration error of every run
        serve(Map.of("ENVIRONMENT", "stage", "SERVE_AUTH", "bearer", "CRON_SECRET", "it-http-cron-secret", "SERVE_JOBS", "bootstrap"));
        HttpResponse<String> response = service.post("/jobs/bootstrap/run", "Authorization", "Bearer it-http-cron-secret");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("outcome").asText()).isEqualTo("CONFIGURATION_ERROR");
        assertThat(body.get("exitCode").asInt()).isEqualTo(2);
        assertThat(body.get("reason").asText()).contains("plain http:// is not allowed in stage");
        assertThat(api.findAll(postRequestedFor(urlPathEqualTo("/admin/bootstrap")))).isEmpty();
        assertThat(service.output()).contains("SUMMARY job=bootstrap environment=stage outcome=CONFIGURATION_ERROR");
    }

    @Test
    void sigtermLetsTheRunFinishWithinTheGraceThenRecordsItTerminatedAndExitsZero() throws Exception {
        api.stubFor(post(urlPathEqualTo("/slow")).atPriority(1).willReturn(aResponse().withStatus(200).withBody("{}").withFixedDelay(60_000)));
        serve(Map.of("SHUTDOWN_GRACE", "2s", "SERVE_JOBS", "slow,bootstrap"));
        CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> service.post("/jobs/slow/run"));
        service.awaitOutput(Pattern.compile("Starting job slow "), Duration.ofSeconds(20));

        long signalled = System.nanoTime();
        int exit = service.terminate(Duration.ofSeconds(20));
        long tookMs = (System.nanoTime() - signalled) / 1_000_000;

        assertThat(exit).as(service.output()).isZero();
        assertThat(tookMs).as("the grace (2 s), not the 60 s call").isLessThan(10_000);
        HttpResponse<String> answer = slow.get();
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
        assertThat(JSON.readTree(answer.body()).get("outcome").asText()).isEqualTo("TERMINATED");
        assertThat(service.output())
                .contains("SIGTERM: stopping; 1 run(s) under way get up to 2s to finish")
                .containsPattern("SUMMARY job=slow environment=local outcome=TERMINATED duration=\\d+\\.\\d{3}s .*SHUTDOWN_GRACE=2s")
                .contains("Stopped");
        assertThat(service.post("/jobs/bootstrap/run").statusCode()).as("nothing answers after the exit").isZero();
    }
}
