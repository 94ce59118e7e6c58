package ai.cloudact.jobs.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ai.cloudact.jobs.catalog.HttpCall;
import ai.cloudact.jobs.catalog.Job;
import ai.cloudact.jobs.catalog.JobCatalog;
import ai.cloudact.jobs.catalog.Pack;
import ai.cloudact.jobs.catalog.QuartzCron;
import ai.cloudact.jobs.support.Jobs;
import ai.cloudact.jobs.support.Repo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * The job files are the single source of the schedules and deploy facts: the deploy files that repeat
 * them (the table the gcloud scripts read, the Kubernetes CronJobs) are generated from them and must
 * not drift; the schedules the operators agreed on (src/test/resources/schedules/) hold.
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

    /** Each pack's agreed schedules, as data: the job files must still say them. */
    @Test
    void theAgreedSchedulesHold() throws Exception {
        List<Path> tables;
        try (var files = Files.list(Repo.ROOT.resolve("src/test/resources/schedules"))) {
            tables = files.filter(f -> f.toString().endsWith(".tsv")).toList();
        }
        assertThat(tables).isNotEmpty();
        for (Path table : tables) {
            String pack = table.getFileName().toString().replace(".tsv", "");
            JobCatalog catalog = JobCatalog.load(Pack.load(pack), null);
            for (String line : Files.readAllLines(table)) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String[] agreed = line.split("\t");
                Job job = catalog.job(agreed[0]);
                String as = pack + "/" + agreed[0];
                if (agreed[1].equals("manual")) {
                    assertThat(job.isManual()).as(as + " is manual").isTrue();
                } else {
                    assertThat(job.schedule().cron()).as(as).isEqualTo(agreed[1]);
                    assertThat(job.schedule().zone().getId()).as(as).isEqualTo(agreed[2]);
                }
                if (agreed.length > 3) {
                    assertThat(Pack.load(pack).deployName(job, ai.cloudact.jobs.run.Environment.PROD)).as(as + " in prod").isEqualTo(agreed[3]);
                }
                if (agreed.length > 4) {
                    // METHOD /path [body]: the path under the base URL setting the call starts with
                    String[] call = agreed[4].split(" ", 3);
                    HttpCall declared = HttpCall.of(job).orElseThrow(() -> new AssertionError(as + " declares no single HTTP call"));
                    assertThat(declared.method()).as(as).isEqualTo(call[0]);
                    assertThat(declared.uri()).as(as).matches("\\{\\{[a-z.]+}}" + java.util.regex.Pattern.quote(call[1]));
                    assertThat(declared.body()).as(as + " body").isEqualTo(call.length > 2 ? call[2] : null);
                }
            }
        }
    }

    /** Every pack's deploy files, and no committed file of a pack that no longer exists or a file it no longer has. */
    @Test
    void committedDeployFilesAreGeneratedFromTheJobFiles() throws Exception {
        List<String> stale = new ArrayList<>();
        java.util.Set<String> generated = new java.util.HashSet<>();
        for (String name : Pack.names()) {
            Pack pack = Pack.load(name);
            DeployFiles.render(pack, JobCatalog.load(pack, null).jobs()).forEach((path, expected) -> {
                generated.add(path);
                String actual = Files.exists(Repo.ROOT.resolve(path)) ? Repo.read(path) : "";
                if (!actual.equals(expected)) {
                    stale.add(path + ":\n" + difference(actual, expected));
                }
            });
        }
        for (String directory : List.of(PackTables.DIRECTORY, PackManifests.DIRECTORY)) {
            try (var files = Files.walk(Repo.ROOT.resolve(directory))) {
                files.filter(Files::isRegularFile).map(file -> Repo.ROOT.relativize(file).toString().replace('\\', '/'))
                        .filter(path -> !generated.contains(path))
                        .forEach(path -> stale.add(path + ": generated by no pack; delete it and run " + DeployFiles.COMMAND));
            }
        }
        if (!stale.isEmpty()) {
            fail("Deploy files out of date with the job files; run " + DeployFiles.COMMAND
                    + " and commit the result.\n" + String.join("\n", stale));
        }
    }

    /** A new job (one job file, no Java) reaches both deploy targets. */
    @Test
    void anAddedJobAppearsInBothDeployTargets(@TempDir Path routes) throws Exception {
        Files.writeString(routes.resolve("weekly-report.yaml"), """
                - beans:
                    - name: weekly-report-job
                      type: ai.cloudact.jobs.catalog.JobSpec
                      properties: {longName: cloudact-weekly-report, timeout: 20m}
                - route:
                    id: weekly-report
                    description: "POST {api}/admin/reports/weekly"
                    from:
                      uri: quartz:cloudact/weekly-report
                      parameters:
                        cron: "0 0 7 ? * MON"
                        trigger.timeZone: Europe/Berlin
                      steps:
                        - setHeader: {name: X-CA-Root-Key, constant: "{{secret:CA_ROOT_API_KEY}}"}
                        - log: weekly
                """);

        Map<String, String> files = DeployFiles.render(JobCatalog.load(Pack.load(Pack.DEFAULT), routes).jobs());

        String table = PackTables.jobsPath(Pack.load(Pack.DEFAULT));
        assertThat(files.get(table)).contains("weekly-report\tcloudact-weekly-report\tcloudact-weekly-report-test\tcloudact-weekly-report-stage"
                + "\tcloudact-weekly-report\t0 7 * * MON\tEurope/Berlin\t1200\t1170\t1\t512Mi\t1\t1\tCA_ROOT_API_KEY\t-\t-\t");
        assertThat(files.get(DeployFiles.CRONJOBS_YAML)).contains(
                "  name: cloudact-weekly-report\n", "  schedule: \"0 7 * * MON\"\n  timeZone: Europe/Berlin\n  suspend: false\n");
        // and the committed files then fail the check above, which names the command to run
        assertThat(files.get(table)).isNotEqualTo(Repo.read(table));
        assertThat(difference(Repo.read(DeployFiles.CRONJOBS_YAML), files.get(DeployFiles.CRONJOBS_YAML)))
                .contains("+   name: cloudact-weekly-report");
    }

    @Test
    void deployFactsComeFromTheJobFiles() {
        List<Job> jobs = Jobs.defaultPack();
        Job alerts = jobs.stream().filter(j -> j.id().equals("alerts")).findFirst().orElseThrow();
        assertThat(alerts.spec().getMemory()).isEqualTo("512Mi");
        assertThat(alerts.secrets()).containsExactly("CA_ROOT_API_KEY");
        Job cleanup = jobs.stream().filter(j -> j.id().equals("quota-cleanup")).findFirst().orElseThrow();
        assertThat(cleanup.secrets()).as("BigQuery only: no API key to mount").isEmpty();
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
