package ai.cloudact.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The jobs this image can run: {@code catalog.yaml} (ids, long names, summaries) plus each job's
 * schedule, read from the quartz trigger of its own route file so the schedule has one source.
 */
public final class JobCatalog {

    static final String DEFAULT_TIME_ZONE = "Etc/UTC";

    private final List<Job> jobs;

    private JobCatalog(List<Job> jobs) {
        this.jobs = List.copyOf(jobs);
    }

    /** The catalog on the class path, without schedules (reading them needs each route file). */
    public static JobCatalog load() {
        List<Job> jobs = new ArrayList<>();
        for (Object entry : (List<?>) readYaml("catalog.yaml")) {
            Map<?, ?> fields = (Map<?, ?>) entry;
            jobs.add(new Job(text(fields, "id"), text(fields, "name"), text(fields, "summary"), null, null));
        }
        return new JobCatalog(jobs);
    }

    public List<Job> jobs() {
        return jobs;
    }

    /** Finds a job by its id or its long name. */
    public Optional<Job> find(String idOrName) {
        String wanted = idOrName.trim();
        return jobs.stream().filter(job -> job.id().equals(wanted) || job.name().equals(wanted)).findFirst();
    }

    /** The job with the schedule of its route's quartz trigger filled in. */
    public static Job withSchedule(Job job) {
        Map<?, ?> from = fromOf(job);
        Map<?, ?> parameters = from.get("parameters") instanceof Map<?, ?> map ? map : Map.of();
        Object cron = parameters.get("cron");
        Object timeZone = parameters.get("trigger.timeZone");
        return new Job(job.id(), job.name(), job.summary(), cron == null ? null : cron.toString(),
                timeZone == null ? DEFAULT_TIME_ZONE : timeZone.toString());
    }

    /** The trigger ({@code from}) of the job's route, read as plain YAML without starting Camel. */
    static Map<?, ?> fromOf(Job job) {
        Object document = readYaml(job.routeFile());
        if (document instanceof List<?> items) {
            for (Object item : items) {
                if (item instanceof Map<?, ?> map && map.get("route") instanceof Map<?, ?> route
                        && job.id().equals(route.get("id")) && route.get("from") instanceof Map<?, ?> from) {
                    return from;
                }
            }
        }
        throw new ConfigurationException(job.routeFile() + " has no route with id '" + job.id()
                + "' and a 'from' trigger: the route id must match the file name.");
    }

    /** A table of every job for {@code --list}: id, long name, schedule, what it calls. */
    public String describe() {
        StringBuilder table = new StringBuilder(String.format("%-15s %-34s %-28s %s%n", "JOB", "LONG NAME", "SCHEDULE", "CALLS"));
        for (Job job : jobs) {
            String schedule;
            try {
                Job scheduled = withSchedule(job);
                schedule = scheduled.isManual() ? "manual" : scheduled.schedule() + " " + scheduled.timeZone();
            } catch (RuntimeException e) {
                schedule = "(route file unreadable)";
            }
            table.append(String.format("%-15s %-34s %-28s %s%n", job.id(), job.name(), schedule, job.summary()));
        }
        return table.toString();
    }

    /** The valid job ids and long names, for error messages. */
    public String validNames() {
        StringBuilder names = new StringBuilder();
        for (Job job : jobs) {
            names.append(String.format("%n  %-15s %s", job.id(), job.name()));
        }
        return names.toString();
    }

    private static Object readYaml(String resource) {
        try (InputStream in = JobCatalog.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new ConfigurationException(resource + " is missing from the class path.");
            }
            return new Load(LoadSettings.builder().setLabel(resource).build()).loadFromInputStream(in);
        } catch (IOException e) {
            throw new ConfigurationException("Cannot read " + resource + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (e instanceof ConfigurationException) {
                throw e;
            }
            throw new ConfigurationException("Cannot parse " + resource + ": " + e.getMessage(), e);
        }
    }

    private static String text(Map<?, ?> fields, String key) {
        Object value = fields.get(key);
        if (value == null) {
            throw new ConfigurationException("catalog.yaml: an entry has no '" + key + "': " + fields);
        }
        return value.toString();
    }
}
