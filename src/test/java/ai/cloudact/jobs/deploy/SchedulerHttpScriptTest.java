package ai.cloudact.jobs.deploy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import ai.cloudact.jobs.catalog.HttpCall;
import ai.cloudact.jobs.catalog.Job;
import ai.cloudact.jobs.catalog.JobCatalog;
import ai.cloudact.jobs.catalog.Pack;
import ai.cloudact.jobs.run.Environment;
import ai.cloudact.jobs.support.Repo;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * scripts/scheduler-http-jobs.sh, the plain Cloud Scheduler HTTP jobs of a pack whose calls carry an ID
 * token (validibot's current setup), run with a recording gcloud stand-in first on PATH: a dry run
 * shows every job's deployed name, schedule, time zone and target and changes nothing; apply creates
 * or updates; the worker's URL is looked up from its Cloud Run service; delete-all asks, and twice in
 * prod. The packs and their jobs are found in the pack directories.
 */
class SchedulerHttpScriptTest {

    private static final String SCRIPT = "scripts/scheduler-http-jobs.sh";

    @TempDir
    Path tmp;
    private Path log;

    record Result(int exit, String output, List<String> calls) {
    }

    /** The packs with jobs whose call authenticates with a Google ID token. */
    static Stream<String> packs() {
        return Pack.names().stream().filter(name -> !oidcJobs(name).isEmpty());
    }

    static List<Job> oidcJobs(String pack) {
        return JobCatalog.load(Pack.load(pack), null).jobs().stream().filter(job -> !job.isManual())
                .filter(job -> HttpCall.of(job).map(HttpCall::googleIdToken).orElse(false)).toList();
    }

    /** Records each call; "run services describe S" prints S's URL; "scheduler jobs describe" finds those in $EXISTING. */
    @BeforeEach
    void gcloud() throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        log = tmp.resolve("gcloud.log");
        Path gcloud = bin.resolve("gcloud");
        Files.writeString(gcloud, """
                #!/usr/bin/env bash
                line="gcloud"
                for arg in "$@"; do if [[ "$arg" =~ [[:space:]] ]]; then line+=" '$arg'"; else line+=" $arg"; fi; done
                echo "$line" >> "$GCLOUD_LOG"
                if [[ "$1 $2 $3" == "run services describe" ]]; then
                  [[ "$4" == *missing* ]] && exit 1
                  echo "https://$4-x7q2-ts.a.run.app"; exit 0
                fi
                if [[ "$1 $3" == "scheduler describe" ]]; then
                  [[ " ${EXISTING:-} " == *" $4 "* ]] && { echo "name: $4"; exit 0; }
                  echo "ERROR: NOT_FOUND: $4" >&2; exit 1
                fi
                exit 0
                """);
        assertThat(gcloud.toFile().setExecutable(true)).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("packs")
    void aDryRunShowsEveryJobsNameScheduleAndTargetAndChangesNothing(String pack) throws Exception {
        PackDeploy deploy = PackDeploy.of(Pack.load(pack), Environment.TEST);
        String service = deploy.lookups().values().iterator().next().replace("cloud-run-service:", "");
        String url = "https://" + service + "-x7q2-ts.a.run.app";

        Result result = run("", Map.of(), "--pack", pack, "--dry-run", "test", "apply");

        assertThat(result.exit()).as(result.output()).isZero();
        for (Job job : oidcJobs(pack)) {
            String name = Pack.load(pack).deployName(job, Environment.TEST);
            String path = HttpCall.of(job).orElseThrow().uri().replaceFirst("^\\{\\{[^}]+}}", "");
            assertThat(result.output()).contains("gcloud scheduler jobs create http " + name + " --project " + deploy.project()
                    + " --location " + deploy.region() + " --schedule '" + job.schedule().unixCron() + "' --time-zone "
                    + job.schedule().zone().getId() + " --uri " + url + path + " --http-method POST"
                    + " --oidc-service-account-email " + deploy.schedulerServiceAccount() + " --oidc-token-audience " + url
                    + " --attempt-deadline " + DeployFiles.timeoutSeconds(job) + "s");
        }
        // only reads: the worker's URL and whether each job exists
        assertThat(result.calls()).allMatch(call -> call.contains(" describe ")).hasSize(1 + oidcJobs(pack).size())
                .contains("gcloud run services describe " + service + " --project " + deploy.project() + " --region "
                        + deploy.region() + " --format value(status.url)");
    }

    @Test
    void applyCreatesWhatIsMissingUpdatesWhatExistsAndTakesTheUrlFromTheEnvironment() throws Exception {
        String pack = packs().findFirst().orElseThrow();
        List<Job> jobs = oidcJobs(pack);
        String existing = Pack.load(pack).deployName(jobs.get(0), Environment.STAGE);

        Result result = run("", Map.of("EXISTING", existing, "WORKER_URL", "https://worker.example"), "--pack", pack, "stage", "apply");

        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.calls()).noneMatch(call -> call.contains("run services describe"));
        assertThat(result.calls()).filteredOn(call -> call.startsWith("gcloud scheduler jobs update http " + existing + " ")).hasSize(1);
        assertThat(result.calls()).filteredOn(call -> call.startsWith("gcloud scheduler jobs create http ")).hasSize(jobs.size() - 1)
                .allMatch(call -> call.contains(" --uri https://worker.example/") && call.contains(" --oidc-token-audience https://worker.example "));
    }

    @Test
    void aMissingWorkerServiceStopsBeforeAnyChange() throws Exception {
        String pack = packs().findFirst().orElseThrow();
        Path tables = Files.createDirectories(tmp.resolve("scripts/packs"));
        Files.copy(Repo.ROOT.resolve(SCRIPT), tmp.resolve(SCRIPT));
        Files.writeString(tables.resolve(pack + ".tsv"), Repo.read("scripts/packs/" + pack + ".tsv"));
        Files.writeString(tables.resolve(pack + ".environments.tsv"), Repo.read("scripts/packs/" + pack + ".environments.tsv")
                .replaceAll("cloud-run-service:[^\\s,]+", "cloud-run-service:missing-worker"));

        Result result = run(tmp, "", Map.of(), "--pack", pack, "test", "apply");

        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.output()).contains("Cloud Run service missing-worker not found", "deploy it first, or set");
        assertThat(result.calls()).noneMatch(call -> call.contains(" create ") || call.contains(" update "));
    }

    @Test
    void deleteAllAsksAndProdAsksTwice() throws Exception {
        String pack = packs().findFirst().orElseThrow();
        List<String> all = oidcJobs(pack).stream().map(job -> Pack.load(pack).deployName(job, Environment.PROD)).toList();
        String existing = String.join(" ", all);
        String project = PackDeploy.of(Pack.load(pack), Environment.PROD).project();

        for (String answers : new String[] {"", "yes\n", "delete\n", "delete\nyes\n"}) {
            Result refused = run(answers, Map.of("EXISTING", existing), "--pack", pack, "prod", "delete-all");
            assertThat(refused.exit()).as(answers + ": " + refused.output()).isEqualTo(1);
            assertThat(refused.output()).contains("Aborted: nothing was changed");
            assertThat(refused.calls()).as(answers).noneMatch(call -> call.contains(" delete "));
        }
        Result deleted = run("delete\n" + project + "\n", Map.of("EXISTING", existing), "--pack", pack, "prod", "delete-all");
        assertThat(deleted.exit()).as(deleted.output()).isZero();
        assertThat(deleted.output()).contains("type delete to go on", "PROD", "type " + project + " to go on");
        assertThat(deleted.calls()).filteredOn(call -> call.startsWith("gcloud scheduler jobs delete ")).hasSize(all.size());

        Result test = run("delete\n", Map.of(), "--pack", pack, "test", "delete-all");
        assertThat(test.exit()).as("one answer outside prod; jobs that do not exist are skipped").isZero();
        assertThat(test.output()).doesNotContain("PROD");
    }

    @Test
    void runPauseAndResumeTakeEveryFormOfAName() throws Exception {
        String pack = packs().findFirst().orElseThrow();
        Job job = oidcJobs(pack).get(0);
        String name = Pack.load(pack).deployName(job, Environment.STAGE);
        for (String given : new String[] {job.id(), job.longName(), name}) {
            Result result = run("", Map.of(), "--pack", pack, "stage", "run", given);
            assertThat(result.calls()).as(given).containsExactly("gcloud scheduler jobs run " + name + " --project "
                    + PackDeploy.of(Pack.load(pack), Environment.STAGE).project() + " --location "
                    + PackDeploy.of(Pack.load(pack), Environment.STAGE).region());
        }
        assertThat(run("", Map.of(), "--pack", pack, "stage", "pause", job.id()).calls()).singleElement()
                .asString().startsWith("gcloud scheduler jobs pause " + name);
        Result prod = run("no\n", Map.of(), "--pack", pack, "prod", "resume", job.id());
        assertThat(prod.exit()).isEqualTo(1);
        assertThat(prod.calls()).isEmpty();
        Result unknown = run("", Map.of(), "--pack", pack, "stage", "run", "no-such-job");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.output()).contains("no Scheduler HTTP job 'no-such-job'", job.id());
    }

    @Test
    void aPackWithoutIdTokenCallsIsNotAScheduleHttpPack() throws Exception {
        String other = Pack.names().stream().filter(name -> oidcJobs(name).isEmpty()).findFirst().orElseThrow();
        Result result = run("", Map.of(), "--pack", other, "test", "apply");
        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.output()).contains("no job whose call authenticates with a Google ID token");
        assertThat(run("", Map.of(), "--pack", "validibot", "local", "apply").output()).contains("'local' is not deployed");
    }

    @Test
    void scriptIsShellcheckClean() throws Exception {
        Process process;
        try {
            process = new ProcessBuilder("shellcheck", "-x", SCRIPT).directory(Repo.ROOT.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            if (Repo.inCi()) {
                throw new AssertionError("shellcheck is not installed (apt-get install -y shellcheck), and CI=true", e);
            }
            assumeThat(false).as("shellcheck not installed").isTrue();
            return;
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }

    private Result run(String stdin, Map<String, String> env, String... args) throws Exception {
        return run(Repo.ROOT, stdin, env, args);
    }

    private Result run(Path root, String stdin, Map<String, String> env, String... args) throws Exception {
        Files.deleteIfExists(log);
        List<String> command = new ArrayList<>(List.of("bash", root.resolve(SCRIPT).toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true);
        builder.environment().remove("WORKER_URL");
        builder.environment().put("PATH", tmp.resolve("bin") + ":" + System.getenv("PATH"));
        builder.environment().put("GCLOUD_LOG", log.toString());
        builder.environment().putAll(env);
        Process process = builder.start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<String> calls = Files.exists(log) ? Files.readAllLines(log) : List.of();
        return new Result(process.exitValue(), output, calls);
    }
}
