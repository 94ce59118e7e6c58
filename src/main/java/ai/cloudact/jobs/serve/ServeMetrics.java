package ai.cloudact.jobs.serve;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import ai.cloudact.jobs.catalog.Job;
import ai.cloudact.jobs.run.Outcome;
import ai.cloudact.jobs.run.RunRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The service's own metrics, beside Camel's, in the registry that /observe/metrics exposes in
 * Prometheus format: {@code jobs_runs_total{job,outcome}}, {@code jobs_run_duration_seconds{job,outcome}},
 * {@code jobs_last_success_timestamp_seconds{job}} (0 until the job's first success in this process)
 * and {@code jobs_http_requests_total{endpoint,status}}.
 */
final class ServeMetrics {

    private final MeterRegistry registry;
    private final Map<String, AtomicLong> lastSuccess = new ConcurrentHashMap<>();

    ServeMetrics(MeterRegistry registry, Collection<Job> jobs) {
        this.registry = registry;
        jobs.forEach(job -> lastSuccessOf(job.id()));
    }

    /** A run ended. */
    void ran(RunRecord record) {
        String outcome = record.outcome().name();
        Counter.builder("jobs.runs").description("Runs of each job by outcome").tag("job", record.job()).tag("outcome", outcome)
                .register(registry).increment();
        Timer.builder("jobs.run.duration").description("How long the runs took").tag("job", record.job()).tag("outcome", outcome)
                .register(registry).record(record.duration());
        if (record.outcome() == Outcome.SUCCESS) {
            lastSuccessOf(record.job()).set(record.started().plus(record.duration()).getEpochSecond());
        }
    }

    /** An HTTP call was answered. */
    void answered(String endpoint, int status) {
        Counter.builder("jobs.http.requests").description("HTTP calls by endpoint and status").tag("endpoint", endpoint)
                .tag("status", Integer.toString(status)).register(registry).increment();
    }

    private AtomicLong lastSuccessOf(String job) {
        return lastSuccess.computeIfAbsent(job, id -> {
            AtomicLong holder = new AtomicLong();
            Gauge.builder("jobs.last.success.timestamp", holder, AtomicLong::get).baseUnit("seconds")
                    .description("When the job last succeeded (Unix time)").tag("job", id).register(registry);
            return holder;
        });
    }
}
