package ai.cloudact.jobs.catalog;

import java.nio.file.Path;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import ai.cloudact.jobs.run.Environment;
import ai.cloudact.jobs.support.Jobs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.quartz.CronExpression;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The house rules of a job file, checked for every job of every pack found in the pack directories
 * (a new job file is checked with no change here; a broken one fails with its file and reason): it
 * reads without problems, declares what the catalog needs, its schedule converts for the deploy
 * targets, and --validate passes.
 */
class JobFilesTest {

    static Stream<Job> jobs() {
        return Jobs.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jobs")
    void declaresEverythingTheCatalogNeeds(Job job) {
        assertThat(job.location()).as("file name = route id").endsWith("/" + job.id() + ".yaml");
        assertThat(job.notes()).as(job.location() + " leaves nothing to defaults").isEmpty();
        assertThat(job.summary()).as(job.location() + ": description, one line").isNotBlank().doesNotContain("\n").hasSizeLessThan(160);
        assertThat(job.longName()).as(job.location() + ": long name").matches("[a-z][a-z0-9-]{2,48}[a-z0-9]");
        assertThat(job.spec().timeoutDuration()).as(job.location() + ": timeout").isPositive();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jobs")
    void itsScheduleIsQuartzInAKnownZoneAndConvertsForTheDeployTargets(Job job) {
        if (job.isManual()) {
            assertThat(job.spec().getGate()).as(job.location() + ": a manual job has no trigger to gate").isNull();
            return;
        }
        assertThat(CronExpression.isValidExpression(job.schedule().cron())).as(job.location()).isTrue();
        assertThat(ZoneId.getAvailableZoneIds()).as(job.location()).contains(job.schedule().zone().getId());
        assertThat(job.schedule().unixCron()).as(job.location()).matches("\\S+( \\S+){4}");
        assertThat(job.schedule().next(java.time.Instant.now(), 3)).as(job.location() + " fires").hasSize(3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jobs")
    void passesValidate(Job job) {
        Pack pack = Pack.load(job.pack());
        java.util.Map<String, String> properties = new java.util.HashMap<>(ai.cloudact.jobs.runtime.Settings.defaults());
        properties.putAll(pack.properties(Environment.LOCAL));
        RouteValidator.Report report = RouteValidator.validate(JobCatalog.load(pack, null), properties);
        assertThat(report.problems()).as("--validate of pack " + pack.name()).filteredOn(p -> p.contains("/" + job.id() + ".yaml")).isEmpty();
    }

    /** Names are what operators type and what the platforms show: one job per name, in every environment. */
    @Test
    void everyNameIsUniqueInEveryEnvironment() {
        for (Environment environment : Environment.values()) {
            Set<String> names = new HashSet<>();
            Jobs.all().forEach(job -> {
                String name = Pack.load(job.pack()).deployName(job, environment);
                assertThat(names.add(name)).as(environment + ": " + name + " is unique").isTrue();
                assertThat(name).as(name + ": a Cloud Run job name").matches("[a-z][a-z0-9-]{0,62}");
            });
        }
    }

    @Test
    void jobsFromRoutesDirWrittenInTheOldFormatStillRead() {
        JobCatalog catalog = JobCatalog.load(Pack.load(Pack.DEFAULT), Path.of("src/test/resources/extra-routes"));
        Job added = catalog.job("private-ping");
        assertThat(added.location()).startsWith("file:");
        assertThat(added.longName()).isEqualTo("cloudact-private-ping");
        assertThat(added.spec().getRetries()).isEqualTo(JobSpec.DEFAULT_RETRIES);
        assertThat(added.notes()).anySatisfy(note -> assertThat(note).contains("add `description:"))
                .anySatisfy(note -> assertThat(note).contains("no JobSpec bean", "longName"));
        assertThat(catalog.job("cron-secret").schedule().zone()).hasToString("Etc/UTC");
        assertThat(catalog.ids()).containsAll(List.of("private-ping", "cron-secret", "quota-reset"));
    }
}
