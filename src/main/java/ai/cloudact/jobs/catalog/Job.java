package ai.cloudact.jobs.catalog;

import java.util.List;

/**
 * One job, as its job file declares it.
 *
 * @param id       the short name: route id and file name ({@code <id>.yaml})
 * @param pack     the pack it belongs to
 * @param location its job file: {@code classpath:packs/<pack>/<id>.yaml}, or a file under ROUTES_DIR
 * @param summary  the route's {@code description}: what the job does, in one line
 * @param spec     the deploy facts of its {@link JobSpec} bean (defaults when the file has none)
 * @param schedule the quartz trigger's cron and time zone; null for a job started only by hand
 * @param secrets  the secrets it reads ({@code {{secret:NAME}}} in the file), in order of appearance
 * @param notes    what the file leaves to defaults that it should say (for {@code --validate})
 */
public record Job(String id, String pack, String location, String summary, JobSpec spec, Schedule schedule,
                  List<String> secrets, List<String> notes) {

    public boolean isManual() {
        return schedule == null;
    }

    /** The name the platforms show and JOB_ID accepts: the spec's longName, else {@code <pack>-<id>}. */
    public String longName() {
        return spec.getLongName() != null ? spec.getLongName() : pack + "-" + id;
    }

    /** {@code pack/id}: how tests and messages name a job. */
    @Override
    public String toString() {
        return pack + "/" + id;
    }

    /** Where the local sandbox's answers for this job are declared, beside the job file. */
    public String sandboxLocation() {
        return location.replaceFirst("\\.yaml$", ".sandbox.yaml");
    }
}
