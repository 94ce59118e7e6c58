package ai.cloudact.jobs.run;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A finished run, as the summary line and the run history keep it. Made once, at the end, from the
 * live {@link Run}; nothing changes it afterwards.
 *
 * @param job         the job id (or what JOB_ID said, when no job was found)
 * @param pack        the pack
 * @param environment the environment
 * @param runKey      the run's identity (base of the Idempotency-Keys); null before it was known
 * @param started     when the run started
 * @param duration    how long it took
 * @param outcome     how it ended
 * @param attempts    HTTP requests, retries included
 * @param httpStatus  the last HTTP status, or null
 * @param fanOut      whether ok/failed/skipped count items of a fan-out
 * @param ok          items done
 * @param failed      items that failed
 * @param skipped     items skipped on purpose
 * @param results     results such as rows_deleted, by name
 * @param extra       what the route added to the summary (its jobResult), or null
 * @param shard       "i/N" for one of N parallel tasks, else null
 * @param reason      what went wrong and what to check, or why it was skipped; null on success
 */
public record RunRecord(String job, String pack, String environment, String runKey, Instant started, Duration duration,
                        Outcome outcome, int attempts, Integer httpStatus, boolean fanOut, int ok, int failed, int skipped,
                        Map<String, String> results, String extra, String shard, String reason) {

    /** The record of a live run ending now. */
    public static RunRecord of(Run run, String pack, String environment, Instant started, Outcome outcome, String extra,
                               String shard, String reason) {
        Duration took = Duration.ofNanos(System.nanoTime() - run.startedNanos());
        return new RunRecord(run.jobId(), pack, environment, run.runKey(), started, took, outcome, run.attempts(), run.httpStatus(),
                run.isFanOut(), run.ok(), run.failed(), run.skipped(), run.results(), extra, shard, reason);
    }

    public ExitCode exitCode() {
        return outcome.exitCode;
    }
}
