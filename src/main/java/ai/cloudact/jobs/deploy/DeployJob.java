package ai.cloudact.jobs.deploy;

import java.util.List;

/**
 * A catalog entry as the deploy targets need it: the schedule from the job's route, plus the
 * optional deploy settings of its catalog entry with their defaults filled in.
 *
 * @param cron           five-field cron for Cloud Scheduler and Kubernetes, or {@code null} for a manual job
 * @param timeZone       the cron's time zone (the route's {@code trigger.timeZone}, default Etc/UTC)
 * @param timeoutSeconds the limit of one attempt
 * @param retries        attempts after the first failure
 * @param memory         Kubernetes quantity, also accepted by Cloud Run ({@code 512Mi}, {@code 1Gi})
 * @param cpu            vCPUs ({@code 1}, {@code 2})
 * @param secrets        environment variables filled from Secret Manager
 * @param gate           {@code null}, or what must exist before the trigger may fire ({@code billing-endpoint})
 */
public record DeployJob(String id, String name, String cron, String timeZone, int timeoutSeconds, int retries,
                        String memory, String cpu, List<String> secrets, String gate) {

    public static final String DEFAULT_TIME_ZONE = "Etc/UTC";
    public static final int DEFAULT_TIMEOUT_SECONDS = 600;
    public static final int DEFAULT_RETRIES = 1;
    public static final String DEFAULT_MEMORY = "512Mi";
    public static final String DEFAULT_CPU = "1";
    public static final List<String> DEFAULT_SECRETS = List.of("CA_ROOT_API_KEY");

    public boolean isManual() {
        return cron == null;
    }

    public boolean isGated() {
        return gate != null;
    }
}
