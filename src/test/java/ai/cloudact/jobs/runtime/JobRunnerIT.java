package ai.cloudact.jobs.runtime;

import ai.cloudact.jobs.support.JobProcess;
import java.util.HashMap;
import java.util.Map;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged runtime end to end, as a real process against a real HTTP server: exit codes, the
 * start and summary lines, what reaches the API, and that the root key never appears in the output.
 */
class JobRunnerIT {

    private static final String ROOT_KEY = "it-root-key-5b0c9e";

    @RegisterExtension
    static WireMockExtension api = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort()).build();

    private JobProcess.Result last;

    @org.junit.jupiter.api.BeforeEach
    void apiSaysYes() {
        ai.cloudact.jobs.support.ApiStandIn.answerEverything(api);
    }

    @AfterEach
    void rootKeyNeverPrinted() {
        if (last != null) {
            assertThat(last.output()).doesNotContain(ROOT_KEY);
        }
    }

    private JobProcess.Result run(String job, Map<String, String> extra) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of(
                "CA_API_URL", api.baseUrl(),
                "CA_FRONTEND_URL", api.baseUrl(),
                "CA_ROOT_API_KEY", ROOT_KEY,
                "RETRY_DELAY_MS", "20"));
        if (job != null) {
            env.put("JOB_ID", job);
        }
        env.putAll(extra);
        last = JobProcess.run(env);
        return last;
    }

    @Test
    void successExitsZeroWithStartAndSummaryLines() throws Exception {
        JobProcess.Result result = run("quota-reset", Map.of());

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output())
                .contains("Starting job quota-reset (cloudact-daily-quota-reset) environment=local target="
                        + api.baseUrl() + "/admin/quota/reset-daily")
                .containsPattern("SUMMARY job=quota-reset environment=local outcome=SUCCESS duration=\\d+\\.\\d{3}s attempts=1 http_status=200");
        api.verify(1, postRequestedFor(urlPathEqualTo("/admin/quota/reset-daily")).withHeader("X-CA-Root-Key", equalTo(ROOT_KEY)));
    }

    @Test
    void longNameSelectsTheSameJob() throws Exception {
        JobProcess.Result result = run("cloudact-5min-billing-sync-retry", Map.of());

        assertThat(result.exitCode()).as(result.output()).isZero();
        api.verify(1, postRequestedFor(urlPathEqualTo("/api/cron/billing-sync"))
                .withRequestBody(matchingJsonPath("$.mode", equalTo("retry"))));
    }

    @Test
    void transientServerErrorsAreRetriedThenSucceed() throws Exception {
        api.stubFor(post(urlPathEqualTo("/admin/alerts/process-all")).atPriority(1).inScenario("flaky")
                .whenScenarioStateIs(Scenario.STARTED).willReturn(aResponse().withStatus(503)).willSetStateTo("one"));
        api.stubFor(post(urlPathEqualTo("/admin/alerts/process-all")).atPriority(1).inScenario("flaky")
                .whenScenarioStateIs("one").willReturn(aResponse().withStatus(503)).willSetStateTo("two"));

        JobProcess.Result result = run("alerts", Map.of());

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("outcome=SUCCESS", "attempts=3", "retrying POST", "(attempt 2 of 4)");
        api.verify(3, postRequestedFor(urlPathEqualTo("/admin/alerts/process-all")));
    }

    @Test
    void persistentServerErrorExitsOne() throws Exception {
        api.stubFor(post(urlPathEqualTo("/admin/quota/cleanup-stale")).atPriority(1)
                .willReturn(aResponse().withStatus(502).withBody("bad gateway")));

        JobProcess.Result result = run("stale-cleanup", Map.of());

        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output()).contains("outcome=FAILED", "attempts=4", "http_status=502", "bad gateway");
        api.verify(4, postRequestedFor(urlPathEqualTo("/admin/quota/cleanup-stale")));
    }

    @Test
    void unauthorisedExitsOneAfterOneRequestAndNamesTheKey() throws Exception {
        api.stubFor(post(urlPathEqualTo("/admin/bootstrap")).atPriority(1)
                .willReturn(aResponse().withStatus(401).withBody("{\"detail\":\"invalid root key\"}")));

        JobProcess.Result result = run("bootstrap", Map.of());

        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output()).contains("HTTP 401", "CA_ROOT_API_KEY", "outcome=FAILED");
        api.verify(1, postRequestedFor(urlPathEqualTo("/admin/bootstrap")));
    }

    @Test
    void unknownJobExitsTwoAndListsTheValidJobs() throws Exception {
        JobProcess.Result result = run("quota-reboot", Map.of());

        assertThat(result.exitCode()).as(result.output()).isEqualTo(2);
        assertThat(result.output()).contains("Unknown job 'quota-reboot'", "quota-reset", "cloudact-daily-quota-cleanup",
                "org-sync-all");
        api.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void noJobExitsTwo() throws Exception {
        JobProcess.Result result = run(null, Map.of());

        assertThat(result.exitCode()).as(result.output()).isEqualTo(2);
        assertThat(result.output()).contains("No job selected", "JOB_ID", "billing-retry");
    }

    @Test
    void invalidEnvironmentExitsTwo() throws Exception {
        JobProcess.Result result = run("quota-reset", Map.of("ENVIRONMENT", "qa"));

        assertThat(result.exitCode()).as(result.output()).isEqualTo(2);
        assertThat(result.output()).contains("Invalid ENVIRONMENT 'qa'", "local, test, stage, prod");
        api.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void missingSecretExitsTwoBeforeAnyRequest() throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("JOB_ID", "quota-reset", "ENVIRONMENT", "test",
                "CA_API_URL", api.baseUrl()));
        last = JobProcess.run(env);

        assertThat(last.exitCode()).as(last.output()).isEqualTo(2);
        assertThat(last.output()).contains("ca-root-api-key-test", "CA_ROOT_API_KEY");
        api.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void listPrintsEveryJob() throws Exception {
        last = JobProcess.run(Map.of(), "--list");

        assertThat(last.exitCode()).as(last.output()).isZero();
        long jobs = ai.cloudact.jobs.support.Jobs.defaultPack().size();
        assertThat(last.output().lines().filter(line -> line.matches("^[a-z-]+\\s+cloudact-.*"))).hasSize((int) jobs);
        assertThat(last.output()).contains("0 */5 * * * ? Etc/UTC", "manual", "/admin/quota/reset-daily");
    }

    @Test
    void aBrokenRouteFileOfAnotherJobDoesNotAffectThisOne() throws Exception {
        // ROUTES_DIR holds nine broken job files; only the selected job's file is ever parsed
        JobProcess.Result result = run("quota-reset", Map.of("ROUTES_DIR", "src/test/resources/broken-routes"));
        assertThat(result.exitCode()).as(result.output()).isZero();

        JobProcess.Result broken = run("not-yaml", Map.of("ROUTES_DIR", "src/test/resources/broken-routes"));
        assertThat(broken.exitCode()).as(broken.output()).isEqualTo(2);
        assertThat(broken.output()).contains("not-yaml.yaml", "outcome=CONFIGURATION_ERROR");
    }

    @Test
    void validateChecksTheShippedRoutesAndReportsBrokenOnes() throws Exception {
        last = JobProcess.run(Map.of(), "--validate");
        assertThat(last.exitCode()).as(last.output()).isZero();
        assertThat(last.output()).contains("OK: every job file is valid");

        last = JobProcess.run(Map.of(), "--validate", "src/test/resources/broken-routes");
        assertThat(last.exitCode()).as(last.output()).isEqualTo(2);
        assertThat(last.output()).contains("no-breaker.yaml:10: the call to direct:outbound-call is not inside a circuitBreaker",
                "unknown-property.yaml:9: unknown property {{ca.api.ulr}}", "9 problem(s)");
    }

    @Test
    void orgSyncAllWalksThePagesAndExitsOneWhenAnOrgFails() throws Exception {
        api.stubFor(get(urlPathEqualTo("/admin/orgs")).atPriority(1).withQueryParam("page_token", absent())
                .willReturn(okJson("{\"orgs\":[{\"org_slug\":\"acme\"},{\"org_slug\":\"broken\"}],\"next_page_token\":\"t2\"}")));
        api.stubFor(get(urlPathEqualTo("/admin/orgs")).atPriority(1).withQueryParam("page_token", equalTo("t2"))
                .willReturn(okJson("{\"orgs\":[{\"org_slug\":\"hooli\"}],\"next_page_token\":\"t3\"}")));
        api.stubFor(get(urlPathEqualTo("/admin/orgs")).atPriority(1).withQueryParam("page_token", equalTo("t3"))
                .willReturn(okJson("{\"orgs\":[{\"org_slug\":\"umbrella\"}]}")));
        api.stubFor(post(urlPathEqualTo("/admin/orgs/broken/sync")).atPriority(1)
                .willReturn(aResponse().withStatus(422).withBody("{\"detail\":\"org is archived\"}")));

        JobProcess.Result result = run("org-sync-all", Map.of());

        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output()).contains("org broken failed: HTTP 422", "org is archived",
                "ok=3 failed=1 skipped=0", "1 of 4 orgs failed to sync", "outcome=FAILED");
        for (String org : new String[] {"acme", "hooli", "umbrella", "broken"}) {
            api.verify(1, postRequestedFor(urlPathEqualTo("/admin/orgs/" + org + "/sync")));
        }
    }

    @Test
    void aCookieThatTheApiSetsIsNeverSentBack() throws Exception {
        api.stubFor(get(urlPathEqualTo("/admin/orgs")).atPriority(1)
                .willReturn(okJson("{\"orgs\":[{\"org_slug\":\"acme\"},{\"org_slug\":\"hooli\"}]}")
                        .withHeader("Set-Cookie", "session=from-the-list; Path=/")));
        api.stubFor(post(urlPathEqualTo("/admin/orgs/acme/sync")).atPriority(1)
                .willReturn(okJson("{}").withHeader("Set-Cookie", "session=from-acme; Path=/")));

        JobProcess.Result result = run("org-sync-all", Map.of("ORG_SYNC_CONCURRENCY", "1"));

        assertThat(result.exitCode()).as(result.output()).isZero();
        api.verify(2, postRequestedFor(urlPathMatching("/admin/orgs/.*/sync")));
        api.verify(0, anyRequestedFor(anyUrl()).withHeader("Cookie", containing("session")));
    }

    @Test
    void quotaCleanupDeletesThroughTheBigQueryClient() throws Exception {
        JobProcess.Result result = run("quota-cleanup", Map.of("BIGQUERY_EMULATOR_HOST", api.baseUrl(),
                "ENVIRONMENT", "prod"));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("rows_deleted=42", "outcome=SUCCESS", "environment=prod");
        api.verify(1, postRequestedFor(urlPathEqualTo("/bigquery/v2/projects/cloudact-prod/jobs"))
                .withRequestBody(matchingJsonPath("$.configuration.query.query",
                        containing("DELETE FROM `cloudact-prod.organizations.org_usage_quotas` WHERE usage_date <")))
                .withRequestBody(matchingJsonPath("$.configuration.query.queryParameters[0].parameterValue.value",
                        equalTo("90"))));
    }

    @Test
    void dryRunSendsNothingAndMasksTheKey() throws Exception {
        JobProcess.Result result = run("reconcile", Map.of("DRY_RUN", "true"));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("DRY RUN: would send POST " + api.baseUrl() + "/api/cron/billing-sync",
                "X-CA-Root-Key=****", "{\"mode\":\"reconcile\"}", "dry_run=true");
        api.verify(0, anyRequestedFor(anyUrl()));
    }

    /**
     * DRY_RUN as a system property (as `mvn -DDRY_RUN=true camel:run` passes it): Camel's placeholders
     * read only the environment and -Ddry.run, so the runner hands its value on; the runner said "DRY
     * RUN" while the call went out.
     */
    @Test
    void aDryRunAskedForAsASystemPropertyIsOneForTheRoutesToo() throws Exception {
        JobProcess.Result result = run("reconcile", Map.of("JAVA_TOOL_OPTIONS", "-DDRY_RUN=true"));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("DRY RUN: no lease taken", "DRY RUN: would send POST", "dry_run=true");
        api.verify(0, anyRequestedFor(anyUrl()));
    }

    /** The environment wins over a system property, for the runner as for Camel: both see a real run here. */
    @Test
    void theEnvironmentWinsOverASystemPropertyForTheRunnerAndTheRoutesAlike() throws Exception {
        JobProcess.Result result = run("reconcile", Map.of("DRY_RUN", "false", "JAVA_TOOL_OPTIONS", "-Ddry.run=true"));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).doesNotContain("DRY RUN").contains("outcome=SUCCESS");
        api.verify(1, postRequestedFor(urlPathEqualTo("/api/cron/billing-sync")));
    }

    @Test
    void dryRunOfOrgSyncAllReadsTheListButSyncsNothing() throws Exception {
        JobProcess.Result result = run("org-sync-all", Map.of("DRY_RUN", "true"));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("DRY RUN: would send POST " + api.baseUrl() + "/admin/orgs/acme/sync");
        api.verify(0, postRequestedFor(urlPathMatching("/admin/orgs/.*")));
    }
}
