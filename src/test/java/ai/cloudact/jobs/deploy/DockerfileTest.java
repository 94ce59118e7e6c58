package ai.cloudact.jobs.deploy;

import ai.cloudact.jobs.support.Repo;
import ai.cloudact.jobs.support.Jobs;
import ai.cloudact.jobs.catalog.Job;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Pattern;

import ai.cloudact.jobs.deploy.DockerfileModel.Instruction;
import ai.cloudact.jobs.deploy.DockerfileModel.Stage;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What can be checked of the Dockerfile without an engine. DockerfileIT runs the image's stages on this
 * machine against the packaged jar.
 */
class DockerfileTest {

    static final DockerfileModel DOCKERFILE = DockerfileModel.parse(Repo.read("Dockerfile"));

    @Test
    void buildsWithMavenAndRunsOnASlimTemurinJre() {
        Stage build = DOCKERFILE.stage("build");
        assertThat(build.image()).startsWith("maven:").contains("temurin");
        assertThat(build.all("RUN")).anySatisfy(run -> assertThat(run.arguments()).contains("mvn", "package"));
        Stage runtime = DOCKERFILE.last();
        assertThat(runtime.name()).isNull();
        assertThat(Repo.read("Dockerfile")).containsPattern("ARG JRE_IMAGE=eclipse-temurin:17-jre");
        assertThat(runtime.image()).isEqualTo("${JRE_IMAGE}");
        assertThat(runtime.all("COPY")).allSatisfy(copy -> assertThat(copy.arguments()).startsWith("--from="));
    }

    @Test
    void runsAsNonRootWithNoSecretsAndNoHealthcheck() {
        Stage runtime = DOCKERFILE.last();
        List<Instruction> users = runtime.all("USER");
        assertThat(users).isNotEmpty();
        String user = users.get(users.size() - 1).arguments().trim();
        assertThat(user).as("numeric, so runAsNonRoot can verify it").matches("[1-9][0-9]*(:[1-9][0-9]*)?");
        Pattern secretish = Pattern.compile("(?i)(KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL)");
        for (Stage stage : DOCKERFILE.stages()) {
            for (Instruction instruction : stage.instructions()) {
                if (List.of("ENV", "ARG").contains(instruction.keyword())) {
                    assertThat(secretish.matcher(instruction.arguments()).find()).as(instruction.toString()).isFalse();
                }
                assertThat(instruction.keyword()).isNotEqualTo("HEALTHCHECK");
            }
        }
        assertThat(runtime.all("LABEL")).isNotEmpty();
        assertThat(Repo.read("Dockerfile")).contains("org.opencontainers.image.title");
    }

    /** Context COPY sources exist and are not excluded by .dockerignore (its rules: last match wins). */
    @Test
    void everyContextCopySourceExistsAndIsSent() {
        List<String> rules = Repo.read(".dockerignore").lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertThat(DOCKERFILE.stage("build").all("COPY")).isNotEmpty();
        for (Stage stage : DOCKERFILE.stages()) {
            for (Instruction copy : stage.all("COPY")) {
                if (copy.arguments().startsWith("--from=")) {
                    continue;
                }
                List<String> words = copy.words();
                for (String source : words.subList(0, words.size() - 1)) {
                    assertThat(Files.exists(Repo.ROOT.resolve(source))).as("COPY " + source).isTrue();
                    assertThat(sent(source.replaceAll("/$", ""), rules)).as(source + " excluded by .dockerignore").isTrue();
                }
            }
        }
        assertThat(sent("target", rules)).as("target/ stays out of the context").isFalse();
        assertThat(sent("src/sandbox", rules)).as("the local sandbox is never shipped").isFalse();
    }

    /** The image's command is the one the docs (and the README, where it exists) tell operators to run. */
    @Test
    void entrypointIsTheDocumentedCommand() {
        String command = DOCKERFILE.entrypoint();
        assertThat(command).startsWith("java ").endsWith(" -jar scheduler-jobs.jar").contains("-XX:MaxRAMPercentage=");
        assertThat(Repo.read("docs/deploy.md")).contains(command);
        if (Files.exists(Repo.ROOT.resolve("README.md"))) {
            assertThat(Repo.read("README.md")).as("README.md documents the image's command").contains(command);
        }
    }

    /** The class-data archive the entrypoint maps is recorded in a build stage by a dry run of a job. */
    @Test
    void cdsArchiveIsRecordedByADryRunInABuildStage() {
        String archive = DOCKERFILE.entrypoint().replaceAll(".*-XX:SharedArchiveFile=(\\S+).*", "$1");
        Stage cds = DOCKERFILE.stage("cds");
        assertThat(cds.all("RUN")).singleElement().satisfies(run -> assertThat(run.arguments())
                .contains("DRY_RUN=true", "JOB_ID=", "-XX:ArchiveClassesAtExit=" + archive, "-jar scheduler-jobs.jar"));
        assertThat(cds.image()).as("recorded with the runtime's own JVM").isEqualTo(DOCKERFILE.last().image());
        assertThat(cds.workdir()).isEqualTo(DOCKERFILE.last().workdir());
    }

    private static boolean sent(String path, List<String> rules) {
        boolean sent = true;
        for (String rule : rules) {
            boolean negate = rule.startsWith("!");
            String pattern = (negate ? rule.substring(1) : rule).replaceAll("/$", "");
            boolean matches = pattern.equals("*") || path.equals(pattern) || path.startsWith(pattern + "/")
                    || (pattern.startsWith(path + "/") && negate);
            if (matches) {
                sent = negate;
            }
        }
        return sent;
    }
}
