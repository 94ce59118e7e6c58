package ai.cloudact.jobs.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ai.cloudact.jobs.catalog.Pack;
import ai.cloudact.jobs.run.ConfigurationException;
import ai.cloudact.jobs.run.Environment;

/**
 * Every setting the runtime reads, where it comes from, and the check of all of them before the first
 * request. A value comes from {@code -Dproperty} (or {@code -DENV_NAME}), else the environment
 * variable; blank counts as unset. The runtime's own settings are defined here; a pack's come from
 * its pack.properties, their type read off their default (an integer, true/false, a URL, text) and a
 * range from their comment ("(1 to 256)"); its secrets from its {@code secret.NAME} keys.
 */
public final class Settings {

    public static final Setting JOB_ID = Setting.text("JOB_ID", "camel.job", null,
            "the job to run: its id, long name or deployed name (locally also -Dcamel.job=...)");
    public static final Setting PACK = Setting.text("PACK", "pack", Pack.DEFAULT, "the job set: a directory packs/<name>/ in the image");
    public static final Setting ENVIRONMENT = Setting.choice("ENVIRONMENT", "environment", "local",
            List.of("local", "test", "stage", "prod", "staging", "production"),
            "where the job runs: picks the pack's URLs, project and secret names (never production by accident)");
    public static final Setting ROUTES_DIR = Setting.text("ROUTES_DIR", "routes.dir", null,
            "a directory whose <id>.yaml job files override the pack's or add jobs, without rebuilding");
    public static final Setting DRY_RUN = Setting.bool("DRY_RUN", "dry.run", false,
            "log each call that would change something, make none; reads still run");
    public static final Setting LOG_LEVEL = Setting.choice("LOG_LEVEL", "log.level", "INFO",
            List.of("OFF", "ERROR", "WARN", "INFO", "DEBUG", "TRACE", "ALL"), "the jobs' log level (the SUMMARY line is always written)");
    public static final Setting LOG_FORMAT = Setting.choice("LOG_FORMAT", "log.format", "json on Cloud Run and Kubernetes, text elsewhere",
            List.of("json", "text"), "json: one Cloud Logging object per line; text: a line for a terminal");
    public static final Setting JOB_TIMEOUT = Setting.duration("JOB_TIMEOUT", "job.timeout", "570",
            Duration.ofHours(24), "the run's deadline (default inside Cloud Run's 10 min task timeout)");


    // --- run state: overlap lease and history (package ai.cloudact.jobs.state)
    public static final Setting STATE_DB_URL = Setting.jdbcUrl("STATE_DB_URL", "state.db.url",
            "the run state store (lease, history): jdbc:postgresql://host:5432/db; unset: an embedded H2 file under STATE_DIR");
    public static final Setting STATE_DB_USER = Setting.text("STATE_DB_USER", "state.db.user", null, "the run state store's user");
    public static final Setting STATE_DB_PASSWORD = Setting.secret("STATE_DB_PASSWORD", "the run state store's password");
    public static final Setting STATE_DIR = Setting.text("STATE_DIR", "state.dir", ".jobs-state",
            "where the embedded run state store lives without STATE_DB_URL (not writable: the run goes on without lease and history)");
    public static final Setting LEASE_TTL = Setting.duration("LEASE_TTL", "lease.ttl", "5m", Duration.ofSeconds(1), Duration.ofHours(24),
            "a run's overlap lease lasts this long unless renewed (every LEASE_TTL/3 while the run is alive)");
    public static final Setting OVERLAP_POLICY = Setting.choice("OVERLAP_POLICY", "overlap.policy", "skip", List.of("skip", "fail", "allow"),
            "a run while another holds the lease: skip (exit 0, outcome SKIPPED), fail (exit 1) or allow (no lease)");
    public static final Setting HISTORY_RETENTION = Setting.duration("HISTORY_RETENTION", "history.retention", "90d", Duration.ofHours(1),
            Duration.ofDays(3650), "how long the run history is kept (pruned by the runtime)");
    // --- parallel tasks: which share of a fan-out job's items this task processes
    public static final Setting CLOUD_RUN_TASK_INDEX = Setting.integer("CLOUD_RUN_TASK_INDEX", null, 0, 0, 9_999,
            "set by Cloud Run: this task's index among the execution's tasks");
    public static final Setting CLOUD_RUN_TASK_COUNT = Setting.integer("CLOUD_RUN_TASK_COUNT", null, 1, 1, 10_000,
            "set by Cloud Run: the execution's number of tasks");
    public static final Setting JOB_COMPLETION_INDEX = Setting.integer("JOB_COMPLETION_INDEX", null, 0, 0, 9_999,
            "set by Kubernetes in an Indexed Job: this pod's index (when CLOUD_RUN_TASK_INDEX is unset)");
    public static final Setting TASK_COUNT = Setting.integer("TASK_COUNT", null, 1, 1, 10_000,
            "the number of parallel tasks when CLOUD_RUN_TASK_COUNT is unset (the Indexed Job's completions)");

    /** The run state store's: with these valid and the store reachable, every other problem of a run is in its history. */
    public static final List<Setting> STATE = List.of(STATE_DB_URL, STATE_DB_USER, STATE_DB_PASSWORD, STATE_DIR, LEASE_TTL,
            OVERLAP_POLICY, HISTORY_RETENTION);

    // --- service mode (--serve) -------------------------------------------------------------------
    public static final Setting PORT = Setting.integer("PORT", "port", 8080, 1, 65535,
            "--serve: the HTTP port of POST /jobs/{id}/run and POST /cron/tick (Cloud Run sets it)");
    public static final Setting MANAGEMENT_PORT = Setting.integer("MANAGEMENT_PORT", "management.port", 9876, 1, 65535,
            "--serve: the port of /observe/health/live, /observe/health/ready and /observe/metrics");
    public static final Setting SERVE_JOBS = Setting.text("SERVE_JOBS", "serve.jobs", null,
            "--serve: the jobs served, by id, comma-separated (default: every job of the pack; a gated job's"
                    + " trigger is on only when named here)");
    public static final Setting SERVE_SCHEDULER = Setting.choice("SERVE_SCHEDULER", "serve.scheduler", "quartz",
            List.of("quartz", "tick"), "--serve: quartz: the service fires the jobs on their cron (clustered on"
                    + " STATE_DB_URL); tick: no triggers of its own, a caller runs POST /cron/tick (Cloud Scheduler)");
    public static final Setting SERVE_AUTH = Setting.choice("SERVE_AUTH", "serve.auth", "oidc (none when ENVIRONMENT=local)",
            List.of("oidc", "bearer", "none"), "--serve: who may call the HTTP endpoints: a Google-signed ID token (oidc),"
                    + " Authorization: Bearer <CRON_SECRET> (bearer), anyone (none: local, or set explicitly)");
    public static final Setting SERVE_AUDIENCE = Setting.text("SERVE_AUDIENCE", "serve.audience", null,
            "--serve, oidc: the audience the ID token must carry (the service's URL); required with oidc");
    public static final Setting SERVE_ALLOWED_EMAILS = Setting.text("SERVE_ALLOWED_EMAILS", "serve.allowed.emails", null,
            "--serve, oidc: the callers' e-mail addresses (service accounts), comma-separated; required with oidc");
    // not accepted as "an http:// ... URL": the local sandbox stands in for those, never for Google's keys
    public static final Setting OIDC_JWKS_URL = new Setting("OIDC_JWKS_URL", "oidc.jwks.url", "https://www.googleapis.com/oauth2/v3/certs",
            "a JWKS URL (https://, or http:// in tests), without user or password", "--serve, oidc: where Google's token signing"
                    + " keys are read (JWKS)", false, Setting::urlProblem);
    public static final Setting CRON_SECRET = Setting.secret("CRON_SECRET",
            "--serve, bearer: the secret callers send as Authorization: Bearer <CRON_SECRET> (also the routes' {{cron.secret}})");
    public static final Setting SHUTDOWN_GRACE = Setting.duration("SHUTDOWN_GRACE", "shutdown.grace", "8", Duration.ofHours(1),
            "--serve: after SIGTERM, how long running jobs may finish before they are recorded as TERMINATED");

    /** The runtime's own settings, in --help order. */
    public static final List<Setting> RUNTIME = List.of(JOB_ID, PACK, ENVIRONMENT, ROUTES_DIR, DRY_RUN, LOG_LEVEL, LOG_FORMAT,
            JOB_TIMEOUT, STATE_DB_URL, STATE_DB_USER, STATE_DB_PASSWORD, STATE_DIR, LEASE_TTL, OVERLAP_POLICY, HISTORY_RETENTION,
            CLOUD_RUN_TASK_INDEX, CLOUD_RUN_TASK_COUNT, JOB_COMPLETION_INDEX, TASK_COUNT,
            Setting.integer("HTTP_CONNECT_TIMEOUT_MS", "http.connect.timeout.ms", 5000, 1, 600_000,
                    "the time to connect (and to get a pooled connection)"),
            Setting.integer("HTTP_RESPONSE_TIMEOUT_MS", "http.response.timeout.ms", 60_000, 1, 3_600_000,
                    "one call's deadline: connect, send and every read together"),
            Setting.integer("HTTP_MAX_BODY_BYTES", "http.max.body.bytes", 4L << 20, 1024, 1L << 30,
                    "the largest answer read; a longer one fails the call"),
            Setting.integer("LOG_MAX_BODY_CHARS", "log.max.body.chars", 2048, 80, 1 << 20,
                    "how much of an answer a log line quotes"),
            Setting.integer("RETRY_MAX_REDELIVERIES", "retry.max.redeliveries", 3, 0, 10,
                    "retries of a transient failure (no connection, timeout, 429, 5xx)"),
            Setting.integer("RETRY_DELAY_MS", "retry.delay.ms", 1000, 0, 600_000, "the first retry's delay"),
            Setting.decimal("RETRY_BACKOFF_MULTIPLIER", "retry.backoff.multiplier", "2", 1, 10, "each next delay is this times longer"),
            Setting.integer("RETRY_MAX_DELAY_MS", "retry.max.delay.ms", 30_000, 0, 3_600_000, "the longest delay between retries"),
            Setting.integer("RETRY_AFTER_MAX_MS", "retry.after.max.ms", 60_000, 0, 3_600_000,
                    "the longest Retry-After honoured; a longer, negative, past or unreadable one falls back to the backoff"),
            Setting.url("BIGQUERY_EMULATOR_HOST", "bigquery.emulator.host", null,
                    "send BigQuery requests there, without Google credentials (emulators, tests)"),
            PORT, MANAGEMENT_PORT, SERVE_JOBS, SERVE_SCHEDULER, SERVE_AUTH, SERVE_AUDIENCE, SERVE_ALLOWED_EMAILS, OIDC_JWKS_URL,
            CRON_SECRET, SHUTDOWN_GRACE);

    private static final Pattern RANGE = Pattern.compile("\\((\\d+) to (\\d+)\\)");

    private final Map<String, String> env;

    public Settings(Map<String, String> env) {
        this.env = env;
    }

    /**
     * The value of a setting: the environment variable, else {@code -Dproperty}, else {@code -DENV}; null
     * when unset or blank. The first two in the order Camel resolves a placeholder ({{dry.run}}: the
     * environment wins over a system property), so that the runner and the routes never disagree;
     * {@code -DENV}, which Camel does not read, reaches the routes through {@link #placeholders()}.
     */
    public String value(Setting setting) {
        String value = env.get(setting.env());
        if ((value == null || value.isBlank()) && setting.property() != null) {
            value = System.getProperty(setting.property());
        }
        if (value == null || value.isBlank()) {
            value = System.getProperty(setting.env());
        }
        return value == null || value.isBlank() ? null : value.trim();
    }

    /**
     * The runtime settings that are set, by their property names, for Camel: a route reads the value the
     * runner read ({{dry.run}} with -DDRY_RUN=true is true, as the runner's "DRY RUN" says).
     */
    public Map<String, String> placeholders() {
        Map<String, String> placeholders = new LinkedHashMap<>();
        for (Setting setting : RUNTIME) {
            String value = setting.property() == null || setting.secret() ? null : value(setting);
            if (value != null) {
                placeholders.put(setting.property(), value);
            }
        }
        return placeholders;
    }

    /** The settings of a pack in an environment, derived from its pack.properties. */
    public static List<Setting> of(Pack pack, Environment environment) {
        List<Setting> settings = new ArrayList<>();
        Map<String, String> values = pack.properties(environment);
        pack.described().forEach((key, description) -> {
            if (key.startsWith("pack.") || key.startsWith("deploy.") || key.startsWith("camel.")) {
                return;
            }
            if (key.startsWith("secret.")) {
                settings.add(Setting.secret(key.substring("secret.".length()),
                        "a secret of the pack; unset: " + values.getOrDefault(key, "(required)").replaceFirst("^value:.*", "a local stand-in")));
                return;
            }
            String value = values.getOrDefault(key, "");
            if (value.startsWith("{{secret:")) {
                return; // an alias of a secret, listed as the secret
            }
            String env = Setting.envName(key);
            Matcher range = RANGE.matcher(description);
            if (value.matches("-?\\d{1,18}")) {
                settings.add(range.find()
                        ? Setting.integer(env, key, Long.parseLong(value), Long.parseLong(range.group(1)), Long.parseLong(range.group(2)), description)
                        : Setting.integer(env, key, Long.parseLong(value), 0, Long.MAX_VALUE, description));
            } else if (value.equals("true") || value.equals("false")) {
                settings.add(Setting.bool(env, key, Boolean.parseBoolean(value), description));
            } else if (value.startsWith("http://") || value.startsWith("https://")) {
                settings.add(Setting.url(env, key, value, description));
            } else {
                settings.add(Setting.text(env, key, value, description));
            }
        });
        return settings;
    }

    /**
     * Checks every setting that is set. One line per bad value, naming the variable, the value
     * (masked when secret) and the accepted form; all of them in one ConfigurationException.
     */
    public void check(List<Setting> settings) {
        List<String> problems = new ArrayList<>();
        for (Setting setting : settings) {
            String value = value(setting);
            if (value == null) {
                continue;
            }
            String problem = setting.check().apply(value);
            if (problem != null) {
                problems.add("Invalid " + setting.env() + " '" + (setting.secret() ? "****" : mask(value)) + "': " + problem
                        + "; accepted: " + setting.accepted() + ".");
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException(String.join("\n", problems));
        }
    }

    /** The runtime settings' defaults, as properties for Camel. */
    public static Map<String, String> defaults() {
        Map<String, String> defaults = new LinkedHashMap<>();
        for (Setting setting : RUNTIME) {
            if (setting.property() != null && setting.defaultText() != null && setting.defaultText().matches("[\\w.]+")) {
                defaults.put(setting.property(), setting.defaultText());
            }
        }
        return defaults;
    }

    /** A value as it may be shown: the password part of a URL (user:password@ or a password= parameter) masked. */
    public static String mask(String value) {
        String oneLine = value.replaceAll("\\p{Cntrl}", "?");
        String masked = oneLine.replaceAll("(?i)(://[^/:@\\s]*:)[^@\\s]*@", "$1****@")
                .replaceAll("(?i)([?&;](?:ssl)?password=)[^&;\\s]*", "$1****");
        return masked.length() > 200 ? masked.substring(0, 200) + "..." : masked;
    }
}
