package ai.cloudact.jobs;

/**
 * One catalog entry.
 *
 * @param id       the short name: route id and file name under {@code routes/}
 * @param name     the long name used by Cloud Run Jobs and Cloud Scheduler
 * @param summary  what the job calls, in one line
 * @param schedule the trigger's cron (Quartz syntax, UTC unless the route says otherwise), or
 *                 {@code null} for a job that only runs when started by hand
 * @param timeZone the time zone of the cron
 */
public record Job(String id, String name, String summary, String schedule, String timeZone) {

    public boolean isManual() {
        return schedule == null;
    }

    public String routeFile() {
        return "routes/" + id + ".yaml";
    }
}
