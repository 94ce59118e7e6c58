package ai.cloudact.jobs.deploy;

import ai.cloudact.jobs.support.Repo;
import ai.cloudact.jobs.support.Jobs;
import ai.cloudact.jobs.catalog.Job;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.sun.net.httpserver.HttpServer;
import ai.cloudact.jobs.deploy.DockerfileModel.Instruction;
import ai.cloudact.jobs.deploy.DockerfileModel.Stage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Plays the Dockerfile's stages on this machine against the packaged jar (after {@code mvn package}):
 * the aot stage's COPYs and its training run, the final stage's COPY, then the image's ENTRYPOINT
 * ({@code java @jvm.options -jar scheduler-jobs.jar}, the documented command) with JOB_ID set, checking
 * that the AOT cache is in use and the exit codes the platforms act on. The image's JVM is Java 25:
 * the test finds one (JAVA25_HOME, this JVM, or a JDK 25+ under /usr/lib/jvm) and fails when there is none.
 * Also runs under surefire: {@code mvn -B -DskipTests package && mvn -B surefire:test -Dtest=DockerfileIT}.
 */
class DockerfileIT {

    @TempDir
    static Path tmp;
    static Path app;
    static Path java25;

    record Result(int exit, String output) {
    }

    @BeforeAll
    static void playTheStages() throws Exception {
        boolean packaged = Files.exists(Repo.ROOT.resolve("target/scheduler-jobs.jar"));
        if (!packaged && Repo.inCi()) {
            throw new AssertionError("target/scheduler-jobs.jar is missing: run mvn package first");
        }
        assumeThat(packaged).as("target/scheduler-jobs.jar (mvn -DskipTests package)").isTrue();
        java25 = Java25.find();
        DockerfileModel dockerfile = DockerfileTest.DOCKERFILE;
        String buildDir = dockerfile.stage("build").workdir();

        // aot stage: its file system under tmp/aot; COPY --from=build (the build stage's WORKDIR is this
        // repository after mvn package), then the training run in the stage's WORKDIR
        Stage aot = dockerfile.stage("aot");
        Path root = Files.createDirectories(tmp.resolve("aot"));
        Path workdir = Files.createDirectories(inStage(root, aot.workdir()));
        Map<String, String> absolute = new LinkedHashMap<>();
        for (Instruction copy : aot.all("COPY")) {
            List<String> words = copy.words();
            assertThat(words.get(0)).isEqualTo("--from=build");
            String destination = words.get(words.size() - 1);
            Path to = destination.startsWith("/") ? inStage(root, destination) : workdir.resolve(destination).normalize();
            if (destination.startsWith("/")) {
                absolute.put(destination.replaceAll("(?<=.)/.*", ""), inStage(root, destination.replaceAll("(?<=.)/.*", "")).toString());
            }
            for (String source : words.subList(1, words.size() - 1)) {
                assertThat(source).startsWith(buildDir + "/");
                Path from = Repo.ROOT.resolve(source.substring(buildDir.length() + 1));
                assertThat(from).as("COPY source after mvn package: " + source).exists();
                copyTree(from, to, from.getFileName().toString(), destination.endsWith("/"));
            }
        }
        String line = aot.all("RUN").get(0).arguments();
        for (Map.Entry<String, String> dir : absolute.entrySet()) {
            line = line.replace(" " + dir.getKey(), " " + dir.getValue());
        }
        Result training = run(List.of("/bin/sh", "-c", line), Map.of(), workdir);
        assertThat(training.exit()).as("training run:\n" + training.output()).isZero();
        assertThat(workdir.resolve("app.aot")).as("the AOT cache jvm.options names").isRegularFile();

        // final stage: COPY --from=aot <workdir>/ ./
        Stage runtime = dockerfile.last();
        app = Files.createDirectories(tmp.resolve("image" + runtime.workdir()));
        Instruction copy = runtime.all("COPY").get(0);
        assertThat(copy.words()).containsExactly("--from=aot", aot.workdir() + "/", "./");
        copyTree(workdir, app, "", true);
        // the training run is a real run: its run state went to a temporary STATE_DIR, not into the image
        assertThat(app.resolve(".jobs-state")).as("no run state store baked into the image").doesNotExist();
    }

    @Test
    void aRealJobRunsWithTheAotCacheInUse() throws Exception {
        HttpServer api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        api.createContext("/", exchange -> {
            byte[] body = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        api.start();
        try {
            // -XX:AOTMode=on turns an unusable cache (another JVM, another class path) into an error
            // instead of a silent slow start
            Result result = entrypoint(Map.of("JOB_ID", "quota-reset", "CA_API_URL",
                    "http://127.0.0.1:" + api.getAddress().getPort(), "LOG_FORMAT", "json"), "-XX:AOTMode=on");
            assertThat(result.exit()).as(result.output()).isZero();
            assertThat(result.output()).contains("outcome=SUCCESS", "http_status=200");
            assertThat(result.output().lines()).as("stdout is JSON lines only: no JVM warning in between")
                    .allSatisfy(line -> assertThat(line).startsWith("{").endsWith("}"));
        } finally {
            api.stop(0);
        }
    }

    @Test
    void dryRunOfAJobSucceedsWithTheCacheInUse() throws Exception {
        Result result = entrypoint(Map.of("JOB_ID", "cloudact-daily-quota-reset", "DRY_RUN", "true"), "-XX:AOTMode=on");
        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).contains("DRY RUN: would send POST").doesNotContain("[warning]").doesNotContain("[error]");
    }

    @Test
    void configurationErrorsExitWith2() throws Exception {
        assertThat(entrypoint(Map.of("JOB_ID", "no-such-job")).exit()).isEqualTo(2);
        assertThat(entrypoint(Map.of()).exit()).isEqualTo(2);
        Result environment = entrypoint(Map.of("JOB_ID", "quota-reset", "ENVIRONMENT", "qa", "DRY_RUN", "true"));
        assertThat(environment.exit()).as(environment.output()).isEqualTo(2);
    }

    @Test
    void aFailedJobExitsWith1() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Result result = entrypoint(Map.of("JOB_ID", "quota-reset", "CA_API_URL", "http://127.0.0.1:" + closedPort,
                "RETRY_MAX_REDELIVERIES", "0"));
        assertThat(result.exit()).as(result.output()).isEqualTo(1);
    }

    @Test
    void listPrintsTheCatalogAndNothingIsWrittenBesideTheJar() throws Exception {
        List<Path> before = listing();
        Result result = entrypoint(Map.of(), "--list");
        assertThat(result.exit()).isZero();
        for (Job job : Jobs.defaultPack()) {
            assertThat(result.output()).contains(job.longName());
        }
        entrypoint(Map.of("JOB_ID", "alerts", "DRY_RUN", "true"));
        assertThat(listing()).as("read-only root file system: the job writes only to /tmp").isEqualTo(before);
    }

    /**
     * A real run (not a dry run, which changes nothing) as the image runs it: as an unprivileged user
     * in a working directory it may not write (the image's /app belongs to root). The run state
     * store's embedded default (STATE_DIR=.jobs-state) cannot be created there: the run says so in
     * one WARN line and goes on; nothing is written beside the jar. In deployment STATE_DB_URL names
     * the PostgreSQL store.
     */
    @Test
    void aRealRunAsTheImagesUserWritesNothingBesideTheJarAndGoesOnWithoutTheStore() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        List<Path> before = listing();
        Result result = entrypointAsUnprivilegedUser(Map.of("JOB_ID", "quota-reset", "CA_API_URL", "http://127.0.0.1:" + closedPort,
                "RETRY_MAX_REDELIVERIES", "0"));
        assertThat(result.exit()).as(result.output()).isEqualTo(1); // the API is down; the store never fails a job
        assertThat(result.output()).contains("outcome=FAILED", "Run state: cannot ");
        assertThat(result.output().split("Run state: ", -1)).as("one WARN line").hasSize(2);
        assertThat(listing()).as("read-only for the image's user: the job writes only to /tmp").isEqualTo(before);
    }

    /** The entrypoint as the image's unprivileged USER: as root through runuser (nobody), else with the app folder read-only. */
    private static Result entrypointAsUnprivilegedUser(Map<String, String> env) throws Exception {
        List<String> command = new ArrayList<>(List.of(DockerfileTest.DOCKERFILE.entrypoint().split(" ")));
        command.set(0, java25.toString());
        if ("root".equals(System.getProperty("user.name"))) {
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            List<String> asNobody = new ArrayList<>(List.of("runuser", "-u", "nobody", "--"));
            asNobody.addAll(command);
            return run(asNobody, env, app);
        }
        java.util.Set<java.nio.file.attribute.PosixFilePermission> was = Files.getPosixFilePermissions(app);
        Files.setPosixFilePermissions(app, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            return run(command, env, app);
        } finally {
            Files.setPosixFilePermissions(app, was);
        }
    }

    /** The image's ENTRYPOINT in its WORKDIR, with the Java 25 found as {@code java}; a JVM flag goes before -jar. */
    private static Result entrypoint(Map<String, String> env, String... extra) throws Exception {
        List<String> command = new ArrayList<>(List.of(DockerfileTest.DOCKERFILE.entrypoint().split(" ")));
        assertThat(command.get(0)).isEqualTo("java");
        command.set(0, java25.toString());
        for (String arg : extra) {
            command.add(arg.startsWith("-X") ? 1 : command.size(), arg);
        }
        return run(command, env, app);
    }

    /** An absolute path of a stage, under the folder that stands for its root. */
    private static Path inStage(Path root, String path) {
        return root.resolve(path.replaceAll("^/+", "")).normalize();
    }

    /** Runs with an environment as bare as a container's: nothing from this machine but PATH. */
    private static Result run(List<String> command, Map<String, String> env, Path dir) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().clear();
        // the image's PATH: its java is Java 25
        builder.environment().put("PATH", java25.getParent() + ":/usr/bin:/bin");
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }

    private static List<Path> listing() throws IOException {
        try (Stream<Path> files = Files.walk(app)) {
            return files.sorted().toList();
        }
    }

    /** COPY semantics: a directory's contents go into the destination; a file into it when it ends in /. */
    private static void copyTree(Path from, Path to, String fileName, boolean intoDirectory) throws IOException {
        if (Files.isRegularFile(from)) {
            Path target = intoDirectory ? to.resolve(fileName) : to;
            Files.createDirectories(target.getParent());
            Files.copy(from, target, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
