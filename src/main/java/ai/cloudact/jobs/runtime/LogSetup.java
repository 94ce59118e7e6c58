package ai.cloudact.jobs.runtime;

import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Chooses the log format, level and the labels every line carries, before the first logger exists
 * (log4j2.xml reads them as system properties). JSON for Cloud Logging on Cloud Run and Kubernetes
 * or with LOG_FORMAT=json; short text lines otherwise or with LOG_FORMAT=text, coloured only on a
 * terminal and without NO_COLOR. Values that do not check are replaced by the defaults here; the
 * settings check reports them (exit 2) once logging works.
 */
final class LogSetup {

    private LogSetup() {
    }

    /**
     * @param logLevel  LOG_LEVEL as the settings read it (the variable or -Dlog.level), or null
     * @param logFormat LOG_FORMAT likewise, or null
     */
    static void prepare(Map<String, String> env, String jobId, String environment, String gcpProject, String logLevel,
                        String logFormat) {
        String format = logFormat == null ? "" : logFormat.trim().toLowerCase(Locale.ROOT);
        // a Cloud Run job sets CLOUD_RUN_JOB, a Cloud Run service (--serve) K_SERVICE
        boolean onPlatform = env.containsKey("CLOUD_RUN_JOB") || env.containsKey("K_SERVICE") || env.containsKey("KUBERNETES_SERVICE_HOST");
        boolean json = format.equals("json") || (onPlatform && !format.equals("text"));
        System.setProperty("jobs.log.format", json ? "json" : "text");
        String level = (logLevel == null ? "INFO" : logLevel).trim().toUpperCase(Locale.ROOT);
        if (!level.matches("OFF|ERROR|WARN|INFO|DEBUG|TRACE|ALL")) {
            level = "INFO";
        }
        System.setProperty("jobs.log.level", level);
        // libraries stay at WARN (their DEBUG lines may carry headers), or quieter when LOG_LEVEL is
        System.setProperty("jobs.log.level.libraries", level.equals("ERROR") || level.equals("OFF") ? level : "WARN");
        boolean colour = System.console() != null && !env.containsKey("NO_COLOR") && !json;
        System.setProperty("jobs.log.ansi.disabled", Boolean.toString(!colour));
        System.setProperty("job.id", jobId == null ? "" : jobId);
        System.setProperty("job.environment", environment);
        System.setProperty("job.execution", env.getOrDefault("CLOUD_RUN_EXECUTION", env.getOrDefault("JOB_RUN_ID", "")));
        System.setProperty("job.task.index", env.getOrDefault("CLOUD_RUN_TASK_INDEX", env.getOrDefault("JOB_COMPLETION_INDEX", "0")));
        System.setProperty("job.task.attempt", env.getOrDefault("CLOUD_RUN_TASK_ATTEMPT", "0"));
        // one trace per process run, so Cloud Logging groups a run's lines together
        String traceId = UUID.randomUUID().toString().replace("-", "");
        System.setProperty("job.trace", gcpProject == null ? traceId : "projects/" + gcpProject + "/traces/" + traceId);
    }

    /**
     * Runs {@code firstLogger}, the call that configures Log4j, with Jackson out of Log4j's sight.
     * Log4j's YAML and JSON configuration factories each load and initialise Jackson's ObjectMapper (over
     * 300 classes, before any job needs one) only to learn whether they could read a log4j2.yaml or
     * log4j2.json; this project configures Log4j with log4j2.xml. The probe asks the thread's context
     * class loader, so for this one call that is a loader which does not find Jackson; every other class
     * comes from the application's loader as before. Saves every run about 4 MiB and 270 classes of
     * its AOT cache (bench/README.md).
     */
    static void configureWithoutJackson(Runnable firstLogger) {
        Thread thread = Thread.currentThread();
        ClassLoader loader = thread.getContextClassLoader();
        thread.setContextClassLoader(new ClassLoader(loader) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.startsWith("com.fasterxml.jackson.")) {
                    throw new ClassNotFoundException(name + " (hidden from Log4j's configuration factories)");
                }
                return super.loadClass(name, resolve);
            }
        });
        try {
            firstLogger.run();
        } finally {
            thread.setContextClassLoader(loader);
        }
    }
}
