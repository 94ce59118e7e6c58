package ai.cloudact.jobs.sandbox;

import java.util.Map;

import ai.cloudact.jobs.LocalStandIn;
import com.github.tomakehurst.wiremock.WireMockServer;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * The local sandbox: an in-process WireMock that answers every documented endpoint of the API, the
 * frontend, BigQuery's REST API and the Supabase Management API with a plausible success, so any
 * job runs on a fresh machine. Lives with the tests (the same stubs back the end-to-end tests) and
 * is found through {@link java.util.ServiceLoader} only when the test class path is used, as
 * {@code mvn test-compile camel:run} does; the packaged jar never contains it.
 */
public class LocalSandbox implements LocalStandIn {

    private WireMockServer server;

    @Override
    public Map<String, String> start() {
        server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort()
                .usingFilesUnderClasspath("sandbox").disableRequestJournal());
        server.start();
        String url = "http://127.0.0.1:" + server.port();
        return Map.of(
                "ca.api.url", url,
                "ca.frontend.url", url,
                "bigquery.emulator.host", url,
                "supabase.api.url", url);
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop();
        }
    }
}
