package ai.cloudact.jobs.support;

import ai.cloudact.jobs.catalog.Job;
import ai.cloudact.jobs.catalog.Locations;
import ai.cloudact.jobs.catalog.SafeYaml;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.core.Admin;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;

import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;

/**
 * An API that says yes, for the end-to-end tests: the answers of every job's sandbox file (org pages,
 * BigQuery's REST API, the Supabase query endpoint), and {@code 200 {"status":"ok"}} for any other
 * call. A test adds its own stubs at a higher priority (a lower number) for the case it tries.
 */
public final class ApiStandIn {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ApiStandIn() {
    }

    public static void answerEverything(Admin api) {
        Jobs.all().forEach(job -> sandboxFile(api, job));
        api.addStubMapping(any(anyUrl()).atPriority(20).willReturn(okJson("{\"status\":\"ok\"}")).build());
    }

    private static void sandboxFile(Admin api, Job job) {
        String text = Locations.read(job.sandboxLocation());
        if (text == null) {
            return;
        }
        for (Object stub : (java.util.List<?>) SafeYaml.load(text, job.sandboxLocation())) {
            try {
                StubMapping mapping = StubMapping.buildFrom(JSON.writeValueAsString(stub));
                mapping.setPriority(10);
                api.addStubMapping(mapping);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
