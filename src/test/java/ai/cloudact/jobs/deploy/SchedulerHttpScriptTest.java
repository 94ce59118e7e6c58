package ai.cloudact.jobs.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.cloudact.jobs.deploy.FakeGoogleApis.Request;
import ai.cloudact.jobs.deploy.RealGcloud.Result;
import ai.cloudact.jobs.support.Repo;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * scripts/scheduler-http-jobs.sh, a pack's ID-token jobs as plain Cloud Scheduler HTTP jobs (validibot's
 * current setup), run with the real gcloud against {@link FakeGoogleApis}: a dry run prints the exact
 * commands and running them gives what apply makes, so that apply then has nothing to do; the worker's
 * URL is looked up from the stage's Cloud Run service; anything unreadable, a missing service or a Cloud
 * Run Job's trigger of the same name stops apply before any change; run, pause and resume take every
 * form of a name; delete-all asks, and in prod asks for the project id too. Expectations come from the
 * tables the script reads (scripts/packs/).
 */
class SchedulerHttpScriptTest {

    private static final String SCRIPT = "scripts/scheduler-http-jobs.sh";
    private static final String VALIDIBOT = "validibot";

    @TempDir
    Path tmp;
    private FakeGoogleApis api;
    private RealGcloud gcloud;

    @BeforeEach
    void start() throws IOException {
        api = new FakeGoogleApis();
        gcloud = new RealGcloud(api, tmp);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    /** The jobs the script deploys: scheduled, and their call carries a Google ID token. */
    static List<JobTable> httpJobs(String pack) {
        return JobTable.load(pack).stream().filter(job -> job.auth().equals("oidc") && !job.manual()).toList();
    }

    @Test
    void aDryRunPrintsTheExactCommandsAndApplyThenHasNothingToDo() throws Exception {
        EnvironmentTable test = EnvironmentTable.of(VALIDIBOT, "test");
        String service = test.lookups().get("WORKER_URL").replace("cloud-run-service:", "");
        String url = "https://" + service + "-x7q2-ts.a.run.app";
        api.putService(test.project(), service, url);
        List<JobTable> jobs = httpJobs(VALIDIBOT);
        assertThat(jobs).isNotEmpty();

        Result dry = run("", Map.of(), "--pack", VALIDIBOT, "--dry-run", "test", "apply");
        assertThat(dry.exit()).as(dry.output()).isZero();
        assertThat(writes()).isEmpty();
        assertThat(api.requests()).as("one lookup of the worker's URL, one read per job")
                .hasSize(1 + jobs.size()).filteredOn(r -> r.path().contains("/services/" + service)).hasSize(1);
        List<String> commands = dry.output().lines().filter(l -> l.startsWith("gcloud ")).toList();
        assertThat(commands).hasSize(jobs.size());
        for (JobTable job : jobs) {
            String name = job.resource("test");
            assertThat(commands).contains("gcloud scheduler jobs create http " + name + " --project " + test.project()
                    + " --location " + test.region() + " --schedule '" + job.schedule() + "' --time-zone " + job.timeZone()
                    + " --uri " + job.url().replace("${WORKER_URL}", url) + " --http-method " + job.method()
                    + " --oidc-service-account-email " + test.schedulerServiceAccount() + " --oidc-token-audience " + url
                    + " --attempt-deadline " + job.timeoutSeconds() + "s --max-retry-attempts " + job.retries()
                    + " --description '" + job.description() + " (" + job.id() + ")' --quiet");
        }

        // "exact": running the printed commands gives what apply makes, so apply then changes nothing
        Path script = tmp.resolve("dry-run.sh");
        Files.writeString(script, "set -e\n" + String.join("\n", commands) + "\n");
        Result replay = gcloud.run("", Map.of(), "bash", script.toString());
        assertThat(replay.exit()).as(replay.output()).isZero();
        for (JobTable job : jobs) {
            JsonNode stored = api.schedulerJob(test.trigger(job.resource("test")));
            assertThat(stored.at("/httpTarget/oidcToken/audience").asText()).isEqualTo(url);
            assertThat(stored.path("timeZone").asText()).isEqualTo("Australia/Sydney");
            assertThat(stored.path("attemptDeadline").asText()).isEqualTo(job.timeoutSeconds() + "s");
        }
        api.clearRequests();
        Result apply = run("", Map.of(), "--pack", VALIDIBOT, "test", "apply");
        assertThat(apply.exit()).as(apply.output()).isZero();
        assertThat(writes()).isEmpty();
        for (JobTable job : jobs) {
            assertThat(apply.output()).containsPattern("(?m)^scheduler +" + job.resource("test") + " +unchanged$");
        }
        assertThat(apply.output()).contains(jobs.size() + " Scheduler HTTP jobs, 0 changed");
    }

    /** A job with a JSON body (none of the shipped ID-token jobs has one): created, then read back unchanged. */
    @Test
    void aBodyAndItsContentTypeRoundTrip() throws Exception {
        Path root = copyOfScripts();
        JobTable job = httpJobs(VALIDIBOT).get(0);
        String table = Repo.read(JobTable.path(VALIDIBOT)).lines()
                .filter(line -> line.startsWith("#") || line.startsWith(job.id() + "\t"))
                .map(line -> line.startsWith("#") ? line : replaceColumn(line, 18, "{\"mode\":\"retry\"}"))
                .reduce("", (a, b) -> a + b + "\n");
        Files.writeString(root.resolve(JobTable.path(VALIDIBOT)), table);
        EnvironmentTable stage = EnvironmentTable.of(VALIDIBOT, "stage");
        Map<String, String> worker = Map.of("WORKER_URL", "https://worker.example");

        Result created = run(root, "", worker, "--pack", VALIDIBOT, "stage", "apply");
        assertThat(created.exit()).as(created.output()).isZero();
        JsonNode stored = api.schedulerJob(stage.trigger(job.resource("stage")));
        assertThat(new String(java.util.Base64.getDecoder().decode(stored.at("/httpTarget/body").asText()))).isEqualTo("{\"mode\":\"retry\"}");
        assertThat(stored.at("/httpTarget/headers/Content-Type").asText()).isEqualTo("application/json");
        api.clearRequests();
        Result again = run(root, "", worker, "--pack", VALIDIBOT, "stage", "apply");
        assertThat(again.exit()).as(again.output()).isZero();
        assertThat(again.output()).containsPattern("(?m)^scheduler +" + job.resource("stage") + " +unchanged$");
        assertThat(writes()).isEmpty();
    }

    @Test
    void aMissingServiceAnUnreadableJobOrACloudRunTriggerStopsApplyBeforeAnyChange() throws Exception {
        EnvironmentTable test = EnvironmentTable.of(VALIDIBOT, "test");
        String service = test.lookups().get("WORKER_URL").replace("cloud-run-service:", "");
        Result missing = run("", Map.of(), "--pack", VALIDIBOT, "test", "apply");
        assertThat(missing.exit()).as(missing.output()).isEqualTo(2);
        assertThat(missing.output()).contains("the Cloud Run service " + service + " does not exist", "deploy it first, or set WORKER_URL");
        assertThat(writes()).isEmpty();

        String first = httpJobs(VALIDIBOT).get(0).resource("test");
        api.fail("GET", "/jobs/" + first + "$", 403, "PERMISSION_DENIED", "The principal lacks IAM permission \"cloudscheduler.jobs.get\"");
        Result denied = run("", Map.of("WORKER_URL", "https://worker.example"), "--pack", VALIDIBOT, "test", "apply");
        assertThat(denied.exit()).as(denied.output()).isEqualTo(1);
        assertThat(denied.output()).contains("PERMISSION_DENIED", "stopped, nothing was changed");
        assertThat(writes()).isEmpty();

        // the same name is already the trigger of a Cloud Run Job (create-all-jobs.sh): not taken over
        api.clearFailures();
        Map<String, JsonNode> triggers = new TreeMap<>();
        ObjectNode runTrigger = FakeGoogleApis.JSON.createObjectNode().put("name", test.trigger(first)).put("schedule", "0 2 * * *")
                .put("timeZone", "Australia/Sydney").put("state", "ENABLED");
        runTrigger.putObject("httpTarget").put("uri", "https://" + test.region() + "-run.googleapis.com/apis/run.googleapis.com/v1/namespaces/"
                + test.project() + "/jobs/" + first + ":run").putObject("oauthToken").put("serviceAccountEmail", test.schedulerServiceAccount());
        triggers.put(test.trigger(first), runTrigger);
        api.restore(new FakeGoogleApis.State(Map.of(), triggers));
        Result taken = run("", Map.of("WORKER_URL", "https://worker.example"), "--pack", VALIDIBOT, "test", "apply");
        assertThat(taken.exit()).as(taken.output()).isEqualTo(2);
        assertThat(taken.output()).contains(first + " is the trigger of a Cloud Run Job", "Nothing was changed");
        assertThat(writes()).isEmpty();
    }

    @Test
    void runPauseAndResumeTakeEveryFormOfANameAndProdAsks() throws Exception {
        EnvironmentTable stage = EnvironmentTable.of(VALIDIBOT, "stage");
        EnvironmentTable prod = EnvironmentTable.of(VALIDIBOT, "prod");
        JobTable job = httpJobs(VALIDIBOT).get(0);
        String name = job.resource("stage");
        Map<String, JsonNode> triggers = new TreeMap<>();
        triggers.put(stage.trigger(name), httpJob(stage, name));
        triggers.put(prod.trigger(job.resource("prod")), httpJob(prod, job.resource("prod")));
        api.restore(new FakeGoogleApis.State(Map.of(), triggers));

        for (String given : List.of(job.id(), job.name(), name)) {
            api.clearRequests();
            Result result = run("", Map.of(), "--pack", VALIDIBOT, "stage", "run", given);
            assertThat(result.exit()).as(result.output()).isZero();
            assertThat(writes()).as(given).extracting(r -> r.method() + " " + r.path()).containsExactly("POST /v1/" + stage.trigger(name) + ":run");
        }
        api.clearRequests();
        assertThat(run("", Map.of(), "--pack", VALIDIBOT, "stage", "pause", job.id()).output()).contains(name + ": paused");
        assertThat(run("", Map.of(), "--pack", VALIDIBOT, "stage", "pause", name).output()).contains(name + ": already PAUSED");
        assertThat(writes()).extracting(r -> r.method() + " " + r.path()).containsExactly("POST /v1/" + stage.trigger(name) + ":pause");
        assertThat(api.schedulerJob(stage.trigger(name)).path("state").asText()).isEqualTo("PAUSED");

        api.clearRequests();
        Result refused = run("no\n", Map.of(), "--pack", VALIDIBOT, "prod", "pause", job.id());
        assertThat(refused.exit()).as(refused.output()).isEqualTo(1);
        assertThat(refused.output()).contains("PROD (" + prod.project() + ")", "Aborted");
        assertThat(writes()).isEmpty();
        Result unknown = run("", Map.of(), "--pack", VALIDIBOT, "stage", "run", "no-such-job");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.output()).contains("unknown job 'no-such-job' in validibot", job.id());
    }

    @Test
    void deleteAllAsksAndInProdAsksForTheProjectIdToo() throws Exception {
        EnvironmentTable prod = EnvironmentTable.of(VALIDIBOT, "prod");
        List<JobTable> jobs = httpJobs(VALIDIBOT);
        Map<String, JsonNode> triggers = new TreeMap<>();
        for (JobTable job : jobs.subList(1, jobs.size())) {
            triggers.put(prod.trigger(job.resource("prod")), httpJob(prod, job.resource("prod")));
        }
        // the first job runs as a Cloud Run Job in prod: its trigger has the same name and is not this script's
        String cloudRun = jobs.get(0).resource("prod");
        ObjectNode runTrigger = httpJob(prod, cloudRun);
        ((ObjectNode) runTrigger.path("httpTarget")).remove("oidcToken");
        ((ObjectNode) runTrigger.path("httpTarget")).putObject("oauthToken").put("serviceAccountEmail", prod.schedulerServiceAccount());
        triggers.put(prod.trigger(cloudRun), runTrigger);
        api.restore(new FakeGoogleApis.State(Map.of(), triggers));

        for (String answers : List.of("", "yes\n", "delete\n", "delete\nyes\n")) {
            Result refused = run(answers, Map.of(), "--pack", VALIDIBOT, "prod", "delete-all");
            assertThat(refused.exit()).as(answers + ": " + refused.output()).isEqualTo(1);
            assertThat(refused.output()).contains("Aborted", "Nothing was changed");
            assertThat(writes()).as(answers).isEmpty();
        }
        Result deleted = run("delete\n" + prod.project() + "\n", Map.of(), "--pack", VALIDIBOT, "prod", "delete-all");
        assertThat(deleted.exit()).as(deleted.output()).isZero();
        assertThat(deleted.output()).contains("Type delete to go on", "PROD", "Type " + prod.project() + " to go on",
                cloudRun + ": the trigger of a Cloud Run Job, left alone");
        assertThat(writes()).extracting(Request::method).hasSize(jobs.size() - 1).containsOnly("DELETE");
        assertThat(api.schedulerJobs()).containsOnlyKeys(prod.trigger(cloudRun));
    }

    @Test
    void aPackWithoutIdTokenCallsAndLocalAreRefused() throws Exception {
        Result cloudact = run("", Map.of(), "--pack", "cloudact", "test", "apply");
        assertThat(cloudact.exit()).isEqualTo(2);
        assertThat(cloudact.output()).contains("no scheduled job whose call authenticates with a Google ID token");
        assertThat(run("", Map.of(), "--pack", VALIDIBOT, "local", "apply").output()).contains("'local' is not deployed");
        assertThat(run("", Map.of(), "--pack", "nope", "test", "apply").output()).contains("unknown pack 'nope'");
        assertThat(api.requests()).isEmpty();
    }

    // --- helpers

    private Result run(String stdin, Map<String, String> env, String... args) throws Exception {
        return run(Repo.ROOT, stdin, env, args);
    }

    /** The script of {@code root} (the repository, or a copy with other tables). */
    private Result run(Path root, String stdin, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", root.resolve(SCRIPT).toString()));
        command.addAll(List.of(args));
        return gcloud.run(stdin, env, command.toArray(String[]::new));
    }

    private List<Request> writes() {
        return api.requests().stream().filter(Request::isWrite).toList();
    }

    /** scripts/ copied under tmp, to run against tables written for one test. */
    private Path copyOfScripts() throws IOException {
        Path root = tmp.resolve("repo");
        try (var files = Files.walk(Repo.ROOT.resolve("scripts"))) {
            for (Path file : files.toList()) {
                Path target = root.resolve(Repo.ROOT.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
        return root;
    }

    private static String replaceColumn(String line, int column, String value) {
        String[] fields = line.split("\t", -1);
        fields[column] = value;
        return String.join("\t", fields);
    }

    /** A Scheduler HTTP job with an OIDC token, as the fake stores one. */
    private static ObjectNode httpJob(EnvironmentTable environment, String name) {
        ObjectNode job = FakeGoogleApis.JSON.createObjectNode().put("name", environment.trigger(name)).put("schedule", "0 2 * * *")
                .put("timeZone", "Australia/Sydney").put("state", "ENABLED");
        job.putObject("httpTarget").put("uri", "https://worker.example/api/v1/scheduled/x/").put("httpMethod", "POST")
                .putObject("oidcToken").put("serviceAccountEmail", environment.schedulerServiceAccount()).put("audience", "https://worker.example");
        return job;
    }
}
