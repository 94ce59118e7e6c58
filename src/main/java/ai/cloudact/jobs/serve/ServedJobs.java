package ai.cloudact.jobs.serve;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import ai.cloudact.jobs.catalog.Job;
import ai.cloudact.jobs.catalog.JobCatalog;
import ai.cloudact.jobs.run.ConfigurationException;
import ai.cloudact.jobs.run.Environment;

/**
 * The jobs a service serves: those SERVE_JOBS names, else every job of the pack. All of them run on
 * request; the scheduled ones also on their cron. A gated job (its spec's {@code gate}: what must exist
 * before its trigger may fire) fires only when SERVE_JOBS names it, as the operator's word that the gate
 * is open, the way the deploy scripts keep its Cloud Scheduler trigger paused until told.
 *
 * @param all       every job served, in file name order
 * @param scheduled those that fire on their cron
 * @param gated     scheduled jobs whose trigger stays off (gated, not named in SERVE_JOBS)
 */
record ServedJobs(List<Job> all, List<Job> scheduled, List<Job> gated) {

    static ServedJobs select(JobCatalog catalog, String serveJobs, Environment environment) {
        if (serveJobs == null) {
            List<Job> all = catalog.jobs();
            List<Job> scheduled = all.stream().filter(job -> !job.isManual() && job.spec().getGate() == null).toList();
            List<Job> gated = all.stream().filter(job -> !job.isManual() && job.spec().getGate() != null).toList();
            return new ServedJobs(all, scheduled, gated);
        }
        Map<String, Job> named = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        for (String name : Arrays.stream(serveJobs.split(",")).map(String::trim).filter(n -> !n.isEmpty()).toList()) {
            catalog.find(name, environment).ifPresentOrElse(job -> named.put(job.id(), job), () -> unknown.add(name));
        }
        if (!unknown.isEmpty() || named.isEmpty()) {
            throw new ConfigurationException("SERVE_JOBS=" + serveJobs + ": " + (unknown.isEmpty() ? "names no job" : "unknown job(s) " + unknown)
                    + "; the jobs of pack " + catalog.pack().name() + ":" + catalog.validNames());
        }
        List<Job> all = List.copyOf(named.values());
        return new ServedJobs(all, all.stream().filter(job -> !job.isManual()).toList(), List.of());
    }

    /** A served job by id or long name. */
    Optional<Job> find(String idOrName) {
        return all.stream().filter(job -> job.id().equals(idOrName) || job.longName().equals(idOrName)).findFirst();
    }

    List<String> ids(List<Job> jobs) {
        return jobs.stream().map(Job::id).toList();
    }
}
