package ai.cloudact.jobs.state;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ai.cloudact.jobs.support.JobProcess;
import ai.cloudact.jobs.support.TestPostgres;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Overlap lease and run history with real processes (the packaged jar) on a real PostgreSQL, against
 * a WireMock API whose answers take their time: two runs started together, kill -9 of the holder, a
 * run longer than the TTL, OVERLAP_POLICY, SIGTERM, configuration errors, --history.
 */
class RunControlIT {

    private static final String PATH = "/admin/quota/reset-daily";
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static WireMockExtension api = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @TempDir
    Path tmp;

    private String database;

    @BeforeEach
    void freshDatabase() throws Exception {
        database = TestPostgres.createDatabase();
    }

    private Map<String, String> env(String... more) {
        Map<String, String> env = new HashMap<>(Map.of(
                "JOB_ID", "quota-reset",
                "CA_API_URL", api.baseUrl(),
                "CA_ROOT_API_KEY", "it-root-key-7d1e",
                "RETRY_MAX_REDELIVERIES", "0",
                "STATE_DB_URL", TestPostgres.url(database),
                "STATE_DB_USER", TestPostgres.USER));
        for (int i = 0; i < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    private void answerAfter(Duration delay) {
        api.stubFor(post(urlPathEqualTo(PATH)).willReturn(okJson("{\"status\":\"ok\"}").withFixedDelay((int) delay.toMillis())));
    }

    private int requests() {
        return api.findAll(postRequestedFor(urlPathEqualTo(PATH))).size();
    }

    private void awaitRequests(int n) throws InterruptedException {
        long until = System.currentTimeMillis() + 60_000;
        while (requests() < n && System.currentTimeMillis() < until) {
            Thread.sleep(50);
        }
        assertThat(requests()).as("requests that reached the API").isGreaterThanOrEqualTo(n);
    }

    private JsonNode history(String... args) throws Exception {
        String[] command = new String[args.length + 3];
        command[0] = "--history";
        System.arraycopy(args, 0, command, 1, args.length);
        command[args.length + 1] = "--format";
        command[args.length + 2] = "json";
        JobProcess.Result result = JobProcess.run(env(), command);
        assertThat(result.exitCode()).as(result.output()).isZero();
        return JSON.readTree(result.output().substring(result.output().indexOf('[')));
    }

    @Test
    void twoRunsStartedTogetherExactlyOneDoesTheWork() throws Exception {
        answerAfter(Duration.ofSeconds(3));
        JobProcess.Started first = JobProcess.start(env());
        JobProcess.Started second = JobProcess.start(env());
        JobProcess.Result a = first.finish();
        JobProcess.Result b = second.finish();

        assertThat(List.of(a.exitCode(), b.exitCode())).as(a.output() + b.output()).containsOnly(0);
        List<String> summaries = List.of(summary(a.output()), summary(b.output()));
        assertThat(summaries).filteredOn(line -> line.contains("outcome=SUCCESS")).hasSize(1);
        assertThat(summaries).filteredOn(line -> line.contains("outcome=SKIPPED")).singleElement().asString()
                .containsPattern("reason=\"already running: pid \\d+ on \\S+ since \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ,"
                        + " lease until \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\"");
        assertThat(requests()).as("calls to the API").isEqualTo(1);

        JsonNode rows = history();
        assertThat(rows).hasSize(2);
        assertThat(List.of(rows.get(0).get("outcome").asText(), rows.get(1).get("outcome").asText()))
                .containsExactlyInAnyOrder("SUCCESS", "SKIPPED");
        for (JsonNode row : rows) {
            assertThat(row.get("job").asText()).isEqualTo("quota-reset");
            assertThat(row.get("environment").asText()).isEqualTo("local");
            assertThat(row.get("idempotency_key").asText()).startsWith("quota-reset:");
            assertThat(row.get("ended").isNull()).isFalse();
        }
    }

    @Test
    void afterKillMinus9OfTheHolderTheNextRunProceedsOnceTheLeaseHasExpired() throws Exception {
        // the first call hangs (the holder is killed while waiting for it); every later one answers at once
        api.stubFor(post(urlPathEqualTo(PATH)).inScenario("hang").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson("{}").withFixedDelay(60_000)).willSetStateTo("answering"));
        api.stubFor(post(urlPathEqualTo(PATH)).inScenario("hang").whenScenarioStateIs("answering").willReturn(okJson("{}")));
        Map<String, String> env = env("LEASE_TTL", "3s");

        JobProcess.Started holder = JobProcess.start(env);
        awaitRequests(1);
        long pid = holder.process().pid();
        holder.kill();
        long killedAt = System.currentTimeMillis();

        JobProcess.Result whileLeaseLives = JobProcess.run(env);
        assertThat(whileLeaseLives.exitCode()).as(whileLeaseLives.output()).isZero();
        assertThat(whileLeaseLives.output()).contains("outcome=SKIPPED", "already running: pid " + pid + " on ");
        assertThat(history().get(1).get("outcome").asText()).as("the killed run, lease alive").isEqualTo("RUNNING");

        long waitForExpiry = killedAt + 3_500 - System.currentTimeMillis();
        if (waitForExpiry > 0) {
            Thread.sleep(waitForExpiry);
        }
        JobProcess.Result next = JobProcess.run(env);
        assertThat(next.exitCode()).as(next.output()).isZero();
        assertThat(next.output()).contains("outcome=SUCCESS")
                .containsPattern("Took over the lease of quota-reset \\(pack cloudact\\): it was held by pid " + pid + " on \\S+ since");
        assertThat(requests()).isEqualTo(2);

        JsonNode rows = history("quota-reset");
        assertThat(rows).extracting(row -> row.get("outcome").asText()).containsExactly("SUCCESS", "SKIPPED", "LOST");
        assertThat(rows.get(2).get("execution").asText()).isEqualTo("pid " + pid);
        holder.finish();
    }

    @Test
    void aRunLongerThanTheTtlKeepsItsLease() throws Exception {
        answerAfter(Duration.ofSeconds(8));
        Map<String, String> env = env("LEASE_TTL", "2s");
        JobProcess.Started longRun = JobProcess.start(env);
        awaitRequests(1);
        Thread.sleep(4_500); // more than twice the TTL after the lease was taken

        JobProcess.Result second = JobProcess.run(env);
        JobProcess.Result first = longRun.finish();

        assertThat(second.exitCode()).as(second.output()).isZero();
        assertThat(second.output()).contains("outcome=SKIPPED", "already running: pid " + longRun.process().pid());
        assertThat(first.exitCode()).as(first.output()).isZero();
        assertThat(first.output()).contains("outcome=SUCCESS").doesNotContain("no longer this run's");
        assertThat(requests()).isEqualTo(1);
    }

    @Test
    void overlapPolicyFailExitsOneAndAllowRunsBoth() throws Exception {
        answerAfter(Duration.ofSeconds(4));
        JobProcess.Started holder = JobProcess.start(env());
        awaitRequests(1);

        JobProcess.Result failed = JobProcess.run(env("OVERLAP_POLICY", "fail"));
        assertThat(failed.exitCode()).as(failed.output()).isEqualTo(1);
        assertThat(failed.output()).contains("outcome=FAILED", "reason=\"already running: pid " + holder.process().pid());

        JobProcess.Result allowed = JobProcess.run(env("OVERLAP_POLICY", "allow"));
        assertThat(allowed.exitCode()).as(allowed.output()).isZero();
        assertThat(allowed.output()).contains("outcome=SUCCESS");
        assertThat(holder.finish().exitCode()).isZero();
        assertThat(requests()).isEqualTo(2);
        assertThat(history()).extracting(row -> row.get("outcome").asText()).containsExactlyInAnyOrder("SUCCESS", "SUCCESS", "FAILED");
    }

    @Test
    void sigtermEndsTheRunWithItsRowAndReleasesTheLease() throws Exception {
        answerAfter(Duration.ofSeconds(30));
        JobProcess.Terminated terminated = JobProcess.runAndTerminate(env(), () -> requests() > 0);
        assertThat(terminated.result().exitCode()).as(terminated.result().output()).isEqualTo(143);
        assertThat(terminated.exitAfterSigtermMs()).isLessThan(10_000L);

        api.resetAll();
        answerAfter(Duration.ZERO);
        JobProcess.Result next = JobProcess.run(env());
        assertThat(next.output()).as("the lease (5 min TTL) was released at SIGTERM").contains("outcome=SUCCESS");
        assertThat(history()).extracting(row -> row.get("outcome").asText()).containsExactly("SUCCESS", "TERMINATED");
    }

    @Test
    void configurationErrorsOnceTheStoreIsReachableAreInTheHistory() throws Exception {
        JobProcess.Result unknown = JobProcess.run(env("JOB_ID", "quota-reboot"));
        JobProcess.Result badTimeout = JobProcess.run(env("JOB_TIMEOUT", "abc"));
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(badTimeout.exitCode()).isEqualTo(2);

        JsonNode rows = history();
        assertThat(rows).extracting(row -> row.get("outcome").asText()).containsOnly("CONFIGURATION_ERROR");
        assertThat(rows).extracting(row -> row.get("job").asText()).containsExactlyInAnyOrder("quota-reboot", "quota-reset");
        assertThat(rows).extracting(row -> row.get("exit_code").asInt()).containsOnly(2);
        api.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void anUnreachableStoreIsExitTwoWithTheUrlPasswordMaskedBeforeAnyRequest() throws Exception {
        JobProcess.Result result = JobProcess.run(env("STATE_DB_URL",
                "jdbc:postgresql://127.0.0.1:1/jobs?user=jobs&password=pw-6f2a9c", "STATE_DB_PASSWORD", "other-pw-3b8d"));
        assertThat(result.exitCode()).as(result.output()).isEqualTo(2);
        assertThat(result.output())
                .contains("STATE_DB_URL=jdbc:postgresql://127.0.0.1:1/jobs?user=jobs&password=****", "outcome=CONFIGURATION_ERROR")
                .doesNotContain("pw-6f2a9c", "other-pw-3b8d")
                .doesNotContainPattern("\\n\\s+at [a-z]");
        api.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void historyFiltersByJobNameAndLimits() throws Exception {
        answerAfter(Duration.ZERO);
        api.stubFor(post(urlPathEqualTo("/admin/alerts/process-all")).willReturn(okJson("{}")));
        JobProcess.run(env());
        JobProcess.run(env("JOB_ID", "alerts"));
        JobProcess.run(env());

        assertThat(history("cloudact-daily-quota-reset")).hasSize(2);
        assertThat(history("--limit", "1")).singleElement().satisfies(row -> assertThat(row.get("job").asText()).isEqualTo("quota-reset"));
        JobProcess.Result text = JobProcess.run(env(), "--history", "alerts");
        assertThat(text.exitCode()).isZero();
        assertThat(text.output()).contains("STARTED", "OUTCOME", "alerts", "SUCCESS").doesNotContain("quota-reset");
        JobProcess.Result badLimit = JobProcess.run(env(), "--history", "--limit", "0");
        assertThat(badLimit.exitCode()).isEqualTo(2);
        assertThat(badLimit.output()).contains("--limit '0': a number from 1 to 10000");
    }

    @Test
    void theEmbeddedDefaultWorksWithNothingInstalledAndNeverFailsAJob() throws Exception {
        answerAfter(Duration.ZERO);
        Path stateDir = tmp.resolve("state");
        Map<String, String> embedded = new HashMap<>(env("STATE_DIR", stateDir.toString()));
        embedded.remove("STATE_DB_URL");
        embedded.remove("STATE_DB_USER");
        assertThat(JobProcess.run(embedded).exitCode()).isZero();
        assertThat(JobProcess.run(embedded).exitCode()).isZero();
        JobProcess.Result history = JobProcess.run(embedded, "--history");
        assertThat(history.output().lines().filter(line -> line.contains("quota-reset")).count()).as(history.output()).isEqualTo(2);

        Path notADirectory = Files.writeString(tmp.resolve("file"), "x");
        embedded.put("STATE_DIR", notADirectory.resolve("state").toString());
        JobProcess.Result unwritable = JobProcess.run(embedded);
        assertThat(unwritable.exitCode()).as(unwritable.output()).isZero();
        assertThat(unwritable.output()).contains("outcome=SUCCESS");
        Matcher warnings = Pattern.compile("WARN .*Run state: cannot create").matcher(unwritable.output());
        assertThat(warnings.results().count()).as("one WARN line").isEqualTo(1);
    }

    private static String summary(String output) {
        return output.lines().filter(line -> line.contains("SUMMARY ")).findFirst().orElse("(no summary)");
    }
}
