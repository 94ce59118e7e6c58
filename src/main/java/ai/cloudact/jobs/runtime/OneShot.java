package ai.cloudact.jobs.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import ai.cloudact.jobs.catalog.Job;
import ai.cloudact.jobs.catalog.JobCatalog;
import ai.cloudact.jobs.catalog.Pack;
import ai.cloudact.jobs.catalog.Schedule;
import ai.cloudact.jobs.http.FailureReport;
import ai.cloudact.jobs.run.ConfigurationException;
import ai.cloudact.jobs.run.Environment;
import ai.cloudact.jobs.run.ExitCode;
import ai.cloudact.jobs.run.Outcome;
import ai.cloudact.jobs.run.Run;
import ai.cloudact.jobs.run.RunRecord;
import ai.cloudact.jobs.run.Shard;
import ai.cloudact.jobs.run.Summary;
import ai.cloudact.jobs.state.RunControl;
import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A one-shot process: runs the job named by JOB_ID once and tells the exit code: 0 success, 1 the
 * job failed, 2 configuration error, 143 SIGTERM, 130 SIGINT. However it ends — success, failure,
 * a configuration error before Camel starts, the deadline (JOB_TIMEOUT), a signal at any moment —
 * exactly one SUMMARY line is written, and once the run state store is reachable, one history row.
 */
public final class OneShot {

    /** Default JOB_TIMEOUT: inside Cloud Run's default task timeout (10 min), so the summary is still logged. */
    static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(570);

    private final Map<String, String> env;
    private final Settings settings;
    private final Instant started = Instant.now();
    private final Run run;
    private volatile String environmentName;
    private volatile String packName;
    private volatile RunPath path;
    /** Null until the store is opened (not before: its class's logger must not exist before LogSetup). */
    private volatile RunControl control;
    private volatile String shard;
    private Logger log;

    public OneShot(Map<String, String> env) {
        this.env = env;
        this.settings = new Settings(env);
        String requested = settings.value(Settings.JOB_ID);
        this.run = new Run(requested == null ? "-" : requested, "-");
        this.environmentName = Optional.ofNullable(settings.value(Settings.ENVIRONMENT)).orElse("local");
        this.packName = Optional.ofNullable(settings.value(Settings.PACK)).orElse(Pack.DEFAULT);
    }

    /**
     * Before logging is set up: starts, on another thread, three first-time costs the main thread meets
     * later. Logging's start looks up a resource that is not there (the JDK's logger back-end probe),
     * which opens every jar of the class path (openClassPath: 0.02 s for dependencies.jar's 41,000
     * entries), while the main thread makes its ids. A scheduled job's run key reads its cron
     * (Schedule.prepare: Quartz's cron classes, the JDK's calendar, locale and time-zone data); Camel
     * Main builds the components every job uses (CamelSetup.prepare: the JDK's annotation proxy
     * classes). About 0.05 s of the main thread's work in all; with a second core it overlaps the
     * main thread (what that saves of a start moves with the machine: bench/README.md), with one it is
     * the same work. (A manual job reads no cron: then it is about 0.02 s of CPU for nothing, beside a
     * run of its own.)
     */
    public static void prepareInBackground() {
        Thread thread = new Thread(() -> {
            try {
                openClassPath();
                Schedule.prepare();
                CamelSetup.prepare();
            } catch (Throwable e) {
                // whatever it was, the run meets it again where it needs the same, and says what is wrong
            }
        }, "prepare");
        thread.setDaemon(true);
        thread.start();
    }

    /** Opens the jars of the class path: a resource look-up that misses asks, and so opens, each of them. */
    static void openClassPath() {
        OneShot.class.getClassLoader().getResource("META-INF/no-such-resource-opens-the-class-path");
    }

    /** Before anything else: a signal from now on ends the run with its summary. */
    public OneShot handleSignals() {
        Signals.onTermination(this::terminated);
        return this;
    }

    public ExitCode run() {
        log = LoggerFactory.getLogger("runner");
        try {
            return runChecked();
        } catch (ConfigurationException e) {
            log.error("Configuration error: {}", e.getMessage());
            log.debug("Configuration error", e);
            return end(Outcome.CONFIGURATION_ERROR, null, e.getMessage().lines().findFirst().orElse("")).exitCode;
        } finally {
            if (control != null) {
                control.close();
            }
        }
    }

    private ExitCode runChecked() {
        // the store first: once it is reachable, every problem of the run is in its history too (all
        // bad settings are still named together)
        ConfigurationException invalid = problems(Settings.RUNTIME);
        if (problems(Settings.STATE) == null) {
            try {
                control = RunState.open(settings, env);
            } catch (ConfigurationException unusable) {
                throw invalid == null ? unusable : new ConfigurationException(invalid.getMessage() + "\n" + unusable.getMessage(), unusable);
            }
        }
        if (invalid != null) {
            throw invalid;
        }
        Environment environment = Environment.parse(environmentName);
        environmentName = environment.id();
        String camelProfile = settings.value(Setting.text("CAMEL_MAIN_PROFILE", "camel.main.profile", null, ""));
        if (camelProfile != null) {
            // it would switch Camel settings behind ENVIRONMENT's back
            throw new ConfigurationException("CAMEL_MAIN_PROFILE=" + camelProfile + " contradicts ENVIRONMENT=" + environment.id()
                    + ": the environment decides the settings; unset CAMEL_MAIN_PROFILE and set ENVIRONMENT.");
        }
        Pack pack = Pack.load(packName);
        settings.check(Settings.of(pack, environment));
        String requested = settings.value(Settings.JOB_ID);
        String routesDir = settings.value(Settings.ROUTES_DIR);
        JobCatalog catalog = JobCatalog.load(pack, routesDir == null ? null : Path.of(routesDir));
        if (requested == null) {
            throw new ConfigurationException("No job selected: set JOB_ID (or -Dcamel.job) to one of:" + catalog.validNames());
        }
        Job job = catalog.find(requested, environment).orElseThrow(() -> new ConfigurationException(
                "Unknown job '" + requested + "': set JOB_ID (or -Dcamel.job) to one of:" + catalog.validNames()));
        run.identify(job.id(), RunKey.of(job, env, started));
        if (RunKey.isLaterCloudRunAttempt(env)) {
            run.retryOfEarlierAttempt(); // Cloud Run starts a task's next attempt only once the last one has exited
        } else if (RunKey.isKubernetesJobPod(env) && job.spec().getRetries() > 0) {
            run.mayReplaceFailedPod(); // a Job with retries replaces a pod that failed (a Job without, never)
        }
        shard = shardOf(job);
        Duration deadline = Durations.parse(Optional.ofNullable(settings.value(Settings.JOB_TIMEOUT))
                .orElse(Long.toString(DEFAULT_DEADLINE.toSeconds())));

        Map<String, String> properties = new HashMap<>(pack.properties(environment));
        properties.putAll(settings.placeholders());
        properties.put("environment", environment.id());
        properties.put("pack", pack.name());
        Optional<LocalStandIn> sandbox = environment == Environment.LOCAL ? startSandbox(job, pack, environment, properties)
                : Optional.empty();
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "job-deadline");
            thread.setDaemon(true);
            return thread;
        });
        watchdog.schedule(() -> deadlineExceeded(deadline), deadline.toMillis(), TimeUnit.MILLISECONDS);
        Main main = CamelSetup.newMain(List.of(job), settings, properties);
        try {
            try {
                main.start();
            } catch (Exception e) {
                ConfigurationException explained = FailureReport.find(e, ConfigurationException.class);
                throw explained != null ? explained : new ConfigurationException(FailureReport.explain(e), e);
            }
            path = new RunPath(main.getCamelContext(), pack.name(), environment, control);
            List<String> targets = path.prepare(job);
            sandbox.ifPresent(standIn -> standIn.expect(targets));
            log.info("Starting job {} ({}) environment={} target={}", job.id(), job.longName(), environment.id(),
                    targets.isEmpty() ? "(none)" : String.join(", ", targets));
            return path.execute(job, run, started, shard).map(RunRecord::exitCode).orElse(ExitCode.JOB_FAILED);
        } finally {
            watchdog.shutdownNow();
            main.stop();
            sandbox.ifPresent(LocalStandIn::close);
        }
    }

    /** Why some of these settings are invalid (one line each), or null. */
    private ConfigurationException problems(List<Setting> list) {
        try {
            settings.check(list);
            return null;
        } catch (ConfigurationException e) {
            return e;
        }
    }

    /**
     * This task's shard, "i/N", when the job is a fan-out job run as one of N parallel tasks: index
     * from CLOUD_RUN_TASK_INDEX (Cloud Run) or JOB_COMPLETION_INDEX (a Kubernetes Indexed Job), count
     * from CLOUD_RUN_TASK_COUNT or TASK_COUNT. Null for a single task, and for a job that is not a
     * fan-out: its N tasks share one lease, so one of them runs it and the others skip.
     */
    private String shardOf(Job job) {
        String index = Optional.ofNullable(settings.value(Settings.CLOUD_RUN_TASK_INDEX)).orElse(settings.value(Settings.JOB_COMPLETION_INDEX));
        String count = Optional.ofNullable(settings.value(Settings.CLOUD_RUN_TASK_COUNT)).orElse(settings.value(Settings.TASK_COUNT));
        Shard shard = Shard.of(index == null ? 0 : Integer.parseInt(index), count == null ? 1 : Integer.parseInt(count));
        if (shard == null) {
            return null;
        }
        if (!job.spec().isFanOut()) {
            log.info("Task {} of {}: {} is not a fan-out job, so the tasks share one lease and one of them runs it", shard.index(),
                    shard.count(), job.id());
            return null;
        }
        return shard.toString();
    }

    /**
     * In the local environment, starts the sandbox when one is on the class path (never in the image)
     * and points at it every URL setting of the pack the user has not set.
     */
    private Optional<LocalStandIn> startSandbox(Job job, Pack pack, Environment environment, Map<String, String> properties) {
        Optional<LocalStandIn> found = ServiceLoader.load(LocalStandIn.class).findFirst();
        found.ifPresent(sandbox -> {
            String url = sandbox.start(job);
            // the sandbox checks no Google ID token: a stand-in replaces minting one (GoogleIdToken)
            properties.put("local.sandbox", "true");
            List<String> standingIn = new ArrayList<>();
            List<Setting> urls = new ArrayList<>(Settings.of(pack, environment));
            urls.addAll(Settings.RUNTIME);
            for (Setting setting : urls) {
                if (setting.accepted().startsWith("an http://") && settings.value(setting) == null) {
                    properties.put(setting.property(), url);
                    standingIn.add(setting.env());
                }
            }
            log.warn("LOCAL SANDBOX: nothing real is called; {} answers for {}", url, standingIn);
        });
        return found;
    }

    /** Ends the run (once) and writes its summary; the outcome that won. */
    private Outcome end(Outcome outcome, String extra, String reason) {
        RunPath current = path;
        if (current != null) {
            return current.end(run, started, outcome, extra, shard, reason).map(RunRecord::outcome).orElse(outcome);
        }
        if (run.end()) {
            RunRecord record = RunRecord.of(run, packName, environmentName, started, outcome, extra, shard, reason);
            Summary.log(record);
            RunControl store = control;
            if (store != null) {
                store.end(run, record);
            }
        }
        return outcome;
    }

    /** JOB_TIMEOUT reached: the in-flight call is abandoned with the process. */
    private void deadlineExceeded(Duration deadline) {
        String reason = "deadline exceeded: the job ran longer than JOB_TIMEOUT=" + deadline.toSeconds() + "s";
        if (!run.hasEnded()) {
            LoggerFactory.getLogger("runner").error("Job {} stopped: {}", run.jobId(), reason);
            end(Outcome.FAILED, null, reason);
            // halt, not exit: nothing may wait for the hung call, and the summary is written
            Runtime.getRuntime().halt(ExitCode.JOB_FAILED.code);
        }
    }

    /** SIGTERM (the platform stops the task) or SIGINT (Ctrl-C): say so, with the counts so far. */
    private void terminated(String signal, ExitCode code) {
        if (!run.hasEnded()) {
            String reason = (signal.equals("SIGTERM") ? "terminated by the platform (SIGTERM)" : "interrupted (SIGINT)")
                    + " while running; the in-flight call was abandoned";
            LoggerFactory.getLogger("runner").error("Job {} {}", run.jobId(), reason);
            end(Outcome.TERMINATED, null, reason);
        }
        Runtime.getRuntime().halt(code.code);
    }
}
