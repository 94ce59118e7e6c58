package ai.cloudact.jobs.serve;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import ai.cloudact.jobs.catalog.Job;
import ai.cloudact.jobs.catalog.JobCatalog;
import ai.cloudact.jobs.catalog.Pack;
import ai.cloudact.jobs.http.FailureReport;
import ai.cloudact.jobs.run.ConfigurationException;
import ai.cloudact.jobs.run.Environment;
import ai.cloudact.jobs.run.ExitCode;
import ai.cloudact.jobs.runtime.CamelSetup;
import ai.cloudact.jobs.runtime.Durations;
import ai.cloudact.jobs.runtime.RunPath;
import ai.cloudact.jobs.runtime.RunState;
import ai.cloudact.jobs.state.RunControl;
import ai.cloudact.jobs.runtime.Settings;
import ai.cloudact.jobs.runtime.Signals;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.main.Main;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Service mode ({@code java -jar scheduler-jobs.jar --serve}): one long-running process that serves
 * the pack's jobs until SIGTERM: each scheduled job on its own cron ({@link QuartzTriggers}, clustered
 * on STATE_DB_URL) or on a caller's ticks, every job on request over HTTP ({@link HttpEndpoints}),
 * health and metrics on the management port. Every run takes the one-shot path ({@link RunPath}).
 *
 * <p>This class starts and stops the service and nothing else. On SIGTERM it stops taking firings
 * and calls, gives the runs under way SHUTDOWN_GRACE (8 s: Cloud Run kills 10 s after SIGTERM) to
 * finish, ends the rest as TERMINATED, and exits 0.
 */
public final class Service {

    private static final Logger LOG = LoggerFactory.getLogger("runner");
    static final Duration DEFAULT_GRACE = Duration.ofSeconds(8);

    private final Map<String, String> env;
    private final Settings settings;
    private final CountDownLatch signalled = new CountDownLatch(1);
    private volatile String signal = "SIGTERM";
    private volatile ExitCode signalCode = ExitCode.SUCCESS;
    private volatile boolean stopping;
    private Main main;
    private HikariDataSource dataSource;
    /** Lease and history of every run, whatever started it (RunState: the configured database or the embedded file). */
    private RunControl control = RunControl.off();
    private Scheduler scheduler;
    private Executions executions;

    public Service(Map<String, String> env) {
        this.env = env;
        this.settings = new Settings(env);
    }

    /** Before anything else: SIGTERM (and Ctrl-C) from now on means a graceful stop. */
    public Service handleSignals() {
        Signals.onTermination((name, code) -> {
            signal = name;
            // SIGTERM is the platform's normal way to stop a service: exit 0; Ctrl-C keeps its 130
            signalCode = code == ExitCode.TERMINATED ? ExitCode.SUCCESS : code;
            signalled.countDown();
        });
        return this;
    }

    /** Serves until a signal; the exit code. */
    public ExitCode run() {
        try {
            start();
        } catch (ConfigurationException e) {
            LOG.error("Configuration error: {}", e.getMessage());
            LOG.debug("Configuration error", e);
            return ExitCode.CONFIGURATION_ERROR;
        } catch (StateDataSource.StateUnreachable e) {
            LOG.error("The service cannot start: {}", e.getMessage());
            LOG.debug("Start failure", e);
            return ExitCode.JOB_FAILED;
        } catch (SQLException | SchedulerException e) {
            LOG.error("The service cannot start: the run-state database failed: {}", e.getMessage());
            LOG.debug("Start failure", e);
            return ExitCode.JOB_FAILED;
        }
        try {
            signalled.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stop();
        return signalCode;
    }

    private void start() throws SQLException, SchedulerException {
        settings.check(Settings.RUNTIME);
        settings.check(Settings.STATE);
        Environment environment = Environment.parse(settings.value(Settings.ENVIRONMENT));
        Pack pack = Pack.load(settings.value(Settings.PACK));
        settings.check(Settings.of(pack, environment));
        String routesDir = settings.value(Settings.ROUTES_DIR);
        JobCatalog catalog = JobCatalog.load(pack, routesDir == null ? null : Path.of(routesDir));
        ServedJobs served = ServedJobs.select(catalog, settings.value(Settings.SERVE_JOBS), environment);
        boolean ownTriggers = !"tick".equalsIgnoreCase(settings.value(Settings.SERVE_SCHEDULER));
        List<Job> triggered = ownTriggers ? served.scheduled() : List.of();
        CallerCheck callers = CallerCheck.of(settings, environment);
        Duration grace = grace();

        // the scheduler's pool first: a database that is away is a failed start (exit 1, the platform
        // restarts the replica), not a configuration error
        dataSource = StateDataSource.open(settings, triggered.size() + 4);
        control = RunState.open(settings, env);
        if (dataSource != null && !triggered.isEmpty()) {
            QuartzTables.ensure(dataSource);
        }
        FiringLedger ledger = new FiringLedger(dataSource, pack.name(), instanceName());
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ServeMetrics metrics = new ServeMetrics(registry, served.all());
        executions = new Executions(environment.id(), metrics);
        Tick tick = new Tick(served.scheduled(), ledger, executions);

        main = CamelSetup.newMain(served.all(), settings, camelProperties(pack, environment));
        main.bind(MicrometerConstants.METRICS_REGISTRY_NAME, registry);
        // one Vert.x for both ports; a synchronous run may take minutes on a worker thread, which is no hang;
        // no file cache: nothing is served from files, and the image's file system is read-only
        main.bind("vertx", Vertx.vertx(new VertxOptions().setMaxWorkerExecuteTime(Duration.ofHours(25).toNanos())
                .setFileSystemOptions(new FileSystemOptions().setFileCachingEnabled(false).setClassPathResolvingEnabled(false))));
        // with two ports (the API and management), platform-http cannot tell which one its routes are on
        VertxPlatformHttpServerConfiguration api = new VertxPlatformHttpServerConfiguration();
        api.setBindPort(port(Settings.PORT, 8080));
        main.bind("serve-http", api);
        if (!triggered.isEmpty()) {
            main.bind("quartz", QuartzTriggers.component(pack.name(), dataSource, triggered.size()));
            main.configure().addRoutesBuilder(new QuartzTriggers(pack.name(), triggered, ledger, executions));
        }
        main.configure().addRoutesBuilder(new HttpEndpoints(served, callers, executions, tick, metrics, () -> stopping));
        // a health check bean joins /observe/health/ready from the start: not ready until runs are taken
        main.bind("serve-readiness", new Readiness(this::notReady));
        try {
            main.start();
        } catch (Exception e) {
            ConfigurationException explained = FailureReport.find(e, ConfigurationException.class);
            throw explained != null ? explained : new ConfigurationException(FailureReport.explain(e), e);
        }
        RunPath path = new RunPath(main.getCamelContext(), pack.name(), environment, control);
        for (Job job : served.all()) {
            try {
                path.prepare(job);
            } catch (ConfigurationException e) {
                LOG.error("Job {} cannot run here: {} (each of its runs ends CONFIGURATION_ERROR)", job.id(), e.getMessage());
            }
        }
        if (!triggered.isEmpty()) {
            scheduler = main.getCamelContext().getComponent("quartz", QuartzComponent.class).getScheduler();
        }
        executions.open(path);
        if (scheduler != null) {
            scheduler.start(); // only now: a firing needs the runs taken
        }
        describe(pack, environment, served, triggered, callers, grace, ownTriggers);
    }

    private void describe(Pack pack, Environment environment, ServedJobs served, List<Job> triggered, CallerCheck callers,
                          Duration grace, boolean ownTriggers) {
        if (callers.mode() == CallerCheck.Mode.NONE) {
            LOG.warn("SERVE_AUTH=none: anyone who reaches port {} may run jobs", settings.value(Settings.PORT) == null ? 8080
                    : settings.value(Settings.PORT));
        }
        String triggers = !ownTriggers ? "none of its own (SERVE_SCHEDULER=tick: POST /cron/tick runs the firings)"
                : triggered.isEmpty() ? "none (no scheduled job served)"
                : dataSource != null ? "Quartz, clustered on the run-state database (" + Settings.STATE_DB_URL.env() + ")"
                : "Quartz in memory: NOT clustered, run one instance only (set STATE_DB_URL to a PostgreSQL database to cluster)";
        if (ownTriggers && !triggered.isEmpty() && dataSource == null) {
            LOG.warn("Not clustered: without a PostgreSQL STATE_DB_URL the triggers live in this process only; a second"
                    + " instance would run every firing again");
        }
        Duration upFor = Duration.ofMillis(java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime());
        LOG.info("Serving pack {} environment={}: scheduled {}, on request only {}; triggers: {}; HTTP port {}, management port {};"
                        + " auth {}; shutdown grace {}s; started in {} ms", pack.name(), environment.id(), served.ids(served.scheduled()),
                served.ids(served.all().stream().filter(Job::isManual).toList()), triggers, port(Settings.PORT, 8080),
                port(Settings.MANAGEMENT_PORT, 9876), callers.describe(), grace.toSeconds(), upFor.toMillis());
        for (Job gated : served.gated()) {
            LOG.warn("Job {} is gated ({}): its trigger stays off until SERVE_JOBS names it; it still runs on request", gated.id(),
                    gated.spec().getGate());
        }
    }

    /** Why the replica should get no traffic now, or null when it is ready. */
    private String notReady() {
        if (stopping) {
            return "shutting down";
        }
        if (executions == null || !executions.accepting()) {
            return "starting";
        }
        try {
            if (scheduler != null && (!scheduler.isStarted() || scheduler.isInStandbyMode())) {
                return "the scheduler is not started";
            }
        } catch (SchedulerException e) {
            return "the scheduler cannot tell its state: " + e.getMessage();
        }
        if (dataSource != null) {
            try (Connection connection = dataSource.getConnection()) {
                if (!connection.isValid(1)) {
                    return "the run-state database does not answer";
                }
            } catch (SQLException e) {
                return "the run-state database cannot be reached: " + e.getMessage();
            }
        }
        return null;
    }

    /** SIGTERM: no new firing or call, SHUTDOWN_GRACE for the runs under way, TERMINATED for the rest. */
    private void stop() {
        Duration grace = grace();
        stopping = true;
        executions.close();
        if (scheduler != null) {
            try {
                scheduler.standby();
            } catch (SchedulerException e) {
                LOG.warn("The scheduler did not stop firing: {}", e.getMessage());
            }
        }
        int running = executions.runningCount();
        LOG.info("{}: stopping; {} run(s) under way get up to {}s to finish", signal, running, grace.toSeconds());
        if (!executions.awaitAll(grace)) {
            int terminated = executions.terminateAll("terminated: the service stopped (" + signal + ") and the run did not end within"
                    + " SHUTDOWN_GRACE=" + grace.toSeconds() + "s; the call in flight was abandoned");
            LOG.warn("{} run(s) ended as TERMINATED", terminated);
            pause(Duration.ofMillis(300)); // their HTTP callers get their 503 before the process goes
        }
        control.close();
        LOG.info("Stopped");
    }

    private Duration grace() {
        String value = settings.value(Settings.SHUTDOWN_GRACE);
        return value == null ? DEFAULT_GRACE : Durations.parse(value);
    }

    private Map<String, String> camelProperties(Pack pack, Environment environment) {
        Map<String, String> properties = new HashMap<>(pack.properties(environment));
        properties.putAll(settings.placeholders());
        properties.put("environment", environment.id());
        properties.put("pack", pack.name());
        properties.put("camel.server.enabled", "true");
        properties.put("camel.server.port", Integer.toString(port(Settings.PORT, 8080)));
        properties.put("camel.management.enabled", "true");
        properties.put("camel.management.port", Integer.toString(port(Settings.MANAGEMENT_PORT, 9876)));
        properties.put("camel.management.healthCheckEnabled", "true");
        properties.put("camel.management.healthPath", "/observe/health");
        properties.put("camel.management.metricsEnabled", "true");
        properties.put("camel.metrics.enabled", "true");
        properties.put("camel.metrics.path", "/observe/metrics");
        properties.put("camel.health.enabled", "true");
        return properties;
    }

    private int port(ai.cloudact.jobs.runtime.Setting setting, int defaultPort) {
        return Optional.ofNullable(settings.value(setting)).map(Integer::parseInt).orElse(defaultPort);
    }

    /** Names this replica in the ledger (which one took a firing); no name lookup, which can be slow. */
    private String instanceName() {
        return env.getOrDefault("HOSTNAME", UUID.randomUUID().toString()) + "/" + ProcessHandle.current().pid();
    }

    private static void pause(Duration duration) {
        try {
            TimeUnit.MILLISECONDS.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
