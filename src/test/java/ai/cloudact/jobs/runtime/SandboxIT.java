package ai.cloudact.jobs.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import ai.cloudact.jobs.support.JobProcess;
import ai.cloudact.jobs.support.Repo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The local sandbox answers from the job files: a call no stand-in answers gets 501 with a message
 * naming the job, the call and the file to add, never a made-up refusal; and it stands in only for
 * the URL settings the user has not set.
 */
class SandboxIT {

    @TempDir
    Path routes;

    @Test
    void aCallWithoutAStandInIsAnsweredWithWhatToAdd() throws Exception {
        // quota-cleanup's BigQuery calls are answered by its sandbox file; a copy of the job in
        // ROUTES_DIR has none beside it
        Files.copy(Repo.PACKS.resolve("cloudact/quota-cleanup.yaml"), routes.resolve("quota-cleanup.yaml"));

        JobProcess.Result result = JobProcess.runInSandbox(Map.of("JOB_ID", "quota-cleanup", "ROUTES_DIR", routes.toString()));

        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output()).contains("LOCAL SANDBOX: no stand-in answer for job quota-cleanup: POST /bigquery/v2/projects/",
                "Declare one in " + routes.resolve("quota-cleanup.sandbox.yaml"), "outcome=FAILED")
                .doesNotContain("root key");
    }

    @Test
    void aUrlTheUserSetIsCalledForReal() throws Exception {
        JobProcess.Result result = JobProcess.runInSandbox(Map.of("JOB_ID", "alerts", "CA_API_URL", "http://127.0.0.1:9"));

        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output()).contains("LOCAL SANDBOX", "cannot connect").doesNotContain("CA_API_URL]");
    }
}
