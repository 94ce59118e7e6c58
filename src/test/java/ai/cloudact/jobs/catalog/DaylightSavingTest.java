package ai.cloudact.jobs.catalog;

import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.TimeZone;

import ai.cloudact.jobs.support.Jobs;
import ai.cloudact.jobs.support.Repo;
import org.junit.jupiter.api.Test;
import org.quartz.CronExpression;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Time zones are tested, not assumed. The fire times each pack agreed on across the daylight saving
 * changes (src/test/resources/schedules/dst/<pack>.tsv) are what the route's Quartz trigger and
 * {@code --list --next} compute, on the right clock with the right offset; the days they name are the
 * days the clocks change; and every job that fires at a local time which does not exist or happens
 * twice is named in docs/packs.md, where the behaviour of Quartz, Cloud Scheduler and Kubernetes at
 * those times is compared.
 */
class DaylightSavingTest {

    private static final Path TABLES = Repo.ROOT.resolve("src/test/resources/schedules/dst");
    private static final ZoneId SYDNEY = ZoneId.of("Australia/Sydney");
    private static final ZoneId LOS_ANGELES = ZoneId.of("America/Los_Angeles");

    /** The premise of the tables: Sydney changes on the first Sunday of October and April, Los Angeles in March and November. */
    @Test
    void theClocksChangeOnTheDaysTheTablesName() {
        assertThat(transitionDay(SYDNEY, 2026, 10)).isEqualTo(firstSunday(2026, 10)).isEqualTo(LocalDate.of(2026, 10, 4));
        assertThat(transitionDay(SYDNEY, 2026, 4)).isEqualTo(firstSunday(2026, 4)).isEqualTo(LocalDate.of(2026, 4, 5));
        assertThat(transitionDay(LOS_ANGELES, 2026, 3)).isEqualTo(LocalDate.of(2026, 3, 8));
        assertThat(transitionDay(LOS_ANGELES, 2026, 11)).isEqualTo(firstSunday(2026, 11)).isEqualTo(LocalDate.of(2026, 11, 1));
        assertThat(transition(SYDNEY, 2026, 10).isGap()).as("October: the clocks jump forward").isTrue();
        assertThat(transition(SYDNEY, 2026, 4).isOverlap()).as("April: the clocks go back").isTrue();
    }

    @Test
    void eachPacksFireTimesAcrossTheChangesAreTheAgreedOnes() throws Exception {
        List<Path> tables;
        try (var files = Files.list(TABLES)) {
            tables = files.filter(f -> f.toString().endsWith(".tsv")).sorted().toList();
        }
        assertThat(tables).as("a table per pack with a time zone that changes its clocks").isNotEmpty();
        for (Path table : tables) {
            String pack = table.getFileName().toString().replace(".tsv", "");
            JobCatalog catalog = JobCatalog.load(Pack.load(pack), null);
            int rows = 0;
            for (String line : Files.readAllLines(table)) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] columns = line.split("\t");
                Job job = catalog.job(columns[0]);
                List<OffsetDateTime> agreed = Arrays.stream(columns[2].trim().split(" ")).map(OffsetDateTime::parse).toList();
                List<Instant> computed = job.schedule().next(Instant.parse(columns[1]), agreed.size());
                String as = pack + "/" + job.id() + " after " + columns[1];
                assertThat(computed).as(as).containsExactlyElementsOf(agreed.stream().map(OffsetDateTime::toInstant).toList());
                // on the schedule's own clock, with the offset of that moment
                assertThat(computed.stream().map(at -> at.atZone(job.schedule().zone()).toOffsetDateTime()).toList()).as(as)
                        .containsExactlyElementsOf(agreed);
                rows++;
            }
            assertThat(rows).as(table.toString()).isPositive();
        }
    }

    /**
     * A job whose cron matches a local time that does not exist (clocks forward) or happens twice
     * (clocks back) in the next year of its zone's changes behaves differently on Quartz, Cloud Scheduler
     * and Kubernetes: docs/packs.md must name it.
     */
    @Test
    void everyJobFiringAtAMissingOrRepeatedTimeIsNamedInTheDocs() throws Exception {
        String docs = Repo.read("docs/packs.md");
        String section = docs.substring(docs.indexOf("## Daylight saving time"));
        List<String> affected = new ArrayList<>();
        Jobs.all().filter(job -> !job.isManual()).forEach(job -> {
            String when = firesAtAMissingOrRepeatedTime(job);
            if (when != null) {
                affected.add(job.pack() + "/" + job.id());
                assertThat(section).as(job.pack() + "/" + job.id() + " fires " + when
                        + ": name it (`" + job.id() + "`) in docs/packs.md, section Daylight saving time").contains("`" + job.id() + "`");
            }
        });
        // the check finds them: validibot's 02:00 job and its hourly and every-few-minutes jobs
        assertThat(affected).contains("validibot/clear-sessions", "validibot/purge-expired-submissions",
                "validibot/process-purge-retries", "validibot/cleanup-stuck-runs");
        assertThat(affected).doesNotContain("validibot/cleanup-idempotency-keys", "capmatch/email-notifications-hourly");
    }

    /** "at 02:00 on 2026-10-04, which does not exist in Australia/Sydney", or null. */
    static String firesAtAMissingOrRepeatedTime(Job job) {
        ZoneId zone = job.schedule().zone();
        Instant from = Instant.parse("2026-01-01T00:00:00Z");
        for (ZoneOffsetTransition change = zone.getRules().nextTransition(from);
                change != null && change.getInstant().isBefore(from.plusSeconds(366L * 86_400)); change = zone.getRules().nextTransition(change.getInstant())) {
            LocalDateTime start = change.isGap() ? change.getDateTimeBefore() : change.getDateTimeAfter();
            LocalDateTime end = change.isGap() ? change.getDateTimeAfter() : change.getDateTimeBefore();
            for (LocalDateTime minute = start; minute.isBefore(end); minute = minute.plusMinutes(1)) {
                if (matchesWallClock(job.schedule().cron(), minute)) {
                    return "at " + minute.toLocalTime() + " on " + minute.toLocalDate() + ", which "
                            + (change.isGap() ? "does not exist" : "happens twice") + " in " + zone.getId();
                }
            }
        }
        return null;
    }

    /** Whether the cron names this wall-clock minute, whatever the zone's clock does then. */
    private static boolean matchesWallClock(String cron, LocalDateTime minute) {
        try {
            CronExpression expression = new CronExpression(cron);
            expression.setTimeZone(TimeZone.getTimeZone(ZoneOffset.UTC));
            return expression.isSatisfiedBy(Date.from(minute.toInstant(ZoneOffset.UTC)));
        } catch (ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ZoneOffsetTransition transition(ZoneId zone, int year, int month) {
        ZoneOffsetTransition change = zone.getRules().nextTransition(LocalDate.of(year, month, 1).atStartOfDay(zone).toInstant());
        assertThat(change.getDateTimeBefore().getMonthValue()).as(zone + " changes in month " + month).isEqualTo(month);
        return change;
    }

    private static LocalDate transitionDay(ZoneId zone, int year, int month) {
        return transition(zone, year, month).getDateTimeBefore().toLocalDate();
    }

    private static LocalDate firstSunday(int year, int month) {
        return LocalDate.of(year, month, 1).with(TemporalAdjusters.firstInMonth(DayOfWeek.SUNDAY));
    }
}
