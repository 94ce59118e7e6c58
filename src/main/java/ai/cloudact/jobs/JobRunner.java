package ai.cloudact.jobs;

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

    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

    private JobRunner() {
    }

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.getenv()).code);
    }

    static ExitCode run(List<String> args, Map<String, String> env) {
        try {
            JobCatalog catalog = JobCatalog.load();
            if (args.contains("--help") || args.contains("-h")) {
                System.out.println(usage());
                return ExitCode.SUCCESS;
            }
            if (args.contains("--list")) {
                System.out.print(catalog.describe());
                return ExitCode.SUCCESS;
            }
            if (!args.isEmpty()) {
                throw new ConfigurationException("Unknown argument(s) " + args + ".\n" + usage());
            }
            String requested = setting("camel.job", "JOB_ID", env);
            if (requested == null) {
                throw new ConfigurationException("No job selected: set JOB_ID (or -Dcamel.job) to one of:"
                        + catalog.validNames());
            }
            Job job = catalog.find(requested).orElseThrow(() -> new ConfigurationException(
                    "Unknown job '" + requested + "': set JOB_ID (or -Dcamel.job) to one of:" + catalog.validNames()));
            Environment environment = Environment.parse(setting("environment", "ENVIRONMENT", env));

            Map<String, String> overrides = new HashMap<>();
            Optional<LocalStandIn> sandbox = environment == Environment.LOCAL ? startSandbox(env, overrides) : Optional.empty();
            try {
                return new JobExecution(job, environment, overrides).run();
            } finally {
                sandbox.ifPresent(LocalStandIn::close);
            }
        } catch (ConfigurationException e) {
            LOG.error("Configuration error: {}", e.getMessage());
            return ExitCode.CONFIGURATION_ERROR;
        }
    }

    /**
     * In the local environment, starts the sandbox when one is on the class path (never in the image)
     * and points at it every remote system the user has not configured.
     */
    private static Optional<LocalStandIn> startSandbox(Map<String, String> env, Map<String, String> overrides) {
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
            LOG.warn("LOCAL SANDBOX: nothing real is called; in-process stand-ins for {}", standingIn);
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
                Exit codes: 0 success, 1 the job failed, 2 configuration or usage error.""";
    }
}
