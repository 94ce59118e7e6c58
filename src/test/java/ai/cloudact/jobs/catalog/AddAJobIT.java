package ai.cloudact.jobs.catalog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import ai.cloudact.jobs.support.Repo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Adding a job is adding one file: a copy of the project gets a new job file, and its own test suite
 * (the catalog checks, run by Maven in the copy) covers the new job with no Java edit; an invalid job
 * file makes that suite fail, naming the file and the reason.
 */
class AddAJobIT {

    private static final String CHECKS = "JobFilesTest,RouteValidatorTest";

    private static final String WEEKLY_REPORT = """
            # weekly-report: sends the weekly usage report. Mondays at 07:00 Berlin time.
            - beans:
                - name: weekly-report-job
                  type: ai.cloudact.jobs.catalog.JobSpec
                  properties: {longName: cloudact-weekly-report, timeout: 20m, retries: 1}
            - route:
                id: weekly-report
                description: "POST {api}/admin/reports/weekly"
                from:
                  uri: quartz:cloudact/weekly-report
                  parameters: {cron: "0 0 7 ? * MON", trigger.timeZone: Europe/Berlin}
                  steps:
                    - setHeader: {name: X-CA-Root-Key, constant: "{{secret:CA_ROOT_API_KEY}}"}
                    - setHeader: {name: CamelHttpMethod, constant: POST}
                    - setProperty: {name: callUri, constant: "{{ca.api.url}}/admin/reports/weekly"}
                    - circuitBreaker:
                        steps:
                          - to: direct:outbound-call
                    - log: "weekly-report: HTTP ${header.CamelHttpResponseCode} ${exchangeProperty.answer}"
            """;

    @TempDir
    Path copy;

    @Test
    void aValidJobFileIsCoveredByTheSuiteWithNoJavaEdit() throws Exception {
        copyProject();
        Files.writeString(copy.resolve("src/main/resources/packs/cloudact/weekly-report.yaml"), WEEKLY_REPORT);

        Maven run = maven();

        assertThat(run.exit()).as(run.output()).isZero();
        String reports = reports();
        assertThat(reports).as("the copy's suite ran the checks for the new job")
                .contains("declaresEverythingTheCatalogNeeds(Job) cloudact/weekly-report",
                        "passesValidate(Job) cloudact/weekly-report",
                        "itsScheduleIsQuartzInAKnownZoneAndConvertsForTheDeployTargets(Job) cloudact/weekly-report")
                .doesNotContain("<failure").doesNotContain("<error");
    }

    @Test
    void anInvalidJobFileFailsTheSuiteNamingTheFileAndTheReason() throws Exception {
        copyProject();
        Files.writeString(copy.resolve("src/main/resources/packs/cloudact/weekly-report.yaml"),
                WEEKLY_REPORT.replace("0 0 7 ? * MON", "0 0 25 ? * MON"));

        Maven run = maven();

        assertThat(run.exit()).as(run.output()).isNotZero();
        assertThat(run.output() + reports()).contains("weekly-report.yaml", "invalid Quartz cron '0 0 25 ? * MON'");
    }

    private record Maven(int exit, String output) {
    }

    /** The project's sources and build file, without what a build made. */
    private void copyProject() throws IOException {
        Files.copy(Repo.ROOT.resolve("pom.xml"), copy.resolve("pom.xml"));
        Path source = Repo.ROOT.resolve("src");
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : files.toList()) {
                Path target = copy.resolve("src").resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
    }

    /** The catalog checks of the copy, offline (the build that runs this test has fetched everything). */
    private Maven maven() throws Exception {
        List<String> command = new ArrayList<>(List.of("mvn", "-B", "-o", "-q", "-Dsurefire.failIfNoSpecifiedTests=false",
                "-Dtest=" + CHECKS, "test"));
        Process process = new ProcessBuilder(command).directory(copy.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(10, TimeUnit.MINUTES)).as("mvn in the copy finished").isTrue();
        return new Maven(process.exitValue(), output);
    }

    private String reports() throws IOException {
        Path reports = copy.resolve("target/surefire-reports");
        if (!Files.isDirectory(reports)) {
            return "";
        }
        StringBuilder text = new StringBuilder();
        try (Stream<Path> files = Files.list(reports)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".xml")).toList()) {
                text.append(Files.readString(file));
            }
        }
        return text.toString();
    }
}
