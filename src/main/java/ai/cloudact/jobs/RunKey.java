package ai.cloudact.jobs;

import java.text.ParseException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Map;
import java.util.TimeZone;
import java.util.UUID;

import org.quartz.CronExpression;

/**
 * The identity of one scheduled run, the same for every retry and task attempt of that run and
 * different for the next one, so the API can deduplicate through the Idempotency-Key:
 * the Cloud Run execution, else the Kubernetes Job (JOB_RUN_ID from the pod's job-name label), else
 * the schedule slot the run belongs to, else (a manual run outside both platforms) a fresh id.
 */
final class RunKey {

    private RunKey() {
    }

    static String of(Job job, Map<String, String> env, Instant now) {
        String execution = env.get("CLOUD_RUN_EXECUTION");
        if (execution != null && !execution.isBlank()) {
            return job.id() + ":" + execution + ":" + env.getOrDefault("CLOUD_RUN_TASK_INDEX", "0");
        }
        String kubernetesJob = env.get("JOB_RUN_ID");
        if (kubernetesJob != null && !kubernetesJob.isBlank()) {
            return job.id() + ":" + kubernetesJob;
        }
        Instant slot = scheduleSlot(job, now);
        return job.id() + ":" + (slot != null ? slot.toString() : UUID.randomUUID().toString());
    }

    /** The latest fire time of the job's cron at or before {@code now}; null for a manual job. */
    static Instant scheduleSlot(Job job, Instant now) {
        Job scheduled = JobCatalog.withSchedule(job);
        if (scheduled.isManual()) {
            return null;
        }
        try {
            CronExpression cron = new CronExpression(scheduled.schedule());
            cron.setTimeZone(TimeZone.getTimeZone(scheduled.timeZone()));
            // walk forward from a point safely before the previous slot (monthly jobs: 32 days)
            for (long lookBackDays : new long[] {1, 32}) {
                Date slot = null;
                Date next = cron.getNextValidTimeAfter(Date.from(now.minus(lookBackDays, ChronoUnit.DAYS)));
                while (next != null && !next.toInstant().isAfter(now)) {
                    slot = next;
                    next = cron.getNextValidTimeAfter(next);
                }
                if (slot != null) {
                    return slot.toInstant();
                }
            }
            return null;
        } catch (ParseException e) {
            throw new ConfigurationException(job.routeLocation() + ": invalid cron '" + scheduled.schedule() + "': "
                    + e.getMessage(), e);
        }
    }
}
