package ai.cloudact.jobs.deploy;

import ai.cloudact.jobs.support.Repo;
import ai.cloudact.jobs.support.Jobs;
import ai.cloudact.jobs.catalog.Job;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The scripts under scripts/, each run with a recording gcloud stand-in first on PATH
 * (src/test/resources/deploy/gcloud): the exact gcloud commands they issue for create and for update,
 * the paused billing triggers, prod's confirmation, name resolution and the refusal of local.
 */
class GcloudScriptsTest {

    private static final String STAGE = "--project cloudact-testing-1 --region us-central1";
    private static final String STAGE_SCHEDULER = "--project cloudact-testing-1 --location us-central1";
    private static final String STAGE_IMAGE = "us-central1-docker.pkg.dev/cloudact-testing-1/cloudact/cloudact-jobs:stage";

    @TempDir
    Path tmp;
    private Path log;

    record Result(int exit, String output, List<String> calls) {
    }

    @BeforeEach
    void stub() throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path gcloud = bin.resolve("gcloud");
        Files.copy(Repo.ROOT.resolve("src/test/resources/deploy/gcloud"), gcloud);
        assertThat(gcloud.toFile().setExecutable(true)).isTrue();
        log = tmp.resolve("gcloud.log");
    }

    @Test
    void scriptsAreShellcheckClean() throws Exception {
        List<String> command = new ArrayList<>(List.of("shellcheck", "-x"));
        try (var scripts = Files.list(Repo.ROOT.resolve("scripts"))) {
            scripts.filter(p -> p.toString().endsWith(".sh")).sorted().forEach(p -> command.add(Repo.ROOT.relativize(p).toString()));
        }
        command.addAll(List.of("scripts/lib/common.sh", "src/test/resources/deploy/gcloud"));
        Process process;
        try {
            process = new ProcessBuilder(command).directory(Repo.ROOT.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            if (Repo.inCi()) {
                throw new AssertionError("shellcheck is not installed (apt-get install -y shellcheck), and CI=true", e);
            }
            assumeThat(false).as("shellcheck not installed").isTrue();
            return;
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }

    @Test
    void createsEveryJobAndTriggerWhenNothingExists() throws Exception {
        Result result = run("", "", "scripts/create-all-jobs.sh", "stage");

        assertThat(result.exit()).as(result.output()).isZero();
        List<String> expected = new ArrayList<>();
        for (Job job : Jobs.defaultPack()) {
            String name = job.longName() + "-stage";
            expected.add("gcloud run jobs describe " + name + " " + STAGE + " --format value(name)");
            expected.add("gcloud run jobs create " + name + " " + runFlags(job, "stage"));
            if (!job.isManual()) {
                expected.add("gcloud scheduler jobs describe " + name + " " + STAGE_SCHEDULER + " --format value(name)");
                expected.add("gcloud scheduler jobs create http " + name + " " + schedulerFlags(name, job.schedule().unixCron()));
                if ((job.spec().getGate() != null)) {
                    expected.add("gcloud scheduler jobs pause " + name + " " + STAGE_SCHEDULER + " --quiet");
                }
            }
        }
        assertThat(result.calls()).containsExactlyElementsOf(expected);
        // spelled out once, so that the helpers above cannot hide a mistake
        assertThat(result.calls()).contains(
                "gcloud run jobs create cloudact-5min-billing-sync-retry-stage --project cloudact-testing-1 --region us-central1"
                        + " --image " + STAGE_IMAGE
                        + " --set-env-vars JOB_ID=billing-retry,ENVIRONMENT=stage,GCP_PROJECT_ID=cloudact-testing-1,JOB_TIMEOUT=216"
                        + " --set-secrets CA_ROOT_API_KEY=ca-root-api-key-test:latest"
                        + " --service-account cloudact-jobs@cloudact-testing-1.iam.gserviceaccount.com"
                        + " --tasks 1 --max-retries 0 --task-timeout 240s --memory 512Mi --cpu 1 --quiet",
                "gcloud scheduler jobs create http cloudact-5min-billing-sync-retry-stage --project cloudact-testing-1"
                        + " --location us-central1 --schedule '*/5 * * * *' --time-zone Etc/UTC"
                        + " --uri https://us-central1-run.googleapis.com/apis/run.googleapis.com/v1/namespaces/cloudact-testing-1/jobs/cloudact-5min-billing-sync-retry-stage:run"
                        + " --http-method POST --oauth-service-account-email cloudact-scheduler@cloudact-testing-1.iam.gserviceaccount.com"
                        + " --oauth-token-scope https://www.googleapis.com/auth/cloud-platform --quiet",
                "gcloud scheduler jobs pause cloudact-5min-billing-sync-retry-stage --project cloudact-testing-1 --location us-central1 --quiet",
                "gcloud scheduler jobs pause cloudact-daily-billing-reconcile-stage --project cloudact-testing-1 --location us-central1 --quiet",
                "gcloud run jobs create cloudact-manual-supabase-migrate-stage --project cloudact-testing-1 --region us-central1"
                        + " --image " + STAGE_IMAGE
                        + " --set-env-vars JOB_ID=migrate,ENVIRONMENT=stage,GCP_PROJECT_ID=cloudact-testing-1,JOB_TIMEOUT=1770,SUPABASE_PROJECT_REF=ref-test-123"
                        + " --set-secrets SUPABASE_ACCESS_TOKEN=supabase-access-token-stage:latest"
                        + " --service-account cloudact-jobs@cloudact-testing-1.iam.gserviceaccount.com"
                        + " --tasks 1 --max-retries 0 --task-timeout 1800s --memory 512Mi --cpu 1 --quiet");
        // manual jobs get no trigger; only the billing triggers are paused
        assertThat(result.calls()).noneMatch(c -> c.contains("scheduler") && c.contains("cloudact-manual-"));
        assertThat(result.calls()).filteredOn(c -> c.contains(" pause ")).hasSize(2);
        assertThat(result.calls()).noneMatch(c -> c.contains(" update ") || c.contains(" resume "));
    }

    @Test
    void updatesWhatExistsAndCreatesTheRest() throws Exception {
        Result all = run("", "*", "scripts/create-all-jobs.sh", "stage");
        assertThat(all.exit()).as(all.output()).isZero();
        assertThat(all.calls()).noneMatch(c -> c.contains(" create "));
        assertThat(all.calls()).contains(
                "gcloud run jobs update cloudact-daily-quota-reset-stage " + runFlags(job("quota-reset"), "stage"),
                "gcloud scheduler jobs update http cloudact-daily-quota-reset-stage " + schedulerFlags("cloudact-daily-quota-reset-stage", "0 0 * * *"),
                "gcloud scheduler jobs pause cloudact-5min-billing-sync-retry-stage " + STAGE_SCHEDULER + " --quiet");
        assertThat(all.calls()).filteredOn(c -> c.startsWith("gcloud run jobs update ")).hasSize(Jobs.defaultPack().size());
        // an operator's pause of another trigger is kept: only the gated ones are paused or resumed
        assertThat(all.calls()).filteredOn(c -> c.contains(" pause ") || c.contains(" resume ")).hasSize(2);

        Result mixed = run("", "run/cloudact-daily-alerts-stage", "scripts/create-all-jobs.sh", "stage");
        assertThat(mixed.calls()).contains(
                "gcloud run jobs update cloudact-daily-alerts-stage " + runFlags(job("alerts"), "stage"),
                "gcloud scheduler jobs create http cloudact-daily-alerts-stage " + schedulerFlags("cloudact-daily-alerts-stage", "0 8 * * *"),
                "gcloud run jobs create cloudact-daily-quota-reset-stage " + runFlags(job("quota-reset"), "stage"));
    }

    @Test
    void billingTriggersAreResumedOnlyWhenTheEndpointIsReady() throws Exception {
        Result result = run("", "*", "scripts/create-all-jobs.sh", "stage", "--billing-endpoint-ready");
        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.calls()).filteredOn(c -> c.contains(" pause ") || c.contains(" resume ")).containsExactly(
                "gcloud scheduler jobs resume cloudact-5min-billing-sync-retry-stage " + STAGE_SCHEDULER + " --quiet",
                "gcloud scheduler jobs resume cloudact-daily-billing-reconcile-stage " + STAGE_SCHEDULER + " --quiet");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "no\n", "y\n", "YES\n", "yes please\n"})
    void prodWithoutYesChangesNothing(String answer) throws Exception {
        for (String[] script : List.of(
                new String[] {"scripts/create-all-jobs.sh", "prod"},
                new String[] {"scripts/run-job.sh", "prod", "quota-reset"},
                new String[] {"scripts/pause-job.sh", "prod", "alerts"},
                new String[] {"scripts/resume-job.sh", "production", "alerts"})) {
            Result result = run(answer, "", script);
            assertThat(result.exit()).as(String.join(" ", script) + ": " + result.output()).isEqualTo(1);
            assertThat(result.output()).contains("Type yes to go on", "Aborted", "Nothing was changed");
            assertThat(result.calls()).as(String.join(" ", script)).isEmpty();
        }
    }

    @Test
    void prodGoesOnWithYesPiped() throws Exception {
        Result result = run("yes\n", "", "scripts/create-all-jobs.sh", "prod");
        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.calls()).contains(
                "gcloud run jobs create cloudact-manual-supabase-migrate --project cloudact-prod --region us-central1"
                        + " --image us-central1-docker.pkg.dev/cloudact-prod/cloudact/cloudact-jobs:prod"
                        + " --set-env-vars JOB_ID=migrate,ENVIRONMENT=prod,GCP_PROJECT_ID=cloudact-prod,JOB_TIMEOUT=1770,SUPABASE_PROJECT_REF=ref-test-123"
                        + " --set-secrets SUPABASE_ACCESS_TOKEN=supabase-access-token-prod:latest"
                        + " --service-account cloudact-jobs@cloudact-prod.iam.gserviceaccount.com"
                        + " --tasks 1 --max-retries 0 --task-timeout 1800s --memory 512Mi --cpu 1 --quiet",
                "gcloud scheduler jobs pause cloudact-daily-billing-reconcile --project cloudact-prod --location us-central1 --quiet");

        Result runNow = run("yes\n", "", "scripts/run-job.sh", "prod", "org-sync-all", "--wait");
        assertThat(runNow.calls()).containsExactly(
                "gcloud run jobs execute cloudact-manual-org-sync-all --project cloudact-prod --region us-central1 --wait");
    }

    @Test
    void testEnvironmentSharesTheTestProjectWithItsOwnJobNames() throws Exception {
        Result result = run("", "", "scripts/create-all-jobs.sh", "test");
        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.calls()).contains("gcloud run jobs create cloudact-manual-supabase-migrate-test --project cloudact-testing-1 --region us-central1"
                + " --image us-central1-docker.pkg.dev/cloudact-testing-1/cloudact/cloudact-jobs:test"
                + " --set-env-vars JOB_ID=migrate,ENVIRONMENT=test,GCP_PROJECT_ID=cloudact-testing-1,JOB_TIMEOUT=1770,SUPABASE_PROJECT_REF=ref-test-123"
                + " --set-secrets SUPABASE_ACCESS_TOKEN=supabase-access-token-stage:latest"
                + " --service-account cloudact-jobs@cloudact-testing-1.iam.gserviceaccount.com"
                + " --tasks 1 --max-retries 0 --task-timeout 1800s --memory 512Mi --cpu 1 --quiet");
    }

    @Test
    void runJobTakesShortAndLongNames() throws Exception {
        String expected = "gcloud run jobs execute cloudact-daily-quota-reset-stage " + STAGE;
        assertThat(run("", "", "scripts/run-job.sh", "stage", "quota-reset").calls()).containsExactly(expected);
        assertThat(run("", "", "scripts/run-job.sh", "staging", "cloudact-daily-quota-reset").calls()).containsExactly(expected);
        assertThat(run("", "", "scripts/run-job.sh", "stage", "cloudact-daily-quota-reset-stage").calls()).containsExactly(expected);
        assertThat(run("", "", "scripts/run-job.sh", "stage", "bootstrap", "--wait", "--dry-run").calls()).containsExactly(
                "gcloud run jobs execute cloudact-manual-bootstrap-stage " + STAGE + " --wait --update-env-vars DRY_RUN=true");
    }

    @Test
    void localAndUnknownNamesAreRefusedClearly() throws Exception {
        Result local = run("", "", "scripts/run-job.sh", "local", "quota-reset");
        assertThat(local.exit()).isEqualTo(2);
        assertThat(local.output()).contains("'local' is not deployed", "java -jar target/scheduler-jobs.jar");
        assertThat(local.calls()).isEmpty();
        for (String script : List.of("scripts/create-all-jobs.sh", "scripts/list-jobs.sh")) {
            assertThat(run("", "", script, "local").exit()).isEqualTo(2);
        }

        Result unknown = run("", "", "scripts/run-job.sh", "stage", "quota");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.output()).contains("unknown job 'quota'", "quota-reset\tcloudact-daily-quota-reset");
        assertThat(unknown.calls()).isEmpty();

        Result usage = run("", "", "scripts/run-job.sh", "stage");
        assertThat(usage.exit()).isEqualTo(2);
        assertThat(usage.output()).contains("Usage: run-job.sh ENV JOB [--wait] [--dry-run]");
        assertThat(run("", "", "scripts/run-job.sh", "stage", "alerts", "--now").output()).contains("unknown option '--now'");
        assertThat(run("", "", "scripts/create-all-jobs.sh", "qa").output()).contains("unknown environment 'qa'");
    }

    @Test
    void pauseAndResumeTouchOnlyTheTrigger() throws Exception {
        assertThat(run("", "", "scripts/pause-job.sh", "stage", "alerts").calls())
                .containsExactly("gcloud scheduler jobs pause cloudact-daily-alerts-stage " + STAGE_SCHEDULER + " --quiet");
        assertThat(run("", "", "scripts/resume-job.sh", "stage", "cloudact-daily-billing-reconcile").calls())
                .containsExactly("gcloud scheduler jobs resume cloudact-daily-billing-reconcile-stage " + STAGE_SCHEDULER + " --quiet");
        Result manual = run("", "", "scripts/pause-job.sh", "stage", "migrate");
        assertThat(manual.exit()).isEqualTo(2);
        assertThat(manual.output()).contains("migrate is a manual job: it has no trigger to pause");
        assertThat(manual.calls()).isEmpty();
    }

    @Test
    void listShowsJobsTriggersAndExecutions() throws Exception {
        Result result = run("", "", "scripts/list-jobs.sh", "stage");
        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.calls()).containsExactly(
                "gcloud run jobs list " + STAGE,
                "gcloud scheduler jobs list " + STAGE_SCHEDULER
                        + " --format table(name.basename():label=TRIGGER,schedule,timeZone,state,scheduleTime:label=NEXT_RUN,lastAttemptTime:label=LAST_RUN)",
                "gcloud run jobs executions list " + STAGE + " --limit 20");
    }

    private static Job job(String id) {
        return Jobs.defaultPack().stream().filter(j -> j.id().equals(id)).findFirst().orElseThrow();
    }

    private static String runFlags(Job job, String env) {
        List<String> secrets = new ArrayList<>();
        for (String secret : job.secrets()) {
            secrets.add(secret.equals("CA_ROOT_API_KEY") ? "CA_ROOT_API_KEY=ca-root-api-key-test:latest"
                    : "SUPABASE_ACCESS_TOKEN=supabase-access-token-stage:latest");
        }
        return STAGE + " --image " + STAGE_IMAGE
                + " --set-env-vars JOB_ID=" + job.id() + ",ENVIRONMENT=" + env + ",GCP_PROJECT_ID=cloudact-testing-1"
                + ",JOB_TIMEOUT=" + DeployFiles.runnerDeadlineSeconds(job)
                + (job.secrets().contains("SUPABASE_ACCESS_TOKEN") ? ",SUPABASE_PROJECT_REF=ref-test-123" : "")
                + (secrets.isEmpty() ? "" : " --set-secrets " + String.join(",", secrets))
                + " --service-account cloudact-jobs@cloudact-testing-1.iam.gserviceaccount.com"
                + " --tasks 1 --max-retries " + job.spec().getRetries() + " --task-timeout " + DeployFiles.timeoutSeconds(job) + "s"
                + " --memory " + job.spec().getMemory() + " --cpu " + job.spec().getCpu() + " --quiet";
    }

    private static String schedulerFlags(String name, String cron) {
        return STAGE_SCHEDULER + " --schedule '" + cron + "' --time-zone Etc/UTC"
                + " --uri https://us-central1-run.googleapis.com/apis/run.googleapis.com/v1/namespaces/cloudact-testing-1/jobs/" + name + ":run"
                + " --http-method POST --oauth-service-account-email cloudact-scheduler@cloudact-testing-1.iam.gserviceaccount.com"
                + " --oauth-token-scope https://www.googleapis.com/auth/cloud-platform --quiet";
    }

    /** Runs a script with the stub first on PATH, {@code stdin} as its input (then closed). */
    private Result run(String stdin, String existing, String... command) throws Exception {
        Files.deleteIfExists(log);
        ProcessBuilder builder = new ProcessBuilder(command).directory(Repo.ROOT.toFile()).redirectErrorStream(true);
        builder.environment().put("PATH", tmp.resolve("bin") + ":" + System.getenv("PATH"));
        builder.environment().put("GCLOUD_LOG", log.toString());
        builder.environment().put("GCLOUD_EXISTING", existing);
        builder.environment().remove("CLOUDACT_REGION");
        builder.environment().put("SUPABASE_PROJECT_REF", "ref-test-123");
        Process process = builder.start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException scriptExitedFirst) {
            // a script that refuses before reading its input closes the pipe: nothing to send
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<String> calls = Files.exists(log) ? Files.readAllLines(log) : List.of();
        return new Result(process.exitValue(), output, calls);
    }
}
