package ai.cloudact.jobs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The catalog, its route files, names, schedules, environments and the small settings the runner parses. */
class JobCatalogTest {

    private final JobCatalog catalog = JobCatalog.load();

    @Test
    void everyCatalogEntryHasItsRouteFileAndEveryRouteFileAnEntry() throws Exception {
        List<String> files;
        try (Stream<Path> routes = Files.list(Path.of("src/main/resources/routes"))) {
            files = routes.map(file -> file.getFileName().toString().replace(".yaml", "")).sorted().toList();
        }
        assertThat(catalog.jobs().stream().map(Job::id).sorted().toList()).isEqualTo(files);
        for (Job job : catalog.jobs()) {
            assertThat(JobCatalog.fromOf(job).get("uri")).as(job.id()).asString().startsWith("quartz:cloudact/" + job.id());
        }
    }

    @Test
    void theElevenJobsWithTheirSchedules() {
        Map<String, String> expected = new java.util.TreeMap<>(Map.of(
                "billing-retry", "0 */5 * * * ?", "stale-cleanup", "0 */15 * * * ?", "quota-reset", "0 0 0 * * ?",
                "quota-cleanup", "0 0 1 * * ?", "reconcile", "0 0 2 * * ?", "alerts", "0 0 8 * * ?",
                "quota-monthly", "0 5 0 1 * ?"));
        for (String manual : List.of("migrate", "bootstrap", "bootstrap-sync", "org-sync-all")) {
            assertThat(JobCatalog.withSchedule(catalog.find(manual).orElseThrow()).isManual()).as(manual).isTrue();
        }
        expected.forEach((id, cron) -> {
            Job job = JobCatalog.withSchedule(catalog.find(id).orElseThrow());
            assertThat(job.schedule()).as(id).isEqualTo(cron);
            assertThat(job.timeZone()).as(id).isEqualTo("Etc/UTC");
        });
        assertThat(catalog.jobs()).hasSize(11);
    }

    @Test
    void longNamesAndShortNamesBothResolve() {
        assertThat(catalog.find("cloudact-daily-quota-reset")).map(Job::id).hasValue("quota-reset");
        assertThat(catalog.find("quota-reset")).map(Job::name).hasValue("cloudact-daily-quota-reset");
        assertThat(catalog.find("cloudact-5min-billing-sync-retry")).map(Job::id).hasValue("billing-retry");
        assertThat(catalog.find("quota")).isEmpty();
        assertThat(catalog.jobs().stream().map(Job::name).distinct()).hasSize(catalog.jobs().size());
    }

    @Test
    void routesDirOverridesAndAddsRouteFiles() {
        JobCatalog withExtra = JobCatalog.load(Path.of("src/test/resources/extra-routes"));
        assertThat(withExtra.find("private-ping").orElseThrow().routeLocation()).startsWith("file:");
        assertThat(withExtra.find("quota-reset")).map(Job::routeLocation).hasValue("classpath:routes/quota-reset.yaml");
        assertThatThrownBy(() -> JobCatalog.load(Path.of("no/such/dir"))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("ROUTES_DIR");
    }

    @Test
    void environmentsAndTheirAliases() {
        assertThat(Environment.parse(null)).isEqualTo(Environment.LOCAL);
        assertThat(Environment.parse(" ")).isEqualTo(Environment.LOCAL);
        assertThat(Environment.parse("staging")).isEqualTo(Environment.STAGE);
        assertThat(Environment.parse("Production")).isEqualTo(Environment.PROD);
        assertThat(Environment.parse("test")).isEqualTo(Environment.TEST);
        assertThatThrownBy(() -> Environment.parse("dev")).hasMessageContaining("local, test, stage, prod");
        assertThat(Environment.PROD.requiresHttps()).isTrue();
        assertThat(Environment.TEST.requiresHttps()).isFalse();
    }

    @Test
    void jobTimeoutFormats() {
        assertThat(JobRunner.deadline(null)).isEqualTo(JobRunner.DEFAULT_DEADLINE);
        assertThat(JobRunner.deadline("90")).hasSeconds(90);
        assertThat(JobRunner.deadline("10m")).hasMinutes(10);
        assertThat(JobRunner.deadline("PT1H")).hasHours(1);
        assertThatThrownBy(() -> JobRunner.deadline("0")).hasMessageContaining("JOB_TIMEOUT");
        assertThatThrownBy(() -> JobRunner.deadline("ten minutes")).hasMessageContaining("JOB_TIMEOUT");
    }

    @Test
    void runKeyIsTheExecutionOrTheScheduleSlot() {
        Job billing = catalog.find("billing-retry").orElseThrow();
        Instant at = Instant.parse("2026-11-23T04:07:31Z");
        assertThat(RunKey.of(billing, Map.of("CLOUD_RUN_EXECUTION", "exec-9"), at)).isEqualTo("billing-retry:exec-9:0");
        assertThat(RunKey.of(billing, Map.of("JOB_RUN_ID", "billing-retry-29412345"), at)).isEqualTo("billing-retry:billing-retry-29412345");
        // two attempts inside one 5-minute slot share the key; the next slot gets a new one
        assertThat(RunKey.of(billing, Map.of(), at)).isEqualTo("billing-retry:2026-11-23T04:05:00Z")
                .isEqualTo(RunKey.of(billing, Map.of(), at.plusSeconds(100)));
        assertThat(RunKey.of(billing, Map.of(), at.plusSeconds(300))).isEqualTo("billing-retry:2026-11-23T04:10:00Z");
        Job monthly = catalog.find("quota-monthly").orElseThrow();
        assertThat(RunKey.of(monthly, Map.of(), at)).isEqualTo("quota-monthly:2026-11-01T00:05:00Z");
        Job manual = catalog.find("bootstrap").orElseThrow();
        assertThat(RunKey.of(manual, Map.of(), at)).isNotEqualTo(RunKey.of(manual, Map.of(), at));
    }

    @Test
    void retryAfterSecondsOrDate() {
        assertThat(RetryAfterDelay.retryAfterMs(Map.of("Retry-After", "2"))).isEqualTo(2000L);
        assertThat(RetryAfterDelay.retryAfterMs(Map.of("retry-after", "0"))).isZero();
        assertThat(RetryAfterDelay.retryAfterMs(Map.of("Retry-After", "soon"))).isNull();
        assertThat(RetryAfterDelay.retryAfterMs(Map.of())).isNull();
        String inTenSeconds = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME
                .format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(10));
        assertThat(RetryAfterDelay.retryAfterMs(Map.of("Retry-After", inTenSeconds))).isBetween(8_000L, 10_000L);
    }
}
