package ai.cloudact.jobs;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The container's entry point: {@code java -jar scheduler-jobs.jar} runs the job named by
 * {@code JOB_ID} (or {@code -Dcamel.job}) once and exits 0 (success), 1 (the job failed) or
 * 2 (configuration or usage error). {@code --list} prints the catalog.
 */
public final class JobRunner {

    /** Default JOB_TIMEOUT: inside Cloud Run's default task timeout (10 min), so the summary is still logged. */
    static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(570);

    private JobRunner() {
    }

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.getenv()).code);
    }

    static ExitCode run(List<String> args, Map<String, String> env) {
        long started = System.nanoTime();
        // the log format and labels are fixed before the first logger is created
        String requested = setting("camel.job", "JOB_ID", env);
        String environmentName = setting("environment", "ENVIRONMENT", env);
        LogSetup.prepare(env, requested, environmentName == null ? "local" : environmentName, env.get("GCP_PROJECT_ID"));
        Logger log = LoggerFactory.getLogger(JobRunner.class);
        try {
            String routesDir = setting("routes.dir", "ROUTES_DIR", env);
            JobCatalog catalog = JobCatalog.load(routesDir == null ? null : Path.of(routesDir));
            if (args.contains("--help") || args.contains("-h")) {
                System.out.println(usage());
                return ExitCode.SUCCESS;
            }
            if (!args.isEmpty() && args.get(0).equals("--validate")) {
                return validate(args, catalog, log);
            }
            if (args.contains("--list")) {
                System.out.print(catalog.describe());
                return ExitCode.SUCCESS;
            }
            if (!args.isEmpty()) {
                throw new ConfigurationException("Unknown argument(s) " + args + ".\n" + usage());
            }
            if (requested == null) {
                throw new ConfigurationException("No job selected: set JOB_ID (or -Dcamel.job) to one of:"
                        + catalog.validNames());
            }
            Job job = catalog.find(requested).orElseThrow(() -> new ConfigurationException(
                    "Unknown job '" + requested + "': set JOB_ID (or -Dcamel.job) to one of:" + catalog.validNames()));
            Environment environment = Environment.parse(environmentName);
            String camelProfile = setting("camel.main.profile", "CAMEL_MAIN_PROFILE", env);
            if (camelProfile != null && !camelProfile.equals(environment.id())) {
                // Camel would load that profile's settings (prod URLs, prod secrets) behind ENVIRONMENT's back
                throw new ConfigurationException("CAMEL_MAIN_PROFILE=" + camelProfile + " contradicts ENVIRONMENT="
                        + environment.id() + ": the environment decides the settings; unset CAMEL_MAIN_PROFILE and set ENVIRONMENT.");
            }
            Duration deadline = deadline(setting("job.timeout", "JOB_TIMEOUT", env));
            String runKey = RunKey.of(job, env, Instant.now());

            Map<String, String> overrides = new HashMap<>();
            Optional<LocalStandIn> sandbox = environment == Environment.LOCAL ? startSandbox(env, overrides, log) : Optional.empty();
            try {
                return new JobExecution(job, environment, overrides, deadline, runKey).run();
            } finally {
                sandbox.ifPresent(LocalStandIn::close);
            }
        } catch (ConfigurationException e) {
            log.error("Configuration error: {}", e.getMessage());
            if (args.isEmpty()) {
                log.info(JobExecution.summaryLine(requested == null ? "-" : requested,
                        environmentName == null ? "local" : environmentName, "CONFIGURATION_ERROR", started, "",
                        e.getMessage().lines().findFirst().orElse("")));
            }
            return ExitCode.CONFIGURATION_ERROR;
        }
    }

    /** {@code --validate [dir]}: every problem as file:line, exit 2 if there is any. */
    private static ExitCode validate(List<String> args, JobCatalog catalog, Logger log) {
        if (args.size() > 2) {
            throw new ConfigurationException("Usage: --validate [dir]");
        }
        Path dir = args.size() == 2 ? Path.of(args.get(1)) : null;
        if (dir != null && !java.nio.file.Files.isDirectory(dir)) {
            throw new ConfigurationException("--validate: " + dir + " is not a directory");
        }
        try {
            List<String> problems = RouteValidator.validate(dir, catalog);
            problems.forEach(System.out::println);
            System.out.println(problems.isEmpty() ? "OK: every route is valid" : problems.size() + " problem(s)");
            return problems.isEmpty() ? ExitCode.SUCCESS : ExitCode.CONFIGURATION_ERROR;
        } catch (java.io.IOException e) {
            throw new ConfigurationException("--validate: " + e.getMessage(), e);
        }
    }

    /** JOB_TIMEOUT: seconds ("600"), a number with s, m or h ("10m"), or ISO-8601 ("PT10M"). */
    static Duration deadline(String value) {
        if (value == null) {
            return DEFAULT_DEADLINE;
        }
        String text = value.trim().toLowerCase(Locale.ROOT);
        try {
            Duration parsed;
            if (text.startsWith("pt")) {
                parsed = Duration.parse(text.toUpperCase(Locale.ROOT));
            } else if (text.matches("\\d+")) {
                parsed = Duration.ofSeconds(Long.parseLong(text));
            } else if (text.matches("\\d+[smh]")) {
                long amount = Long.parseLong(text.substring(0, text.length() - 1));
                parsed = switch (text.charAt(text.length() - 1)) {
                    case 's' -> Duration.ofSeconds(amount);
                    case 'm' -> Duration.ofMinutes(amount);
                    default -> Duration.ofHours(amount);
                };
            } else {
                throw new DateTimeParseException("not a duration", text, 0);
            }
            if (parsed.isZero() || parsed.isNegative()) {
                throw new DateTimeParseException("not positive", text, 0);
            }
            return parsed;
        } catch (DateTimeParseException e) {
            throw new ConfigurationException("Invalid JOB_TIMEOUT '" + value + "': use seconds (600), 10m, 1h or PT10M.");
        }
    }

    /**
     * In the local environment, starts the sandbox when one is on the class path (never in the image)
     * and points at it every remote system the user has not configured.
     */
    private static Optional<LocalStandIn> startSandbox(Map<String, String> env, Map<String, String> overrides, Logger log) {
        Optional<LocalStandIn> found = ServiceLoader.load(LocalStandIn.class).findFirst();
        found.ifPresent(sandbox -> {
            Map<String, String> pointers = new TreeMap<>(sandbox.start());
            List<String> standingIn = new ArrayList<>();
            pointers.forEach((key, value) -> {
                String envName = key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
                if (setting(key, envName, env) == null) {
                    overrides.put(key, value);
                    standingIn.add(envName + "=" + value);
                }
            });
            log.warn("LOCAL SANDBOX: nothing real is called; in-process stand-ins for {}", standingIn);
        });
        return found;
    }

    /** A setting from a system property, else from the environment variable; blank counts as unset. */
    static String setting(String property, String envName, Map<String, String> env) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = env.get(envName);
        }
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static String usage() {
        return """
                Usage: java -jar scheduler-jobs.jar            run the job named by JOB_ID (or -Dcamel.job)
                       java -jar scheduler-jobs.jar --list     list the jobs
                       java -jar scheduler-jobs.jar --validate [dir]
                                                               check route files (default: the shipped ones)
                Exit codes: 0 success, 1 the job failed, 2 configuration or usage error.""";
    }
}
