package ai.cloudact.jobs.state;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ai.cloudact.jobs.support.AnswerGate;
import ai.cloudact.jobs.support.JobProcess;
import ai.cloudact.jobs.support.TestPostgres;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import org.junit.jupiter.api.AfterEach;
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

    private static final AnswerGate GATE = new AnswerGate();

    @RegisterExtension
    static WireMockExtension api = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort().extensions(GATE)).build();

    @TempDir
    Path tmp;

    private String database;

    @BeforeEach
    void freshDatabase() throws Exception {
        database = TestPostgres.createDatabase();
    }

    @AfterEach
    void letHeldAnswersGo() {
        GATE.close();
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

    /** The first call is held until {@link AnswerGate#open()}; later ones answer at once. */
    private void holdTheFirstAnswer() {
        api.stubFor(post(urlPathEqualTo(PATH)).inScenario("first held").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson("{\"status\":\"ok\"}").withTransformers(AnswerGate.NAME)).willSetStateTo("answering"));
        api.stubFor(post(urlPathEqualTo(PATH)).inScenario("first held").whenScenarioStateIs("answering")
                .willReturn(okJson("{\"status\":\"ok\"}")));
    }

    /** Waits until one of the processes has written its SUMMARY line (the other one is held in its call). */
    private static void awaitAnySummary(JobProcess.Started one, JobProcess.Started other) throws Exception {
        long until = System.currentTimeMillis() + 90_000;
        while (!one.outputSoFar().contains("SUMMARY ") && !other.outputSoFar().contains("SUMMARY ")
                && System.currentTimeMillis() < until) {
            Thread.sleep(50);
        }
    }

    private int requests() {
        return api.findAll(postRequestedFor(urlPathEqualTo(PATH))).size();
    }

    /** Waits until a call is held at the gate (the run is in the middle of its work). */
    private void awaitHeldCall() throws InterruptedException {
        long until = System.currentTimeMillis() + 90_000;
        while (GATE.held() < 1 && System.currentTimeMillis() < until) {
            Thread.sleep(50);
        }
        assertThat(GATE.held()).as("calls held at the API").isEqualTo(1);
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
        holdTheFirstAnswer();
        JobProcess.Started first = JobProcess.start(env());
        JobProcess.Started second = JobProcess.start(env());
        // whichever took the lease is held in its call; the other one ends by itself
        awaitHeldCall();
        awaitAnySummary(first, second);
        GATE.open();
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
        holdTheFirstAnswer(); // the holder is killed while waiting for it
        Map<String, String> env = env("LEASE_TTL", "3s");

        JobProcess.Started holder = JobProcess.start(env);
        awaitHeldCall();
        long pid = holder.process().pid();
        holder.kill();
        Instant expires = leaseExpiry().orElseThrow(() -> new AssertionError("no lease held by the killed run"));
        assertThat(expires).as("the dead holder's lease is still live right after the kill").isAfter(Instant.now());
        assertThat(history().get(0).get("outcome").asText()).as("the killed run before its lease expired").isIn("RUNNING", "LOST");

        while (Instant.now().isBefore(expires.plusMillis(200))) {
            Thread.sleep(100);
        }
        JobProcess.Result next = JobProcess.run(env);
        assertThat(next.exitCode()).as(next.output()).isZero();
        assertThat(next.output()).contains("outcome=SUCCESS")
                .containsPattern("Took over the lease of quota-reset \\(pack cloudact\\): it was held by pid " + pid + " on \\S+ since");
        assertThat(requests()).as("answered calls: the next run's (the killed run's call is still held)").isEqualTo(1);

        JsonNode rows = history("quota-reset");
        assertThat(rows).extracting(row -> row.get("outcome").asText()).containsExactly("SUCCESS", "LOST");
        assertThat(rows.get(1).get("execution").asText()).isEqualTo("pid " + pid);
        assertThat(rows.get(1).get("ended").isNull()).isTrue();
        holder.finish();
    }

    /**
     * Cloud Run starts a task's next attempt only once the last one has exited: the retry of a task
     * whose container was killed takes that attempt's lease over at once (the default 5-minute TTL
     * would make it SKIPPED, and the execution "succeed" without the work), while another execution
     * of the job is still refused.
     */
    @Test
    void cloudRunsRetryOfAKilledTaskTakesItsLeaseOverAtOnce() throws Exception {
        holdTheFirstAnswer(); // the first attempt is killed while waiting for it
        Map<String, String> attempt0 = env("CLOUD_RUN_EXECUTION", "cloudact-daily-quota-reset-x7k2p", "CLOUD_RUN_TASK_INDEX", "0",
                "CLOUD_RUN_TASK_ATTEMPT", "0");
        JobProcess.Started first = JobProcess.start(attempt0);
        awaitHeldCall();
        first.kill();

        JobProcess.Result otherExecution = JobProcess.run(env("CLOUD_RUN_EXECUTION", "cloudact-daily-quota-reset-q9w4z",
                "CLOUD_RUN_TASK_INDEX", "0", "CLOUD_RUN_TASK_ATTEMPT", "0"));
        assertThat(otherExecution.exitCode()).as(otherExecution.output()).isZero();
        assertThat(summary(otherExecution.output())).as("another execution is another run: refused while the lease is live")
                .contains("outcome=SKIPPED", "already running: cloudact-daily-quota-reset-x7k2p/task-0 on");

        Map<String, String> attempt1 = new HashMap<>(attempt0);
        attempt1.put("CLOUD_RUN_TASK_ATTEMPT", "1");
        JobProcess.Result retry = JobProcess.run(attempt1);
        assertThat(retry.exitCode()).as(retry.output()).isZero();
        assertThat(summary(retry.output())).contains("outcome=SUCCESS");
        assertThat(retry.output()).contains("Took over the lease of quota-reset (pack cloudact) from an earlier attempt of this same run"
                + " (quota-reset:cloudact-daily-quota-reset-x7k2p:0: held by cloudact-daily-quota-reset-x7k2p/task-0 on");
        assertThat(requests()).as("answered calls: the retry's (the killed attempt's call is still held)").isEqualTo(1);
        assertThat(leaseExpiry()).as("the retry gave the lease up at its end").isEmpty();
        first.finish();
    }

    /**
     * A Kubernetes Job replaces a pod that failed, here one killed while it held the lease: the
     * replacement, the same run (JOB_RUN_ID), waits for the dead pod's lease to expire and runs. Before,
     * it was SKIPPED with exit 0, and the Job completed without the work. A pod of another Job of the
     * same CronJob is refused at once.
     */
    @Test
    void aKubernetesJobsReplacementOfAKilledPodWaitsForItsLeaseAndRuns() throws Exception {
        holdTheFirstAnswer(); // the first pod is killed while waiting for it
        Map<String, String> firstPod = env("KUBERNETES_SERVICE_HOST", "10.96.0.1", "LOG_FORMAT", "text", "LEASE_TTL", "12s",
                "JOB_RUN_ID", "cloudact-daily-quota-reset-29413440", "HOSTNAME", "cloudact-daily-quota-reset-29413440-7xk2p");
        JobProcess.Started first = JobProcess.start(firstPod);
        awaitHeldCall();

        JobProcess.Result otherJob = JobProcess.run(env("KUBERNETES_SERVICE_HOST", "10.96.0.1", "LOG_FORMAT", "text", "LEASE_TTL", "12s",
                "JOB_RUN_ID", "cloudact-daily-quota-reset-29414880", "HOSTNAME", "cloudact-daily-quota-reset-29414880-q9w4z"));
        assertThat(otherJob.exitCode()).as(otherJob.output()).isZero();
        assertThat(summary(otherJob.output())).as("another Job is another run: refused at once while the lease is live")
                .contains("outcome=SKIPPED", "already running: pod cloudact-daily-quota-reset-29413440-7xk2p on")
                .doesNotContain("this same run");
        assertThat(otherJob.output()).doesNotContain("waiting for the lease");

        first.kill();
        Map<String, String> replacement = new HashMap<>(firstPod);
        replacement.put("HOSTNAME", "cloudact-daily-quota-reset-29413440-b5mzt");
        JobProcess.Result retry = JobProcess.run(replacement);
        assertThat(retry.exitCode()).as(retry.output()).isZero();
        assertThat(summary(retry.output())).contains("outcome=SUCCESS");
        assertThat(retry.output()).contains("waiting for the lease")
                .containsPattern("Took over the lease of quota-reset \\(pack cloudact\\): it was held by pod"
                        + " cloudact-daily-quota-reset-29413440-7xk2p on \\S+ since .* and expired at");
        assertThat(requests()).as("answered calls: the replacement's (the killed pod's call is still held)").isEqualTo(1);
        assertThat(leaseExpiry()).as("the replacement gave the lease up at its end").isEmpty();
        first.finish();
    }

    /**
     * Kubernetes may, rarely, run two pods of one Job at once. The second, the same run, is never let in
     * while the first holds the lease: it waits, and is SKIPPED, when the first ends its run (which it
     * sees as done) or, if the first keeps renewing, after a TTL and a renewal period. The work is done
     * once.
     */
    @Test
    void aSecondLivePodOfTheSameKubernetesJobNeverRunsTheJobAgain() throws Exception {
        holdTheFirstAnswer();
        Map<String, String> pod = env("KUBERNETES_SERVICE_HOST", "10.96.0.1", "LOG_FORMAT", "text", "LEASE_TTL", "12s",
                "JOB_RUN_ID", "cloudact-daily-quota-reset-29413440", "HOSTNAME", "cloudact-daily-quota-reset-29413440-7xk2p");
        JobProcess.Started first = JobProcess.start(pod);
        awaitHeldCall();

        Map<String, String> twin = new HashMap<>(pod);
        twin.put("HOSTNAME", "cloudact-daily-quota-reset-29413440-b5mzt");
        JobProcess.Result kept = JobProcess.run(twin);
        assertThat(kept.exitCode()).as(kept.output()).isZero();
        assertThat(kept.output()).contains("waiting for the lease");
        assertThat(summary(kept.output())).as("the first pod kept renewing").contains("outcome=SKIPPED",
                "already running: pod cloudact-daily-quota-reset-29413440-7xk2p on", "(this same run)");
        assertThat(requests()).as("answered calls: none (the first pod's is still held)").isZero();

        twin.put("HOSTNAME", "cloudact-daily-quota-reset-29413440-z8k4d");
        twin.put("OVERLAP_POLICY", "fail"); // a twin is SKIPPED whatever the policy: a failure would make the Job retry
        JobProcess.Started third = JobProcess.start(twin);
        long until = System.currentTimeMillis() + 60_000;
        while (!third.outputSoFar().contains("waiting for the lease") && System.currentTimeMillis() < until) {
            Thread.sleep(50);
        }
        GATE.open();
        JobProcess.Result firstResult = first.finish();
        assertThat(firstResult.exitCode()).as(firstResult.output()).isZero();
        assertThat(summary(firstResult.output())).contains("outcome=SUCCESS");
        JobProcess.Result thirdResult = third.finish();
        assertThat(thirdResult.exitCode()).as(thirdResult.output()).isZero();
        assertThat(summary(thirdResult.output())).as("the run is done by the first pod")
                .contains("outcome=SKIPPED", "already done: this same run (quota-reset:cloudact-daily-quota-reset-29413440)"
                        + " succeeded in run");
        assertThat(requests()).as("the job's call, made once").isEqualTo(1);
    }

    @Test
    void aRunLongerThanTheTtlKeepsItsLease() throws Exception {
        holdTheFirstAnswer();
        Map<String, String> env = env("LEASE_TTL", "2s");
        JobProcess.Started longRun = JobProcess.start(env);
        awaitHeldCall();
        Instant firstExpiry = leaseExpiry().orElseThrow();
        Thread.sleep(5_000); // more than twice the TTL after the lease was taken
        Instant laterExpiry = leaseExpiry().orElseThrow(() -> new AssertionError("the lease was lost"));
        assertThat(laterExpiry).as("renewed every TTL/3").isAfter(firstExpiry.plusSeconds(3)).isAfter(Instant.now());

        JobProcess.Result second = JobProcess.run(env);
        GATE.open();
        JobProcess.Result first = longRun.finish();

        assertThat(second.exitCode()).as(second.output()).isZero();
        assertThat(second.output()).contains("outcome=SKIPPED", "already running: pid " + longRun.process().pid());
        assertThat(first.exitCode()).as(first.output()).isZero();
        assertThat(first.output()).contains("outcome=SUCCESS").doesNotContain("no longer this run's");
        assertThat(requests()).isEqualTo(1);
        assertThat(leaseExpiry()).as("released at the end").isEmpty();
    }

    @Test
    void overlapPolicyFailExitsOneAndAllowRunsBoth() throws Exception {
        holdTheFirstAnswer();
        JobProcess.Started holder = JobProcess.start(env());
        awaitHeldCall();

        JobProcess.Started failing = JobProcess.start(env("OVERLAP_POLICY", "fail"));
        JobProcess.Started allowing = JobProcess.start(env("OVERLAP_POLICY", "allow"));
        JobProcess.Result failed = failing.finish();
        JobProcess.Result allowed = allowing.finish();
        assertThat(failed.exitCode()).as(failed.output()).isEqualTo(1);
        assertThat(failed.output()).contains("outcome=FAILED", "reason=\"already running: pid " + holder.process().pid());
        assertThat(allowed.exitCode()).as(allowed.output()).isZero();
        assertThat(allowed.output()).contains("outcome=SUCCESS");
        GATE.open();
        assertThat(holder.finish().exitCode()).isZero();
        assertThat(requests()).isEqualTo(2);
        assertThat(history()).extracting(row -> row.get("outcome").asText())
                .containsExactlyInAnyOrder("SUCCESS", "SUCCESS", "FAILED");
    }

    @Test
    void sigtermEndsTheRunWithItsRowAndReleasesTheLease() throws Exception {
        holdTheFirstAnswer();
        JobProcess.Terminated terminated = JobProcess.runAndTerminate(env(), () -> GATE.held() > 0);
        assertThat(terminated.result().exitCode()).as(terminated.result().output()).isEqualTo(143);
        assertThat(terminated.exitAfterSigtermMs()).isLessThan(10_000L);

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

    /** When the quota-reset lease expires, straight from the database; empty when nobody holds it. */
    private Optional<Instant> leaseExpiry() throws Exception {
        try (Connection connection = TestPostgres.connect(database);
             PreparedStatement query = connection.prepareStatement("SELECT expires_at FROM run_lease WHERE job = ?")) {
            query.setString(1, "quota-reset");
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? Optional.of(rows.getObject(1, OffsetDateTime.class).toInstant()) : Optional.empty();
            }
        }
    }

    private static String summary(String output) {
        return output.lines().filter(line -> line.contains("SUMMARY ")).findFirst().orElse("(no summary)");
    }
}
