package ai.cloudact.jobs.sandbox;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ai.cloudact.jobs.catalog.Job;
import ai.cloudact.jobs.catalog.Locations;
import ai.cloudact.jobs.catalog.Pack;
import ai.cloudact.jobs.catalog.SafeYaml;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.core.Admin;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

/**
 * The local stand-in answers of a job, for the sandbox and for the tests that run jobs against
 * WireMock: the stubs of its sandbox file ({@code <id>.sandbox.yaml} beside the job file: WireMock
 * stub mappings written as YAML), then those its pack gives every job ({@code pack.sandbox.yaml} in the
 * pack's directory, e.g. a worker that answers {"status": "completed"}), {@code 200 {}} for each call its
 * route declares, and {@code 501} naming the job, the call and the file to add for anything else —
 * never a made-up refusal.
 */
public final class SandboxStubs {

    /** The job's sandbox file wins over the pack's, which wins over the defaults, which win over the catch-all. */
    static final int FILE_PRIORITY = 5;
    static final int PACK_FILE_PRIORITY = 6;
    static final int DECLARED_PRIORITY = 8;
    static final int CATCH_ALL_PRIORITY = 10;

    /** Beside the job files; a *.sandbox.yaml name, so the jar leaves it out and the catalog never takes it for a job. */
    public static final String PACK_SANDBOX_FILE = "pack.sandbox.yaml";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{[^}]*}");

    private SandboxStubs() {
    }

    /** The stubs of the job's sandbox file and of its pack's (none when it has none) and the catch-all. */
    public static void register(Admin server, Job job) {
        registerFile(server, job.sandboxLocation(), FILE_PRIORITY);
        registerFile(server, packSandboxLocation(job), PACK_FILE_PRIORITY);
        String file = job.sandboxLocation().replaceFirst("^(classpath|file):", "");
        server.addStubMapping(any(anyUrl()).atPriority(CATCH_ALL_PRIORITY).willReturn(aResponse().withStatus(501)
                .withHeader("Content-Type", "text/plain")
                .withBody("LOCAL SANDBOX: no stand-in answer for job " + job.id() + ": {{request.method}} {{request.path}}."
                        + " Declare one in " + file + " (WireMock stub mappings as YAML), or point the job's URL setting"
                        + " at a real service.")
                .withTransformers("response-template")).build());
    }

    /** {@code 200 {}} for each call the route declares ({@code ${...}} parts match any path segment). */
    public static void expect(Admin server, String baseUrl, List<String> declaredCalls) {
        for (String call : declaredCalls) {
            if (!call.startsWith(baseUrl)) {
                continue;
            }
            String path = call.substring(baseUrl.length()).replaceFirst("[?#].*$", "");
            StringBuilder regex = new StringBuilder();
            Matcher placeholder = PLACEHOLDER.matcher(path);
            int at = 0;
            while (placeholder.find()) {
                regex.append(Pattern.quote(path.substring(at, placeholder.start()))).append("[^/]+");
                at = placeholder.end();
            }
            regex.append(Pattern.quote(path.substring(at)));
            server.addStubMapping(any(urlPathMatching(regex.toString())).atPriority(DECLARED_PRIORITY)
                    .willReturn(okJson("{}")).build());
        }
    }

    /** The answers a pack gives every job of it: {@code pack.sandbox.yaml} in the pack's directory. */
    public static String packSandboxLocation(Job job) {
        return Pack.ROOT + job.pack() + "/" + PACK_SANDBOX_FILE;
    }

    private static void registerFile(Admin server, String location, int priority) {
        String text = Locations.read(location);
        if (text == null) {
            return;
        }
        Object stubs = SafeYaml.load(text, location);
        if (!(stubs instanceof List<?> list)) {
            throw new IllegalArgumentException(location + ": a list of WireMock stub mappings");
        }
        for (Object stub : list) {
            server.addStubMapping(stubMapping(stub, location, priority));
        }
    }

    private static StubMapping stubMapping(Object stub, String location, int priority) {
        try {
            StubMapping mapping = StubMapping.buildFrom(JSON.writeValueAsString(stub));
            if (mapping.getPriority() == null) {
                mapping.setPriority(priority);
            }
            return mapping;
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalArgumentException(location + ": not a WireMock stub mapping: " + stub, e);
        }
    }

}
