package ai.cloudact.jobs.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged runtime in service mode ({@code java -jar target/scheduler-jobs.jar --serve}) as a real,
 * long-running process on free loopback ports: its HTTP endpoints, its management port, its output,
 * and the two ways it ends (SIGTERM, or SIGKILL as a crash). {@link #close()} kills what is left.
 */
public final class ServeProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String name;
    private final Process process;
    private final Path output;
    public final int port;
    public final int managementPort;

    private ServeProcess(String name, Process process, Path output, int port, int managementPort) {
        this.name = name;
        this.process = process;
        this.output = output;
        this.port = port;
        this.managementPort = managementPort;
    }

    /** Starts {@code --serve} with these settings (PORT and MANAGEMENT_PORT chosen here). */
    public static ServeProcess start(String name, Map<String, String> settings) throws IOException {
        int port = freePort();
        int managementPort = freePort();
        Map<String, String> env = new HashMap<>(settings);
        env.put("PORT", Integer.toString(port));
        env.put("MANAGEMENT_PORT", Integer.toString(managementPort));
        if (!env.containsKey("STATE_DB_URL") && !env.containsKey("STATE_DIR")) {
            // the embedded run state of this replica alone, not a .jobs-state/ in the working directory
            Path stateDir = Files.createTempDirectory("serve-state-");
            stateDir.toFile().deleteOnExit();
            env.put("STATE_DIR", stateDir.toString());
        }
        Path output = Files.createTempFile("serve-" + name + "-", ".log");
        return new ServeProcess(name, JobProcess.start(env, output, "--serve"), output, port, managementPort);
    }

    public String name() {
        return name;
    }

    public String output() {
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits until /observe/health/ready answers 200. */
    public ServeProcess awaitReady(Duration within) throws InterruptedException {
        long until = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < until) {
            assertThat(process.isAlive()).as("%s is running; output:%n%s", name, output()).isTrue();
            if (management("/observe/health/ready").statusCode() == 200) {
                return this;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(name + " not ready within " + within + "; output:\n" + output());
    }

    /** The first match of the pattern in the output, waiting for it; its first group (or the whole match). */
    public String awaitOutput(Pattern pattern, Duration within) throws InterruptedException {
        long until = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < until) {
            Matcher matcher = pattern.matcher(output());
            if (matcher.find()) {
                return matcher.groupCount() > 0 ? matcher.group(1) : matcher.group();
            }
            Thread.sleep(20);
        }
        throw new AssertionError(name + ": no " + pattern + " within " + within + "; output:\n" + output());
    }

    /** A GET on the management port; status 0 when nothing answers. */
    public HttpResponse<String> management(String path) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path)).GET().timeout(Duration.ofSeconds(10)));
    }

    /** A POST on the API port, with these headers (name, value, ...). */
    public HttpResponse<String> post(String path, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(120));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return send(request);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return new NoAnswer(request.build());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGTERM, as Cloud Run and Kubernetes stop a container; the exit code. */
    public int terminate(Duration within) throws InterruptedException {
        process.destroy();
        assertThat(process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)).as("%s exited after SIGTERM; output:%n%s", name, output())
                .isTrue();
        return process.exitValue();
    }

    /** SIGKILL: the replica dies at once, mid-run if a run is under way. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws IOException {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        Files.deleteIfExists(output);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** No answer at all (connection refused or reset): status 0. */
    private record NoAnswer(HttpRequest request) implements HttpResponse<String> {
        @Override
        public int statusCode() {
            return 0;
        }

        @Override
        public java.util.Optional<HttpResponse<String>> previousResponse() {
            return java.util.Optional.empty();
        }

        @Override
        public java.net.http.HttpHeaders headers() {
            return java.net.http.HttpHeaders.of(Map.of(), (a, b) -> true);
        }

        @Override
        public String body() {
            return "";
        }

        @Override
        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
            return java.util.Optional.empty();
        }

        @Override
        public URI uri() {
            return request.uri();
        }

        @Override
        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }
    }
}
