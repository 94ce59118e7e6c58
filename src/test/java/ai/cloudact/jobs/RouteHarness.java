package ai.cloudact.jobs;

import java.util.HashMap;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.main.Main;

/**
 * Starts one job's route exactly as the runner wires it (profile, shared configuration, the job's
 * own file), then uses AdviceWith to replace its quartz trigger with {@code direct:start} and to
 * mark the end of the route with {@code mock:done}.
 */
final class RouteHarness implements AutoCloseable {

    static final String ROOT_KEY = "unit-test-root-key-7d1f";

    /** Fast retries and a short read timeout so failure cases finish quickly. */
    private static final Map<String, String> TEST_DEFAULTS = Map.of(
            "ca.root.api.key", ROOT_KEY,
            "retry.delay.ms", "10",
            "retry.max.delay.ms", "40",
            "http.response.timeout.ms", "1000");

    private final Main main;
    final CamelContext context;
    final ProducerTemplate template;

    private RouteHarness(Main main) {
        this.main = main;
        this.context = main.getCamelContext();
        this.template = context.createProducerTemplate();
    }

    static RouteHarness start(String jobId, Map<String, String> properties) throws Exception {
        Job job = JobCatalog.load().find(jobId).orElseThrow();
        Map<String, String> overrides = new HashMap<>(TEST_DEFAULTS);
        overrides.putAll(properties);
        Main main = JobExecution.newMain(job, Environment.LOCAL, overrides);
        main.start();
        
        AdviceWith.adviceWith(main.getCamelContext(), jobId, route -> {
            route.replaceFromWith("direct:start");
            route.weaveAddLast().to("mock:done");
        });
        return new RouteHarness(main);
    }

    /** Fires the job once, as its trigger would; the returned exchange carries any failure. */
    Exchange fire() {
        return template.send("direct:start", exchange -> { });
    }

    MockEndpoint done() {
        return context.getEndpoint("mock:done", MockEndpoint.class);
    }

    @Override
    public void close() {
        template.stop();
        main.stop();
    }
}
