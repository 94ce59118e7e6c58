package ai.cloudact.jobs.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.TextStyle;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import ai.cloudact.jobs.catalog.Job;
import ai.cloudact.jobs.catalog.JobCatalog;
import ai.cloudact.jobs.catalog.Pack;
import ai.cloudact.jobs.run.Environment;
import ai.cloudact.jobs.support.JobProcess;
import ai.cloudact.jobs.support.Repo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --list --pack NAME} of the packaged runtime shows each pack's agreed jobs
 * (src/test/resources/schedules/<pack>.tsv) with their names in prod and in test and their schedules,
 * and {@code --next 5} five fire times of each scheduled job on its zone's clock and in UTC.
 */
class PackListIT {

    static Stream<String> packs() throws Exception {
        try (var files = Files.list(Repo.ROOT.resolve("src/test/resources/schedules"))) {
            return files.filter(f -> f.toString().endsWith(".tsv")).map(f -> f.getFileName().toString().replace(".tsv", ""))
                    .sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "--list --pack {0}")
    @MethodSource("packs")
    void listShowsTheAgreedNamesAndSchedules(String name) throws Exception {
        List<String[]> agreed = Files.readAllLines(Path.of("src/test/resources/schedules", name + ".tsv")).stream()
                .filter(line -> !line.isBlank() && !line.startsWith("#")).map(line -> line.split("\t")).toList();
        Pack pack = Pack.load(name);
        JobCatalog catalog = JobCatalog.load(pack, null);

        JobProcess.Result prod = JobProcess.run(Map.of("ENVIRONMENT", "prod"), "--list", "--pack", name);
        JobProcess.Result test = JobProcess.run(Map.of("ENVIRONMENT", "test"), "--list", "--pack", name);

        assertThat(prod.exitCode()).as(prod.output()).isZero();
        assertThat(test.exitCode()).as(test.output()).isZero();
        assertThat(prod.output()).startsWith("Pack " + name + " (prod), time zone " + pack.timeZone());
        for (String[] row : agreed) {
            Job job = catalog.job(row[0]);
            String schedule = row[1].equals("manual") ? "manual" : row[1] + " " + row[2];
            String prodName = row.length > 3 ? row[3] : pack.deployName(job, Environment.PROD);
            assertThat(prod.output()).as(name + "/" + row[0] + " in prod")
                    .containsPattern("(?m)^" + quote(row[0]) + " +" + quote(prodName) + " +" + quote(schedule) + " ");
            assertThat(test.output()).as(name + "/" + row[0] + " in test")
                    .containsPattern("(?m)^" + quote(row[0]) + " +" + quote(pack.deployName(job, Environment.TEST)) + " +" + quote(schedule) + " ");
        }
    }

    @ParameterizedTest(name = "--list --pack {0} --next 5")
    @MethodSource("packs")
    void nextShowsFiveFireTimesOnTheZonesClockAndInUtc(String name) throws Exception {
        JobProcess.Result result = JobProcess.run(Map.of(), "--list", "--pack", name, "--next", "5");

        assertThat(result.exitCode()).as(result.output()).isZero();
        List<String> lines = result.output().lines().toList();
        for (Job job : JobCatalog.load(Pack.load(name), null).jobs()) {
            int at = lines.stream().filter(line -> line.startsWith(job.id() + " ")).findFirst().map(lines::indexOf).orElse(-1);
            assertThat(at).as(job.id() + " listed").isPositive();
            List<String> next = lines.subList(at + 1, lines.size()).stream().takeWhile(line -> line.contains("next: ")).toList();
            if (job.isManual()) {
                assertThat(next).as(job.id() + " is manual").isEmpty();
                continue;
            }
            ZoneId zone = job.schedule().zone();
            String standard = java.time.format.DateTimeFormatter.ofPattern("z", Locale.ROOT)
                    .format(java.time.ZonedDateTime.of(2026, 7, 1, 12, 0, 0, 0, zone));
            String daylight = java.time.format.DateTimeFormatter.ofPattern("z", Locale.ROOT)
                    .format(java.time.ZonedDateTime.of(2026, 1, 1, 12, 0, 0, 0, zone));
            assertThat(next).as(name + "/" + job.id() + ": five fire times, " + zone.getDisplayName(TextStyle.SHORT, Locale.ROOT))
                    .hasSize(5).allSatisfy(line -> assertThat(line)
                            .matches(".*next: \\w{3} \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d (" + standard + "|" + daylight
                                    + ") \\([+-]\\d\\d:\\d\\d\\)  = \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC"));
        }
    }

    private static String quote(String text) {
        return java.util.regex.Pattern.quote(text);
    }
}
