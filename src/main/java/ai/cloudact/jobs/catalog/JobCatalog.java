package ai.cloudact.jobs.catalog;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import ai.cloudact.jobs.run.ConfigurationException;
import ai.cloudact.jobs.run.Environment;

/**
 * The jobs of a pack: one job file {@code <id>.yaml} per job in the pack's directory, with the files
 * of a ROUTES_DIR (e.g. a mounted ConfigMap) laid over them, which override shipped jobs or add new
 * ones. The files are the only source: nothing else lists the jobs. A file is read only when it is
 * needed, so a broken file of another job does not stop this one.
 */
public final class JobCatalog {

    private static final String SUFFIX = ".yaml";
    private static final String SANDBOX_SUFFIX = ".sandbox.yaml";

    private final Pack pack;
    /** id to location, in file name order; ROUTES_DIR wins. */
    private final Map<String, String> files;
    private final Map<String, Job> read = new LinkedHashMap<>();

    private JobCatalog(Pack pack, Map<String, String> files) {
        this.pack = pack;
        this.files = files;
    }

    public static JobCatalog load(Pack pack, Path routesDir) {
        Map<String, String> files = new LinkedHashMap<>();
        for (String name : Locations.list(pack.directory())) {
            if (isJobFile(name)) {
                files.put(idOf(name), pack.directory() + name);
            }
        }
        if (routesDir != null) {
            if (!Files.isDirectory(routesDir)) {
                throw new ConfigurationException("ROUTES_DIR " + routesDir + " is not a directory.");
            }
            for (String name : Locations.list(Locations.ofFile(routesDir))) {
                if (isJobFile(name)) {
                    files.put(idOf(name), Locations.ofFile(routesDir.resolve(name)));
                }
            }
        }
        return new JobCatalog(pack, files);
    }

    public Pack pack() {
        return pack;
    }

    /** The job ids, in file name order, without reading the files. */
    public List<String> ids() {
        return List.copyOf(files.keySet());
    }

    /** Where the job file of this id is; null when there is none. */
    public String location(String id) {
        return files.get(id);
    }

    /** The job with this id; ConfigurationException naming the file when it does not exist or is broken. */
    public synchronized Job job(String id) {
        Job job = read.get(id);
        if (job == null) {
            String location = files.get(id);
            if (location == null) {
                throw new ConfigurationException("Unknown job '" + id + "' in pack " + pack.name());
            }
            try {
                job = JobFile.read(id, location, pack);
            } catch (RuntimeException e) {
                throw new ConfigurationException(location + ": " + e.getMessage(), e);
            }
            read.put(id, job);
        }
        return job;
    }

    /** Every job; the broken files are reported in {@code problems} as "location: reason". */
    public List<Job> jobs(List<String> problems) {
        List<Job> jobs = new ArrayList<>();
        for (String id : files.keySet()) {
            try {
                jobs.add(job(id));
            } catch (ConfigurationException e) {
                problems.add(e.getMessage());
            }
        }
        return jobs;
    }

    /** Every job; the first broken file fails with its name and reason. */
    public List<Job> jobs() {
        List<String> problems = new ArrayList<>();
        List<Job> jobs = jobs(problems);
        if (!problems.isEmpty()) {
            throw new ConfigurationException(problems.get(0));
        }
        return jobs;
    }

    /**
     * Finds a job by id, long name, or deployed name in the environment
     * ({@code cloudact-daily-quota-reset-stage}, {@code validibot-clear-sessions-dev}). By id only its
     * own file is read; a name is looked up in every readable file.
     */
    public Optional<Job> find(String wanted, Environment environment) {
        String name = wanted.trim();
        if (files.containsKey(name)) {
            return Optional.of(job(name));
        }
        for (String id : files.keySet()) {
            try {
                Job job = job(id);
                if (job.longName().equals(name) || pack.deployName(job, environment).equals(name)) {
                    return Optional.of(job);
                }
            } catch (ConfigurationException unreadable) {
                // another job's broken file cannot be the one asked for by a name it never declared
            }
        }
        return Optional.empty();
    }

    /** The valid job ids and long names, for error messages. */
    public String validNames() {
        StringBuilder names = new StringBuilder();
        for (String id : files.keySet()) {
            String longName;
            try {
                longName = job(id).longName();
            } catch (ConfigurationException e) {
                longName = "(file unreadable: " + e.getMessage() + ")";
            }
            names.append(String.format("%n  %-28s %s", id, longName));
        }
        return names.toString();
    }

    private static boolean isJobFile(String name) {
        return name.endsWith(SUFFIX) && !name.endsWith(SANDBOX_SUFFIX);
    }

    private static String idOf(String fileName) {
        return fileName.substring(0, fileName.length() - SUFFIX.length());
    }
}
