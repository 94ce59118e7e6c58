package ai.cloudact.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The jobs this image can run: {@code catalog.yaml} (ids, long names, summaries) plus each job's
 * schedule, read from the quartz trigger of its own route file so the schedule has one source.
 * A ROUTES_DIR (e.g. a mounted ConfigMap) overrides shipped route files and can add jobs.
 */
public final class JobCatalog {

    static final String DEFAULT_TIME_ZONE = "Etc/UTC";

    private final List<Job> jobs;

    private JobCatalog(List<Job> jobs) {
        this.jobs = List.copyOf(jobs);
    }

    /** The shipped catalog, without schedules (reading them needs each route file). */
    public static JobCatalog load() {
        return load(null);
    }

    /** The shipped catalog with the route files of {@code routesDir} (may be null) laid over it. */
    public static JobCatalog load(Path routesDir) {
        Map<String, Job> jobs = new LinkedHashMap<>();
        for (Object entry : (List<?>) readYaml("classpath:catalog.yaml")) {
            Map<?, ?> fields = (Map<?, ?>) entry;
            String id = text(fields, "id");
            jobs.put(id, new Job(id, text(fields, "name"), text(fields, "summary"),
                    "classpath:routes/" + id + ".yaml", null, null));
        }
        if (routesDir != null) {
            if (!Files.isDirectory(routesDir)) {
                throw new ConfigurationException("ROUTES_DIR " + routesDir + " is not a directory.");
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(routesDir, "*.yaml")) {
                for (Path file : files) {
                    String id = file.getFileName().toString().replaceFirst("\\.yaml$", "");
                    Job shipped = jobs.get(id);
                    String location = "file:" + file.toAbsolutePath();
                    jobs.put(id, shipped == null
                            ? new Job(id, id, "(added by ROUTES_DIR)", location, null, null)
                            : new Job(id, shipped.name(), shipped.summary(), location, null, null));
                }
            } catch (IOException e) {
                throw new ConfigurationException("Cannot read ROUTES_DIR " + routesDir + ": " + e.getMessage(), e);
            }
        }
        return new JobCatalog(new ArrayList<>(jobs.values()));
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
        return new Job(job.id(), job.name(), job.summary(), job.routeLocation(), cron == null ? null : cron.toString(),
                timeZone == null ? DEFAULT_TIME_ZONE : timeZone.toString());
    }

    /** The trigger ({@code from}) of the job's route, read as plain YAML without starting Camel. */
    public static Map<?, ?> fromOf(Job job) {
        Object document = readYaml(job.routeLocation());
        if (document instanceof List<?> items) {
            for (Object item : items) {
                if (item instanceof Map<?, ?> map && map.get("route") instanceof Map<?, ?> route
                        && job.id().equals(route.get("id")) && route.get("from") instanceof Map<?, ?> from) {
                    return from;
                }
            }
        }
        throw new ConfigurationException(job.routeLocation() + " has no route with id '" + job.id()
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

    private static Object readYaml(String location) {
        try (InputStream in = open(location)) {
            if (in == null) {
                throw new ConfigurationException(location + " does not exist.");
            }
            return new Load(LoadSettings.builder().setLabel(location).build()).loadFromInputStream(in);
        } catch (IOException e) {
            throw new ConfigurationException("Cannot read " + location + ": " + e.getMessage(), e);
        } catch (ConfigurationException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ConfigurationException("Cannot parse " + location + ": " + e.getMessage(), e);
        }
    }

    private static InputStream open(String location) throws IOException {
        if (location.startsWith("file:")) {
            Path path = Path.of(location.substring("file:".length()));
            return Files.exists(path) ? Files.newInputStream(path) : null;
        }
        return JobCatalog.class.getClassLoader().getResourceAsStream(location.substring("classpath:".length()));
    }

    private static String text(Map<?, ?> fields, String key) {
        Object value = fields.get(key);
        if (value == null) {
            throw new ConfigurationException("catalog.yaml: an entry has no '" + key + "': " + fields);
        }
        return value.toString();
    }
}
