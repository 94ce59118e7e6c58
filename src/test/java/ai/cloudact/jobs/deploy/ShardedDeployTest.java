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
 * the pack's job table, column tasks (Cloud Run --tasks N --parallelism N), and an Indexed Job in its CronJob
 * (completions and parallelism N, TASK_COUNT=N), valid against the Kubernetes API models.
 */
class ShardedDeployTest {

    @Test
    void aShardedFanOutJobIsAnIndexedJobAndHasItsTasksInTheJobTable(@TempDir Path routes) throws Exception {
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

        Map<String, String> tasks = tasksColumn(files.get(PackTables.DIRECTORY + Pack.DEFAULT + ".tsv"));
        assertThat(tasks).hasSize(jobs.size()).containsEntry("org-report", "4").containsEntry("quota-reset", "1")
                .containsEntry("org-sync-all", "1");

        List<V1CronJob> cronJobs = KubernetesManifestsTest.validated(files.get(DeployFiles.CRONJOBS_YAML)).stream()
                .map(V1CronJob.class::cast).toList();
        V1JobSpec sharded = cronJobs.stream().filter(c -> c.getMetadata().getName().equals("cloudact-manual-org-report"))
                .findFirst().orElseThrow().getSpec().getJobTemplate().getSpec();
        assertThat(sharded.getCompletionMode()).isEqualTo("Indexed");
        assertThat(sharded.getCompletions()).isEqualTo(4);
        assertThat(sharded.getParallelism()).isEqualTo(4);
        assertThat(sharded.getPodReplacementPolicy()).as("an index's pod is replaced only once it has exited").isEqualTo("Failed");
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

    /** id → tasks, read by the column's name in the table's header, as the scripts read it. */
    private static Map<String, String> tasksColumn(String table) {
        List<String> header = table.lines().filter(line -> line.startsWith("# id\t")).findFirst().map(line -> List.of(line.substring(2).split("\t")))
                .orElseThrow(() -> new AssertionError("no header line in the job table:\n" + table));
        int column = header.indexOf("tasks");
        assertThat(column).as("the job table has a tasks column: %s", header).isPositive();
        Map<String, String> tasks = new java.util.LinkedHashMap<>();
        table.lines().filter(line -> !line.startsWith("#") && !line.isBlank()).map(line -> line.split("\t", -1))
                .forEach(fields -> tasks.put(fields[0], fields[column]));
        return tasks;
    }
}
