package ai.cloudact.jobs.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import ai.cloudact.jobs.support.ApiStandIn;
import ai.cloudact.jobs.support.JobProcess;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
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
 * The runtime as an attacker and a careless operator try it: hostile answers, secrets echoed back,
 * bad settings, hostile job files, signals at any moment. Each case runs the packaged jar as a
 * process against WireMock, and no line of any output may carry a secret or a stack trace above DEBUG.
 */
class HardeningIT {

    private static final String ROOT_KEY = "hard-root-key-5e7c91";
    private static final String PATH = "/admin/quota/reset-daily";

    @RegisterExtension
    static WireMockExtension api = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private JobProcess.Result last;

    @BeforeEach
    void apiSaysYes() {
        ApiStandIn.answerEverything(api);
    }

    @AfterEach
    void nothingSecretAndNoStackTraceAboveDebug() {
        if (last != null) {
            assertThat(last.output()).doesNotContain(ROOT_KEY);
            if (!last.output().contains("DEBUG") && !last.output().contains("TRACE")) {
                assertThat(last.output()).as("no stack trace above DEBUG").doesNotContainPattern("\\n\\s+at [a-z]+\\.[a-zA-Z.$]+\\(");
            }
        }
    }

    private JobProcess.Result run(String job, Map<String, String> extra, String... args) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("CA_API_URL", api.baseUrl(), "CA_FRONTEND_URL", api.baseUrl(),
                "CA_ROOT_API_KEY", ROOT_KEY, "RETRY_DELAY_MS", "20"));
        if (job != null) {
            env.put("JOB_ID", job);
        }
        env.putAll(extra);
        last = JobProcess.run(env, args);
        return last;
    }

    private static long requests() {
        return api.findAll(anyRequestedFor(anyUrl())).size();
    }

    // --- secrets never appear in any output ------------------------------------------------------

    @Test
    void aKeyEchoedBackInBodyHeaderAndErrorIsRedactedAtEveryLevelAndFormat() throws Exception {
        api.stubFor(post(urlPathEqualTo(PATH)).atPriority(1).willReturn(aResponse().withStatus(200)
                .withHeader("X-Echo", ROOT_KEY).withBody("{\"you_sent\":\"" + ROOT_KEY + "\"}")));
        api.stubFor(post(urlPathEqualTo("/admin/alerts/process-all")).atPriority(1).willReturn(aResponse().withStatus(400)
                .withBody("{\"detail\":\"bad key " + ROOT_KEY + "\"}")));
        api.stubFor(post(urlPathEqualTo("/admin/bootstrap")).atPriority(1).willReturn(aResponse().withStatus(503)
                .withBody("upstream said " + ROOT_KEY)));
        for (String levelAndFormat : List.of("DEBUG text", "TRACE text", "TRACE json")) {
            {
                String level = levelAndFormat.split(" ")[0];
                String format = levelAndFormat.split(" ")[1];
                Map<String, String> settings = Map.of("LOG_LEVEL", level, "LOG_FORMAT", format, "RETRY_MAX_REDELIVERIES", "1");
                assertThat(run("quota-reset", settings).exitCode()).as(last.output()).isZero();
                assertThat(last.output()).contains("****");
                assertThat(run("alerts", settings).exitCode()).as(last.output()).isEqualTo(1);
                assertThat(last.output()).contains("HTTP 400", "bad key ****");
                assertThat(run("bootstrap", settings).exitCode()).as(last.output()).isEqualTo(1);
                assertThat(last.output()).contains("upstream said ****");
            }
        }
        assertThat(run(null, Map.of("LOG_LEVEL", "TRACE"), "--list").exitCode()).isZero();
        assertThat(run(null, Map.of("LOG_LEVEL", "TRACE"), "--validate").exitCode()).isZero();
        assertThat(run(null, Map.of("LOG_LEVEL", "TRACE"), "--help").exitCode()).isZero();
    }

    @Test
    void aUrlWithAPasswordIsAConfigurationErrorThatMasksIt() throws Exception {
        JobProcess.Result result = run("quota-reset", Map.of("CA_API_URL", "https://ops:hunter2-secret@api.example.com"));

        assertThat(result.exitCode()).as(result.output()).isEqualTo(2);
        assertThat(result.output()).contains("Invalid CA_API_URL", "user and password", "outcome=CONFIGURATION_ERROR")
                .doesNotContain("hunter2-secret");
        assertThat(requests()).isZero();
    }

    @Test
    void aSecretThatLooksLikeAPlaceholderIsSentLiterally() throws Exception {
        String key = "k-{{ca.api.url}}-${header.CamelHttpUri}-${env:HOME}";
        JobProcess.Result result = run("quota-reset", Map.of("CA_ROOT_API_KEY", key));

        assertThat(result.exitCode()).as(result.output()).isZero();
        api.verify(1, postRequestedFor(urlPathEqualTo(PATH)).withHeader("X-CA-Root-Key", equalTo(key)));
        assertThat(result.output()).doesNotContain(key);
    }

    // --- bounded everything --------------------------------------------------------------------

    @Test
    void aFiftyMegabyteAnswerFailsTheRunWithItsSummaryInASmallHeap() throws Exception {
        byte[] huge = new byte[50 << 20];
        java.util.Arrays.fill(huge, (byte) 'x');
        api.stubFor(post(urlPathEqualTo(PATH)).atPriority(1).willReturn(aResponse().withStatus(200).withBody(huge)));

        JobProcess.Result result = run("quota-reset", Map.of("JAVA_TOOL_OPTIONS", "-Xmx64m"));

        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output()).contains("outcome=FAILED", "larger than HTTP_MAX_BODY_BYTES=4194304", "attempts=1");
        assertThat(api.findAll(postRequestedFor(urlPathEqualTo(PATH)))).as("not retried").hasSize(1);
    }

    @Test
    void aLogLineQuotesAtMostAFewKilobytesOfAnAnswerAndSaysHowLongItWas() throws Exception {
        String body = "{\"padding\":\"" + "y".repeat(100_000) + "\"}";
        api.stubFor(post(urlPathEqualTo(PATH)).atPriority(1).willReturn(okJson(body)));

        JobProcess.Result result = run("quota-reset", Map.of());

        assertThat(result.exitCode()).as(result.output()).isZero();
        String line = result.output().lines().filter(l -> l.contains("quota-reset: HTTP 200")).findFirst().orElseThrow();
        assertThat(line.length()).isLessThan(2300);
        assertThat(line).contains("...(" + body.length() + " chars)");
    }

    @Test
    void theCallTimeoutIsADeadlineForTheWholeAnswerNotPerRead() throws Exception {
        // every read gets a byte within 500 ms, but the whole answer takes 4 s
        api.stubFor(post(urlPathEqualTo(PATH)).atPriority(1).willReturn(okJson("{\"status\":\"" + "z".repeat(400) + "\"}")
                .withChunkedDribbleDelay(10, 4000)));

        JobProcess.Result result = run("quota-reset", Map.of("HTTP_RESPONSE_TIMEOUT_MS", "1000", "RETRY_MAX_REDELIVERIES", "1"));

        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output()).contains("no answer in time", "no complete answer within 1000 ms", "attempts=2");
        List<ServeEvent> calls = api.getAllServeEvents().stream().filter(e -> e.getRequest().getUrl().equals(PATH))
                .sorted((a, b) -> a.getRequest().getLoggedDate().compareTo(b.getRequest().getLoggedDate())).toList();
        assertThat(calls).hasSize(2);
        long gapMs = calls.get(1).getRequest().getLoggedDate().getTime() - calls.get(0).getRequest().getLoggedDate().getTime();
        assertThat(gapMs).as("the first attempt ended at its 1 s deadline, not after the 4 s answer").isLessThan(3_500L);
    }

    @Test
    void retryAfterThatIsNegativeHugePastOrGarbageFallsBackToTheCappedBackoff() throws Exception {
        String past = "Wed, 21 Oct 2015 07:28:00 GMT";
        for (String retryAfter : List.of("-5", "99999999999999999999", past, "soon", "86400")) {
            api.resetAll();
            api.stubFor(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(429).withHeader("Retry-After", retryAfter)));

            long started = System.nanoTime();
            JobProcess.Result result = run("quota-reset", Map.of("RETRY_MAX_REDELIVERIES", "1", "RETRY_DELAY_MS", "100",
                    "RETRY_AFTER_MAX_MS", "800"));
            long ms = (System.nanoTime() - started) / 1_000_000;

            assertThat(result.exitCode()).as(retryAfter + "\n" + result.output()).isEqualTo(1);
            assertThat(api.findAll(postRequestedFor(urlPathEqualTo(PATH)))).as(retryAfter).hasSize(2);
            assertThat(ms).as(retryAfter + ": capped").isLessThan(20_000L);
            if (retryAfter.equals("86400")) {
                assertThat(result.output()).contains("Retry-After: waiting 800 ms");
            } else {
                assertThat(result.output()).as(retryAfter).doesNotContain("Retry-After: waiting");
            }
        }
    }

    @Test
    void anHtmlPageWhereJsonIsExpectedIsAFailureThatSaysWhatCameBack() throws Exception {
        api.stubFor(post(urlPathEqualTo(PATH)).atPriority(1).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/html; charset=utf-8").withBody("<!DOCTYPE html><html><title>Sign in</title></html>")));

        JobProcess.Result result = run("quota-reset", Map.of());

        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output()).contains("outcome=FAILED", "answered text/html", "<!DOCTYPE html>", "check the URL setting");
        assertThat(api.findAll(postRequestedFor(urlPathEqualTo(PATH)))).as("not retried").hasSize(1);
    }

    @Test
    void concurrencyOutsideItsRangeIsAConfigurationError() throws Exception {
        for (String value : List.of("0", "257", "-3", "abc", "99999999999999999999")) {
            assertThat(run("org-sync-all", Map.of("ORG_SYNC_CONCURRENCY", value)).exitCode()).as(value + last.output()).isEqualTo(2);
            assertThat(last.output()).contains("Invalid ORG_SYNC_CONCURRENCY '" + value + "'", "an integer from 1 to 256");
        }
        assertThat(requests()).isZero();
    }

    @Test
    void manyOrgsAtHighConcurrencyNeverWaitForAPooledConnection() throws Exception {
        String orgs = IntStream.range(0, 120).mapToObj(i -> "{\"org_slug\":\"org-" + i + "\"}").collect(Collectors.joining(","));
        api.stubFor(get(urlPathEqualTo("/admin/orgs")).atPriority(1).willReturn(okJson("{\"orgs\":[" + orgs + "]}")));
        api.stubFor(post(urlPathMatching("/admin/orgs/.*/sync")).atPriority(1).willReturn(okJson("{}").withFixedDelay(1500)));

        JobProcess.Result result = run("org-sync-all", Map.of("ORG_SYNC_CONCURRENCY", "60", "HTTP_CONNECT_TIMEOUT_MS", "200"));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("ok=120 failed=0 skipped=0").doesNotContain("circuit breaker open");
    }

    // --- every setting checked before the first request ----------------------------------------

    @Test
    void everyBadSettingIsNamedWithItsAcceptedForm() throws Exception {
        Map<String, String> bad = Map.of("JOB_TIMEOUT", "99999999999999999999", "DRY_RUN", "maybe", "CA_API_URL", "not-a-url",
                "RETRY_MAX_REDELIVERIES", "-1", "HTTP_RESPONSE_TIMEOUT_MS", "abc", "LOG_FORMAT", "xml");
        JobProcess.Result all = run("quota-reset", bad);
        assertThat(all.exitCode()).as(all.output()).isEqualTo(2);
        assertThat(all.output()).contains("Invalid JOB_TIMEOUT '99999999999999999999'", "Invalid DRY_RUN 'maybe': not true or false; accepted: true or false",
                "Invalid RETRY_MAX_REDELIVERIES '-1'", "an integer from 0 to 10", "Invalid HTTP_RESPONSE_TIMEOUT_MS 'abc'",
                "Invalid LOG_FORMAT 'xml'", "outcome=CONFIGURATION_ERROR");
        JobProcess.Result url = run("quota-reset", Map.of("CA_API_URL", "not-a-url"));
        assertThat(url.exitCode()).isEqualTo(2);
        assertThat(url.output()).contains("Invalid CA_API_URL 'not-a-url': not an http:// or https:// URL");
        assertThat(requests()).isZero();
    }

    @Test
    void aHostileJobFileIsExitTwoWithItsNameInARunValidateAndList(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("deep.yaml"), "- " + "[".repeat(50_000) + "]".repeat(50_000) + "\n");
        Files.writeString(dir.resolve("bomb.yaml"), "- a: &a [x, x, x, x, x, x, x, x, x]\n- b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                + "- c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n- d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n- e: [*d, *d, *d, *d, *d, *d]\n");
        Map<String, String> routes = Map.of("ROUTES_DIR", dir.toString());
        for (String job : List.of("deep", "bomb")) {
            assertThat(run(job, routes).exitCode()).as(last.output()).isEqualTo(2);
            assertThat(last.output()).contains(job + ".yaml", "outcome=CONFIGURATION_ERROR").doesNotContain("StackOverflowError");
        }
        assertThat(run(null, routes, "--validate").exitCode()).as(last.output()).isEqualTo(2);
        assertThat(last.output()).contains("deep.yaml", "nested more than", "bomb.yaml").doesNotContain("StackOverflowError");
        assertThat(run(null, routes, "--list").exitCode()).as(last.output()).isEqualTo(2);
        assertThat(last.output()).contains("deep.yaml", "bomb.yaml", "quota-reset");
        // another job of the same pack is not affected
        assertThat(run("quota-reset", routes).exitCode()).as(last.output()).isZero();
    }

    // --- the run's record is always written ------------------------------------------------------

    @Test
    void theSummaryIsWrittenAtEveryLogLevelAndInBothFormats() throws Exception {
        for (String level : List.of("WARN", "ERROR", "OFF")) {
            for (String format : List.of("text", "json")) {
                JobProcess.Result result = run("quota-reset", Map.of("LOG_LEVEL", level, "LOG_FORMAT", format));
                assertThat(result.exitCode()).isZero();
                assertThat(result.output().lines().filter(l -> l.contains("SUMMARY job=quota-reset"))).as(level + " " + format).hasSize(1);
                assertThat(result.output()).as(level + ": nothing else at INFO").doesNotContain("Starting job");
            }
        }
    }

    @Test
    void sigtermAtAnyMomentWritesTheSummaryAndExits143AndSigintExits130() throws Exception {
        Map<String, String> env = Map.of("JOB_ID", "quota-reset", "CA_API_URL", api.baseUrl(), "CA_ROOT_API_KEY", ROOT_KEY);
        // 100 ms after the runtime's first line, long before the route starts
        JobProcess.Terminated early = JobProcess.runAndSignal(env, 100, "TERM");
        last = early.result();
        assertThat(last.exitCode()).as(last.output()).isEqualTo(143);
        assertThat(last.output()).contains("outcome=TERMINATED", "SIGTERM");

        JobProcess.Terminated interrupted = JobProcess.runAndSignal(env, 100, "INT");
        last = interrupted.result();
        assertThat(last.exitCode()).as(last.output()).isEqualTo(130);
        assertThat(last.output()).contains("outcome=TERMINATED", "interrupted (SIGINT)");
    }

    @Test
    void sigtermDuringAFanOutWritesTheCountsSoFar() throws Exception {
        String orgs = IntStream.range(0, 50).mapToObj(i -> "{\"org_slug\":\"o" + i + "\"}").collect(Collectors.joining(","));
        api.stubFor(get(urlPathEqualTo("/admin/orgs")).atPriority(1).willReturn(okJson("{\"orgs\":[" + orgs + "]}")));
        api.stubFor(post(urlPathMatching("/admin/orgs/o[0-9]/sync")).atPriority(1).willReturn(okJson("{}")));
        api.stubFor(post(urlPathMatching("/admin/orgs/o[0-9][0-9]/sync")).atPriority(1).willReturn(okJson("{}").withFixedDelay(20_000)));
        Map<String, String> env = Map.of("JOB_ID", "org-sync-all", "CA_API_URL", api.baseUrl(), "CA_ROOT_API_KEY", ROOT_KEY,
                "ORG_SYNC_CONCURRENCY", "4");

        JobProcess.Terminated terminated = JobProcess.runAndTerminate(env,
                () -> api.findAll(postRequestedFor(urlPathMatching("/admin/orgs/o[0-9][0-9]/sync"))).size() >= 4);
        last = terminated.result();

        assertThat(last.exitCode()).as(last.output()).isEqualTo(143);
        assertThat(last.output()).containsPattern("outcome=TERMINATED .*ok=10 failed=0 skipped=0");
    }

    // --- org list paging -------------------------------------------------------------------------

    @Test
    void aRepeatedPageTokenStopsTheWalkNamingTheTokenAndNoOrgIsSyncedTwice() throws Exception {
        api.stubFor(get(urlPathEqualTo("/admin/orgs")).atPriority(1).withQueryParam("page_token", absent())
                .willReturn(okJson("{\"orgs\":[{\"org_slug\":\"a\"}],\"next_page_token\":\"t2\"}")));
        api.stubFor(get(urlPathEqualTo("/admin/orgs")).atPriority(1).withQueryParam("page_token", equalTo("t2"))
                .willReturn(okJson("{\"orgs\":[{\"org_slug\":\"b\"}],\"next_page_token\":\"t2\"}")));

        JobProcess.Result result = run("org-sync-all", Map.of());

        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output()).contains("outcome=FAILED", "repeats next_page_token 't2'", "ok=2 failed=0 skipped=0");
        api.verify(1, postRequestedFor(urlPathEqualTo("/admin/orgs/a/sync")));
        api.verify(1, postRequestedFor(urlPathEqualTo("/admin/orgs/b/sync")));
        api.verify(2, com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(urlPathEqualTo("/admin/orgs")));

        api.resetAll();
        api.stubFor(get(urlPathEqualTo("/admin/orgs")).willReturn(okJson("{\"orgs\":[{\"org_slug\":\"x\"}],\"next_page_token\":\"{{randomValue length=16 type='ALPHANUMERIC'}}\"}")
                .withTransformers("response-template")));
        api.stubFor(post(urlPathMatching("/admin/orgs/.*/sync")).willReturn(okJson("{}")));
        JobProcess.Result capped = run("org-sync-all", Map.of("ORG_SYNC_MAX_PAGES", "3"));
        assertThat(capped.exitCode()).as(capped.output()).isEqualTo(1);
        assertThat(capped.output()).contains("more than 3 pages", "ORG_SYNC_MAX_PAGES");
    }

    @Test
    void aPageThatFailsAfterOthersKeepsTheCountsAndNamesThePage() throws Exception {
        api.stubFor(get(urlPathEqualTo("/admin/orgs")).atPriority(1).withQueryParam("page_token", absent())
                .willReturn(okJson("{\"orgs\":[{\"org_slug\":\"a\"},{\"org_slug\":\"b\"},null],\"next_page_token\":\"t2\"}")));
        api.stubFor(get(urlPathEqualTo("/admin/orgs")).atPriority(1).withQueryParam("page_token", equalTo("t2"))
                .willReturn(aResponse().withStatus(500).withBody("{\"detail\":\"db down\"}")));

        JobProcess.Result result = run("org-sync-all", Map.of("RETRY_MAX_REDELIVERIES", "1"));

        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output()).contains("outcome=FAILED", "ok=2 failed=0 skipped=1", "page 2 of the org list failed", "HTTP 500");
    }

    // --- help, colours, the circuit breaker ----------------------------------------------------------

    @Test
    void helpListsEverySettingWithItsDefaultAndAcceptedForm() throws Exception {
        JobProcess.Result help = run(null, Map.of(), "--help");

        assertThat(help.exitCode()).isZero();
        for (Setting setting : Settings.RUNTIME) {
            assertThat(help.output()).contains(setting.env(), setting.accepted());
        }
        assertThat(help.output()).contains("CA_API_URL", "ORG_SYNC_CONCURRENCY", "an integer from 1 to 256", "CA_ROOT_API_KEY",
                "Exit codes");
        assertThat(help.output()).as("what the runtime reads from its platform is named too").contains("Read from the platform",
                "CLOUD_RUN_JOB", "K_SERVICE", "KUBERNETES_SERVICE_HOST", "CLOUD_RUN_EXECUTION", "JOB_RUN_ID", "CLOUD_RUN_TASK_ATTEMPT", "HOSTNAME", "NO_COLOR");
        assertThat(help.output()).as("no colour codes in a pipe").doesNotContain("\u001b[");
        assertThat(run("quota-reset", Map.of()).output()).doesNotContain("\u001b[");
    }

    @Test
    void anOpenCircuitSaysSoAndCountsTheCallsItRefused() throws Exception {
        String orgs = IntStream.range(0, 30).mapToObj(i -> "{\"org_slug\":\"org-" + i + "\"}").collect(Collectors.joining(","));
        api.stubFor(get(urlPathEqualTo("/admin/orgs")).atPriority(1).willReturn(okJson("{\"orgs\":[" + orgs + "]}")));
        api.stubFor(post(urlPathMatching("/admin/orgs/.*/sync")).atPriority(1).willReturn(aResponse().withStatus(503)));

        JobProcess.Result result = run("org-sync-all", Map.of("ORG_SYNC_CONCURRENCY", "2", "RETRY_MAX_REDELIVERIES", "1"));

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output()).containsPattern("reason=\".*circuit breaker open: \\d+ call\\(s\\) not made\\)\"");
        List<ServeEvent> syncs = api.getAllServeEvents().stream().filter(e -> e.getRequest().getUrl().endsWith("/sync")).toList();
        assertThat(syncs.size()).isLessThan(30);
    }
}
