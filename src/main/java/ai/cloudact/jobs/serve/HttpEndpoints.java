package ai.cloudact.jobs.serve;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

import ai.cloudact.jobs.catalog.Job;
import ai.cloudact.jobs.http.FailureReport;
import ai.cloudact.jobs.run.RunRecord;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's HTTP endpoints (on PORT, Camel's platform-http on Vert.x):
 * <ul>
 * <li>{@code POST /jobs/{id}/run} runs a served job now and answers when it ends:
 * {@code {job, outcome, exitCode, durationMs, attempts, counts, reason}}, 200 for SUCCESS and SKIPPED,
 * 500 for FAILED (so that Cloud Scheduler retries), 400 for a configuration error, 404 for a job not
 * served, 503 while starting or shutting down (and for a run cut off by the shutdown);
 * {@code ?async=true} answers 202 {@code {job, executionId}} at once;</li>
 * <li>{@code POST /cron/tick} runs the firings due since the last tick ({@link Tick}) and answers
 * {@code {checked, executed, succeeded, failed, skipped}}: 200, or 500 when a run failed.</li>
 * </ul>
 * Every call is checked by {@link CallerCheck} before anything runs (401/403 otherwise). The request's
 * headers are dropped before answering, so no credential is echoed back.
 */
final class HttpEndpoints extends RouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger("runner");
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String RUN = "/jobs/{id}/run";
    static final String TICK = "/cron/tick";

    private final ServedJobs served;
    private final CallerCheck callers;
    private final Executions executions;
    private final Tick tick;
    private final ServeMetrics metrics;
    private final BooleanSupplier stopping;

    HttpEndpoints(ServedJobs served, CallerCheck callers, Executions executions, Tick tick, ServeMetrics metrics, BooleanSupplier stopping) {
        this.served = served;
        this.callers = callers;
        this.executions = executions;
        this.tick = tick;
        this.metrics = metrics;
        this.stopping = stopping;
    }

    @Override
    public void configure() {
        from("platform-http:" + RUN + "?httpMethodRestrict=POST").routeId("http-run").process(this::run);
        from("platform-http:" + TICK + "?httpMethodRestrict=POST").routeId("http-tick").process(this::tick);
    }

    private void run(Exchange exchange) throws JsonProcessingException {
        String id = exchange.getMessage().getHeader("id", String.class);
        boolean async = "true".equalsIgnoreCase(exchange.getMessage().getHeader("async", String.class));
        if (!admitted(exchange, RUN, "POST /jobs/" + id + "/run")) {
            return;
        }
        Job job = served.find(id).orElse(null);
        if (job == null) {
            answer(exchange, RUN, 404, Map.of("error", "unknown job '" + id + "': this service serves " + served.ids(served.all())));
            return;
        }
        Executions.Execution execution;
        try {
            execution = executions.start(job, Executions.handRunKey(job), "http");
        } catch (Executions.NotAccepting e) {
            answer(exchange, RUN, 503, Map.of("error", e.getMessage()));
            return;
        }
        if (async) {
            answer(exchange, RUN, 202, Map.of("job", job.id(), "executionId", execution.id()));
            return;
        }
        RunRecord record = execution.done().join();
        answer(exchange, RUN, status(record), body(record));
    }

    private void tick(Exchange exchange) throws JsonProcessingException {
        if (!admitted(exchange, TICK, "POST " + TICK)) {
            return;
        }
        Tick.Result result;
        try {
            result = tick.run(Instant.now());
        } catch (Executions.NotAccepting e) {
            answer(exchange, TICK, 503, Map.of("error", e.getMessage()));
            return;
        } catch (java.sql.SQLException | RuntimeException e) {
            String reason = "the firing ledger cannot be read: " + FailureReport.explain(e);
            LOG.error("Tick failed: {}", reason);
            answer(exchange, TICK, 500, Map.of("error", reason));
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("checked", result.checked());
        body.put("executed", result.executed());
        body.put("succeeded", result.succeeded());
        body.put("failed", result.failed());
        body.put("skipped", result.skipped());
        answer(exchange, TICK, result.failed() > 0 ? 500 : 200, body);
    }

    /** Shutting down, or the caller may not call: answered here, and false. Reads the credential, never logs it. */
    private boolean admitted(Exchange exchange, String endpoint, String call) throws JsonProcessingException {
        String authorization = exchange.getMessage().getHeader("Authorization", String.class);
        if (stopping.getAsBoolean()) {
            answer(exchange, endpoint, 503, Map.of("error", "the service is shutting down"));
            return false;
        }
        CallerCheck.Verdict verdict = callers.check(authorization);
        if (!verdict.allowed()) {
            LOG.warn("Refused {}: {} {}", call, verdict.status(), verdict.reason());
            answer(exchange, endpoint, verdict.status(), Map.of("error", verdict.reason()));
            if (verdict.status() == 401) {
                exchange.getMessage().setHeader("WWW-Authenticate", "Bearer");
            }
            return false;
        }
        return true;
    }

    static int status(RunRecord record) {
        return switch (record.outcome()) {
            case SUCCESS, SKIPPED -> 200;
            case FAILED -> 500;
            case CONFIGURATION_ERROR -> 400;
            case TERMINATED -> 503;
        };
    }

    static Map<String, Object> body(RunRecord record) {
        Map<String, Object> counts = new TreeMap<>(record.results());
        counts.put("ok", record.ok());
        counts.put("failed", record.failed());
        counts.put("skipped", record.skipped());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("job", record.job());
        body.put("outcome", record.outcome().name());
        body.put("exitCode", record.exitCode().code);
        body.put("durationMs", record.duration().toMillis());
        body.put("attempts", record.attempts());
        body.put("counts", counts);
        body.put("reason", record.reason());
        return body;
    }

    private void answer(Exchange exchange, String endpoint, int status, Map<String, ?> body) throws JsonProcessingException {
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(JSON.writeValueAsString(body));
        metrics.answered(endpoint, status);
    }
}
