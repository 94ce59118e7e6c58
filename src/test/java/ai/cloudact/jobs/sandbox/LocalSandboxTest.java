package ai.cloudact.jobs.sandbox;

import java.util.Map;
import java.util.stream.Stream;

import ai.cloudact.jobs.catalog.Job;
import ai.cloudact.jobs.run.ExitCode;
import ai.cloudact.jobs.runtime.OneShot;
import ai.cloudact.jobs.support.Jobs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every job of every pack runs on a fresh machine, as {@code mvn compile camel:run -Dcamel.job=<id>}
 * runs it: ENVIRONMENT=local, nothing set, the local sandbox (on the test class path, found through
 * the ServiceLoader as camel:run finds it) answers from the job's and the pack's sandbox files, a
 * Google ID token is a stand-in, and the run succeeds.
 */
class LocalSandboxTest {

    static Stream<Job> jobs() {
        return Jobs.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jobs")
    void runsAgainstTheLocalSandbox(Job job) {
        ExitCode code = new OneShot(Map.of("JOB_ID", job.id(), "PACK", job.pack(), "RETRY_DELAY_MS", "10")).run();

        assertThat(code).as(job.pack() + "/" + job.id() + " against the local sandbox").isEqualTo(ExitCode.SUCCESS);
    }
}
