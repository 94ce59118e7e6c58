package ai.cloudact.jobs.runtime;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import ai.cloudact.jobs.catalog.Job;

/**
 * The identity of one scheduled run, the same for every retry and task attempt of that run and
 * different for the next one, so the API can deduplicate through the Idempotency-Key:
 * the Cloud Run execution, else the Kubernetes Job (JOB_RUN_ID from the pod's job-name label), else
 * the schedule slot the run belongs to, else (a manual run outside both platforms) a fresh id.
 */
public final class RunKey {

    private RunKey() {
    }

    public static String of(Job job, Map<String, String> env, Instant now) {
        String execution = env.get("CLOUD_RUN_EXECUTION");
        if (execution != null && !execution.isBlank()) {
            return job.id() + ":" + execution + ":" + env.getOrDefault("CLOUD_RUN_TASK_INDEX", "0");
        }
        String kubernetesJob = env.get("JOB_RUN_ID");
        if (kubernetesJob != null && !kubernetesJob.isBlank()) {
            // an Indexed Job's pods are its tasks, each with its own run (as Cloud Run's task index)
            String index = env.get("JOB_COMPLETION_INDEX");
            return job.id() + ":" + kubernetesJob + (index == null || index.isBlank() ? "" : ":" + index.trim());
        }
        Instant slot = job.isManual() ? null : job.schedule().lastFireAtOrBefore(now);
        return slot != null ? ofSlot(job, slot) : job.id() + ":" + UUID.randomUUID();
    }

    /** Cloud Run's retry of a task (CLOUD_RUN_TASK_ATTEMPT above 0 in an execution): the same run, tried again. */
    static boolean isLaterCloudRunAttempt(Map<String, String> env) {
        String execution = env.get("CLOUD_RUN_EXECUTION");
        String attempt = env.getOrDefault("CLOUD_RUN_TASK_ATTEMPT", "0").trim();
        return execution != null && !execution.isBlank() && attempt.matches("\\d{1,6}") && Integer.parseInt(attempt) > 0;
    }

    /**
     * A pod of a Kubernetes Job of the generated manifests (JOB_RUN_ID, the Job's name): it cannot tell
     * whether it replaces a pod of the same Job that failed, or (rarely) runs beside another live one.
     */
    static boolean isKubernetesJobPod(Map<String, String> env) {
        String kubernetesJob = env.get("JOB_RUN_ID");
        return kubernetesJob != null && !kubernetesJob.isBlank();
    }

    /** The identity of the run of one firing of the job's schedule, whichever process or trigger runs it. */
    public static String ofSlot(Job job, Instant slot) {
        return job.id() + ":" + slot;
    }
}
