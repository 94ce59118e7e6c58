package ai.cloudact.jobs.runtime;

import ai.cloudact.jobs.support.JobProcess;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fault matrix: each way a run can go wrong, against the packaged runtime as a real process, with
 * LOG_LEVEL=DEBUG, and every byte of output searched for the credentials it was given.
 */
class FaultMatrixIT {

    private static final String ROOT_KEY = "fm-root-key-91ac";
    private static final String CRON_SECRET = "fm-cron-secret-3d7e";
    private static final String PATH = "/admin/quota/reset-daily";

    @RegisterExtension
    static WireMockExtension api = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort()).build();

    private JobProcess.Result last;

    @org.junit.jupiter.api.BeforeEach
    void apiSaysYes() {
        ai.cloudact.jobs.support.ApiStandIn.answerEverything(api);
    }

    @AfterEach
    void noCredentialInAnyLine() {
        if (last != null) {
            assertThat(last.output()).doesNotContain(ROOT_KEY).doesNotContain(CRON_SECRET).doesNotContain(FAKE_ID_TOKEN);
        }
    }

    private JobProcess.Result run(String job, Map<String, String> extra) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of(
                "JOB_ID", job,
                "CA_API_URL", api.baseUrl(),
                "CA_FRONTEND_URL", api.baseUrl(),
                "CA_ROOT_API_KEY", ROOT_KEY,
                "LOG_LEVEL", "DEBUG",
                "RETRY_DELAY_MS", "50"));
        env.putAll(extra);
        long started = System.nanoTime();
        last = JobProcess.run(env);
        elapsedMs = (System.nanoTime() - started) / 1_000_000;
        return last;
    }

    private long elapsedMs;

    private static int requests(String path) {
        return api.findAll(postRequestedFor(urlPathEqualTo(path))).size();
    }

    @Test
    void persistentServerErrorFailsAfterTheDocumentedAttemptsAndTime() throws Exception {
        api.stubFor(post(urlPathEqualTo(PATH)).atPriority(1).willReturn(aResponse().withStatus(500)));

        // default backoff: 1 s + 2 s + 4 s between 4 attempts (README, "Failure handling")
        JobProcess.Result result = run("quota-reset", Map.of("RETRY_DELAY_MS", "1000"));

        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(requests(PATH)).isEqualTo(4);
        assertThat(elapsedMs).isBetween(7_000L, 30_000L);
        assertThat(result.output()).contains("attempts=4", "http_status=500");
    }

    @Test
    void retryAfterIsHonoured() throws Exception {
        api.stubFor(post(urlPathEqualTo(PATH)).atPriority(1).inScenario("429").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "2")).willSetStateTo("done"));

        JobProcess.Result result = run("quota-reset", Map.of());

        assertThat(result.exitCode()).as(result.output()).isZero();
        List<ServeEvent> calls = api.getAllServeEvents().stream()
                .sorted((a, b) -> a.getRequest().getLoggedDate().compareTo(b.getRequest().getLoggedDate())).toList();
        assertThat(calls).hasSize(2);
        long waitedMs = calls.get(1).getRequest().getLoggedDate().getTime() - calls.get(0).getRequest().getLoggedDate().getTime();
        assertThat(waitedMs).isGreaterThanOrEqualTo(2_000L);
        assertThat(result.output()).contains("Retry-After: waiting 2000 ms", "attempts=2");
    }

    @Test
    void forbiddenFailsAtOnceNamingTheKey() throws Exception {
        api.stubFor(post(urlPathEqualTo(PATH)).atPriority(1).willReturn(aResponse().withStatus(403)));

        JobProcess.Result result = run("quota-reset", Map.of());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(requests(PATH)).isEqualTo(1);
        assertThat(result.output()).contains("HTTP 403", "CA_ROOT_API_KEY");
    }

    @Test
    void notFoundAndBadRequestFailAtOnceWithTheApisMessage() throws Exception {
        api.stubFor(post(urlPathEqualTo(PATH)).atPriority(1)
                .willReturn(aResponse().withStatus(400).withBody("{\"detail\":\"quota period not closed yet\"}")));
        api.stubFor(post(urlPathEqualTo("/admin/alerts/process-all")).atPriority(1)
                .willReturn(aResponse().withStatus(404).withBody("{\"detail\":\"Not Found\"}")));

        JobProcess.Result badRequest = run("quota-reset", Map.of());
        assertThat(badRequest.exitCode()).isEqualTo(1);
        assertThat(badRequest.output()).contains("HTTP 400", "quota period not closed yet");
        assertThat(requests(PATH)).isEqualTo(1);

        JobProcess.Result notFound = run("alerts", Map.of());
        assertThat(notFound.exitCode()).isEqualTo(1);
        assertThat(notFound.output()).contains("HTTP 404", "CA_API_URL", "Not Found");
        assertThat(requests("/admin/alerts/process-all")).isEqualTo(1);
    }

    @Test
    void connectionRefusedIsRetriedThenFailsWithTheCause() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        JobProcess.Result result = run("quota-reset", Map.of("CA_API_URL", "http://127.0.0.1:" + closedPort));

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output()).contains("(attempt 4 of 4)", "cannot connect", "attempts=4");
    }

    @Test
    void readTimeoutIsRetriedThenFailsWithTheCause() throws Exception {
        api.stubFor(post(urlPathEqualTo(PATH)).atPriority(1).willReturn(aResponse().withStatus(200).withFixedDelay(3_000)));

        JobProcess.Result result = run("quota-reset", Map.of("HTTP_RESPONSE_TIMEOUT_MS", "300", "RETRY_MAX_REDELIVERIES", "1"));

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(requests(PATH)).isEqualTo(2);
        assertThat(result.output()).contains("no answer in time");
    }

    @Test
    void resetByPeerAndEmptyAnswerAreRetriedThenFail() throws Exception {
        for (Fault fault : new Fault[] {Fault.CONNECTION_RESET_BY_PEER, Fault.EMPTY_RESPONSE}) {
            api.resetAll();
            api.stubFor(post(urlPathEqualTo(PATH)).atPriority(1).willReturn(aResponse().withFault(fault)));

            JobProcess.Result result = run("quota-reset", Map.of());

            assertThat(result.exitCode()).as(fault + "\n" + result.output()).isEqualTo(1);
            assertThat(requests(PATH)).as(fault.name()).isEqualTo(4);
            assertThat(result.output()).contains("outcome=FAILED", "reason=");
        }
    }

    @Test
    void malformedJsonFailsSayingWhatWasMalformed() throws Exception {
        api.stubFor(get(urlPathEqualTo("/admin/orgs")).atPriority(1).willReturn(okJson("{\"orgs\":[{\"org_slug\":\"a\"")));

        JobProcess.Result orgs = run("org-sync-all", Map.of());

        assertThat(orgs.exitCode()).isEqualTo(1);
        assertThat(orgs.output()).contains("malformed JSON in the answer");
        api.verify(0, postRequestedFor(urlPathMatching("/admin/orgs/.*")));

        api.stubFor(post(urlPathMatching("/bigquery/v2/projects/.*/jobs")).atPriority(1).willReturn(okJson("{\"kind\": \"bigquery#job\", ")));
        JobProcess.Result bigQuery = run("quota-cleanup", Map.of("BIGQUERY_EMULATOR_HOST", api.baseUrl()));

        assertThat(bigQuery.exitCode()).as(bigQuery.output()).isEqualTo(1);
        assertThat(bigQuery.output()).contains("outcome=FAILED").containsIgnoringCase("json");
    }

    @Test
    void apiFailingThroughoutOrgSyncOpensTheCircuitAndCountsTheRest() throws Exception {
        String orgs = java.util.stream.IntStream.range(0, 30).mapToObj(i -> "{\"org_slug\":\"org-" + i + "\"}")
                .collect(Collectors.joining(","));
        api.stubFor(get(urlPathEqualTo("/admin/orgs")).atPriority(1).willReturn(okJson("{\"orgs\":[" + orgs + "]}")));
        api.stubFor(post(urlPathMatching("/admin/orgs/.*/sync")).atPriority(1).willReturn(aResponse().withStatus(503)));

        JobProcess.Result result = run("org-sync-all", Map.of("ORG_SYNC_CONCURRENCY", "2"));

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output()).contains("circuit breaker open", "ok=0 failed=30 skipped=0", "30 of 30 orgs failed");
        assertThat(api.findAll(postRequestedFor(urlPathMatching("/admin/orgs/.*/sync"))).size()).isLessThan(30 * 4 / 2);
    }

    @Test
    void deadlineCancelsTheInFlightCall() throws Exception {
        api.stubFor(post(urlPathEqualTo(PATH)).atPriority(1).willReturn(aResponse().withStatus(200).withFixedDelay(30_000)));

        JobProcess.Result result = run("quota-reset", Map.of("JOB_TIMEOUT", "3"));

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output()).contains("deadline exceeded", "JOB_TIMEOUT=3s", "outcome=FAILED");
        assertThat(elapsedMs).isLessThan(15_000L);
    }

    @Test
    void sigtermDuringACallExits143WellInsideTheGracePeriod() throws Exception {
        api.stubFor(post(urlPathEqualTo(PATH)).atPriority(1).willReturn(aResponse().withStatus(200).withFixedDelay(30_000)));
        Map<String, String> env = new HashMap<>(Map.of("JOB_ID", "quota-reset", "CA_API_URL", api.baseUrl(),
                "CA_ROOT_API_KEY", ROOT_KEY, "LOG_LEVEL", "DEBUG"));

        JobProcess.Terminated terminated = JobProcess.runAndTerminate(env, () -> requests(PATH) > 0);
        last = terminated.result();

        assertThat(last.exitCode()).as(last.output()).isEqualTo(143);
        assertThat(terminated.exitAfterSigtermMs()).isLessThan(10_000L);
        assertThat(last.output()).contains("terminated by the platform (SIGTERM)", "outcome=TERMINATED");
    }

    @Test
    void configurationErrorsExitTwoBeforeAnyRequest() throws Exception {
        assertThat(run("no-such-job", Map.of()).exitCode()).isEqualTo(2);
        assertThat(last.output()).contains("Unknown job 'no-such-job'", "quota-reset");

        assertThat(run("quota-reset", Map.of("ENVIRONMENT", "production-eu")).exitCode()).isEqualTo(2);
        assertThat(last.output()).contains("Invalid ENVIRONMENT");

        Map<String, String> noKey = new HashMap<>(Map.of("JOB_ID", "quota-reset", "ENVIRONMENT", "stage",
                "CA_API_URL", "https://api.invalid", "LOG_LEVEL", "DEBUG"));
        last = JobProcess.run(noKey);
        assertThat(last.exitCode()).isEqualTo(2);
        assertThat(last.output()).contains("cannot read secret CA_ROOT_API_KEY from Google Secret Manager (secret ca-root-api-key-test");

        assertThat(run("quota-reset", Map.of("ENVIRONMENT", "prod")).exitCode()).isEqualTo(2);
        assertThat(last.output()).contains("plain http:// is not allowed in prod", "CA_API_URL");

        assertThat(run("quota-reset", Map.of("JOB_TIMEOUT", "soon")).exitCode()).isEqualTo(2);
        assertThat(last.output()).contains("Invalid JOB_TIMEOUT");

        api.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void idempotencyKeyIsStablePerRunAndNewForTheNextRun() throws Exception {
        api.stubFor(post(urlPathEqualTo(PATH)).atPriority(1).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("ok"));

        run("quota-reset", Map.of("CLOUD_RUN_EXECUTION", "quota-reset-x7k2p", "CLOUD_RUN_TASK_ATTEMPT", "0"));
        run("quota-reset", Map.of("CLOUD_RUN_EXECUTION", "quota-reset-x7k2p", "CLOUD_RUN_TASK_ATTEMPT", "1"));
        run("quota-reset", Map.of("CLOUD_RUN_EXECUTION", "quota-reset-b9m4q"));

        List<String> keys = api.getAllServeEvents().stream()
                .sorted((a, b) -> a.getRequest().getLoggedDate().compareTo(b.getRequest().getLoggedDate()))
                .map(event -> event.getRequest().getHeader("Idempotency-Key")).toList();
        assertThat(keys).hasSize(4).doesNotContainNull();
        // retry and second task attempt of one execution: one key; the next execution: another
        assertThat(keys.get(0)).isEqualTo(keys.get(1)).isEqualTo(keys.get(2));
        assertThat(keys.get(3)).isNotEqualTo(keys.get(0));
    }

    @Test
    void jsonLogsAreOneCloudLoggingObjectPerLine() throws Exception {
        JobProcess.Result result = run("quota-reset", Map.of("CLOUD_RUN_JOB", "cloudact-daily-quota-reset",
                "CLOUD_RUN_EXECUTION", "exec-1", "CLOUD_RUN_TASK_INDEX", "0", "CLOUD_RUN_TASK_ATTEMPT", "2"));

        assertThat(result.exitCode()).isZero();
        ObjectMapper json = new ObjectMapper();
        Set<String> traces = new java.util.HashSet<>();
        for (String line : result.output().lines().toList()) {
            JsonNode entry = json.readTree(line);
            assertThat(entry.path("severity").asText()).isNotEmpty();
            assertThat(entry.path("message").asText()).isNotEmpty();
            JsonNode labels = entry.path("logging.googleapis.com/labels");
            assertThat(labels.path("job").asText()).isEqualTo("quota-reset");
            assertThat(labels.path("execution").asText()).isEqualTo("exec-1");
            assertThat(labels.path("attempt").asText()).isEqualTo("2");
            traces.add(entry.path("logging.googleapis.com/trace").asText());
        }
        assertThat(traces).hasSize(1).doesNotContain("");
        assertThat(result.output()).contains("SUMMARY job=quota-reset");
    }

    private static final String FAKE_ID_TOKEN = fakeIdToken();

    private static String fakeIdToken() {
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        String header = base64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes());
        String payload = base64.encodeToString(("{\"aud\":\"x\",\"iss\":\"https://accounts.google.com\",\"exp\":"
                + (System.currentTimeMillis() / 1000 + 3600) + "}").getBytes());
        return header + "." + payload + ".c2lnbmF0dXJl";
    }

    @Test
    void routesDirAddsJobsWithBearerSecretOrGoogleIdToken() throws Exception {
        Path extra = Path.of("src", "test", "resources", "extra-routes").toAbsolutePath();
        api.stubFor(post(urlPathEqualTo("/api/cron/ping")).willReturn(okJson("{}")));
        api.stubFor(post(urlPathEqualTo("/internal/ping")).willReturn(okJson("{}")));
        // the metadata server's two answers the Google auth library needs on Cloud Run
        api.stubFor(get(urlPathEqualTo("/")).willReturn(aResponse().withStatus(200).withHeader("Metadata-Flavor", "Google")));
        api.stubFor(get(urlPathEqualTo("/computeMetadata/v1/instance/service-accounts/default/identity"))
                .withQueryParam("audience", equalTo(api.baseUrl()))
                .willReturn(aResponse().withStatus(200).withHeader("Metadata-Flavor", "Google").withBody(FAKE_ID_TOKEN)));

        JobProcess.Result bearer = run("cron-secret", Map.of("ROUTES_DIR", extra.toString(), "CRON_SECRET", CRON_SECRET));
        assertThat(bearer.exitCode()).as(bearer.output()).isZero();
        api.verify(postRequestedFor(urlPathEqualTo("/api/cron/ping")).withHeader("Authorization", equalTo("Bearer " + CRON_SECRET)));

        JobProcess.Result oidc = run("private-ping", Map.of("ROUTES_DIR", extra.toString(),
                "NO_GCE_CHECK", "false", "GCE_METADATA_HOST", api.baseUrl().replace("http://", ""),
                "HOME", Path.of("target").toAbsolutePath().toString()));
        assertThat(oidc.exitCode()).as(oidc.output()).isZero();
        api.verify(postRequestedFor(urlPathEqualTo("/internal/ping")).withHeader("Authorization", equalTo("Bearer " + FAKE_ID_TOKEN)));
    }
}
