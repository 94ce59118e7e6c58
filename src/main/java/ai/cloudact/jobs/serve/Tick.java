package ai.cloudact.jobs.serve;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import ai.cloudact.jobs.catalog.Job;
import ai.cloudact.jobs.run.Outcome;
import ai.cloudact.jobs.run.RunRecord;
import ai.cloudact.jobs.runtime.RunKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /cron/tick}: runs every scheduled job whose cron fired since the last firing taken for it
 * (the {@link FiringLedger}), each firing at most once, however many ticks arrive together or again
 * (a caller such as Cloud Scheduler calls it every minute). Several missed firings of a job run once, for
 * the latest; one later than a minute follows the job's misfire policy ({@code skip}: not run). A job
 * never seen before counts only firings of the last minute: a first tick does not run last night's job.
 * The tick waits for its runs and logs one {@code TICK} line.
 */
final class Tick {

    private static final Logger LOG = LoggerFactory.getLogger("runner");
    /** How far back the first tick of a job looks; Cloud Scheduler ticks at most every minute. */
    static final Duration FIRST_TICK_WINDOW = Duration.ofMinutes(1);
    static final Duration MISFIRE_THRESHOLD = Duration.ofMillis(QuartzTriggers.MISFIRE_THRESHOLD_MS);

    /** What one tick did: jobs checked, runs started and how they ended, firings not run on purpose. */
    record Result(int checked, int executed, int succeeded, int failed, int skipped) {
        String line() {
            return "TICK checked=" + checked + " executed=" + executed + " succeeded=" + succeeded + " failed=" + failed
                    + " skipped=" + skipped;
        }
    }

    private final List<Job> jobs;
    private final FiringLedger ledger;
    private final Executions executions;

    Tick(List<Job> jobs, FiringLedger ledger, Executions executions) {
        this.jobs = jobs;
        this.ledger = ledger;
        this.executions = executions;
    }

    Result run(Instant now) throws SQLException {
        if (!executions.accepting()) {
            // before any claim: a firing taken by a tick that cannot run it would be lost
            throw new Executions.NotAccepting("the service is not taking runs now");
        }
        List<Executions.Execution> started = new ArrayList<>();
        int skipped = 0;
        for (Job job : jobs) {
            Instant slot = job.schedule().lastFireAtOrBefore(now);
            if (slot == null) {
                continue;
            }
            Instant last = ledger.last(job.id());
            Instant since = last != null ? last : now.minus(FIRST_TICK_WINDOW);
            if (!slot.isAfter(since) || !ledger.claim(job.id(), slot)) {
                continue; // nothing fired since, or another tick (or trigger) took this firing
            }
            if ("skip".equals(job.spec().getMisfire()) && slot.isBefore(now.minus(MISFIRE_THRESHOLD))) {
                LOG.warn("Job {} firing {} missed by more than {}s: skipped (misfire: skip)", job.id(), slot,
                        MISFIRE_THRESHOLD.toSeconds());
                skipped++;
                continue;
            }
            started.add(executions.start(job, RunKey.ofSlot(job, slot), "tick"));
        }
        int succeeded = 0;
        int failed = 0;
        for (Executions.Execution execution : started) {
            RunRecord record = execution.done().join();
            if (record.outcome() == Outcome.SUCCESS) {
                succeeded++;
            } else if (record.outcome() == Outcome.SKIPPED) {
                skipped++;
            } else {
                failed++;
            }
        }
        Result result = new Result(jobs.size(), started.size(), succeeded, failed, skipped);
        LOG.info(result.line());
        return result;
    }
}
