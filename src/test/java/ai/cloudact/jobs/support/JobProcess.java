package ai.cloudact.jobs.support;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the packaged runtime ({@code java -jar target/scheduler-jobs.jar}) as a real process, the way
 * Cloud Run or Kubernetes starts the container, and captures its exit code and every byte it prints.
 *
 * <p>Unless the settings name a run state store (STATE_DB_URL or STATE_DIR), each process gets an
 * embedded one of its own in a fresh directory, removed at its end: runs of different tests never see
 * each other's leases, and nothing is written into the working directory.
 */
public final class JobProcess {

    public static final Path JAR = Path.of("target", "scheduler-jobs.jar");

    /** Settings of the developer's shell that must not leak into a test run. */
    private static final List<String> CLEARED = List.of("JOB_ID", "PACK", "ENVIRONMENT", "CA_API_URL", "CA_FRONTEND_URL",
            "CA_ROOT_API_KEY", "GCP_PROJECT_ID", "BIGQUERY_EMULATOR_HOST", "DRY_RUN", "LOG_LEVEL", "LOG_FORMAT",
            "SUPABASE_ACCESS_TOKEN", "SUPABASE_API_URL", "SUPABASE_PROJECT_REF", "GOOGLE_APPLICATION_CREDENTIALS",
            "JOB_TIMEOUT", "ROUTES_DIR", "JAVA_TOOL_OPTIONS", "CLOUD_RUN_JOB", "CLOUD_RUN_EXECUTION",
            "CLOUD_RUN_TASK_INDEX", "CLOUD_RUN_TASK_ATTEMPT", "CLOUD_RUN_TASK_COUNT", "KUBERNETES_SERVICE_HOST", "JOB_RUN_ID",
            "JOB_COMPLETION_INDEX", "TASK_COUNT", "STATE_DB_URL", "STATE_DB_USER", "STATE_DB_PASSWORD", "STATE_DIR",
            "LEASE_TTL", "OVERLAP_POLICY", "HISTORY_RETENTION", "HOSTNAME",
            "NO_COLOR", "CAMEL_MAIN_PROFILE", "WORKER_URL", "SUPABASE_URL", "SUPABASE_SERVICE_ROLE_KEY", "CRON_SECRET",
            "PORT", "MANAGEMENT_PORT", "SERVE_JOBS", "SERVE_SCHEDULER", "SERVE_AUTH", "SERVE_AUDIENCE", "SERVE_ALLOWED_EMAILS",
            "OIDC_JWKS_URL", "SHUTDOWN_GRACE", "K_SERVICE");

    public record Result(int exitCode, String output) {
    }

    public record Terminated(Result result, long exitAfterSigtermMs) {
    }

    /**
     * A job process still running (for tests that run several at once, or kill one with SIGKILL).
     * {@link #finish()} waits for its end and returns what it printed.
     */
    public record Started(Process process, Path output, Path stateDir) {

        /** What it has printed so far. */
        public String outputSoFar() throws IOException {
            return Files.readString(output, StandardCharsets.UTF_8);
        }

        /** SIGKILL: the process dies at once, without a word (kill -9). */
        public void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }

        public Result finish() throws IOException, InterruptedException {
            boolean finished = process.waitFor(90, TimeUnit.SECONDS);
            if (!finished) {
                process.destroyForcibly();
            }
            return result(finished, "job finished in time");
        }

        /** What it printed and its exit code, its output file and state directory removed. */
        private Result result(boolean finished, String what) throws IOException {
            String text = Files.readString(output, StandardCharsets.UTF_8);
            Files.delete(output);
            deleteTree(stateDir);
            assertThat(finished).as("%s; output:%n%s", what, text).isTrue();
            return new Result(process.exitValue(), text);
        }
    }

    private JobProcess() {
    }

    /** Starts the job, sends SIGTERM once {@code when} holds (a call is in flight), and waits for the exit. */
    public static Terminated runAndTerminate(Map<String, String> env, java.util.function.BooleanSupplier when) throws IOException, InterruptedException {
        Started started = start(env);
        Process process = started.process();
        long waitUntil = System.currentTimeMillis() + 30_000;
        while (!when.getAsBoolean() && System.currentTimeMillis() < waitUntil && process.isAlive()) {
            Thread.sleep(50);
        }
        long signalled = System.nanoTime();
        process.destroy(); // SIGTERM on Linux, as Cloud Run and Kubernetes send
        boolean finished = process.waitFor(30, TimeUnit.SECONDS);
        long exitAfterMs = (System.nanoTime() - signalled) / 1_000_000;
        if (!finished) {
            process.destroyForcibly();
        }
        return new Terminated(started.result(finished, "job exited after SIGTERM"), exitAfterMs);
    }

    /**
     * Starts the job, sends a signal (TERM, INT) {@code afterMs} after the runtime's first line (at
     * DEBUG: "runtime started"), and waits for the exit.
     */
    public static Terminated runAndSignal(Map<String, String> env, long afterMs, String signal) throws IOException, InterruptedException {
        Map<String, String> debug = new HashMap<>(env);
        debug.put("LOG_LEVEL", "DEBUG");
        Started started = start(debug);
        Process process = started.process();
        long waitUntil = System.currentTimeMillis() + 30_000;
        while (!started.outputSoFar().contains("runtime started") && process.isAlive() && System.currentTimeMillis() < waitUntil) {
            Thread.sleep(5);
        }
        Thread.sleep(afterMs);
        long signalled = System.nanoTime();
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
        kill.waitFor(10, TimeUnit.SECONDS);
        boolean finished = process.waitFor(30, TimeUnit.SECONDS);
        long exitAfterMs = (System.nanoTime() - signalled) / 1_000_000;
        if (!finished) {
            process.destroyForcibly();
        }
        return new Terminated(started.result(finished, "job exited after SIG" + signal), exitAfterMs);
    }

    public static Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        return start(env, args).finish();
    }

    /** Starts the packaged runtime with only the given settings (and none of the developer's shell). */
    public static Started start(Map<String, String> env, String... args) throws IOException {
        assertThat(JAR).as("packaged runtime; run `mvn verify`").exists();
        List<String> command = new ArrayList<>(List.of(javaBinary()));
        command.addAll(fastStart("jar", JAR.toString(), "-jar", JAR.toString()));
        command.addAll(List.of("-jar", JAR.toString()));
        command.addAll(List.of(args));
        return start(command, env);
    }

    /**
     * The runtime with the local sandbox on its class path, as {@code mvn compile camel:run} runs it:
     * the compiled classes and job files, their dependencies, the sandbox (test classes) and WireMock.
     */
    public static Result runInSandbox(Map<String, String> env, String... args) throws IOException, InterruptedException {
        String wireMock = java.util.Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> entry.contains("wiremock-standalone")).findFirst()
                .orElseThrow(() -> new AssertionError("wiremock-standalone is not on the test class path"));
        String classPath = String.join(File.pathSeparator, Path.of("target", "classes").toString(),
                Path.of("target", "test-classes").toString(), Path.of("target", "lib", "dependencies.jar").toString(), wireMock);
        List<String> command = new ArrayList<>(List.of(javaBinary()));
        command.addAll(fastStart("sandbox", classPath, "-cp", classPath, "ai.cloudact.jobs.Launcher"));
        command.addAll(List.of("-cp", classPath, "ai.cloudact.jobs.Launcher"));
        command.addAll(List.of(args));
        return start(command, env).finish();
    }

    /** The packaged runtime with only the given settings (and none of the developer's shell), its output to a file. */
    public static Process start(Map<String, String> env, Path output, String... args) throws IOException {
        assertThat(JAR).as("packaged runtime; run `mvn verify`").exists();
        List<String> command = new ArrayList<>(List.of(javaBinary()));
        command.addAll(fastStart("jar", JAR.toString(), "-jar", JAR.toString()));
        command.addAll(List.of("-jar", JAR.toString()));
        command.addAll(List.of(args));
        return start(command, env, output, null);
    }

    /**
     * JVM options that make the hundreds of short runs of the suite start faster, without changing
     * what they do: C1 only and the serial GC (as the image), and a class-data archive of the
     * runtime's classes, recorded once per test JVM by a dry run (a Java 17 dynamic archive; the
     * image uses Java 25's AOT cache instead). The archive's own log lines are off, so the output is
     * the runtime's alone.
     */
    private static synchronized List<String> fastStart(String name, String classPath, String... launch) throws IOException {
        List<String> options = new ArrayList<>(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xlog:disable"));
        Path archive = Path.of("target", "it-" + name + ".jsa").toAbsolutePath();
        if (!ARCHIVED.contains(name)) {
            List<String> record = new ArrayList<>(List.of(javaBinary()));
            record.addAll(options);
            record.add("-XX:ArchiveClassesAtExit=" + archive);
            record.addAll(List.of(launch));
            Path output = Files.createTempFile("cds-record", ".log");
            Path stateDir = Files.createTempDirectory("cds-state");
            Process process = start(record, Map.of("JOB_ID", "quota-reset", "DRY_RUN", "true"), output, stateDir);
            try {
                process.waitFor(120, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Files.deleteIfExists(output);
            deleteTree(stateDir);
            ARCHIVED.add(name);
        }
        if (Files.exists(archive)) {
            options.add("-XX:SharedArchiveFile=" + archive);
        }
        return options;
    }

    private static final java.util.Set<String> ARCHIVED = new java.util.HashSet<>();

    private static Started start(List<String> command, Map<String, String> env) throws IOException {
        Path output = Files.createTempFile("job-output", ".log");
        Path stateDir = env.containsKey("STATE_DB_URL") || env.containsKey("STATE_DIR") ? null : Files.createTempDirectory("job-state");
        return new Started(start(command, env, output, stateDir), output, stateDir);
    }

    private static Process start(List<String> command, Map<String, String> env, Path output, Path stateDir) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.redirectOutput(output.toFile());
        CLEARED.forEach(builder.environment()::remove);
        // Google's client libraries must never probe a real metadata server from a test
        builder.environment().put("NO_GCE_CHECK", "true");
        builder.environment().put("GCE_METADATA_HOST", "127.0.0.1:9");
        if (stateDir != null) {
            builder.environment().put("STATE_DIR", stateDir.toString());
        }
        builder.environment().putAll(env);
        return builder.start();
    }

    private static String javaBinary() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }

    private static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var files = Files.walk(dir)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
