package ai.cloudact.jobs.catalog;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import ai.cloudact.jobs.run.ConfigurationException;
import ai.cloudact.jobs.run.Environment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How the catalog finds, reads and refuses job files, and what a pack's properties mean. */
class CatalogTest {

    @TempDir
    Path dir;

    private JobCatalog withFile(String name, String text) throws Exception {
        Files.writeString(dir.resolve(name), text);
        return JobCatalog.load(Pack.load(Pack.DEFAULT), dir);
    }

    private static final String MINIMAL = """
            - beans:
                - name: weekly-report-job
                  type: ai.cloudact.jobs.catalog.JobSpec
                  properties: {longName: cloudact-weekly-report, timeout: 20m, retries: 2, memory: 1Gi}
            - route:
                id: weekly-report
                description: "POST {api}/admin/reports/weekly"
                from:
                  uri: quartz:cloudact/weekly-report
                  parameters: {cron: "0 0 7 ? * MON", trigger.timeZone: Europe/Berlin}
                  steps:
                    - log: weekly
            """;

    @Test
    void aJobFileDeclaresItsNameScheduleAndDeployFacts() throws Exception {
        Job job = withFile("weekly-report.yaml", MINIMAL).job("weekly-report");

        assertThat(job.longName()).isEqualTo("cloudact-weekly-report");
        assertThat(job.summary()).isEqualTo("POST {api}/admin/reports/weekly");
        assertThat(job.schedule().unixCron()).isEqualTo("0 7 * * MON");
        assertThat(job.schedule().zone().getId()).isEqualTo("Europe/Berlin");
        assertThat(job.spec().timeoutDuration()).hasMinutes(20);
        assertThat(job.spec().getMemory()).isEqualTo("1Gi");
        assertThat(job.notes()).isEmpty();
    }

    @Test
    void jobIsFoundByIdLongNameOrDeployedName() throws Exception {
        JobCatalog catalog = withFile("weekly-report.yaml", MINIMAL);

        assertThat(catalog.find("weekly-report", Environment.PROD)).map(Job::id).hasValue("weekly-report");
        assertThat(catalog.find("cloudact-weekly-report", Environment.PROD)).map(Job::id).hasValue("weekly-report");
        assertThat(catalog.find("cloudact-weekly-report-stage", Environment.STAGE)).map(Job::id).hasValue("weekly-report");
        assertThat(catalog.find("cloudact-daily-quota-reset", Environment.LOCAL)).map(Job::id).hasValue("quota-reset");
        assertThat(catalog.find("weekly", Environment.PROD)).isEmpty();
    }

    @Test
    void aBrokenFileIsNamedWithWhatToChange() throws Exception {
        JobCatalog catalog = withFile("weekly-report.yaml", MINIMAL.replace("retries: 2", "retrys: 2"));
        assertThatThrownBy(() -> catalog.job("weekly-report")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("weekly-report.yaml").hasMessageContaining("unknown property 'retrys'")
                .hasMessageContaining("the properties are cpu, fanOut, gate, longName, memory, misfire, retries, shards, timeout");

        JobCatalog badCron = withFile("weekly-report.yaml", MINIMAL.replace("0 0 7 ? * MON", "0 0 25 * * ?"));
        assertThatThrownBy(() -> badCron.job("weekly-report")).hasMessageContaining("invalid Quartz cron '0 0 25 * * ?'");

        JobCatalog badZone = withFile("weekly-report.yaml", MINIMAL.replace("Europe/Berlin", "Mars/Olympus"));
        assertThatThrownBy(() -> badZone.job("weekly-report")).hasMessageContaining("unknown time zone 'Mars/Olympus'");

        JobCatalog badSpec = withFile("weekly-report.yaml", MINIMAL.replace("retries: 2", "retries: three"));
        assertThatThrownBy(() -> badSpec.job("weekly-report")).hasMessageContaining("JobSpec: retries: 'three' is not a whole number");
        JobCatalog badFlag = withFile("weekly-report.yaml", MINIMAL.replace("retries: 2", "retries: 2, fanOut: maybe"));
        assertThatThrownBy(() -> badFlag.job("weekly-report")).hasMessageContaining("JobSpec: fanOut: 'maybe' is not true or false");
        JobCatalog listAsText = withFile("weekly-report.yaml", MINIMAL.replace("memory: 1Gi", "memory: [1Gi]"));
        assertThatThrownBy(() -> listAsText.job("weekly-report")).hasMessageContaining("JobSpec: memory: '[1Gi]' is not a text");
        JobCatalog fraction = withFile("weekly-report.yaml", MINIMAL.replace("retries: 2", "retries: 2.5"));
        assertThatThrownBy(() -> fraction.job("weekly-report")).hasMessageContaining("JobSpec: retries: '2.5' is not a whole number");
        // the setter's own check still speaks
        JobCatalog badMemory = withFile("weekly-report.yaml", MINIMAL.replace("memory: 1Gi", "memory: lots"));
        assertThatThrownBy(() -> badMemory.job("weekly-report")).hasMessageContaining("JobSpec: memory 'lots'");
        JobCatalog longKey = withFile("weekly-report.yaml", MINIMAL.replace("retries: 2", "retries: 2, " + "x".repeat(500) + ": 1"));
        assertThatThrownBy(() -> longKey.job("weekly-report")).hasMessageContaining("unknown property '" + "x".repeat(80) + "...(500 chars)'");

        // the rest of the catalog still reads
        assertThat(badSpec.job("quota-reset").id()).isEqualTo("quota-reset");
    }

    @Test
    void parallelTasksOnlyForAFanOutJobThatKeepsItsShare() throws Exception {
        JobCatalog notFanOut = withFile("weekly-report.yaml", MINIMAL.replace("memory: 1Gi", "memory: 1Gi, shards: 4"));
        assertThatThrownBy(() -> notFanOut.job("weekly-report")).hasMessageContaining("shards: 4 needs fanOut: true");

        JobCatalog noShare = withFile("weekly-report.yaml", MINIMAL.replace("memory: 1Gi", "memory: 1Gi, fanOut: true, shards: 4"));
        assertThatThrownBy(() -> noShare.job("weekly-report")).hasMessageContaining("ref: shardShare");

        JobCatalog fanOut = withFile("weekly-report.yaml", MINIMAL.replace("memory: 1Gi", "memory: 1Gi, fanOut: true, shards: 4")
                .replace("- log: weekly", "- process: {ref: shardShare}"));
        assertThat(fanOut.job("weekly-report").spec().getShards()).isEqualTo(4);
        assertThat(fanOut.job("weekly-report").spec().isFanOut()).isTrue();
        assertThat(fanOut.job("org-sync-all").spec().isFanOut()).isTrue();
    }

    @Test
    void hostileYamlIsRefusedWithTheFileNameNeverAStackOverflow() throws Exception {
        String deep = "- " + "[".repeat(20_000) + "]".repeat(20_000) + "\n";
        JobCatalog catalog = withFile("deep.yaml", deep);
        assertThatThrownBy(() -> catalog.job("deep")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("deep.yaml").hasMessageContaining("nested more than");

        String aliases = "- a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "- b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                + "- c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n- d: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n";
        JobCatalog bomb = withFile("bomb.yaml", aliases);
        assertThatThrownBy(() -> bomb.job("bomb")).hasMessageContaining("bomb.yaml");

        JobCatalog mapping = withFile("mapping.yaml", "route: {id: mapping}\n");
        assertThatThrownBy(() -> mapping.job("mapping")).hasMessageContaining("a YAML list");
    }

    @Test
    void aRoutesDirThatIsNotADirectoryIsAConfigurationError() {
        assertThatThrownBy(() -> JobCatalog.load(Pack.load(Pack.DEFAULT), Path.of("no/such/dir")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("ROUTES_DIR");
        assertThatThrownBy(() -> Pack.load("no-such-pack")).hasMessageContaining("Unknown pack 'no-such-pack'")
                .hasMessageContaining(Pack.DEFAULT);
    }

    @Test
    void packPropertiesApplyPerEnvironment() {
        Pack pack = Pack.load(Pack.DEFAULT);
        assertThat(pack.properties(Environment.LOCAL)).containsEntry("ca.api.url", "http://localhost:8000");
        assertThat(pack.properties(Environment.PROD)).containsEntry("ca.api.url", "https://api.cloudact.ai");
        Job job = JobCatalog.load(pack, null).job("quota-reset");
        assertThat(pack.deployName(job, Environment.PROD)).isEqualTo("cloudact-daily-quota-reset");
        assertThat(pack.deployName(job, Environment.STAGE)).isEqualTo("cloudact-daily-quota-reset-stage");
    }

    @Test
    void scheduleSlotsAndFireTimes() {
        Schedule everyFive = Schedule.of("0 */5 * * * ?", "Etc/UTC");
        Instant at = Instant.parse("2026-11-23T04:07:31Z");
        assertThat(everyFive.lastFireAtOrBefore(at)).isEqualTo(Instant.parse("2026-11-23T04:05:00Z"));
        assertThat(everyFive.next(at, 2)).containsExactly(Instant.parse("2026-11-23T04:10:00Z"), Instant.parse("2026-11-23T04:15:00Z"));
        Schedule monthly = Schedule.of("0 5 0 1 * ?", "Etc/UTC");
        assertThat(monthly.lastFireAtOrBefore(at)).isEqualTo(Instant.parse("2026-11-01T00:05:00Z"));
    }
}
