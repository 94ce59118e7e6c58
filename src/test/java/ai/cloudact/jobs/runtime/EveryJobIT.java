package ai.cloudact.jobs.runtime;

import java.util.Map;
import java.util.stream.Stream;

import ai.cloudact.jobs.catalog.Job;
import ai.cloudact.jobs.support.JobProcess;
import ai.cloudact.jobs.support.Jobs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every job of every pack, found in the pack directories, runs once as a process in the local
 * sandbox (the same class path as {@code mvn compile camel:run}), and once as a dry run: a job file
 * added to a pack is covered here with no change to any test.
 */
class EveryJobIT {

    static Stream<Job> jobs() {
        return Jobs.all();
    }

    @ParameterizedTest(name = "{0} runs once in the local sandbox")
    @MethodSource("jobs")
    void runsOnceInTheSandbox(Job job) throws Exception {
        JobProcess.Result result = JobProcess.runInSandbox(Map.of("PACK", job.pack(), "JOB_ID", job.id()));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("LOCAL SANDBOX", "SUMMARY job=" + job.id(), "outcome=SUCCESS")
                .doesNotContain("no stand-in answer");
    }

    @ParameterizedTest(name = "{0} dry run changes nothing and succeeds")
    @MethodSource("jobs")
    void dryRunSucceeds(Job job) throws Exception {
        JobProcess.Result result = JobProcess.runInSandbox(Map.of("PACK", job.pack(), "JOB_ID", job.id(), "DRY_RUN", "true"));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("outcome=SUCCESS", "dry_run=true");
    }
}
