package ai.cloudact.jobs.aot;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The AOT training run: makes {@code app.aot} in a folder laid out like the image's {@code /app}
 * ({@code scheduler-jobs.jar}, {@code lib/}, {@code jvm.options}), with the JVM that runs this class.
 *
 * <p>It runs a real job, {@code billing-retry}, with the image's own options ({@code jvm.options}, its
 * {@code -XX:AOTCache=FILE} turned into {@code -XX:AOTCacheOutput=FILE}) against a stand-in API on
 * 127.0.0.1 that this process serves: Camel Main loads the shared and the job's routes, the job reads
 * its cron for its run key, sends its authenticated POST through the retry and circuit-breaker path,
 * logs JSON as on Cloud Run, and exits 0. The classes that run loads and links go into the cache, and
 * a start loads them all, used or not. Why this job: its path, one authenticated call through the
 * shared outbound steps, is every scheduled HTTP job's (the jobs that start most often: every 1 to 15
 * minutes), and it is the default pack's most frequent schedule. The other jobs load what they add from the jar:
 * org-sync-all its page walk and parallel split, quota-cleanup its BigQuery client (bench/README.md).
 *
 * <p>Only the JDK is used (java.base and jdk.httpserver, both in a JRE), so the image build can run it
 * on the runtime image's own JVM, which is the only one that may use the cache. Not in the jar, not in
 * the image: the Dockerfile copies it into the training stage only. Used by the Dockerfile, by
 * {@code mvn -Paot package} (in {@code target/}) and by the benchmark.
 *
 * <pre>java -cp target/test-classes ai.cloudact.jobs.aot.AotTraining target</pre>
 */
public final class AotTraining {

    static final String JOB = "billing-retry";
    /** The job's call: pack.properties billing.sync.path and billing-retry.body. */
    static final String SYNC_PATH = "/api/cron/billing-sync";
    static final String SYNC_BODY = "{\"mode\":\"retry\"}";
    /** Not a secret: the stand-in only checks that the job sends the header. */
    static final String KEY = "aot-training-key";

    private AotTraining() {
    }

    public static void main(String[] args) throws Exception {
        try {
            train(args);
        } catch (IllegalStateException e) {
            System.err.println("AOT training failed: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void train(String[] args) throws Exception {
        if (args.length != 1) {
            fail("usage: AotTraining <folder with scheduler-jobs.jar, lib/ and jvm.options>");
        }
        Path app = Path.of(args[0]).toAbsolutePath().normalize();
        int feature = Runtime.version().feature();
        if (feature < 25) {
            fail("the AOT cache needs Java 25 or later; this is Java " + Runtime.version()
                    + ". Run it with the JVM that will use the cache (JAVA_HOME on Java 25).");
        }
        List<String> options = jvmOptions(app.resolve("jvm.options"));
        String cache = trainingOptions(options);
        Files.deleteIfExists(app.resolve(cache));

        AtomicInteger calls = new AtomicInteger();
        List<String> unexpected = new CopyOnWriteArrayList<>();
        Path stateDir = Files.createTempDirectory("aot-training-state");
        HttpServer standIn = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        standIn.createContext("/", exchange -> answer(exchange, calls, unexpected));
        standIn.start();
        try {
            String api = "http://127.0.0.1:" + standIn.getAddress().getPort();
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(options);
            command.addAll(List.of("-jar", "scheduler-jobs.jar"));
            System.out.println("AOT training: " + String.join(" ", command) + "  (JOB_ID=" + JOB + ", API " + api + ")");

            ProcessBuilder builder = new ProcessBuilder(command).directory(app.toFile()).redirectErrorStream(true);
            Map<String, String> env = builder.environment();
            env.keySet().removeIf(name -> !name.equals("PATH") && !name.equals("HOME") && !name.equals("TMPDIR"));
            env.putAll(Map.of("JOB_ID", JOB, "ENVIRONMENT", "local", "CA_API_URL", api, "CA_FRONTEND_URL", api, "CA_ROOT_API_KEY", KEY,
                    "LOG_FORMAT", "json", "RETRY_MAX_REDELIVERIES", "0", "JOB_TIMEOUT", "120"));
            // as the image runs a job without STATE_DB_URL: its /app is read-only, so there is no embedded
            // store (one WARN line). With one, H2's ~600 classes would go into the cache, and a cache's
            // classes are loaded at every start (AOT class loading), used or not: +10 MiB for every run.
            // A STATE_DIR under a regular file can never be created.
            env.put("STATE_DIR", Files.createFile(stateDir.resolve("not-a-directory")).resolve("state").toString());
            Process job = builder.start();
            job.getOutputStream().close();
            String output = new String(job.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!job.waitFor(5, TimeUnit.MINUTES)) {
                job.destroyForcibly();
                fail("the training run did not finish in 5 minutes:\n" + output);
            }
            System.out.print(output);
            if (job.exitValue() != 0) {
                fail("the training run exited " + job.exitValue() + " (see its output above)"
                        + (unexpected.isEmpty() ? "" : "; the stand-in API answered 404 to: " + unexpected));
            }
            if (calls.get() != 1) {
                fail("the training run made " + calls.get() + " call(s) of POST " + SYNC_PATH + " " + SYNC_BODY
                        + " with the key to the stand-in API, expected 1" + (unexpected.isEmpty() ? "" : "; it answered 404 to: " + unexpected));
            }
            // -Daot.training.anyLogFormat=true: for experiments with another logging set-up (bench/startup.py)
            boolean json = !Boolean.getBoolean("aot.training.anyLogFormat");
            if (!output.contains((json ? "\"message\":\"" : "") + "SUMMARY job=" + JOB) || !output.contains("outcome=SUCCESS")) {
                fail("the training run did not log its SUMMARY" + (json ? " as JSON" : "") + " with outcome=SUCCESS");
            }
            if (!Files.isRegularFile(app.resolve(cache))) {
                fail("the training run exited 0 but wrote no " + app.resolve(cache));
            }
            System.out.println("AOT training: wrote " + app.resolve(cache) + " (" + Files.size(app.resolve(cache)) / 1024 / 1024
                    + " MiB) for " + System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        } finally {
            standIn.stop(0);
            try (var files = Files.walk(stateDir)) {
                for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    /** The options of an @-file as the java launcher reads them: whitespace-separated words, # to end of line. */
    public static List<String> jvmOptions(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            fail(file + " is missing: it holds the image's JVM options (mvn package copies it to target/)");
        }
        List<String> options = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String text = line.replaceAll("#.*", "").strip();
            if (!text.isEmpty()) {
                if (text.contains("\"") || text.contains("'")) {
                    fail(file + ": quoted options are not supported here: " + line);
                }
                options.addAll(List.of(text.split("\\s+")));
            }
        }
        return options;
    }

    /** Replaces -XX:AOTCache=FILE by -XX:AOTCacheOutput=FILE (the JVM refuses both at once); returns FILE. */
    static String trainingOptions(List<String> options) {
        String cache = null;
        for (int i = 0; i < options.size(); i++) {
            String option = options.get(i);
            if (option.startsWith("-XX:AOTCache=")) {
                cache = option.substring("-XX:AOTCache=".length());
                options.set(i, "-XX:AOTCacheOutput=" + cache);
            } else if (option.startsWith("-XX:AOTMode=")) {
                options.remove(i--);
            }
        }
        if (cache == null || cache.isEmpty() || cache.contains("/")) {
            fail("jvm.options must name the cache beside the jar: -XX:AOTCache=app.aot");
        }
        return cache;
    }

    /**
     * The stand-in API: 200 {} to the job's call when it carries the root key and its body, and counts
     * it; 404 to anything else, noted (method, path, whether the key was there, the body's first 100
     * characters) for the failure message.
     */
    private static void answer(HttpExchange exchange, AtomicInteger calls, List<String> unexpected) throws IOException {
        try (exchange; InputStream body = exchange.getRequestBody()) {
            String sent = new String(body.readAllBytes(), StandardCharsets.UTF_8);
            boolean expected = KEY.equals(exchange.getRequestHeaders().getFirst("X-CA-Root-Key"))
                    && exchange.getRequestMethod().equals("POST") && exchange.getRequestURI().getPath().equals(SYNC_PATH)
                    && sent.equals(SYNC_BODY);
            if (expected) {
                calls.incrementAndGet();
            } else {
                boolean keyed = KEY.equals(exchange.getRequestHeaders().getFirst("X-CA-Root-Key"));
                unexpected.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + (keyed ? "" : " (without the key)")
                        + (sent.isEmpty() ? "" : " " + sent.substring(0, Math.min(100, sent.length()))));
            }
            byte[] bytes = (expected ? "{}" : "{\"error\":\"unexpected request\"}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(expected ? 200 : 404, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    private static void fail(String message) {
        throw new IllegalStateException(message);
    }
}
