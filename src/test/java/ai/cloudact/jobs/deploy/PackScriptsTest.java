package ai.cloudact.jobs.deploy;

import java.io.IOException;
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

import static ai.cloudact.jobs.deploy.GcloudScriptsTest.envOf;
import static ai.cloudact.jobs.deploy.GcloudScriptsTest.secretsOf;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Cloud Run Jobs scripts with {@code --pack} for the packs other than the default one, run with the
 * real gcloud against {@link FakeGoogleApis}: each pack lands in its own project and region under its
 * own names (validibot's test stage is "dev"), with its time zones, its secrets, {@code PACK} and the
 * settings its calls need, looked up from the stage's Cloud Run service or given by the operator, and
 * a missing one stops the deploy before any write; delete-all-jobs.sh asks, and in prod asks for the
 * project id as well. A few scenarios rather than many tests: every gcloud call costs about a second.
 * Expectations come from the tables the scripts read (scripts/packs/).
 */
class PackScriptsTest {

    private static final String VALIDIBOT = "validibot";
    private static final String CAPMATCH = "capmatch";

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
    void validibotDeploysUnderItsStageNamesInItsZoneWithTheWorkerUrlOfItsStagesService() throws Exception {
        EnvironmentTable test = EnvironmentTable.of(VALIDIBOT, "test");
        List<JobTable> jobs = JobTable.load(VALIDIBOT);
        String service = test.lookups().get("WORKER_URL").replace("cloud-run-service:", "");
        String region = test.region() + "-";

        // the worker's service does not exist yet: the lookup stops the deploy before any write
        Result missing = gcloud.run("", Map.of(), "scripts/create-all-jobs.sh", "test", "--pack", VALIDIBOT);
        assertThat(missing.exit()).as(missing.output()).isEqualTo(2);
        assertThat(missing.output()).contains("WORKER_URL: the Cloud Run service " + service + " does not exist in " + test.project()
                + " (" + test.region() + "): deploy it first, or set WORKER_URL. Nothing was changed.");
        assertThat(writes()).isEmpty();

        String url = "https://" + service + "-x7q2-ts.a.run.app";
        api.putService(test.project(), service, url);
        api.clearRequests();
        Result first = gcloud.run("", Map.of(), "scripts/create-all-jobs.sh", "test", "--pack", VALIDIBOT);
        assertThat(first.exit()).as(first.output()).isZero();
        // one lookup serves every job, in the environment's project and region
        assertThat(api.requests()).filteredOn(r -> r.path().contains("/services/")).singleElement().satisfies(r -> {
            assertThat(r.host()).startsWith(region);
            assertThat(r.path()).isEqualTo("/apis/serving.knative.dev/v1/namespaces/" + test.project() + "/services/" + service);
        });
        assertThat(writes()).as("every write in the pack's project and region").hasSize(2 * jobs.size()).allSatisfy(r -> {
            if (r.path().startsWith("/apis/")) {
                assertThat(r.host()).startsWith(region);
                assertThat(r.path()).isEqualTo(test.runJobs());
            } else {
                assertThat(r.path()).isEqualTo(test.triggers());
            }
        });
        for (JobTable job : jobs) {
            String name = job.resource("test");
            assertThat(name).endsWith("-" + test.stage());
            JsonNode stored = api.runJob(test.project(), name);
            assertThat(envOf(stored)).as(name).containsEntry("PACK", VALIDIBOT).containsEntry("JOB_ID", job.id())
                    .containsEntry("ENVIRONMENT", "test").containsEntry("GCP_PROJECT_ID", test.project())
                    .containsEntry("JOB_TIMEOUT", String.valueOf(job.runnerDeadline())).containsEntry("WORKER_URL", url);
            assertThat(secretsOf(stored)).as(name).isEmpty();
            JsonNode task = stored.at("/spec/template/spec/template/spec");
            assertThat(task.path("serviceAccountName").asText()).isEqualTo(test.runtimeServiceAccount());
            assertThat(task.at("/containers/0/image").asText()).isEqualTo(test.image());
            assertThat(task.path("timeoutSeconds").asInt()).isEqualTo(job.timeoutSeconds());

            JsonNode trigger = api.schedulerJob(test.trigger(name));
            assertThat(trigger.path("schedule").asText()).as(name).isEqualTo(job.schedule());
            assertThat(trigger.path("timeZone").asText()).as(name).isEqualTo(job.timeZone()).isEqualTo("Australia/Sydney");
            assertThat(trigger.at("/httpTarget/uri").asText()).isEqualTo("https://" + test.region()
                    + "-run.googleapis.com/apis/run.googleapis.com/v1/namespaces/" + test.project() + "/jobs/" + name + ":run");
            assertThat(trigger.at("/httpTarget/oauthToken/serviceAccountEmail").asText()).isEqualTo(test.schedulerServiceAccount());
            assertThat(first.output()).containsPattern("(?m)^job +" + name + " +created$")
                    .containsPattern("(?m)^trigger +" + name + " +created, ENABLED$");
        }
        assertThat(first.output()).contains("Done: validibot test (validibot, australia-southeast1)");

        // the operator's WORKER_URL wins over the lookup; a re-run changes that variable and nothing else
        api.clearRequests();
        Result given = gcloud.run("", Map.of("WORKER_URL", "https://worker.example"), "scripts/create-all-jobs.sh", "test",
                "--pack", VALIDIBOT);
        assertThat(given.exit()).as(given.output()).isZero();
        assertThat(api.requests()).noneMatch(r -> r.path().contains("/services/"));
        assertThat(writes()).extracting(Request::method).hasSize(jobs.size()).containsOnly("PUT");
        for (JobTable job : jobs) {
            assertThat(given.output()).containsPattern("(?m)^job +" + job.resource("test") + " +updated \\(WORKER_URL\\)$")
                    .containsPattern("(?m)^trigger +" + job.resource("test") + " +unchanged$");
            assertThat(envOf(api.runJob(test.project(), job.resource("test")))).containsEntry("WORKER_URL", "https://worker.example");
        }

        // the deployed name in test is validibot-clear-sessions-dev: run, pause and list take it, or the id
        JobTable clearSessions = JobTable.byId(VALIDIBOT, "clear-sessions");
        assertThat(clearSessions.resource("test")).isEqualTo("validibot-clear-sessions-dev");
        api.clearRequests();
        Result run = gcloud.run("", Map.of(), "scripts/run-job.sh", "test", "validibot-clear-sessions-dev", "--pack", VALIDIBOT);
        assertThat(run.exit()).as(run.output()).isZero();
        Result pause = gcloud.run("", Map.of(), "scripts/pause-job.sh", "--pack", VALIDIBOT, "test", "clear-sessions");
        assertThat(pause.exit()).as(pause.output()).isZero();
        assertThat(writes()).extracting(r -> r.method() + " " + r.path()).containsExactly(
                "POST " + test.runJobs() + "/validibot-clear-sessions-dev:run",
                "POST /v1/" + test.trigger("validibot-clear-sessions-dev") + ":pause");
        Result list = gcloud.run("", Map.of(), "scripts/list-jobs.sh", "test", "--pack", VALIDIBOT);
        assertThat(list.exit()).as(list.output()).isZero();
        assertThat(list.output()).contains("== validibot test (validibot, australia-southeast1)")
                .containsPattern("(?m)^clear-sessions +validibot-clear-sessions-dev +deployed +\\S+ +PAUSED$")
                .containsPattern("(?m)^purge-expired-submissions +validibot-purge-expired-submissions-dev +deployed +\\S+ +ENABLED$")
                .contains("validibot-clear-sessions-dev-00001");

        // a plain Scheduler HTTP job of the same name (scheduler-http-jobs.sh) is not taken over as a trigger
        String firstName = jobs.get(0).resource("test");
        ObjectNode httpJob = FakeGoogleApis.JSON.createObjectNode().put("name", test.trigger(firstName)).put("schedule", jobs.get(0).schedule())
                .put("timeZone", jobs.get(0).timeZone()).put("state", "ENABLED");
        httpJob.putObject("httpTarget").put("uri", url + "/api/v1/scheduled/x/").putObject("oidcToken")
                .put("serviceAccountEmail", test.schedulerServiceAccount()).put("audience", url);
        api.restore(new FakeGoogleApis.State(Map.of(), Map.of(test.trigger(firstName), httpJob)));
        api.clearRequests();
        Result taken = gcloud.run("", Map.of("WORKER_URL", url), "scripts/create-all-jobs.sh", "test", "--pack", VALIDIBOT);
        assertThat(taken.exit()).as(taken.output()).isEqualTo(2);
        assertThat(taken.output()).contains(firstName + " is a plain Cloud Scheduler HTTP job (scheduler-http-jobs.sh)", "Nothing was changed");
        assertThat(writes()).isEmpty();
    }

    @Test
    void capmatchStopsWithoutItsSupabaseUrlThenDeploysToProdWithItsSecretAndZones() throws Exception {
        EnvironmentTable prod = EnvironmentTable.of(CAPMATCH, "prod");
        List<JobTable> jobs = JobTable.load(CAPMATCH);
        assertThat(prod.lookups()).as("SUPABASE_URL has no lookup: the operator gives it").doesNotContainKey("SUPABASE_URL");

        Result missing = gcloud.run("yes\n", Map.of(), "scripts/create-all-jobs.sh", "prod", "--pack", CAPMATCH);
        assertThat(missing.exit()).as(missing.output()).isEqualTo(2);
        assertThat(missing.output()).contains("needs SUPABASE_URL, which has no value in prod and no lookup: set SUPABASE_URL")
                .doesNotContain("Type yes");
        assertThat(writes()).isEmpty();

        String supabase = "https://abcdefgh.supabase.co";
        Result deployed = gcloud.run("yes\n", Map.of("SUPABASE_URL", supabase), "scripts/create-all-jobs.sh", "prod", "--pack", CAPMATCH);
        assertThat(deployed.exit()).as(deployed.output()).isZero();
        assertThat(deployed.output()).contains("PROD (" + prod.project() + ")", "to be created");
        assertThat(api.runJobs()).hasSize(jobs.size()).allSatisfy((key, job) -> assertThat(key).startsWith(prod.project() + "/"));
        assertThat(jobs).extracting(JobTable::timeZone).contains("America/Los_Angeles", "Etc/UTC");
        for (JobTable job : jobs) {
            String name = job.resource("prod");
            assertThat(name).isEqualTo(job.name());
            JsonNode stored = api.runJob(prod.project(), name);
            assertThat(envOf(stored)).as(name).containsEntry("PACK", CAPMATCH).containsEntry("ENVIRONMENT", "prod")
                    .containsEntry("GCP_PROJECT_ID", prod.project()).containsEntry("SUPABASE_URL", supabase);
            assertThat(secretsOf(stored)).as(name)
                    .containsExactly(Map.entry("SUPABASE_SERVICE_ROLE_KEY", prod.secrets().get("SUPABASE_SERVICE_ROLE_KEY") + ":latest"));
            assertThat(api.schedulerJob(prod.trigger(name)).path("timeZone").asText()).as(name).isEqualTo(job.timeZone());
        }
    }

    @Test
    void deleteAllAsksAndInProdAsksForTheProjectIdToo() throws Exception {
        EnvironmentTable prod = EnvironmentTable.of(VALIDIBOT, "prod");
        EnvironmentTable test = EnvironmentTable.of(VALIDIBOT, "test");
        List<JobTable> jobs = JobTable.load(VALIDIBOT);
        // prod's jobs and triggers, and one of test's in the same project: prod's names are prefixes of test's
        Map<String, JsonNode> runJobs = new TreeMap<>();
        Map<String, JsonNode> triggers = new TreeMap<>();
        for (JobTable job : jobs) {
            put(runJobs, triggers, prod, job.resource("prod"));
        }
        String devName = JobTable.byId(VALIDIBOT, "clear-sessions").resource("test");
        put(runJobs, triggers, test, devName);
        api.restore(new FakeGoogleApis.State(runJobs, triggers));

        for (String answers : List.of("", "yes\n", "delete\n", "delete\nvalidibot-prod\n")) {
            Result refused = gcloud.run(answers, Map.of(), "scripts/delete-all-jobs.sh", "prod", "--pack", VALIDIBOT);
            assertThat(refused.exit()).as(answers + ": " + refused.output()).isEqualTo(1);
            assertThat(refused.output()).contains("to be deleted", "Aborted", "Nothing was changed");
            assertThat(writes()).as(answers).isEmpty();
        }
        api.clearRequests();
        Result deleted = gcloud.run("delete\n" + prod.project() + "\n", Map.of(), "scripts/delete-all-jobs.sh", "prod", "--pack", VALIDIBOT);
        assertThat(deleted.exit()).as(deleted.output()).isZero();
        assertThat(deleted.output()).contains("Type delete to go on", "PROD", "Type " + prod.project() + " to go on", "Deleted: validibot prod");
        List<String> expected = new ArrayList<>();
        for (JobTable job : jobs) {
            // each trigger before its job
            expected.add("DELETE /v1/" + prod.trigger(job.resource("prod")));
            expected.add("DELETE " + prod.runJobs() + "/" + job.resource("prod"));
            assertThat(deleted.output()).containsPattern("(?m)^trigger +" + job.resource("prod") + " +deleted$")
                    .containsPattern("(?m)^job +" + job.resource("prod") + " +deleted$");
        }
        assertThat(writes()).extracting(r -> r.method() + " " + r.path()).containsExactlyElementsOf(expected);
        assertThat(api.runJobs()).as("test's job in the same project is not prod's").containsOnlyKeys(test.project() + "/" + devName);
        assertThat(api.schedulerJobs()).containsOnlyKeys(test.trigger(devName));

        // nothing left: nothing asked
        Result again = gcloud.run("", Map.of(), "scripts/delete-all-jobs.sh", "prod", "--pack", VALIDIBOT);
        assertThat(again.exit()).as(again.output()).isZero();
        assertThat(again.output()).contains("Nothing to delete").doesNotContain("Type delete");

        // outside prod one answer is enough
        api.clearRequests();
        Result inTest = gcloud.run("delete\n", Map.of(), "scripts/delete-all-jobs.sh", "test", "--pack", VALIDIBOT);
        assertThat(inTest.exit()).as(inTest.output()).isZero();
        assertThat(inTest.output()).doesNotContain("PROD");
        assertThat(writes()).hasSize(2);
        assertThat(api.runJobs()).isEmpty();
        assertThat(api.schedulerJobs()).isEmpty();
    }

    // --- helpers

    private List<Request> writes() {
        return api.requests().stream().filter(Request::isWrite).toList();
    }

    /** A deployed Cloud Run Job and its trigger, as the fake stores them. */
    private static void put(Map<String, JsonNode> runJobs, Map<String, JsonNode> triggers, EnvironmentTable environment, String name) {
        ObjectNode job = FakeGoogleApis.JSON.createObjectNode().put("apiVersion", "run.googleapis.com/v1").put("kind", "Job");
        job.putObject("metadata").put("name", name).put("namespace", environment.project()).put("generation", 1);
        runJobs.put(environment.project() + "/" + name, job);
        ObjectNode trigger = FakeGoogleApis.JSON.createObjectNode().put("name", environment.trigger(name)).put("schedule", "0 2 * * *")
                .put("timeZone", "Australia/Sydney").put("state", "ENABLED");
        triggers.put(environment.trigger(name), trigger);
    }
}
