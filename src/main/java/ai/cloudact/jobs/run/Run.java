package ai.cloudact.jobs.run;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.Exchange;

/**
 * One run of one job and what it has done so far: HTTP attempts, the last HTTP status, items
 * ok/failed/skipped (fan-out jobs) and results such as {@code rows_deleted=42}. It travels with the
 * run's exchange (property {@value #PROPERTY}; split and circuit-breaker copies share it) and is held
 * by the runner, so the summary tells the counts so far however the run ends: success, failure, a
 * page that failed after others succeeded, the deadline or a signal.
 */
public final class Run {

    public static final String PROPERTY = "jobRun";
    /** Exchange property a job route may set to add its result to the summary, e.g. rows_deleted=42. */
    public static final String RESULT_PROPERTY = "jobResult";

    /** This run's own id, unique per run (the history row and the lease owner): not the run key, which retries share. */
    private final String id = java.util.UUID.randomUUID().toString();
    private volatile String jobId;
    private volatile String runKey;
    private final long startedNanos = System.nanoTime();
    private final AtomicInteger attempts = new AtomicInteger();
    private final AtomicInteger ok = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger skipped = new AtomicInteger();
    private final AtomicInteger shortCircuited = new AtomicInteger();
    private final Map<String, String> results = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean fanOut;
    private volatile Integer httpStatus;
    private volatile Shard shard;
    private volatile boolean retry;
    private volatile boolean replacementPod;
    private volatile boolean waitsForLease;

    public Run(String jobId, String runKey) {
        this.jobId = Objects.requireNonNull(jobId);
        this.runKey = Objects.requireNonNull(runKey);
    }

    /** The run an exchange belongs to; one is attached if the exchange has none (a route fired by a test). */
    public static Run of(Exchange exchange) {
        Run run = exchange.getProperty(PROPERTY, Run.class);
        if (run == null) {
            run = new Run(exchange.getFromRouteId() == null ? "?" : exchange.getFromRouteId(), "unkeyed");
            exchange.setProperty(PROPERTY, run);
        }
        return run;
    }

    /**
     * Ends the run: true for the first caller only. A run can end in several ways at once (the route
     * finishing, the deadline, a signal); exactly one of them writes its record.
     */
    public boolean end() {
        return ended.compareAndSet(false, true);
    }

    public boolean hasEnded() {
        return ended.get();
    }

    public void attach(Exchange exchange) {
        exchange.setProperty(PROPERTY, this);
    }

    /** Names the run once the job is known (a run starts before: a signal may end it that early). */
    public void identify(String jobId, String runKey) {
        this.jobId = Objects.requireNonNull(jobId);
        this.runKey = Objects.requireNonNull(runKey);
    }

    public String id() {
        return id;
    }

    /**
     * This run is a platform's retry of the same run whose earlier attempt has exited (Cloud Run starts
     * a task's next attempt only then): it may take over that attempt's lease at once instead of
     * waiting for it to expire.
     */
    public void retryOfEarlierAttempt() {
        this.retry = true;
    }

    public boolean isRetryOfEarlierAttempt() {
        return retry;
    }

    /**
     * This run is a pod of a Kubernetes Job that may replace a pod of the same run that failed, its
     * lease left held. Kubernetes may also, rarely, run two pods of a Job at once, so that lease is
     * not taken over: this run waits for it to expire (a dead pod's does within LEASE_TTL) and then
     * runs; a holder that keeps renewing it is a live twin doing the work, and one that has freed it
     * has done the run: this run is SKIPPED.
     */
    public void mayReplaceFailedPod() {
        this.replacementPod = true;
    }

    public boolean mayBeReplacementPod() {
        return replacementPod;
    }

    /**
     * This run must not be lost to a lease that is still held: it waits for the lease (released, or
     * expired) instead of being skipped. Quartz's recovery of a firing whose replica it took for dead:
     * that replica may only be stalled, so its lease is not taken over, but the firing must run.
     */
    public void waitForLease() {
        this.waitsForLease = true;
    }

    public boolean waitsForLease() {
        return waitsForLease;
    }

    /** This run is one of N parallel tasks of a fan-out job: it processes only this shard's items. */
    public void shard(Shard shard) {
        this.shard = shard;
    }

    /** The shard of a run that is one of N parallel tasks; null when it processes every item. */
    public Shard shard() {
        return shard;
    }

    public String jobId() {
        return jobId;
    }

    /** The identity of this run, the base of every Idempotency-Key. */
    public String runKey() {
        return runKey;
    }

    public long startedNanos() {
        return startedNanos;
    }

    /** One more HTTP request, retries included. */
    public void attempt() {
        attempts.incrementAndGet();
    }

    public int attempts() {
        return attempts.get();
    }

    public void httpStatus(int status) {
        httpStatus = status;
    }

    public Integer httpStatus() {
        return httpStatus;
    }

    /** A call not made because the circuit breaker was open. */
    public void shortCircuited() {
        shortCircuited.incrementAndGet();
    }

    public int shortCircuitedCalls() {
        return shortCircuited.get();
    }

    /** An item of a fan-out (e.g. one org) ended: counted once, as ok, failed or skipped. */
    public void itemOk() {
        fanOut = true;
        ok.incrementAndGet();
    }

    public void itemFailed() {
        fanOut = true;
        failed.incrementAndGet();
    }

    public void itemSkipped() {
        fanOut = true;
        skipped.incrementAndGet();
    }

    /** Marks a fan-out job, so its summary shows the counts even when no item was reached. */
    public void fanOut() {
        fanOut = true;
    }

    public boolean isFanOut() {
        return fanOut;
    }

    public int ok() {
        return ok.get();
    }

    public int failed() {
        return failed.get();
    }

    public int skipped() {
        return skipped.get();
    }

    public int items() {
        return ok() + failed() + skipped();
    }

    /** "ok=3 failed=1 skipped=0". */
    public String counts() {
        return "ok=" + ok() + " failed=" + failed() + " skipped=" + skipped();
    }

    /** A result for the summary, e.g. ("rows_deleted", "42"); the last value of a name wins. */
    public void result(String name, String value) {
        results.put(name, value);
    }

    public Map<String, String> results() {
        return Map.copyOf(results);
    }
}
