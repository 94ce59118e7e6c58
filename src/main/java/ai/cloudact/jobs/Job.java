package ai.cloudact.jobs;

/**
 * One job.
 *
 * @param id            the short name: route id and file name ({@code <id>.yaml})
 * @param name          the long name used by Cloud Run Jobs and Cloud Scheduler
 * @param summary       what the job calls, in one line
 * @param routeLocation where its route file is: {@code classpath:routes/<id>.yaml}, or a file
 *                      under ROUTES_DIR that adds or overrides it
 * @param schedule      the trigger's cron (Quartz syntax), or {@code null} for a job that only runs
 *                      when started by hand (or when not read yet, see {@link JobCatalog#withSchedule})
 * @param timeZone      the time zone of the cron
 */
public record Job(String id, String name, String summary, String routeLocation, String schedule, String timeZone) {

    public boolean isManual() {
        return schedule == null;
    }
}
