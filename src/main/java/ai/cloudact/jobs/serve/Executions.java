package ai.cloudact.jobs.serve;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import ai.cloudact.jobs.catalog.Job;
import ai.cloudact.jobs.http.FailureReport;
import ai.cloudact.jobs.run.ConfigurationException;
import ai.cloudact.jobs.run.Outcome;
import ai.cloudact.jobs.run.Run;
import ai.cloudact.jobs.run.RunRecord;
import ai.cloudact.jobs.runtime.RunPath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runs under way in this service, whatever started them (its triggers, a tick, an HTTP call).
 * Each one takes the path of a one-shot run ({@link RunPath}: lease, history, retries, breaker,
 * summary line) and ends exactly once: by itself, at its job's timeout (FAILED; the call in flight is
 * abandoned), or at shutdown once SHUTDOWN_GRACE is over (TERMINATED).
 */
final class Executions {

    private static final Logger LOG = LoggerFactory.getLogger("runner");

    /** One run: its id (answered to an asynchronous HTTP call), what started it, and its record once ended. */
    record Execution(String id, Job job, Run run, Instant started, String trigger, CompletableFuture<RunRecord> done) {
    }

    private final String environment;
    private final ServeMetrics metrics;
    private final Set<Execution> running = ConcurrentHashMap.newKeySet();
    private final ExecutorService threads = Executors.newCachedThreadPool(daemon("serve-run-"));
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(daemon("serve-deadline-"));
    private volatile RunPath path;
    private volatile boolean closed;

    Executions(String environment, ServeMetrics metrics) {
        this.environment = environment;
        this.metrics = metrics;
    }

    /** From now on runs are taken: Camel has started. */
    void open(RunPath runPath) {
        this.path = runPath;
    }

    /** Whether a new run is taken now (not before start, not after shutdown began). */
    boolean accepting() {
        return path != null && !closed;
    }

    /** No new run from now on; the ones under way go on. */
    void close() {
        closed = true;
    }

    int runningCount() {
        return running.size();
    }

    /**
     * Runs the job on this thread (a trigger's: it must stay busy while the job runs, so that the job
     * never overlaps itself) and returns how the run ended.
     */
    RunRecord runHere(Job job, String runKey, String trigger) {
        return runHere(job, runKey, trigger, false);
    }

    /**
     * As {@link #runHere(Job, String, String)}; {@code recovering}: Quartz runs again the firing of a
     * replica it took for dead, and the run waits for that replica's lease rather than be skipped.
     */
    RunRecord runHere(Job job, String runKey, String trigger, boolean recovering) {
        Execution execution = register(job, runKey, trigger);
        if (recovering) {
            execution.run().waitForLease();
        }
        execute(execution);
        return execution.done().join();
    }

    /** Starts the run on a thread of its own; its future completes with the run's record. */
    Execution start(Job job, String runKey, String trigger) {
        Execution execution = register(job, runKey, trigger);
        threads.execute(() -> execute(execution));
        return execution;
    }

    /** A fresh run key for a run asked for by hand (not a firing of the schedule). */
    static String handRunKey(Job job) {
        return job.id() + ":" + UUID.randomUUID();
    }

    private Execution register(Job job, String runKey, String trigger) {
        if (!accepting()) {
            throw new NotAccepting(closed ? "the service is shutting down" : "the service is starting");
        }
        Run run = new Run(job.id(), runKey);
        // the execution is known by its run's id: the id of its history row (--history)
        Execution execution = new Execution(run.id(), job, run, Instant.now(), trigger, new CompletableFuture<>());
        running.add(execution);
        return execution;
    }

    private void execute(Execution execution) {
        Job job = execution.job();
        Duration timeout = job.spec().timeoutDuration();
        ScheduledFuture<?> deadline = deadlines.schedule(() -> end(execution, Outcome.FAILED,
                "deadline exceeded: the run took longer than the job's timeout " + job.spec().getTimeout()), timeout.toMillis(),
                TimeUnit.MILLISECONDS);
        try {
            List<String> targets = path.prepare(job);
            LOG.info("Starting job {} ({}) environment={} trigger={} run={} target={}", job.id(), job.longName(), environment,
                    execution.trigger(), execution.run().runKey(), targets.isEmpty() ? "(none)" : String.join(", ", targets));
            path.execute(job, execution.run(), execution.started(), null).ifPresent(record -> finished(execution, record));
        } catch (ConfigurationException e) {
            LOG.error("Configuration error in job {}: {}", job.id(), e.getMessage());
            end(execution, Outcome.CONFIGURATION_ERROR, e.getMessage().lines().findFirst().orElse(""));
        } catch (RuntimeException e) {
            LOG.error("Job {} failed: {}", job.id(), FailureReport.explain(e));
            LOG.debug("Failure of job {}", job.id(), e);
            end(execution, Outcome.FAILED, FailureReport.explain(e));
        } finally {
            deadline.cancel(false);
            running.remove(execution);
        }
    }

    /** Ends the run another way than by itself, unless it has ended already. */
    private void end(Execution execution, Outcome outcome, String reason) {
        Optional<RunRecord> record = path.end(execution.run(), execution.started(), outcome, null, null, reason);
        record.ifPresent(r -> finished(execution, r));
    }

    private void finished(Execution execution, RunRecord record) {
        metrics.ran(record);
        execution.done().complete(record);
    }

    /** Waits until every run under way has ended, at most {@code grace}; false when some are still running. */
    boolean awaitAll(Duration grace) {
        List<CompletableFuture<RunRecord>> pending = running.stream().map(Execution::done).toList();
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(grace.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return running.isEmpty();
        }
    }

    /** Ends every run still under way as TERMINATED; how many. */
    int terminateAll(String reason) {
        AtomicInteger ended = new AtomicInteger();
        for (Execution execution : List.copyOf(running)) {
            if (!execution.run().hasEnded()) {
                LOG.error("Job {} {}", execution.job().id(), reason);
                end(execution, Outcome.TERMINATED, reason);
                ended.incrementAndGet();
            }
        }
        return ended.get();
    }

    private static java.util.concurrent.ThreadFactory daemon(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** A run asked for while the service does not take runs (starting or shutting down). */
    static final class NotAccepting extends RuntimeException {
        NotAccepting(String message) {
            super(message);
        }
    }
}
