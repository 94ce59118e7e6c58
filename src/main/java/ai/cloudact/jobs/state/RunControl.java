package ai.cloudact.jobs.state;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import ai.cloudact.jobs.run.Outcome;
import ai.cloudact.jobs.run.Run;
import ai.cloudact.jobs.run.RunRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the run path asks of the state store, for any number of runs at a time (one-shot or a
 * service): {@link #begin} before the job does anything (takes the lease on {@code (pack, job,
 * shard)} as OVERLAP_POLICY says, starts the run's history row, renews both every LEASE_TTL/3 while
 * the run is alive) and {@link #end} however the run ends (completes or writes its history row, gives
 * the lease up), within {@link #END_WITHIN} so a signal's exit is never held up by the database.
 *
 * <p>Without a store ({@link #off()}) both do nothing. With the embedded default, a store error says
 * so once and the process goes on without lease and history; with a configured database, a run that
 * cannot take its lease fails (exit 1, the platform retries) rather than run unguarded.
 */
public final class RunControl implements AutoCloseable {

    /** The longest a run's end waits for the database. */
    public static final Duration END_WITHIN = Duration.ofSeconds(4);
    /** How often a run that waits for the lease asks again. */
    static final Duration LEASE_POLL = Duration.ofSeconds(1);

    private static final Logger LOG = LoggerFactory.getLogger("runner");

    private final StateStore store;
    private final Duration ttl;
    private final OverlapPolicy policy;
    private final Duration retention;
    private final History.Origin origin;
    private final Map<String, Active> active = new ConcurrentHashMap<>();
    private final ScheduledExecutorService renewer;
    private final AtomicBoolean degraded = new AtomicBoolean();
    private final AtomicLong lastPruned = new AtomicLong();
    private volatile boolean closed;
    /** Ends write under the read lock, side by side; close takes the write lock, waiting a bounded time for them. */
    private final ReentrantReadWriteLock writing = new ReentrantReadWriteLock();

    /** A run being guarded: its lease (null under OVERLAP_POLICY=allow) and the renewal task. */
    private record Active(Lease.Key key, ScheduledFuture<?> renewal) {
    }

    /**
     * Why a run must not go on: it ends at once with this outcome and reason.
     *
     * @param outcome SKIPPED or FAILED
     */
    public record Refusal(Outcome outcome, String reason, boolean bySameRun) {

        public Refusal(Outcome outcome, String reason) {
            this(outcome, reason, false);
        }
    }

    private RunControl(StateStore store, Duration ttl, OverlapPolicy policy, Duration retention, String host, String execution) {
        this.store = store;
        this.ttl = ttl;
        this.policy = policy;
        this.retention = retention;
        this.origin = new History.Origin(host, execution);
        this.renewer = store == null ? null : Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "run-state-renewer");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** No store: no lease, no history. */
    public static RunControl off() {
        return new RunControl(null, Duration.ofMinutes(5), OverlapPolicy.ALLOW, Duration.ofDays(90), "-", "-");
    }

    /**
     * Lease and history in {@code store}, which this control closes.
     *
     * @param ttl       LEASE_TTL: a lease not renewed for this long is free again
     * @param host      this machine or container, for the lease's holder and the history
     * @param execution this process: the Cloud Run execution and task, the pod, or the process id
     */
    public static RunControl on(StateStore store, Duration ttl, OverlapPolicy policy, Duration retention, String host,
                                String execution) {
        return new RunControl(store, ttl, policy, retention, host, execution);
    }

    public boolean isOn() {
        return store != null;
    }

    /**
     * Before the job does anything: takes the run's lease on {@code (pack, job, shard)} and starts its
     * history row. Empty: go ahead. A refusal: end the run now with its outcome and reason.
     */
    public Optional<Refusal> begin(Run run, String pack, String environment, String shard, Instant started) {
        Optional<Refusal> refused = tryBegin(run, pack, environment, shard, started);
        if (!waits(run, refused)) {
            return refused;
        }
        // the holder ends and releases it, or stops renewing and it expires: either within this
        Instant giveUp = Instant.now().plus(ttl).plus(renewEvery());
        LOG.info("Job {}: waiting for the lease, at most until {}, before running ({})", run.jobId(), time(giveUp),
                refused.get().reason());
        while (waits(run, refused) && Instant.now().isBefore(giveUp) && !closed && !run.hasEnded()) {
            try {
                Thread.sleep(LEASE_POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return refused;
            }
            if (run.hasEnded()) {
                return refused; // a signal or the deadline while it slept: take nothing
            }
            refused = tryBegin(run, pack, environment, shard, started);
        }
        return refused;
    }

    /**
     * Whether a refused run waits for the lease: a recovered firing that must run, or a pod that may
     * replace a failed pod of the same run (it waits for that pod's lease to expire).
     */
    private static boolean waits(Run run, Optional<Refusal> refused) {
        return refused.isPresent() && (run.waitsForLease() || refused.get().bySameRun());
    }

    private Optional<Refusal> tryBegin(Run run, String pack, String environment, String shard, Instant started) {
        if (!usable()) {
            return Optional.empty();
        }
        Lease.Key key = policy == OverlapPolicy.ALLOW ? null : new Lease.Key(pack, run.jobId(), shard);
        Instant now = Instant.now();
        Lease.Holder me = new Lease.Holder(run.id(), origin.host(), origin.execution(), started, now.plus(ttl));
        try (Connection connection = store.connection()) {
            if (key != null) {
                Lease.Attempt attempt = Lease.acquire(connection, key, me, sameRun(run), now);
                if (attempt.doneBy() != null) {
                    return Optional.of(new Refusal(Outcome.SKIPPED, "already done: this same run (" + run.runKey()
                            + ") succeeded in run " + attempt.doneBy()));
                }
                if (!attempt.taken()) {
                    return Optional.of(refusal(attempt.holder(), attempt.sameRun()));
                }
                attempt.holder().ifPresent(previous -> tookOver(run, key, previous, attempt.earlierAttempt()));
            }
            try {
                History.start(connection, run.id(), run.jobId(), pack, environment, run.runKey(), shard, started, me.until(), origin);
            } catch (SQLException | RuntimeException e) {
                if (key != null) {
                    Lease.release(connection, key, run.id()); // not left held for a run that does not go on
                }
                throw e;
            }
        } catch (SQLException | RuntimeException e) {
            return failedToBegin(e);
        }
        ScheduledFuture<?> renewal = renewer.scheduleAtFixedRate(() -> renew(run.id()), renewEvery().toMillis(),
                renewEvery().toMillis(), TimeUnit.MILLISECONDS);
        active.put(run.id(), new Active(key, renewal));
        return Optional.empty();
    }

    /**
     * However the run ended (also on a signal, the deadline, a configuration error): stops renewing,
     * completes (or writes) its history row and gives its lease up; waits for the database at most
     * {@link #END_WITHIN}. A failure here is logged, never the run's outcome.
     */
    public void end(Run run, RunRecord record) {
        if (store == null) {
            return;
        }
        Active guarded = active.remove(run.id());
        if (guarded != null) {
            guarded.renewal().cancel(false);
        }
        if (!usable()) {
            return;
        }
        Instant ended = record.started().plus(record.duration());
        Thread writer = new Thread(() -> {
            writing.readLock().lock();
            try {
                if (closed) {
                    return;
                }
                try (Connection connection = store.connection()) {
                    History.end(connection, run.id(), record, ended, origin);
                    if (guarded != null && guarded.key() != null) {
                        Lease.release(connection, guarded.key(), run.id());
                    }
                    pruneNowAndThen(connection);
                } catch (SQLException | RuntimeException e) {
                    trouble("the end of this run was not recorded", e);
                }
            } finally {
                writing.readLock().unlock();
            }
        }, "run-state-end");
        writer.setDaemon(true);
        writer.start();
        try {
            writer.join(END_WITHIN.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            LOG.warn("Run state: the end of this run was not recorded within {}s ({}); its history row will show LOST and"
                    + " its lease expires by itself", END_WITHIN.toSeconds(), store.shownUrl());
        }
    }

    /** The latest runs, newest first (of one job, or all when {@code job} is null). */
    public List<History.Row> history(String job, int limit) throws SQLException {
        try (Connection connection = store.connection()) {
            return History.latest(connection, job, limit, Instant.now());
        }
    }

    /** The store as it may be shown (password masked). */
    public String where() {
        return store == null ? "(none)" : store.shownUrl();
    }

    @Override
    public void close() {
        if (store == null) {
            return;
        }
        renewer.shutdownNow();
        closed = true;
        // the ends under way get their END_WITHIN; a database that does not answer never holds up the exit
        boolean quiet = false;
        try {
            quiet = writing.writeLock().tryLock(END_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            store.close();
        } finally {
            if (quiet) {
                writing.writeLock().unlock();
            }
        }
    }

    Duration renewEvery() {
        return ttl.dividedBy(3);
    }

    /**
     * How this run treats a live lease of the same run: Cloud Run's retry takes it over at once (its
     * earlier attempt has exited); a pod of a Kubernetes Job waits for it (it may be a live twin's);
     * any other run is refused as by any other run.
     */
    private static Lease.SameRun sameRun(Run run) {
        String runKey = Sql.fit(run.runKey(), History.RUN_KEY_SIZE);
        if (run.isRetryOfEarlierAttempt()) {
            return new Lease.SameRun(runKey, true);
        }
        return run.mayBeReplacementPod() ? new Lease.SameRun(runKey, false) : null;
    }

    private boolean usable() {
        return store != null && !degraded.get();
    }

    private void renew(String runId) {
        Active guarded = active.get(runId);
        if (guarded == null) {
            return;
        }
        Instant until = Instant.now().plus(ttl);
        try (Connection connection = store.connection()) {
            if (guarded.key() != null && !Lease.renew(connection, guarded.key(), runId, until)) {
                if (!active.replace(runId, guarded, new Active(null, guarded.renewal()))) {
                    return; // the run ended (and gave its lease up) while this renewal was under way
                }
                Optional<Lease.Holder> holder = Lease.holder(connection, guarded.key());
                LOG.warn("Run state: the lease of {} {} is no longer this run's ({}): it was not renewed within LEASE_TTL={}s;"
                        + " another run may be doing the same work", guarded.key().job(), describe(guarded.key()),
                        holder.map(h -> "now held by " + h.owner()).orElse("released"), ttl.toSeconds());
            }
            History.alive(connection, runId, until);
        } catch (SQLException | RuntimeException e) {
            LOG.warn("Run state: renewing the lease failed, will try again in {}s: {}", renewEvery().toSeconds(), StateStore.reason(e));
        }
    }

    private void pruneNowAndThen(Connection connection) throws SQLException {
        long now = System.currentTimeMillis();
        long last = lastPruned.get();
        if (now - last >= Pruning.EVERY.toMillis() && lastPruned.compareAndSet(last, now)) {
            Pruning.prune(connection, retention, Instant.now());
        }
    }

    private static void tookOver(Run run, Lease.Key key, Lease.Holder previous, boolean earlierAttempt) {
        if (earlierAttempt) {
            LOG.warn("Took over the lease of {} {} from an earlier attempt of this same run ({}: held by {} since {}), which"
                    + " ended without giving it up: the platform retried the task", run.jobId(), describe(key),
                    run.runKey(), previous.owner(), time(previous.since()));
        } else {
            LOG.warn("Took over the lease of {} {}: it was held by {} since {} and expired at {} without being released (that run"
                    + " died or hung)", run.jobId(), describe(key), previous.owner(), time(previous.since()), time(previous.until()));
        }
    }

    /**
     * Refused by a live holder: as OVERLAP_POLICY says, except for a holder of this same run (a twin pod
     * of one Kubernetes Job), which is doing this run's work: SKIPPED, as a failure would make the Job
     * retry, and at its backoff limit end the pod that works.
     */
    private Refusal refusal(Optional<Lease.Holder> holder, boolean bySameRun) {
        String reason = "already running: " + holder.map(h -> h.owner() + " since " + time(h.since()) + ", lease until "
                + time(h.until())).orElse("another run holds the lease") + (bySameRun ? " (this same run)" : "");
        return new Refusal(policy == OverlapPolicy.FAIL && !bySameRun ? Outcome.FAILED : Outcome.SKIPPED, reason, bySameRun);
    }

    private Optional<Refusal> failedToBegin(Exception e) {
        if (store.embedded()) {
            trouble("no lease taken", e);
            return Optional.empty();
        }
        return Optional.of(new Refusal(Outcome.FAILED, "cannot take the lease in the run state store " + store.shownUrl() + ": "
                + StateStore.reason(e)));
    }

    /** A store error: with the embedded default, said once and the store left alone from then on. */
    private void trouble(String what, Exception e) {
        if (store.embedded()) {
            if (degraded.compareAndSet(false, true)) {
                LOG.warn("Run state: {} ({}); going on without overlap lease and history", what, StateStore.reason(e));
            }
        } else {
            LOG.warn("Run state: {} in {}: {}", what, store.shownUrl(), StateStore.reason(e));
        }
        LOG.debug("Run state error", e);
    }

    private static String describe(Lease.Key key) {
        return Lease.WHOLE_JOB.equals(key.shard()) ? "(pack " + key.pack() + ")" : "(pack " + key.pack() + ", shard " + key.shard() + ")";
    }

    static String time(Instant time) {
        return time.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
