package ai.cloudact.jobs.deploy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import ai.cloudact.jobs.support.Repo;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * scripts/deploy-service.sh with the recording gcloud stand-in first on PATH: the exact commands for
 * the always-on service (min instances 1, its own triggers) and for the scale-to-zero service with a
 * Cloud Scheduler tick, switching between the two, extra callers, and prod's confirmation.
 */
class ServiceScriptTest {

    private static final String STAGE = "--project cloudact-testing-1 --region us-central1";
    private static final String STAGE_SCHEDULER = "--project cloudact-testing-1 --location us-central1";
    private static final String SCHEDULER_SA = "cloudact-scheduler@cloudact-testing-1.iam.gserviceaccount.com";
    private static final String URL = "https://cloudact-jobs-serve-stage-x7q2-uc.a.run.app";

    @TempDir
    Path tmp;
    private Path log;

    record Result(int exit, String output, List<String> calls) {
    }

    @BeforeEach
    void stub() throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path recorder = bin.resolve("gcloud-recorder");
        Files.copy(Repo.ROOT.resolve("src/test/resources/deploy/gcloud"), recorder);
        // the recorder, plus the one answer it does not give: a service's URL
        Files.writeString(bin.resolve("gcloud"), """
                #!/usr/bin/env bash
                if [[ "$1 $2 $3" == "run services describe" ]]; then
                  "$(dirname "$0")/gcloud-recorder" "$@" >/dev/null 2>&1 || true
                  echo "%s"
                  exit 0
                fi
                exec "$(dirname "$0")/gcloud-recorder" "$@"
                """.formatted(URL));
        assertThat(recorder.toFile().setExecutable(true)).isTrue();
        assertThat(bin.resolve("gcloud").toFile().setExecutable(true)).isTrue();
        log = tmp.resolve("gcloud.log");
    }

    @Test
    void alwaysOnServiceFiresItsOwnTriggers() throws Exception {
        Result result = run("", "", "stage");
        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.calls()).containsExactly(
                "gcloud run deploy cloudact-jobs-serve-stage " + STAGE
                        + " --image us-central1-docker.pkg.dev/cloudact-testing-1/cloudact/cloudact-jobs:stage --args=--serve --port 8080"
                        + " --service-account cloudact-jobs@cloudact-testing-1.iam.gserviceaccount.com --no-allow-unauthenticated"
                        + " --min-instances 1 --max-instances 2 --no-cpu-throttling --timeout 3600 --memory 1Gi --cpu 1"
                        + " --set-env-vars ^;^ENVIRONMENT=stage;GCP_PROJECT_ID=cloudact-testing-1;SERVE_SCHEDULER=quartz;SERVE_AUTH=oidc"
                        + ";SERVE_AUDIENCE=cloudact-jobs-serve-stage;SERVE_ALLOWED_EMAILS=" + SCHEDULER_SA + ";SHUTDOWN_GRACE=8s"
                        + " --set-secrets CA_ROOT_API_KEY=ca-root-api-key-test:latest,SUPABASE_ACCESS_TOKEN=supabase-access-token-stage:latest"
                        + ",STATE_DB_URL=cloudact-jobs-state-db-url-stage:latest,STATE_DB_PASSWORD=cloudact-jobs-state-db-password-stage:latest"
                        + " --quiet",
                "gcloud run services update cloudact-jobs-serve-stage " + STAGE + " --add-custom-audiences cloudact-jobs-serve-stage --quiet",
                "gcloud run services add-iam-policy-binding cloudact-jobs-serve-stage " + STAGE
                        + " --member serviceAccount:" + SCHEDULER_SA + " --role roles/run.invoker --quiet",
                "gcloud scheduler jobs describe cloudact-jobs-serve-stage-tick " + STAGE_SCHEDULER + " --format value(name)");
    }

    @Test
    void scaleToZeroServiceIsTickedEveryMinuteWithAnIdToken() throws Exception {
        Result result = run("", "", "stage", "--tick", "--allow", "ci@cloudact-testing-1.iam.gserviceaccount.com");
        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.calls().get(0)).contains(" --min-instances 0 --max-instances 2 --timeout 3600")
                .doesNotContain("--no-cpu-throttling")
                .contains(";SERVE_SCHEDULER=tick;")
                .contains(";SERVE_ALLOWED_EMAILS=" + SCHEDULER_SA + ",ci@cloudact-testing-1.iam.gserviceaccount.com;");
        assertThat(result.calls()).contains(
                "gcloud scheduler jobs create http cloudact-jobs-serve-stage-tick " + STAGE_SCHEDULER
                        + " --schedule '* * * * *' --time-zone Etc/UTC --uri " + URL + "/cron/tick --http-method POST"
                        + " --oidc-service-account-email " + SCHEDULER_SA + " --oidc-token-audience cloudact-jobs-serve-stage"
                        + " --attempt-deadline 30m --quiet");
        assertThat(result.calls()).noneMatch(call -> call.contains(" resume ") || call.contains(" pause "));

        Result again = run("", "scheduler/cloudact-jobs-serve-stage-tick", "stage", "--tick");
        assertThat(again.calls()).anyMatch(call -> call.startsWith("gcloud scheduler jobs update http cloudact-jobs-serve-stage-tick "))
                .contains("gcloud scheduler jobs resume cloudact-jobs-serve-stage-tick " + STAGE_SCHEDULER + " --quiet");
    }

    @Test
    void backToAlwaysOnPausesTheTick() throws Exception {
        Result result = run("", "scheduler/cloudact-jobs-serve-stage-tick", "stage");
        assertThat(result.calls()).contains("gcloud scheduler jobs pause cloudact-jobs-serve-stage-tick " + STAGE_SCHEDULER + " --quiet")
                .noneMatch(call -> call.contains(" create ") || call.contains(" update http "));
    }

    @Test
    void prodAsksFirstAndLocalIsRefused() throws Exception {
        Result refused = run("no\n", "", "prod", "--tick");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.calls()).isEmpty();
        Result prod = run("yes\n", "", "prod");
        assertThat(prod.exit()).as(prod.output()).isZero();
        assertThat(prod.calls().get(0)).startsWith("gcloud run deploy cloudact-jobs-serve --project cloudact-prod ")
                .contains("cloudact-jobs-state-db-url:latest");
        assertThat(run("", "", "local").exit()).isEqualTo(2);
        assertThat(run("", "", "stage", "--later").output()).contains("unknown option '--later'");
    }

    private Result run(String stdin, String existing, String... args) throws Exception {
        Files.deleteIfExists(log);
        List<String> command = new java.util.ArrayList<>(List.of("scripts/deploy-service.sh"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(Repo.ROOT.toFile()).redirectErrorStream(true);
        builder.environment().put("PATH", tmp.resolve("bin") + ":" + System.getenv("PATH"));
        builder.environment().put("GCLOUD_LOG", log.toString());
        builder.environment().put("GCLOUD_EXISTING", existing);
        builder.environment().remove("CLOUDACT_REGION");
        builder.environment().remove("SUPABASE_PROJECT_REF");
        Process process = builder.start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException scriptExitedFirst) {
            // refused before reading its input
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output, Files.exists(log) ? Files.readAllLines(log) : List.of());
    }
}
