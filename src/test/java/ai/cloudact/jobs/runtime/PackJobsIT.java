package ai.cloudact.jobs.runtime;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import ai.cloudact.jobs.catalog.HttpCall;
import ai.cloudact.jobs.catalog.Job;
import ai.cloudact.jobs.catalog.Pack;
import ai.cloudact.jobs.run.Environment;
import ai.cloudact.jobs.support.JobProcess;
import ai.cloudact.jobs.support.Jobs;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.request;
import static com.github.tomakehurst.wiremock.client.WireMock.requestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every one-call job of every pack as the packaged runtime runs it, a real process against WireMock,
 * with ENVIRONMENT=test, LOG_LEVEL=DEBUG and JOB_ID its deployed name: the request its job file declares
 * arrives (method, path, credential headers, body; a Google ID token from a metadata-server stand-in
 * whose audience is the target's URL), a 503 is retried, each HTTP failure the pack has a hint for says
 * it, an answer that does not report the expected status fails quoting it, a dry run sends nothing, and
 * no credential appears in any output. The jobs, their calls and the hints come from the pack
 * directories: a new job file or hint is covered with no change here.
 */
class PackJobsIT {

    private static final String FAKE_ID_TOKEN = fakeIdToken();

    @org.junit.jupiter.api.extension.RegisterExtension
    static WireMockExtension api = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private final List<String> credentials = new ArrayList<>(List.of(FAKE_ID_TOKEN));
    private JobProcess.Result last;

    /** The metadata server's two answers the Google auth library needs on Cloud Run; the token only for the API's own URL. */
    @BeforeEach
    void metadataServer() {
        api.stubFor(get(urlPathEqualTo("/")).willReturn(aResponse().withStatus(200).withHeader("Metadata-Flavor", "Google")));
        api.stubFor(get(urlPathEqualTo("/computeMetadata/v1/instance/service-accounts/default/identity"))
                .withQueryParam("audience", equalTo(api.baseUrl()))
                .willReturn(aResponse().withStatus(200).withHeader("Metadata-Flavor", "Google").withBody(FAKE_ID_TOKEN)));
    }

    @AfterEach
    void noCredentialInAnyLine() {
        if (last != null) {
            credentials.forEach(secret -> assertThat(last.output()).as("output of the last run").doesNotContain(secret));
        }
    }

    /** Every job of every pack that makes one declared HTTP call. */
    static Stream<Job> jobs() {
        return Jobs.all().filter(job -> HttpCall.of(job).isPresent());
    }

    /** Each pack's hints for HTTP statuses, with a job of the pack to try them on. */
    static Stream<Arguments> hints() {
        return Pack.names().stream().flatMap(name -> {
            Job job = jobs().filter(j -> j.pack().equals(name)).findFirst().orElse(null);
            if (job == null) {
                return Stream.empty();
            }
            return Pack.load(name).properties(Environment.TEST).entrySet().stream()
                    .filter(e -> e.getKey().matches("pack\\.hint\\.http\\.\\d{3}"))
                    .map(e -> Arguments.of(job, Integer.parseInt(e.getKey().substring("pack.hint.http.".length())), e.getValue()));
        });
    }

    /** The jobs whose answer must report a status ({@code direct:expect-status}). */
    static Stream<Job> reportingJobs() {
        return jobs().filter(job -> HttpCall.of(job).orElseThrow().expectedStatus() != null);
    }

    /** One job per pack, for the dry run. */
    static Stream<Job> onePerPack() {
        return Pack.names().stream().flatMap(name -> jobs().filter(j -> j.pack().equals(name)).findFirst().stream());
    }

    @ParameterizedTest(name = "{0}: sends its declared request, retries two 503s, succeeds")
    @MethodSource("jobs")
    void sendsItsDeclaredRequestAndRetriesA503(Job job) throws Exception {
        HttpCall call = expectedCall(job);
        String path = pathOf(call);
        String success = call.expectedStatus() == null ? "{\"ok\":true}"
                : "{\"status\":\"" + call.expectedStatus() + "\",\"output\":\"done in the test\"}";
        String state = Scenario.STARTED;
        int[] statuses = {503, 503, 200};
        for (int i = 0; i < statuses.length; i++) {
            String next = i == statuses.length - 1 ? state : "after-" + (i + 1);
            api.stubFor(request(call.method(), urlPathEqualTo(path)).inScenario("flaky").whenScenarioStateIs(state)
                    .willReturn(aResponse().withStatus(statuses[i]).withHeader("Content-Type", "application/json")
                            .withBody(statuses[i] == 200 ? success : "{\"detail\":\"busy\"}"))
                    .willSetStateTo(next));
            state = next;
        }

        last = JobProcess.run(env(job, Map.of()));

        assertThat(last.exitCode()).as(last.output()).isZero();
        assertThat(last.output()).contains("SUMMARY job=" + job.id(), "environment=test", "outcome=SUCCESS", "attempts=3",
                "http_status=200", "retrying " + call.method() + " " + api.baseUrl() + path);
        api.verify(3, expected(call));
        List<String> keys = api.getAllServeEvents().stream().filter(e -> e.getRequest().getUrl().startsWith(path))
                .map(e -> e.getRequest().getHeader("Idempotency-Key")).distinct().toList();
        assertThat(keys).as("one Idempotency-Key for the run's attempts").hasSize(1);
    }

    @ParameterizedTest(name = "{0}: HTTP {1} fails at once with the pack's hint")
    @MethodSource("hints")
    void anHttpFailureSaysWhatThePackSaysToCheck(Job job, int status, String hint) throws Exception {
        HttpCall call = expectedCall(job);
        api.stubFor(request(call.method(), urlPathEqualTo(pathOf(call)))
                .willReturn(aResponse().withStatus(status).withBody("{\"detail\":\"refused-" + status + "\"}")));

        last = JobProcess.run(env(job, Map.of()));

        assertThat(last.exitCode()).as(last.output()).isEqualTo(1);
        assertThat(last.output()).contains("HTTP " + status + " from " + api.baseUrl() + pathOf(call), hint, "refused-" + status,
                "outcome=FAILED", "attempts=1");
        api.verify(1, expected(call));
    }

    @ParameterizedTest(name = "{0}: an answer that is not the expected status fails, quoted")
    @MethodSource("reportingJobs")
    void anAnswerThatDoesNotReportTheExpectedStatusFailsQuotingIt(Job job) throws Exception {
        HttpCall call = expectedCall(job);
        api.stubFor(request(call.method(), urlPathEqualTo(pathOf(call))).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"status\":\"failed\",\"output\":\"disk full on worker-7\"}")));

        last = JobProcess.run(env(job, Map.of()));

        assertThat(last.exitCode()).as(last.output()).isEqualTo(1);
        assertThat(last.output()).contains("the answer is not {\"status\": \"" + call.expectedStatus() + "\"}: HTTP 200",
                "disk full on worker-7", "outcome=FAILED", "http_status=200", "attempts=1");
        api.verify(1, expected(call));
    }

    /** One job is enough: every job checks its answer with the same shared step. */
    static Stream<Job> firstReportingJob() {
        return reportingJobs().limit(1);
    }

    @ParameterizedTest(name = "{0}: an answer that is not JSON fails, quoted and cut")
    @MethodSource("firstReportingJob")
    void anAnswerThatIsNotJsonFailsQuotingItsStart(Job job) throws Exception {
        HttpCall call = expectedCall(job);
        String text = "Service degraded, try later: " + "x".repeat(2000);
        api.stubFor(request(call.method(), urlPathEqualTo(pathOf(call))).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/plain").withBody(text)));

        last = JobProcess.run(env(job, Map.of()));

        assertThat(last.exitCode()).as(last.output()).isEqualTo(1);
        assertThat(last.output()).contains("HTTP 200 Service degraded, try later: xxx", "x...", "outcome=FAILED")
                .doesNotContain("x".repeat(400));
    }

    @ParameterizedTest(name = "{0}: a dry run sends nothing and masks the credentials")
    @MethodSource("onePerPack")
    void aDryRunSendsNothing(Job job) throws Exception {
        HttpCall call = expectedCall(job);

        last = JobProcess.run(env(job, Map.of("DRY_RUN", "true")));

        assertThat(last.exitCode()).as(last.output()).isZero();
        assertThat(last.output()).contains("DRY RUN: would send " + call.method() + " " + api.baseUrl() + pathOf(call), "dry_run=true");
        call.headers().keySet().stream().filter(name -> !name.equals("Content-Type"))
                .forEach(name -> assertThat(last.output()).contains(name + "=****"));
        api.verify(0, anyRequestedFor(urlPathEqualTo(pathOf(call))));
    }

    /** One job per pack whose URL setting has no default in test (the deploy sets it: WORKER_URL, SUPABASE_URL). */
    static Stream<Job> needingTheDeploysUrl() {
        return onePerPack().filter(job -> !urlsWithoutDefault(Pack.load(job.pack())).isEmpty());
    }

    @ParameterizedTest(name = "{0}: without the URL the deploy sets, exit 2 naming it, before any request")
    @MethodSource("needingTheDeploysUrl")
    void withoutTheUrlTheDeploySetsTheRunStopsNamingIt(Job job) throws Exception {
        Pack pack = Pack.load(job.pack());
        Map<String, String> env = new HashMap<>(env(job, Map.of()));
        List<String> unset = urlsWithoutDefault(pack);
        unset.forEach(env::remove);

        last = JobProcess.run(env);

        assertThat(last.exitCode()).as(last.output()).isEqualTo(2);
        assertThat(last.output()).contains("set " + unset.get(0) + " (it has no default in test)", "outcome=CONFIGURATION_ERROR");
        api.verify(0, anyRequestedFor(urlPathMatching("/(?!computeMetadata).*")));
    }

    private static List<String> urlsWithoutDefault(Pack pack) {
        Map<String, String> test = pack.properties(Environment.TEST);
        return Settings.of(pack, Environment.LOCAL).stream().filter(setting -> setting.accepted().startsWith("an http://"))
                .filter(setting -> test.getOrDefault(setting.property(), "").isBlank()).map(Setting::env).toList();
    }

    /** ENVIRONMENT=test, JOB_ID the deployed name, every URL setting of the pack at WireMock, each secret a test value. */
    private Map<String, String> env(Job job, Map<String, String> extra) {
        Pack pack = Pack.load(job.pack());
        Map<String, String> env = new HashMap<>(Map.of("ENVIRONMENT", "test", "PACK", job.pack(),
                "JOB_ID", pack.deployName(job, Environment.TEST), "LOG_LEVEL", "DEBUG", "RETRY_DELAY_MS", "20"));
        urlSettings(pack).forEach(setting -> env.put(setting, api.baseUrl()));
        for (String secret : job.secrets()) {
            env.put(secret, secretValue(secret));
            credentials.add(secretValue(secret));
        }
        if (HttpCall.of(job).orElseThrow().googleIdToken()) {
            // the Google auth library finds the metadata server there (its documented override)
            env.put("NO_GCE_CHECK", "false");
            env.put("GCE_METADATA_HOST", api.baseUrl().replace("http://", ""));
            env.put("HOME", Path.of("target").toAbsolutePath().toString());
        }
        env.putAll(extra);
        return env;
    }

    /** The call the job file declares, with the values the process gets. */
    private HttpCall expectedCall(Job job) {
        Pack pack = Pack.load(job.pack());
        List<String> urls = urlSettings(pack);
        Map<String, String> properties = pack.properties(Environment.TEST);
        return HttpCall.of(job).orElseThrow().resolve(name -> {
            if (name.startsWith("secret:")) {
                return secretValue(name.substring("secret:".length()));
            }
            return urls.contains(Setting.envName(name)) ? api.baseUrl() : properties.getOrDefault(name, "");
        });
    }

    private static List<String> urlSettings(Pack pack) {
        return Settings.of(pack, Environment.LOCAL).stream().filter(setting -> setting.accepted().startsWith("an http://"))
                .map(Setting::env).toList();
    }

    private static String secretValue(String name) {
        return "it-" + name.toLowerCase(Locale.ROOT).replace('_', '-') + "-7c41";
    }

    private static String pathOf(HttpCall call) {
        assertThat(call.uri()).startsWith(api.baseUrl());
        return call.uri().substring(api.baseUrl().length());
    }

    private static RequestPatternBuilder expected(HttpCall call) {
        RequestPatternBuilder request = requestedFor(call.method(), urlPathEqualTo(pathOf(call)))
                .withHeader("Idempotency-Key", matching("[0-9a-f-]{36}"));
        call.headers().forEach((name, value) -> request.withHeader(name, name.equals("Content-Type") ? containing(value) : equalTo(value)));
        if (call.googleIdToken()) {
            request.withHeader("Authorization", equalTo("Bearer " + FAKE_ID_TOKEN));
        }
        return call.body() == null || call.body().isEmpty() ? request : request.withRequestBody(equalToJson(call.body()));
    }

    private static String fakeIdToken() {
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        String header = base64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes());
        String payload = base64.encodeToString(("{\"aud\":\"pack-jobs\",\"iss\":\"https://accounts.google.com\",\"exp\":"
                + (System.currentTimeMillis() / 1000 + 3600) + "}").getBytes());
        return header + "." + payload + ".cGFjay1qb2Jz";
    }
}
