package ai.cloudact.jobs.deploy;

import ai.cloudact.jobs.support.Repo;
import ai.cloudact.jobs.support.Jobs;
import ai.cloudact.jobs.catalog.Job;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import ai.cloudact.jobs.aot.AotTraining;
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
    static final Path JVM_OPTIONS = Repo.ROOT.resolve("src/main/jvm/jvm.options");
    static final String IMAGE_COMMAND = "java @jvm.options -jar scheduler-jobs.jar";

    @Test
    void buildsWithMavenAndRunsOnASlimTemurinJre() {
        Stage build = DOCKERFILE.stage("build");
        assertThat(build.image()).startsWith("maven:").contains("temurin");
        assertThat(build.all("RUN")).anySatisfy(run -> assertThat(run.arguments()).contains("mvn", "package"));
        Stage runtime = DOCKERFILE.last();
        assertThat(runtime.name()).isNull();
        assertThat(Repo.read("Dockerfile")).as("Java 25: the AOT cache").containsPattern("ARG JRE_IMAGE=eclipse-temurin:25-jre");
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
        assertThat(command).as("every JVM option in jvm.options, one source").isEqualTo(IMAGE_COMMAND);
        assertThat(Repo.read("docs/deploy.md")).contains(command);
        if (Files.exists(Repo.ROOT.resolve("README.md"))) {
            assertThat(Repo.read("README.md")).as("README.md documents the image's command").contains(command);
        }
    }

    /** jvm.options: the image's options, readable by the java launcher and by the training run alike. */
    @Test
    void jvmOptionsNameTheAotCacheAndTheContainerSettings() throws Exception {
        List<String> options = AotTraining.jvmOptions(JVM_OPTIONS);
        assertThat(options).allSatisfy(option -> assertThat(option).startsWith("-"))
                .contains("-XX:AOTCache=app.aot", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError")
                .anySatisfy(option -> assertThat(option).startsWith("-XX:MaxRAMPercentage="))
                .noneSatisfy(option -> assertThat(option).startsWith("-XX:AOTCacheOutput"));
        assertThat(Repo.read("pom.xml")).as("mvn package puts it beside the jar").contains("<directory>src/main/jvm</directory>");
    }

    /** The AOT cache jvm.options maps is made in a build stage on the runtime's JVM by the training run. */
    @Test
    void aotCacheIsMadeByATrainingRunOnTheRuntimeImage() {
        Stage aot = DOCKERFILE.stage("aot");
        assertThat(aot.all("RUN")).singleElement().satisfies(run -> assertThat(run.words())
                .containsSubsequence("java", "ai.cloudact.jobs.aot.AotTraining", "."));
        assertThat(aot.all("COPY")).anySatisfy(copy -> assertThat(copy.words()).contains("/build/target/jvm.options"));
        assertThat(aot.image()).as("trained with the runtime's own JVM").isEqualTo(DOCKERFILE.last().image());
        assertThat(aot.workdir()).as("and at its paths").isEqualTo(DOCKERFILE.last().workdir());
        assertThat(DOCKERFILE.last().all("COPY")).singleElement()
                .satisfies(copy -> assertThat(copy.words()).containsExactly("--from=aot", aot.workdir() + "/", "./"));
    }

    /** {@code mvn -Paot package} runs the same training in target/, and only on Java 25. */
    @Test
    void aotProfileTrainsTheSameWayAndNeedsJava25() {
        String pom = Repo.read("pom.xml");
        String profile = pom.substring(pom.indexOf("<id>aot</id>"), pom.indexOf("</profile>", pom.indexOf("<id>aot</id>")));
        assertThat(profile).contains("<requireJavaVersion>", "<version>[25,)</version>", "<message>",
                "src/test/java/ai/cloudact/jobs/aot/AotTraining.java", "<argument>${project.build.directory}</argument>");
        // Java 25.0.3 would use a cache made for an older jar without a word (JDK-8377932): every package
        // without -Paot removes target/app.aot, -Paot makes it again after the jar
        String outside = pom.replace(profile, "");
        assertThat(outside).contains("<id>remove-stale-aot-cache</id>", "<phase>prepare-package</phase>", "<include>app.aot</include>");
    }

    /** Users without Java 25 run the same jar on Java 17: plain {@code java -jar}, no AOT flag outside jvm.options. */
    @Test
    void theJarStaysJava17Bytecode() throws Exception {
        assertThat(Repo.read("pom.xml")).contains("<maven.compiler.release>17</maven.compiler.release>");
        byte[] header = Files.readAllBytes(Repo.ROOT.resolve("target/classes/ai/cloudact/jobs/Launcher.class"));
        assertThat(((header[6] & 0xff) << 8) | (header[7] & 0xff)).as("class file major version (61 = Java 17)").isEqualTo(61);
        assertThat(Repo.read("Dockerfile")).doesNotContain("-XX:AOTCache=").doesNotContain("-XX:AOTCacheOutput");
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
