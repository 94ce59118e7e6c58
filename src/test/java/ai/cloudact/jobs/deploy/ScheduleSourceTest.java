package ai.cloudact.jobs.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ai.cloudact.jobs.Job;
import ai.cloudact.jobs.JobCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * The routes are the single source of the schedules: the deploy files that repeat them (the table the
 * gcloud scripts read, the Kubernetes CronJobs) are generated from the routes and must not drift.
 */
class ScheduleSourceTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0 */5 * * * ?  | */5 * * * *",
            "0 0 0 * * ?    | 0 0 * * *",
            "0 5 0 1 * ?    | 5 0 1 * *",
            "0 30 6 ? * MON-FRI | 30 6 * * MON-FRI",
            "0 0 9 ? * 2,6  | 0 9 * * 1,5",
            "0 0 9 ? * 1-7  | 0 9 * * 0-6",
            "0 0 12 * * ? * | 0 12 * * *"})
    void quartzCronBecomesFiveFieldCron(String quartz, String unix) {
        assertThat(QuartzCron.toUnix(quartz)).isEqualTo(unix);
    }

    @ParameterizedTest
    @CsvSource({"30 */5 * * * ?", "0 0 0 L * ?", "0 0 0 ? * 6#3", "0 0 0 15W * ?", "0 0 0 * * ? 2030", "0 0 * * *"})
    void quartzCronThatFiveFieldsCannotExpressIsRefused(String quartz) {
        assertThatThrownBy(() -> QuartzCron.toUnix(quartz)).isInstanceOf(IllegalArgumentException.class);
    }

    /** The schedules the operators agreed on; a change of a route's cron must change this table too. */
    @Test
    void everyJobHasTheAgreedSchedule() {
        Map<String, String> agreed = Map.ofEntries(
                Map.entry("migrate", "manual"), Map.entry("bootstrap", "manual"),
                Map.entry("bootstrap-sync", "manual"), Map.entry("org-sync-all", "manual"),
                Map.entry("billing-retry", "*/5 * * * *"), Map.entry("stale-cleanup", "*/15 * * * *"),
                Map.entry("quota-reset", "0 0 * * *"), Map.entry("quota-cleanup", "0 1 * * *"),
                Map.entry("reconcile", "0 2 * * *"), Map.entry("alerts", "0 8 * * *"),
                Map.entry("quota-monthly", "5 0 1 * *"));
        List<DeployJob> jobs = DeployCatalog.load(Repo.RESOURCES);
        assertThat(jobs).extracting(DeployJob::id).containsExactlyInAnyOrderElementsOf(agreed.keySet());
        for (DeployJob job : jobs) {
            assertThat(job.isManual() ? "manual" : job.cron()).as(job.id()).isEqualTo(agreed.get(job.id()));
            assertThat(job.timeZone()).as(job.id()).isEqualTo("Etc/UTC");
        }
    }

    /** The deploy reading of the routes is the runner's: same cron (converted) and time zone per job. */
    @Test
    void deployCatalogReadsTheRoutesAsTheRunnerDoes() {
        JobCatalog catalog = JobCatalog.load();
        List<DeployJob> jobs = DeployCatalog.load(Repo.RESOURCES);
        assertThat(jobs).extracting(DeployJob::id)
                .containsExactlyElementsOf(catalog.jobs().stream().map(Job::id).toList());
        for (DeployJob deploy : jobs) {
            Job job = catalog.find(deploy.id()).orElseThrow();
            assertThat(deploy.name()).isEqualTo(job.name());
            if (!Files.exists(Repo.RESOURCES.resolve("routes/" + job.id() + ".yaml"))) {
                assertThat(deploy.isManual()).as(deploy.id() + " has no route file yet: deployed as manual").isTrue();
                continue;
            }
            Job scheduled = JobCatalog.withSchedule(job);
            assertThat(deploy.isManual()).as(deploy.id()).isEqualTo(scheduled.isManual());
            if (!scheduled.isManual()) {
                assertThat(deploy.cron()).as(deploy.id()).isEqualTo(QuartzCron.toUnix(scheduled.schedule()));
            }
            assertThat(deploy.timeZone()).as(deploy.id()).isEqualTo(scheduled.timeZone());
        }
    }

    @Test
    void committedDeployFilesAreGeneratedFromTheRoutes() {
        List<String> stale = new ArrayList<>();
        DeployFiles.render(DeployCatalog.load(Repo.RESOURCES)).forEach((path, expected) -> {
            String actual = Files.exists(Repo.ROOT.resolve(path)) ? Repo.read(path) : "";
            if (!actual.equals(expected)) {
                stale.add(path + ":\n" + difference(actual, expected));
            }
        });
        if (!stale.isEmpty()) {
            fail("Deploy files out of date with the routes and catalog.yaml; run " + DeployFiles.COMMAND
                    + " and commit the result.\n" + String.join("\n", stale));
        }
    }

    /** A new job (one route file plus its catalog entry, no Java) reaches both deploy targets. */
    @Test
    void anAddedJobAppearsInBothDeployTargets(@TempDir Path resources) throws IOException {
        Files.createDirectories(resources.resolve("routes"));
        Files.writeString(resources.resolve("catalog.yaml"), Repo.read("src/main/resources/catalog.yaml") + """

                - id: weekly-report
                  name: cloudact-weekly-report
                  summary: "POST {api}/admin/reports/weekly"
                  timeout: 20m
                """);
        try (var routes = Files.list(Repo.RESOURCES.resolve("routes"))) {
            for (Path route : routes.toList()) {
                Files.copy(route, resources.resolve("routes").resolve(route.getFileName()));
            }
        }
        Files.writeString(resources.resolve("routes/weekly-report.yaml"), """
                - route:
                    id: weekly-report
                    from:
                      uri: quartz:cloudact/weekly-report
                      parameters:
                        cron: "0 0 7 ? * MON"
                        trigger.timeZone: Europe/Berlin
                      steps:
                        - log: weekly
                """);

        Map<String, String> files = DeployFiles.render(DeployCatalog.load(resources));

        assertThat(files.get(DeployFiles.JOBS_TSV)).contains(
                "weekly-report\tcloudact-weekly-report\t0 7 * * MON\tEurope/Berlin\t1200\t1\t512Mi\t1\tCA_ROOT_API_KEY\t-\n");
        assertThat(files.get(DeployFiles.CRONJOBS_YAML)).contains(
                "  name: cloudact-weekly-report\n", "  schedule: \"0 7 * * MON\"\n  timeZone: Europe/Berlin\n  suspend: false\n");
        // and the committed files then fail the check above, which names the command to run
        assertThat(files.get(DeployFiles.JOBS_TSV)).isNotEqualTo(Repo.read(DeployFiles.JOBS_TSV));
        assertThat(difference(Repo.read(DeployFiles.CRONJOBS_YAML), files.get(DeployFiles.CRONJOBS_YAML)))
                .contains("+   name: cloudact-weekly-report");
    }

    @Test
    void deploySettingsHaveDefaultsAndAreChecked() {
        assertThat(DeployCatalog.seconds("x", "90s")).isEqualTo(90);
        assertThat(DeployCatalog.seconds("x", "10m")).isEqualTo(600);
        assertThat(DeployCatalog.seconds("x", "1h")).isEqualTo(3600);
        assertThatThrownBy(() -> DeployCatalog.seconds("x", "10 minutes")).hasMessageContaining("90s, 10m or 1h");
        DeployJob alerts = DeployCatalog.load(Repo.RESOURCES).stream().filter(j -> j.id().equals("alerts")).findFirst().orElseThrow();
        assertThat(alerts.memory()).isEqualTo(DeployJob.DEFAULT_MEMORY);
        assertThat(alerts.secrets()).isEqualTo(DeployJob.DEFAULT_SECRETS);
        assertThat(DeployCatalog.load(Repo.RESOURCES).stream().filter(DeployJob::isGated).map(DeployJob::id))
                .containsExactlyInAnyOrder("billing-retry", "reconcile");
    }

    /** The lines only in {@code expected} (+) or only in {@code actual} (-), enough to see what to add. */
    static String difference(String actual, String expected) {
        List<String> was = actual.lines().toList();
        List<String> want = expected.lines().toList();
        StringBuilder out = new StringBuilder();
        want.stream().filter(line -> !was.contains(line)).distinct().forEach(line -> out.append("+ ").append(line).append('\n'));
        was.stream().filter(line -> !want.contains(line)).distinct().forEach(line -> out.append("- ").append(line).append('\n'));
        return out.toString();
    }
}
