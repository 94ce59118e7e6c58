package ai.cloudact.jobs.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ai.cloudact.jobs.Job;
import ai.cloudact.jobs.JobCatalog;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Reads {@code catalog.yaml} and each job's route file from a resources directory (normally
 * {@code src/main/resources}) the way {@link ai.cloudact.jobs.JobCatalog} does, plus the optional
 * deploy settings. It reads a directory rather than the class path so that the deploy files are
 * generated from the sources, and so that a test can feed it a catalog with a job added.
 */
public final class DeployCatalog {

    private static final Pattern DURATION = Pattern.compile("(\\d+)([smh])");
    private static final Set<String> GATES = Set.of("billing-endpoint");
    private static final Set<String> SECRETS = Set.of("CA_ROOT_API_KEY", "SUPABASE_ACCESS_TOKEN");

    private DeployCatalog() {
    }

    public static List<DeployJob> load(Path resources) {
        List<DeployJob> jobs = new ArrayList<>();
        for (Object entry : (List<?>) read(resources.resolve("catalog.yaml"))) {
            Map<?, ?> fields = (Map<?, ?>) entry;
            String id = required(fields, "id");
            Map<?, ?> parameters = triggerParameters(resources, id);
            Object cron = parameters.get("cron");
            Object timeZone = parameters.get("trigger.timeZone");
            jobs.add(new DeployJob(
                    id,
                    required(fields, "name"),
                    cron == null ? null : QuartzCron.toUnix(cron.toString()),
                    timeZone == null ? DeployJob.DEFAULT_TIME_ZONE : timeZone.toString(),
                    fields.containsKey("timeout") ? seconds(id, fields.get("timeout").toString()) : DeployJob.DEFAULT_TIMEOUT_SECONDS,
                    fields.containsKey("retries") ? Integer.parseInt(fields.get("retries").toString()) : DeployJob.DEFAULT_RETRIES,
                    fields.containsKey("memory") ? fields.get("memory").toString() : DeployJob.DEFAULT_MEMORY,
                    fields.containsKey("cpu") ? fields.get("cpu").toString() : DeployJob.DEFAULT_CPU,
                    secrets(id, fields.get("secrets")),
                    gate(id, fields.get("gate"))));
        }
        return jobs;
    }

    /**
     * The parameters of the route's quartz trigger. A catalog entry whose route file does not exist
     * yet deploys as a manual job: running it then fails with the runner's own message.
     */
    private static Map<?, ?> triggerParameters(Path resources, String id) {
        Path route = resources.resolve("routes").resolve(id + ".yaml");
        if (!Files.exists(route)) {
            return Map.of();
        }
        Map<?, ?> from = JobCatalog.fromOf(new Job(id, id, "", "file:" + route.toAbsolutePath(), null, null));
        return from.get("parameters") instanceof Map<?, ?> parameters ? parameters : Map.of();
    }

    static int seconds(String id, String duration) {
        Matcher m = DURATION.matcher(duration.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("catalog.yaml, " + id + ": timeout '" + duration + "' must look like 90s, 10m or 1h");
        }
        int n = Integer.parseInt(m.group(1));
        return switch (m.group(2)) {
            case "h" -> n * 3600;
            case "m" -> n * 60;
            default -> n;
        };
    }

    private static List<String> secrets(String id, Object value) {
        if (value == null) {
            return DeployJob.DEFAULT_SECRETS;
        }
        List<String> names = ((List<?>) value).stream().map(Object::toString).toList();
        for (String name : names) {
            if (!SECRETS.contains(name)) {
                throw new IllegalArgumentException("catalog.yaml, " + id + ": unknown secret " + name + ", known: " + SECRETS);
            }
        }
        return names;
    }

    private static String gate(String id, Object value) {
        if (value != null && !GATES.contains(value.toString())) {
            throw new IllegalArgumentException("catalog.yaml, " + id + ": unknown gate " + value + ", known: " + GATES);
        }
        return value == null ? null : value.toString();
    }

    private static Object read(Path file) {
        try {
            return new Load(LoadSettings.builder().setLabel(file.toString()).build()).loadFromString(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static String required(Map<?, ?> fields, String key) {
        Object value = fields.get(key);
        if (value == null) {
            throw new IllegalArgumentException("catalog.yaml: an entry has no '" + key + "': " + fields);
        }
        return value.toString();
    }
}
