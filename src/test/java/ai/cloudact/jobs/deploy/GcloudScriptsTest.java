package ai.cloudact.jobs.deploy;

import ai.cloudact.jobs.support.Repo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.cloudact.jobs.deploy.FakeGoogleApis.Request;
import ai.cloudact.jobs.deploy.RealGcloud.Result;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scripts under scripts/, run with the real gcloud CLI against {@link FakeGoogleApis} (Cloud Run
 * Admin v1 and Cloud Scheduler v1 on loopback): the assertions are on the REST requests gcloud makes
 * (method, path, body fields) and on the state the fake keeps, never on gcloud's argument list.
 * Expectations come from scripts/packs/&lt;pack&gt;.tsv and &lt;pack&gt;.environments.tsv, the tables the
 * scripts read. The default pack's whole behaviour is proven here; the other packs' (their names, time
 * zones, settings looked up or given, secrets) and delete-all-jobs.sh in {@link PackScriptsTest}.
 */
class GcloudScriptsTest {

    private static final String CLOUDACT = "cloudact";
    private static final String STAGE_PROJECT = "cloudact-testing-1";
    private static final String RUN_JOBS = "/apis/run.googleapis.com/v1/namespaces/" + STAGE_PROJECT + "/jobs";
    private static final String TRIGGERS = "/v1/projects/" + STAGE_PROJECT + "/locations/us-central1/jobs";
    private static final String STAGE_IMAGE = "us-central1-docker.pkg.dev/cloudact-testing-1/cloudact/cloudact-jobs:stage";
    private static final Map<String, String> SUPABASE_REF = Map.of("SUPABASE_PROJECT_REF", "ref-test-123");

    /** The fake's state after a first stage deploy, made once and restored by the tests that start from there. */
    private static FakeGoogleApis.State deployedStage;

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

    @Test
    void scriptsAreShellcheckClean() throws Exception {
        List<String> command = new ArrayList<>(List.of("shellcheck", "-x"));
        try (var scripts = Files.list(Repo.ROOT.resolve("scripts"))) {
            scripts.filter(p -> p.toString().endsWith(".sh")).sorted().forEach(p -> command.add(Repo.ROOT.relativize(p).toString()));
        }
        command.add("scripts/lib/common.sh");
        Process process;
        try {
            process = new ProcessBuilder(command).directory(Repo.ROOT.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("shellcheck is not installed: apt-get install -y shellcheck (.ci/run installs it), then run the tests again", e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }

    @Test
    void firstDeployReadsEverythingThenCreatesEveryJobAndEveryOpenTrigger() throws Exception {
        Result result = deploy("", SUPABASE_REF, "stage");
        assertThat(result.exit()).as(result.output()).isZero();

        List<Request> requests = api.requests();
        int firstWrite = indexOfFirstWrite(requests);
        List<String> readBeforeWrites = requests.subList(0, firstWrite).stream().map(Request::path).toList();
        List<String> expectedWrites = new ArrayList<>();
        for (JobTable job : JobTable.load(CLOUDACT)) {
            String name = job.resource("stage");
            assertThat(readBeforeWrites).as("every job is read before anything is written").contains(RUN_JOBS + "/" + name);
            expectedWrites.add("POST " + RUN_JOBS);
            if (!job.manual()) {
                assertThat(readBeforeWrites).contains(TRIGGERS + "/" + name);
                if (!job.gated()) {
                    expectedWrites.add("POST " + TRIGGERS);
                }
            }
        }
        // the writes: one create per job and per open trigger, nothing else (no pause, no patch)
        assertThat(writes()).extracting(r -> r.method() + " " + r.path()).containsExactlyElementsOf(expectedWrites);

        for (JobTable job : JobTable.load(CLOUDACT)) {
            String name = job.resource("stage");
            Request create = writes().stream().filter(r -> r.path().equals(RUN_JOBS) && r.body().at("/metadata/name").asText().equals(name))
                    .findFirst().orElseThrow(() -> new AssertionError("no create of " + name));
            assertRunJob(create.body(), job, STAGE_IMAGE);
            assertThat(envOf(create.body()).get("SUPABASE_PROJECT_REF")).as(name)
                    .isEqualTo(job.secrets().contains("SUPABASE_ACCESS_TOKEN") ? "ref-test-123" : null);
            assertThat(result.output()).as("one line per job").containsPattern("(?m)^job +" + name + " +created$");
            if (job.manual()) {
                continue;
            }
            JsonNode trigger = api.schedulerJob("projects/" + STAGE_PROJECT + "/locations/us-central1/jobs/" + name);
            if (job.gated()) {
                // Cloud Scheduler cannot create a paused trigger: a gated one is not created at all
                assertThat(trigger.isMissingNode()).as(name).isTrue();
                assertThat(result.output()).containsPattern("(?m)^trigger +" + name + " +waiting for gate " + job.gate());
            } else {
                assertTrigger(trigger, job, "stage");
                assertThat(trigger.path("state").asText()).isEqualTo("ENABLED");
                assertThat(result.output()).containsPattern("(?m)^trigger +" + name + " +created, ENABLED$");
            }
        }
        // the final table, no YAML
        assertThat(result.output()).contains("JOB             CLOUD RUN JOB", "Done: cloudact stage").doesNotContain("apiVersion:", "To execute this job");
        assertThat(result.output()).containsPattern("(?m)^billing-retry +cloudact-5min-billing-sync-retry-stage +created +waiting for gate billing-endpoint");
        synchronized (GcloudScriptsTest.class) {
            if (deployedStage == null) {
                deployedStage = api.state(); // the other tests start from here
            }
        }
    }

    @Test
    void identicalReRunWritesNothing() throws Exception {
        startFromStageDeploy();
        Result again = deploy("", SUPABASE_REF, "stage");

        assertThat(again.exit()).as(again.output()).isZero();
        assertThat(writes()).as("an identical re-run only reads").isEmpty();
        assertThat(api.state()).isEqualTo(deployedStage);
        for (JobTable job : JobTable.load(CLOUDACT)) {
            assertThat(again.output()).containsPattern("(?m)^job +" + job.resource("stage") + " +unchanged$");
            if (!job.manual() && !job.gated()) {
                assertThat(again.output()).containsPattern("(?m)^trigger +" + job.resource("stage") + " +unchanged$");
            }
        }
        assertThat(again.output()).doesNotContainPattern("(?m)^(job|trigger) +\\S+ +(created|updated|resumed|FAILED)");
    }

    @Test
    void reRunWithoutAnOptionalInputKeepsWhatEarlierRunsSet() throws Exception {
        startFromStageDeploy();
        String migrate = JobTable.byId(CLOUDACT, "migrate").resource("stage");

        Result withoutRef = deploy("", Map.of(), "stage");
        assertThat(withoutRef.exit()).as(withoutRef.output()).isZero();
        assertThat(writes()).isEmpty();
        assertThat(envOf(api.runJob(STAGE_PROJECT, migrate))).containsEntry("SUPABASE_PROJECT_REF", "ref-test-123");
        assertThat(withoutRef.output()).contains("SUPABASE_PROJECT_REF is not set: " + migrate + " keeps the value it has");

        // an operator's own variable, set by hand with gcloud, is kept by an update too
        Result byHand = gcloud.run("", Map.of(), "gcloud", "run", "jobs", "update", migrate, "--project", STAGE_PROJECT,
                "--region", "us-central1", "--update-env-vars", "OPERATOR_NOTE=keep-me", "--quiet", "--format", "none");
        assertThat(byHand.exit()).as(byHand.output()).isZero();
        api.clearRequests();

        String newImage = "us-central1-docker.pkg.dev/cloudact-testing-1/cloudact/cloudact-jobs:abc1234";
        Result newTag = deploy("", Map.of(), "stage", "--image", newImage);
        assertThat(newTag.exit()).as(newTag.output()).isZero();
        assertThat(writes()).as("one replace per job, no trigger touched")
                .extracting(Request::method).containsOnly("PUT").hasSize(JobTable.load(CLOUDACT).size());
        for (JobTable job : JobTable.load(CLOUDACT)) {
            JsonNode stored = api.runJob(STAGE_PROJECT, job.resource("stage"));
            assertRunJob(stored, job, newImage);
            assertThat(newTag.output()).containsPattern("(?m)^job +" + job.resource("stage") + " +updated \\(image\\)$");
        }
        assertThat(envOf(api.runJob(STAGE_PROJECT, migrate)))
                .containsEntry("SUPABASE_PROJECT_REF", "ref-test-123").containsEntry("OPERATOR_NOTE", "keep-me");
    }

    @Test
    void onlyAnExplicitFlagChangesATriggersPausedState() throws Exception {
        startFromStageDeploy();
        String alerts = triggerName("alerts");
        String reconcile = triggerName("reconcile");
        String billingRetry = triggerName("billing-retry");

        // an operator pauses a trigger: a re-run keeps it paused, even with the gate flag
        Result paused = gcloud.run("", Map.of(), "scripts/pause-job.sh", "stage", "alerts");
        assertThat(paused.exit()).as(paused.output()).isZero();
        api.clearRequests();
        Result open = deploy("", SUPABASE_REF, "stage", "--billing-endpoint-ready");
        assertThat(open.exit()).as(open.output()).isZero();
        assertThat(writes()).as("opening the gate creates the gated triggers, enabled; nothing else")
                .extracting(r -> r.method() + " " + r.path() + " " + r.body().path("name").asText())
                .containsExactly("POST " + TRIGGERS + " " + billingRetry, "POST " + TRIGGERS + " " + reconcile);
        assertThat(api.schedulerJob(reconcile).path("state").asText()).isEqualTo("ENABLED");
        assertThat(api.schedulerJob(alerts).path("state").asText()).isEqualTo("PAUSED");
        assertThat(open.output()).containsPattern("(?m)^trigger +cloudact-daily-alerts-stage +unchanged, PAUSED$");

        // a trigger left paused by an older version of this script, resumed by an operator, stays enabled
        // on a re-run without the flag
        api.setSchedulerField(reconcile, "state", "PAUSED");
        Result resumed = gcloud.run("", Map.of(), "scripts/resume-job.sh", "stage", "reconcile");
        assertThat(resumed.exit()).as(resumed.output()).isZero();
        api.clearRequests();
        Result plain = deploy("", SUPABASE_REF, "stage");
        assertThat(plain.exit()).as(plain.output()).isZero();
        assertThat(writes()).as("no pause, no resume, nothing").isEmpty();
        assertThat(api.schedulerJob(reconcile).path("state").asText()).isEqualTo("ENABLED");
        assertThat(api.schedulerJob(alerts).path("state").asText()).isEqualTo("PAUSED");

        // the gate flag resumes a gated trigger that is paused: the flag is the explicit request
        api.setSchedulerField(billingRetry, "state", "PAUSED");
        Result reopen = deploy("", SUPABASE_REF, "stage", "--billing-endpoint-ready");
        assertThat(reopen.exit()).as(reopen.output()).isZero();
        assertThat(writes()).extracting(r -> r.method() + " " + r.path()).containsExactly("POST " + TRIGGERS + "/cloudact-5min-billing-sync-retry-stage:resume");
        assertThat(reopen.output()).containsPattern("(?m)^trigger +cloudact-5min-billing-sync-retry-stage +resumed");

        // a paused trigger whose schedule drifted is corrected by a patch of that field alone: still paused
        api.setSchedulerField(alerts, "schedule", "0 9 * * *");
        api.clearRequests();
        Result drift = deploy("", SUPABASE_REF, "stage");
        assertThat(drift.exit()).as(drift.output()).isZero();
        assertThat(writes()).singleElement().satisfies(r -> {
            assertThat(r.method() + " " + r.path()).isEqualTo("PATCH " + TRIGGERS + "/cloudact-daily-alerts-stage");
            assertThat(r.query()).contains("updateMask=schedule").doesNotContain("state");
        });
        assertThat(api.schedulerJob(alerts).path("schedule").asText()).isEqualTo(JobTable.byId(CLOUDACT, "alerts").schedule());
        assertThat(api.schedulerJob(alerts).path("state").asText()).isEqualTo("PAUSED");
        assertThat(drift.output()).containsPattern("(?m)^trigger +cloudact-daily-alerts-stage +updated \\(schedule\\), PAUSED$");
    }

    @Test
    void aPermissionErrorIsNotNotFoundAndStopsBeforeAnyChange() throws Exception {
        // nothing exists yet, so every job would be created: the 403 on the 8th job's read must stop it all
        String cleanup = JobTable.byId(CLOUDACT, "quota-cleanup").resource("stage");
        api.fail("GET", RUN_JOBS + "/" + cleanup + "$", 403, "PERMISSION_DENIED", "Permission 'run.jobs.get' denied on resource '" + cleanup + "'");
        Result denied = deploy("", SUPABASE_REF, "stage");
        assertThat(denied.exit()).as(denied.output()).isEqualTo(1);
        assertThat(denied.output()).contains("PERMISSION_DENIED: Permission 'run.jobs.get' denied", "stopped, nothing was changed");
        assertThat(writes()).isEmpty();

        // the same for a trigger's read, when there is something to update
        api.clearFailures();
        startFromStageDeploy();
        api.fail("GET", TRIGGERS + "/" + triggerName("alerts").replaceAll(".*/", "") + "$", 403, "PERMISSION_DENIED",
                "The principal lacks IAM permission \"cloudscheduler.jobs.get\"");
        Result deniedTrigger = deploy("", SUPABASE_REF, "stage", "--image", STAGE_IMAGE.replace(":stage", ":other"));
        assertThat(deniedTrigger.exit()).as(deniedTrigger.output()).isEqualTo(1);
        assertThat(deniedTrigger.output()).contains("PERMISSION_DENIED", "cloudscheduler.jobs.get", "stopped, nothing was changed");
        assertThat(writes()).isEmpty();
        assertThat(api.state()).isEqualTo(deployedStage);
    }

    @Test
    void aConflictOnCreateFailsThatJobAndTheRunButNotTheOthers() throws Exception {
        String quotaReset = JobTable.byId(CLOUDACT, "quota-reset").resource("stage");
        api.fail("POST", RUN_JOBS + "$", "\"name\":\"" + quotaReset + "\"", 409, "ALREADY_EXISTS", "Resource '" + quotaReset + "' already exists.");
        Result result = deploy("", SUPABASE_REF, "stage");

        assertThat(result.exit()).as(result.output()).isEqualTo(1);
        assertThat(result.output()).containsPattern("(?m)^job +" + quotaReset + " +FAILED$")
                .containsPattern("(?m)^trigger +" + quotaReset + " +skipped \\(its job failed\\)$")
                .contains("already exists", "FAILED: cloudact stage");
        assertThat(writes()).as("its trigger is not created")
                .noneMatch(r -> r.path().equals(TRIGGERS) && r.body().path("name").asText().endsWith("/" + quotaReset));
        assertThat(api.runJobs()).as("the other jobs are created").hasSize(JobTable.load(CLOUDACT).size() - 1);
    }

    @Test
    void prodAsksBeforeAnyChangeAndAnythingButYesChangesNothing() throws Exception {
        for (String answer : List.of("", "YES\n")) {
            api.clearRequests();
            Result refused = deploy(answer, SUPABASE_REF, "prod");
            assertThat(refused.exit()).as(answer + ": " + refused.output()).isEqualTo(1);
            assertThat(refused.output()).contains("to be created", "Type yes to go on", "Aborted", "Nothing was changed");
            assertThat(writes()).as(answer).isEmpty();
        }
        Result refusedRun = gcloud.run("no\n", Map.of(), "scripts/run-job.sh", "prod", "quota-reset");
        assertThat(refusedRun.exit()).isEqualTo(1);
        assertThat(writes()).isEmpty();

        api.clearRequests();
        Result yes = deploy("yes\n", SUPABASE_REF, "prod");
        assertThat(yes.exit()).as(yes.output()).isZero();
        JobTable migrate = JobTable.byId(CLOUDACT, "migrate");
        JsonNode prodMigrate = api.runJob("cloudact-prod", migrate.resource("prod"));
        assertRunJob(prodMigrate, migrate, "us-central1-docker.pkg.dev/cloudact-prod/cloudact/cloudact-jobs:prod");
        assertThat(secretsOf(prodMigrate)).containsExactly(java.util.Map.entry("SUPABASE_ACCESS_TOKEN", "supabase-access-token-prod:latest"));
        assertThat(api.runJobs()).hasSize(JobTable.load(CLOUDACT).size()).allSatisfy((k, v) -> assertThat(k).startsWith("cloudact-prod/"));

        // an existing prod trigger: pausing it asks too
        api.clearRequests();
        Result refusedPause = gcloud.run("no\n", Map.of(), "scripts/pause-job.sh", "prod", "alerts");
        assertThat(refusedPause.exit()).as(refusedPause.output()).isEqualTo(1);
        assertThat(writes()).isEmpty();
    }

    @Test
    void dryRunPrintsTheExactCommandsAndRunsNone() throws Exception {
        Result dry = deploy("", SUPABASE_REF, "stage", "--dry-run");
        assertThat(dry.exit()).as(dry.output()).isZero();
        assertThat(writes()).isEmpty();
        List<String> commands = dry.output().lines().filter(l -> l.startsWith("gcloud ")).toList();
        long openTriggers = JobTable.load(CLOUDACT).stream().filter(j -> !j.manual() && !j.gated()).count();
        assertThat(commands).hasSize(JobTable.load(CLOUDACT).size() + (int) openTriggers);
        assertThat(commands).contains(
                "gcloud run jobs create cloudact-5min-billing-sync-retry-stage --project cloudact-testing-1 --region us-central1"
                        + " --image " + STAGE_IMAGE + " --service-account cloudact-jobs@cloudact-testing-1.iam.gserviceaccount.com"
                        + " --tasks 1 --parallelism 1 --max-retries 0 --task-timeout 240s --memory 512Mi --cpu 1"
                        + " --set-env-vars PACK=cloudact,JOB_ID=billing-retry,ENVIRONMENT=stage,GCP_PROJECT_ID=cloudact-testing-1,JOB_TIMEOUT=216"
                        + " --set-secrets CA_ROOT_API_KEY=ca-root-api-key-test:latest --quiet --format none",
                "gcloud scheduler jobs create http cloudact-daily-quota-reset-stage --project cloudact-testing-1 --location us-central1"
                        + " --schedule '0 0 * * *' --time-zone Etc/UTC"
                        + " --uri https://us-central1-run.googleapis.com/apis/run.googleapis.com/v1/namespaces/cloudact-testing-1/jobs/cloudact-daily-quota-reset-stage:run"
                        + " --http-method POST --oauth-service-account-email cloudact-scheduler@cloudact-testing-1.iam.gserviceaccount.com"
                        + " --oauth-token-scope https://www.googleapis.com/auth/cloud-platform --quiet --format none");
        assertThat(dry.output()).contains("Dry run: " + commands.size() + " command(s) above not run").doesNotContainPattern("(?m)^job ");

        // "exact": running the printed commands gives the deployment the script makes, so a re-run finds nothing to do
        Path script = tmp.resolve("dry-run.sh");
        Files.writeString(script, "set -e\n" + String.join("\n", commands) + "\n");
        Result replay = gcloud.run("", Map.of(), "bash", script.toString());
        assertThat(replay.exit()).as(replay.output()).isZero();
        api.clearRequests();
        Result after = deploy("", SUPABASE_REF, "stage");
        assertThat(after.exit()).as(after.output()).isZero();
        assertThat(writes()).isEmpty();
    }

    @Test
    void runJobTakesShortAndLongNames() throws Exception {
        startFromStageDeploy();
        String execute = "POST " + RUN_JOBS + "/cloudact-daily-quota-reset-stage:run";
        for (String name : List.of("quota-reset", "cloudact-daily-quota-reset", "cloudact-daily-quota-reset-stage")) {
            api.clearRequests();
            Result result = gcloud.run("", Map.of(), "scripts/run-job.sh", "stage", name);
            assertThat(result.exit()).as(result.output()).isZero();
            assertThat(writes()).extracting(r -> r.method() + " " + r.path()).containsExactly(execute);
        }
        api.clearRequests();
        Result dry = gcloud.run("", Map.of(), "scripts/run-job.sh", "staging", "bootstrap", "--dry-run");
        assertThat(dry.exit()).as(dry.output()).isZero();
        assertThat(writes()).singleElement().satisfies(r -> {
            assertThat(r.path()).isEqualTo(RUN_JOBS + "/cloudact-manual-bootstrap-stage:run");
            assertThat(r.body().toString()).as("a per-execution override, the job is unchanged").contains("DRY_RUN", "true");
        });
        assertThat(api.state()).isEqualTo(deployedStage);
    }

    @Test
    void pauseAndResumeTouchOnlyTheTriggerAndAreSafeToRepeat() throws Exception {
        startFromStageDeploy();
        String alerts = TRIGGERS + "/cloudact-daily-alerts-stage";
        assertThat(gcloud.run("", Map.of(), "scripts/pause-job.sh", "stage", "alerts").output()).contains("cloudact-daily-alerts-stage: paused");
        Result again = gcloud.run("", Map.of(), "scripts/pause-job.sh", "stage", "cloudact-daily-alerts");
        assertThat(again.exit()).as(again.output()).isZero();
        assertThat(again.output()).contains("already paused");
        assertThat(gcloud.run("", Map.of(), "scripts/resume-job.sh", "stage", "alerts").output()).contains("resumed");
        assertThat(writes()).extracting(r -> r.method() + " " + r.path()).containsExactly("POST " + alerts + ":pause", "POST " + alerts + ":resume");

        Result manual = gcloud.run("", Map.of(), "scripts/pause-job.sh", "stage", "migrate");
        assertThat(manual.exit()).isEqualTo(2);
        assertThat(manual.output()).contains("migrate is a manual job: it has no trigger to pause");

        // rollback: every running trigger paused at once; the gated ones were never created
        api.clearRequests();
        Result all = gcloud.run("", Map.of(), "scripts/pause-job.sh", "stage", "--all");
        assertThat(all.exit()).as(all.output()).isZero();
        assertThat(all.output()).contains("cloudact-5min-billing-sync-retry-stage: does not exist");
        assertThat(writes()).extracting(Request::path).allMatch(p -> p.endsWith(":pause"))
                .hasSize((int) JobTable.load(CLOUDACT).stream().filter(j -> !j.manual() && !j.gated()).count());
        assertThat(api.schedulerJobs().values()).allSatisfy(t -> assertThat(t.path("state").asText()).isEqualTo("PAUSED"));
    }

    @Test
    void listShowsEveryJobItsTriggerAndWhatWaitsForAGate() throws Exception {
        startFromStageDeploy();
        Result result = gcloud.run("", Map.of(), "scripts/list-jobs.sh", "stage");
        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(writes()).isEmpty();
        assertThat(result.output())
                .containsPattern("(?m)^billing-retry +cloudact-5min-billing-sync-retry-stage +deployed +- +waiting for gate billing-endpoint")
                .containsPattern("(?m)^quota-reset +cloudact-daily-quota-reset-stage +deployed +\\S+ +ENABLED$")
                .containsPattern("(?m)^migrate +cloudact-manual-supabase-migrate-stage +deployed +- +- \\(manual\\)$");
    }

    @Test
    void localAndUnknownNamesAreRefusedClearly() throws Exception {
        Result local = gcloud.run("", Map.of(), "scripts/run-job.sh", "local", "quota-reset");
        assertThat(local.exit()).isEqualTo(2);
        assertThat(local.output()).contains("'local' is not deployed", "java -jar target/scheduler-jobs.jar");
        for (String script : List.of("scripts/create-all-jobs.sh", "scripts/list-jobs.sh")) {
            assertThat(gcloud.run("", Map.of(), script, "local").exit()).isEqualTo(2);
        }
        Result unknown = gcloud.run("", Map.of(), "scripts/run-job.sh", "stage", "quota");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.output()).contains("unknown job 'quota'", "quota-reset\tcloudact-daily-quota-reset");

        Result usage = gcloud.run("", Map.of(), "scripts/run-job.sh", "stage");
        assertThat(usage.exit()).isEqualTo(2);
        assertThat(usage.output()).contains("Usage: run-job.sh ENV JOB [--pack NAME] [--routes DIR] [--wait] [--dry-run]");
        assertThat(gcloud.run("", Map.of(), "scripts/run-job.sh", "stage", "alerts", "--now").output()).contains("unknown option '--now'");
        assertThat(gcloud.run("", Map.of(), "scripts/create-all-jobs.sh", "qa").output()).contains("unknown environment 'qa'");
        assertThat(api.requests()).as("refused before any request").isEmpty();
    }

    // --- helpers

    private Result deploy(String stdin, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("scripts/create-all-jobs.sh"));
        command.addAll(List.of(args));
        return gcloud.run(stdin, env, command.toArray(String[]::new));
    }

    /** Starts from the state a first stage deploy leaves (deployed once per test run, then restored). */
    private void startFromStageDeploy() throws Exception {
        synchronized (GcloudScriptsTest.class) {
            if (deployedStage == null) {
                Result first = deploy("", SUPABASE_REF, "stage");
                assertThat(first.exit()).as(first.output()).isZero();
                deployedStage = api.state();
            }
        }
        api.restore(deployedStage);
        api.clearRequests();
    }

    private List<Request> writes() {
        return api.requests().stream().filter(Request::isWrite).toList();
    }

    private static int indexOfFirstWrite(List<Request> requests) {
        for (int i = 0; i < requests.size(); i++) {
            if (requests.get(i).isWrite()) {
                return i;
            }
        }
        return requests.size();
    }

    private static String triggerName(String id) {
        return "projects/" + STAGE_PROJECT + "/locations/us-central1/jobs/" + JobTable.byId(CLOUDACT, id).resource("stage");
    }

    /** The fields the script manages on a Cloud Run Job (a create body or the stored job). */
    private static void assertRunJob(JsonNode job, JobTable row, String image) {
        String as = row.id();
        JsonNode task = job.at("/spec/template/spec/template/spec");
        JsonNode container = task.at("/containers/0");
        boolean prod = image.endsWith(":prod");
        String project = prod ? "cloudact-prod" : STAGE_PROJECT;
        assertThat(job.at("/metadata/name").asText()).as(as).isEqualTo(row.resource(prod ? "prod" : "stage"));
        assertThat(container.path("image").asText()).as(as).isEqualTo(image);
        assertThat(envOf(job)).as(as).containsEntry("PACK", CLOUDACT).containsEntry("JOB_ID", row.id())
                .containsEntry("ENVIRONMENT", prod ? "prod" : "stage")
                .containsEntry("GCP_PROJECT_ID", project).containsEntry("JOB_TIMEOUT", String.valueOf(row.runnerDeadline()));
        Map<String, String> secrets = secretsOf(job);
        assertThat(secrets.keySet()).as(as).containsExactlyInAnyOrderElementsOf(row.secrets());
        EnvironmentTable environment = EnvironmentTable.of(CLOUDACT, prod ? "prod" : "stage");
        row.secrets().forEach(secret -> assertThat(secrets).as(as).containsEntry(secret, environment.secrets().get(secret) + ":latest"));
        if (!prod && row.secrets().contains("CA_ROOT_API_KEY")) {
            assertThat(secrets).as(as).containsEntry("CA_ROOT_API_KEY", "ca-root-api-key-test:latest");
        }
        assertThat(task.path("serviceAccountName").asText()).as(as).isEqualTo("cloudact-jobs@" + project + ".iam.gserviceaccount.com");
        assertThat(task.path("timeoutSeconds").asText()).as(as).isEqualTo(String.valueOf(row.timeoutSeconds()));
        assertThat(task.path("maxRetries").asInt(-1)).as(as).isEqualTo(row.retries());
        // the job file's shards (the table's tasks column): all tasks at once
        assertThat(job.at("/spec/template/spec/taskCount").asInt()).as(as).isEqualTo(row.tasks());
        assertThat(job.at("/spec/template/spec/parallelism").asInt()).as(as).isEqualTo(row.tasks());
        assertThat(container.at("/resources/limits/memory").asText()).as(as).isEqualTo(row.memory());
        assertThat(container.at("/resources/limits/cpu").asText()).as(as).isEqualTo(row.cpu());
    }

    private static void assertTrigger(JsonNode trigger, JobTable row, String env) {
        String name = row.resource(env);
        assertThat(trigger.path("schedule").asText()).as(name).isEqualTo(row.schedule());
        assertThat(trigger.path("timeZone").asText()).as(name).isEqualTo(row.timeZone());
        assertThat(trigger.at("/httpTarget/uri").asText()).as(name)
                .isEqualTo("https://us-central1-run.googleapis.com/apis/run.googleapis.com/v1/namespaces/" + STAGE_PROJECT + "/jobs/" + name + ":run");
        assertThat(trigger.at("/httpTarget/httpMethod").asText()).isEqualTo("POST");
        assertThat(trigger.at("/httpTarget/oauthToken/serviceAccountEmail").asText()).isEqualTo("cloudact-scheduler@" + STAGE_PROJECT + ".iam.gserviceaccount.com");
        assertThat(trigger.at("/httpTarget/oauthToken/scope").asText()).isEqualTo("https://www.googleapis.com/auth/cloud-platform");
    }

    /** Plain environment variables of a Cloud Run Job's container. */
    static Map<String, String> envOf(JsonNode job) {
        Map<String, String> env = new HashMap<>();
        job.at("/spec/template/spec/template/spec/containers/0/env").forEach(e -> {
            if (e.has("value")) {
                env.put(e.path("name").asText(), e.path("value").asText());
            }
        });
        return env;
    }

    /** Secret variables: name to "secret:version". */
    static Map<String, String> secretsOf(JsonNode job) {
        Map<String, String> secrets = new HashMap<>();
        job.at("/spec/template/spec/template/spec/containers/0/env").forEach(e -> {
            JsonNode ref = e.at("/valueFrom/secretKeyRef");
            if (!ref.isMissingNode()) {
                secrets.put(e.path("name").asText(), ref.path("name").asText() + ":" + ref.path("key").asText());
            }
        });
        return secrets;
    }
}
