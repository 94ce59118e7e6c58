package ai.cloudact.jobs.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import ai.cloudact.jobs.catalog.Job;
import ai.cloudact.jobs.catalog.JobCatalog;
import ai.cloudact.jobs.catalog.Pack;
import io.kubernetes.client.openapi.models.V1CronJob;
import io.kubernetes.client.openapi.models.V1JobSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A fan-out job with {@code shards: N} reaches both deploy targets as N parallel tasks: a row of
 * scripts/shards.tsv (Cloud Run --tasks N --parallelism N) and an Indexed Job in its CronJob
 * (completions and parallelism N, TASK_COUNT=N), valid against the Kubernetes API models.
 */
class ShardedDeployTest {

    @Test
    void aShardedFanOutJobIsAnIndexedJobAndARowOfTheShardsTable(@TempDir Path routes) throws Exception {
        Files.writeString(routes.resolve("org-report.yaml"), """
                - beans:
                    - name: org-report-job
                      type: ai.cloudact.jobs.catalog.JobSpec
                      properties: {longName: cloudact-manual-org-report, fanOut: true, shards: 4}
                - route:
                    id: org-report
                    description: "one report per org, over 4 tasks"
                    from:
                      uri: quartz:cloudact/org-report
                      parameters: {trigger.repeatCount: 0}
                      steps:
                        - setProperty: {name: shardKey, simple: "${body}"}
                        - process: {ref: shardShare}
                """);
        List<Job> jobs = JobCatalog.load(Pack.load(Pack.DEFAULT), routes).jobs();
        Map<String, String> files = DeployFiles.render(jobs);

        assertThat(files.get(DeployFiles.SHARDS_TSV)).contains("org-report\t4\n", "quota-reset\t1\n", "org-sync-all\t1\n");
        assertThat(files.get(DeployFiles.SHARDS_TSV).lines().filter(line -> !line.startsWith("#"))).hasSize(jobs.size());

        List<V1CronJob> cronJobs = KubernetesManifestsTest.validated(files.get(DeployFiles.CRONJOBS_YAML)).stream()
                .map(V1CronJob.class::cast).toList();
        V1JobSpec sharded = cronJobs.stream().filter(c -> c.getMetadata().getName().equals("cloudact-manual-org-report"))
                .findFirst().orElseThrow().getSpec().getJobTemplate().getSpec();
        assertThat(sharded.getCompletionMode()).isEqualTo("Indexed");
        assertThat(sharded.getCompletions()).isEqualTo(4);
        assertThat(sharded.getParallelism()).isEqualTo(4);
        assertThat(sharded.getTemplate().getSpec().getContainers().get(0).getEnv())
                .anySatisfy(env -> {
                    assertThat(env.getName()).isEqualTo("TASK_COUNT");
                    assertThat(env.getValue()).isEqualTo("4");
                });

        V1JobSpec single = cronJobs.stream().filter(c -> c.getMetadata().getName().equals("cloudact-daily-quota-reset"))
                .findFirst().orElseThrow().getSpec().getJobTemplate().getSpec();
        assertThat(single.getCompletionMode()).isNull();
        assertThat(single.getParallelism()).isNull();
        assertThat(single.getTemplate().getSpec().getContainers().get(0).getEnv()).noneMatch(env -> env.getName().equals("TASK_COUNT"));
    }
}
