package ai.cloudact.jobs.runtime;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * Sets up logging before the first line: SLF4J (the jobs, Camel and most libraries) is bound to the
 * JDK's own java.util.logging (slf4j-jdk14), which the Google client libraries log to as well, so every
 * line of the process goes the same way: one {@link ConsoleLines} handler on stdout, which the runtime
 * filters for secrets (Redaction).
 * <ul>
 * <li>Format: JSON for Cloud Logging ({@link JsonLogFormat}) on Cloud Run and Kubernetes or with
 * LOG_FORMAT=json; short text lines ({@link TextLogFormat}) otherwise or with LOG_FORMAT=text, coloured
 * only on a terminal and without NO_COLOR.</li>
 * <li>LOG_LEVEL (default INFO) sets the jobs' own level. Libraries that could print credentials at DEBUG
 * (HTTP headers and wire, property resolution) stay at WARN whatever LOG_LEVEL says, or quieter.</li>
 * <li>The SUMMARY line has its own logger at INFO: it is written at every LOG_LEVEL, OFF included.</li>
 * </ul>
 * Values that do not check are replaced by the defaults here; the settings check reports them (exit 2)
 * once logging works. Why not Log4j, which this replaced: its configuration took 0.14 s of every start
 * (bench/README.md).
 */
final class LogSetup {

    /** Loggers of libraries kept at WARN: their DEBUG and INFO lines may carry headers, URLs or noise. */
    private static final List<String> LIBRARIES = List.of("org.apache.camel", "org.apache.hc", "org.quartz", "com.google",
            "io.grpc", "io.github.resilience4j", "org.eclipse.jetty", "wiremock", "com.zaxxer.hikari", "org.h2", "io.vertx",
            "io.netty", "io.micrometer", "org.postgresql");

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
        String level = (logLevel == null ? "INFO" : logLevel).trim().toUpperCase(Locale.ROOT);
        if (!level.matches("OFF|ERROR|WARN|INFO|DEBUG|TRACE|ALL")) {
            level = "INFO";
        }
        String libraries = level.equals("ERROR") || level.equals("OFF") ? level : "WARN";
        Formatter lineFormat;
        if (json) {
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put("job", jobId == null ? "" : jobId);
            labels.put("environment", environment);
            labels.put("execution", env.getOrDefault("CLOUD_RUN_EXECUTION", env.getOrDefault("JOB_RUN_ID", "")));
            labels.put("task_index", env.getOrDefault("CLOUD_RUN_TASK_INDEX", env.getOrDefault("JOB_COMPLETION_INDEX", "0")));
            labels.put("attempt", env.getOrDefault("CLOUD_RUN_TASK_ATTEMPT", "0"));
            // one trace per process run, so Cloud Logging groups a run's lines together
            String traceId = UUID.randomUUID().toString().replace("-", "");
            lineFormat = new JsonLogFormat(labels, gcpProject == null ? traceId : "projects/" + gcpProject + "/traces/" + traceId);
        } else {
            lineFormat = new TextLogFormat(System.console() != null && !env.containsKey("NO_COLOR"));
        }
        install(level, libraries, lineFormat);
    }

    /**
     * Levels as a java.util.logging configuration (so that they hold for loggers made later, which the
     * JDK keeps only weakly), then the one handler on the root logger. A -Djava.util.logging.config.file
     * (profiling, say) keeps its own levels.
     */
    private static void install(String level, String libraries, Formatter lineFormat) {
        LogManager manager = LogManager.getLogManager();
        if (System.getProperty("java.util.logging.config.file") == null) {
            StringBuilder levels = new StringBuilder("handlers=\n.level=").append(julLevel(level)).append('\n');
            LIBRARIES.forEach(name -> levels.append(name).append(".level=").append(julLevel(libraries)).append('\n'));
            levels.append("summary.level=INFO\n");
            try {
                manager.readConfiguration(new ByteArrayInputStream(levels.toString().getBytes(StandardCharsets.ISO_8859_1)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Logger root = manager.getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        root.addHandler(new ConsoleLines(lineFormat));
    }

    /** SLF4J's level names in java.util.logging's terms, as slf4j-jdk14 maps them. */
    private static String julLevel(String slf4jLevel) {
        return switch (slf4jLevel) {
            case "ERROR" -> "SEVERE";
            case "WARN" -> "WARNING";
            case "DEBUG" -> "FINE";
            case "TRACE" -> "FINEST";
            default -> slf4jLevel; // OFF, INFO, ALL
        };
    }
}
