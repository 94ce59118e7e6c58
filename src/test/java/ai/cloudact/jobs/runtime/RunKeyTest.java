package ai.cloudact.jobs.runtime;

import java.time.Instant;
import java.util.Map;

import ai.cloudact.jobs.catalog.Job;
import ai.cloudact.jobs.catalog.JobCatalog;
import ai.cloudact.jobs.catalog.Pack;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A run's key: the same for every attempt of one run, different for each task and for the next run. */
class RunKeyTest {

    private static final Job RECONCILE = JobCatalog.load(Pack.load(Pack.DEFAULT), null).job("reconcile");
    private static final Instant NOW = Instant.parse("2026-03-01T02:00:05Z");

    @Test
    void cloudRunKeysTheExecutionAndTaskAndOnlyALaterAttemptIsARetry() {
        Map<String, String> attempt0 = Map.of("CLOUD_RUN_EXECUTION", "exec-7", "CLOUD_RUN_TASK_INDEX", "2");
        assertThat(RunKey.of(RECONCILE, attempt0, NOW)).isEqualTo("reconcile:exec-7:2");
        assertThat(RunKey.isLaterCloudRunAttempt(attempt0)).isFalse();
        assertThat(RunKey.isLaterCloudRunAttempt(Map.of("CLOUD_RUN_EXECUTION", "exec-7", "CLOUD_RUN_TASK_ATTEMPT", "1"))).isTrue();
        assertThat(RunKey.isLaterCloudRunAttempt(Map.of("CLOUD_RUN_TASK_ATTEMPT", "1"))).as("not on Cloud Run").isFalse();
        assertThat(RunKey.isLaterCloudRunAttempt(Map.of("CLOUD_RUN_EXECUTION", "e", "CLOUD_RUN_TASK_ATTEMPT", "x1"))).isFalse();
    }

    @Test
    void aKubernetesIndexedJobKeysEachPodIndexLikeACloudRunTask() {
        assertThat(RunKey.of(RECONCILE, Map.of("JOB_RUN_ID", "cloudact-daily-reconcile-29384"), NOW))
                .isEqualTo("reconcile:cloudact-daily-reconcile-29384");
        assertThat(RunKey.of(RECONCILE, Map.of("JOB_RUN_ID", "cloudact-daily-reconcile-29384", "JOB_COMPLETION_INDEX", "3"), NOW))
                .isEqualTo("reconcile:cloudact-daily-reconcile-29384:3");
        // any pod of a Job may replace one of the same run that failed
        assertThat(RunKey.isKubernetesJobPod(Map.of("JOB_RUN_ID", "cloudact-daily-reconcile-29384"))).isTrue();
        assertThat(RunKey.isKubernetesJobPod(Map.of("JOB_RUN_ID", " "))).isFalse();
        assertThat(RunKey.isKubernetesJobPod(Map.of())).as("a run outside both platforms").isFalse();
    }

    @Test
    void elsewhereAScheduledJobIsKeyedByItsScheduleSlot() {
        assertThat(RunKey.of(RECONCILE, Map.of(), NOW)).isEqualTo("reconcile:2026-03-01T02:00:00Z");
    }
}
