package ai.cloudact.jobs.http;

import ai.cloudact.jobs.support.JobProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A job in prod over TLS, end to end: a WireMock HTTPS server with a certificate made for this test,
 * trusted by the job's JVM through its trust store, and verified against the host name.
 */
class HttpsIT {

    private static final String ROOT_KEY = "https-it-root-key-4e2a";
    private static final String PASSWORD = "changeit";
    private static final Path KEYSTORE = Path.of("target", "https-it.jks");

    private static WireMockServer api;

    @BeforeAll
    static void startHttpsServer() throws Exception {
        Files.deleteIfExists(KEYSTORE);
        Process keytool = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "api", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                "-keystore", KEYSTORE.toString(), "-storetype", "JKS", "-storepass", PASSWORD, "-keypass", PASSWORD))
                .redirectErrorStream(true).start();
        assertThat(keytool.waitFor()).as(new String(keytool.getInputStream().readAllBytes())).isZero();
        api = new WireMockServer(options().httpDisabled(true).dynamicHttpsPort().bindAddress("127.0.0.1")
                .keystorePath(KEYSTORE.toString()).keystorePassword(PASSWORD).keyManagerPassword(PASSWORD));
        api.start();
    }

    @AfterAll
    static void stop() {
        api.stop();
    }

    private static Map<String, String> env(String url, boolean trusted) {
        return env(url, trusted, Map.of("RETRY_MAX_REDELIVERIES", "0"));
    }

    private static Map<String, String> env(String url, boolean trusted, Map<String, String> extra) {
        Map<String, String> env = new java.util.HashMap<>(Map.of("JOB_ID", "quota-reset", "ENVIRONMENT", "prod",
                "CA_API_URL", url, "CA_ROOT_API_KEY", ROOT_KEY, "RETRY_DELAY_MS", "20", "JAVA_TOOL_OPTIONS", trusted
                        ? "-Djavax.net.ssl.trustStore=" + KEYSTORE.toAbsolutePath() + " -Djavax.net.ssl.trustStorePassword=" + PASSWORD
                        : ""));
        env.putAll(extra);
        return env;
    }

    private static int requests() {
        return api.findAll(postRequestedFor(urlPathEqualTo("/admin/quota/reset-daily"))).size();
    }

    @Test
    void prodJobCallsTheApiOverVerifiedTls() throws Exception {
        api.resetAll();
        api.stubFor(post(urlPathEqualTo("/admin/quota/reset-daily")).willReturn(aResponse().withStatus(200).withBody("{}")));

        JobProcess.Result result = JobProcess.run(env("https://localhost:" + api.httpsPort(), true));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("environment=prod outcome=SUCCESS").doesNotContain(ROOT_KEY);
        api.verify(1, postRequestedFor(urlPathEqualTo("/admin/quota/reset-daily")).withHeader("X-CA-Root-Key", equalTo(ROOT_KEY)));
    }

    /**
     * Over TLS, as over plain HTTP, only the runner retries: each attempt is logged and counted, and
     * the HTTP client never re-sends a 503 behind its back (which would multiply the retries).
     */
    @Test
    void serverErrorsOverTlsAreRetriedByTheRunnerOnly() throws Exception {
        api.resetAll();
        api.stubFor(post(urlPathEqualTo("/admin/quota/reset-daily")).willReturn(aResponse().withStatus(503)
                .withBody("{\"detail\":\"maintenance\"}")));

        JobProcess.Result result = JobProcess.run(env("https://localhost:" + api.httpsPort(), true,
                Map.of("RETRY_MAX_REDELIVERIES", "2")));

        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output()).contains("(attempt 2 of 3)", "(attempt 3 of 3)", "attempts=3", "http_status=503");
        assertThat(requests()).as(result.output()).isEqualTo(3);
    }

    /** The configured answer timeout holds over TLS too (it used to reach only the http component). */
    @Test
    void responseTimeoutOverTls() throws Exception {
        api.resetAll();
        api.stubFor(post(urlPathEqualTo("/admin/quota/reset-daily")).willReturn(aResponse().withStatus(200)
                .withBody("{}").withFixedDelay(8_000)));

        long started = System.nanoTime();
        JobProcess.Result result = JobProcess.run(env("https://localhost:" + api.httpsPort(), true,
                Map.of("RETRY_MAX_REDELIVERIES", "1", "HTTP_RESPONSE_TIMEOUT_MS", "1500")));
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;

        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output()).contains("no answer in time", "attempts=2");
        assertThat(requests()).as("the TLS handshake and the request fit the deadline at least once").isBetween(1, 2);
        assertThat(elapsedMs).as("two attempts of 1.5 s, not two of 8 s").isLessThan(14_000L);
    }

    @Test
    void untrustedCertificateFailsTheJob() throws Exception {
        int before = api.getAllServeEvents().size();

        JobProcess.Result result = JobProcess.run(env("https://localhost:" + api.httpsPort(), false));

        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output()).contains("outcome=FAILED", "certification path");
        assertThat(api.getAllServeEvents()).hasSize(before);
    }
}
