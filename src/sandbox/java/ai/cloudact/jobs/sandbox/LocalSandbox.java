package ai.cloudact.jobs.sandbox;

import java.util.List;

import ai.cloudact.jobs.catalog.Job;
import ai.cloudact.jobs.runtime.LocalStandIn;
import com.github.tomakehurst.wiremock.WireMockServer;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * The local sandbox: an in-process WireMock that answers a job's calls from its job's sandbox file
 * and the calls its route declares ({@link SandboxStubs}), so any job runs on a fresh machine. Found
 * through {@link java.util.ServiceLoader} only when the sandbox is on the class path, as
 * {@code mvn compile camel:run} with a job selected puts it; the packaged jar never contains it.
 */
public class LocalSandbox implements LocalStandIn {

    private WireMockServer server;

    @Override
    public String start(Job job) {
        server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().disableRequestJournal());
        server.start();
        SandboxStubs.register(server, job);
        return server.baseUrl();
    }

    @Override
    public void expect(List<String> declaredCalls) {
        SandboxStubs.expect(server, server.baseUrl(), declaredCalls);
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop();
        }
    }
}
