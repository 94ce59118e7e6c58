package ai.cloudact.jobs.runtime;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import ai.cloudact.jobs.run.Redaction;
import ai.cloudact.jobs.state.JdbcUrls;
import org.slf4j.LoggerFactory;

/**
 * Everything the process writes goes through here first: the secrets of its environment are known to
 * {@link Redaction} and stdout/stderr are filtered before the first line, then logging is set up.
 */
public final class Output {

    /** Variables whose value is a secret by their name, whichever pack reads them. */
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL).*");

    private Output() {
    }

    /** Binds SLF4J now, not when the first line is written (after {@link #startLogging} and {@link #prepare}). */
    public static void configureLogging() {
        LoggerFactory.getLogger("runner").debug("runtime started: java {}, pid {}", Runtime.version(), ProcessHandle.current().pid());
    }

    public static void prepare(Map<String, String> env) {
        env.forEach((name, value) -> {
            if (SECRET_NAME.matcher(name).matches() && !name.endsWith("_FILE") && !name.endsWith("_PATH")) {
                Redaction.register(value);
            }
            registerUrlPassword(value);
        });
        System.getProperties().forEach((name, value) -> registerUrlPassword(String.valueOf(value)));
        Redaction.install();
    }

    public static void startLogging(Map<String, String> env, Settings settings) {
        LogSetup.prepare(env, settings.value(Settings.JOB_ID),
                Optional.ofNullable(settings.value(Settings.ENVIRONMENT)).orElse("local"), env.get("GCP_PROJECT_ID"),
                settings.value(Settings.LOG_LEVEL), settings.value(Settings.LOG_FORMAT));
    }

    /**
     * The password of a URL such as https://user:pass@host is a secret wherever it appears, and so is
     * that of a JDBC URL (jdbc:postgresql://user:pass@host/db, ...?password=...): registered before any
     * connection is tried, since a driver's or a pool's error may quote the URL.
     */
    private static void registerUrlPassword(String value) {
        if (value != null && value.startsWith("jdbc:")) {
            JdbcUrls.registerPassword(value);
            return;
        }
        if (value == null || !value.contains("@") || !value.contains("://")) {
            return;
        }
        try {
            String userInfo = URI.create(value.trim()).getRawUserInfo();
            if (userInfo != null && userInfo.contains(":")) {
                Redaction.register(userInfo.substring(userInfo.indexOf(':') + 1));
            }
        } catch (IllegalArgumentException notAUri) {
            // nothing to take from it
        }
    }
}
