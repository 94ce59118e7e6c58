package ai.cloudact.jobs.support;

import java.util.HashMap;
import java.util.Map;

import ai.cloudact.jobs.catalog.Job;
import ai.cloudact.jobs.catalog.Pack;
import ai.cloudact.jobs.run.Environment;
import ai.cloudact.jobs.run.Run;
import ai.cloudact.jobs.runtime.CamelSetup;
import ai.cloudact.jobs.runtime.Settings;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.main.Main;

/**
 * Starts one job's route exactly as the runtime wires it (the pack's settings, the shared
 * configuration, the job's own file), then uses AdviceWith to replace its trigger with
 * {@code direct:start} and to mark the end of the route with {@code mock:done}.
 */
public final class RouteHarness implements AutoCloseable {

    public static final String ROOT_KEY = "unit-test-root-key-7d1f";

    /** Fast retries and a short read timeout so failure cases finish quickly. */
    private static final Map<String, String> TEST_DEFAULTS = Map.of(
            "retry.delay.ms", "10",
            "retry.max.delay.ms", "40",
            "http.response.timeout.ms", "1000");

    private final Main main;
    public final CamelContext context;
    private final ProducerTemplate template;
    private Run lastRun;

    private RouteHarness(Main main) {
        this.main = main;
        this.context = main.getCamelContext();
        this.template = context.createProducerTemplate();
    }

    public static RouteHarness start(String jobId, Map<String, String> properties) throws Exception {
        return start(Jobs.cloudact(jobId), properties);
    }

    public static RouteHarness start(Job job, Map<String, String> properties) throws Exception {
        Map<String, String> overrides = new HashMap<>(Pack.load(job.pack()).properties(Environment.LOCAL));
        overrides.putAll(TEST_DEFAULTS);
        // upper-case names are secrets ({{secret:NAME}}), the rest properties
        Map<String, String> secrets = new HashMap<>(Map.of("CA_ROOT_API_KEY", ROOT_KEY));
        properties.forEach((key, value) -> (key.matches("[A-Z0-9_]+") ? secrets : overrides).put(key, value));
        Main main = CamelSetup.newMain(java.util.List.of(job), new Settings(secrets), overrides);
        main.start();
        AdviceWith.adviceWith(main.getCamelContext(), job.id(), route -> {
            route.replaceFromWith("direct:start");
            route.weaveAddLast().to("mock:done");
        });
        return new RouteHarness(main);
    }

    /** Every URL setting of the job's pack pointed at {@code baseUrl} (API, frontend, BigQuery...). */
    public static Map<String, String> urlsOf(Job job, String baseUrl) {
        Map<String, String> urls = new HashMap<>();
        java.util.List<ai.cloudact.jobs.runtime.Setting> settings = new java.util.ArrayList<>(
                Settings.of(Pack.load(job.pack()), Environment.LOCAL));
        settings.addAll(Settings.RUNTIME);
        for (ai.cloudact.jobs.runtime.Setting setting : settings) {
            if (setting.accepted().startsWith("an http://")) {
                urls.put(setting.property(), baseUrl);
            }
        }
        return urls;
    }

    /**
     * Replaces the job's Google ID token step, if it has one, by a fixed Authorization header: a route
     * test does not reach a metadata server (the end-to-end tests do, through a stand-in).
     */
    public void stubGoogleIdToken(Job job, String authorization) throws Exception {
        boolean usesIdToken = ((org.apache.camel.model.ModelCamelContext) context).getRouteDefinition(job.id()).getOutputs().stream()
                .anyMatch(step -> step instanceof org.apache.camel.model.ProcessDefinition process && "googleIdToken".equals(process.getRef()));
        if (usesIdToken) {
            AdviceWith.adviceWith(context, job.id(), route -> route.weaveByType(org.apache.camel.model.ProcessDefinition.class)
                    .selectFirst().replace().setHeader("Authorization", org.apache.camel.builder.Builder.constant(authorization)));
        }
    }

    /** Fires the job once, as its trigger would; the returned exchange carries any failure. */
    public Exchange fire() {
        return fire(null);
    }

    /** Fires the job once as one of N parallel tasks (null: the only task). */
    public Exchange fire(ai.cloudact.jobs.run.Shard shard) {
        lastRun = new Run("test", "test-run");
        lastRun.shard(shard);
        return template.send("direct:start", exchange -> lastRun.attach(exchange));
    }

    /** What the last run counted (attempts, items, results). */
    public Run run() {
        return lastRun;
    }

    public MockEndpoint done() {
        return context.getEndpoint("mock:done", MockEndpoint.class);
    }

    @Override
    public void close() {
        template.stop();
        main.stop();
    }
}
