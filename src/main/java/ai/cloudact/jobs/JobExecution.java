package ai.cloudact.jobs;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Route;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.main.SimpleMainShutdownStrategy;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SetPropertyDefinition;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one job once: starts Camel Main with the shared configuration and the job's own route file
 * only, sends one exchange through the route (the cron stays in the YAML for documentation and the
 * deploy targets, but the container itself is started by the scheduler), waits until it and all its
 * sub-exchanges are done, logs one summary line and tells the exit code.
 *
 * <p>Two things can end a run early, and both still log the summary: the deadline ({@code
 * JOB_TIMEOUT}) exits 1, and a SIGTERM from the platform exits 143.
 */
final class JobExecution {

    /** Exchange property a route may set to add its result to the summary, e.g. rows_deleted=42. */
    static final String RESULT_PROPERTY = "jobResult";
    /** Exchange property with this run's identity, the base of every Idempotency-Key. */
    static final String RUN_KEY_PROPERTY = "jobRunKey";

    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

    private final Job job;
    private final Environment environment;
    private final Map<String, String> overrides;
    private final Duration deadline;
    private final String runKey;
    private final AtomicBoolean summarised = new AtomicBoolean();
    private final long started = System.nanoTime();
    private volatile CallStats calls;

    JobExecution(Job job, Environment environment, Map<String, String> overrides, Duration deadline, String runKey) {
        this.job = job;
        this.environment = environment;
        this.overrides = overrides;
        this.deadline = deadline;
        this.runKey = runKey;
    }

    ExitCode run() {
        Thread onSigterm = new Thread(this::terminated, "sigterm");
        Runtime.getRuntime().addShutdownHook(onSigterm);
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "job-deadline");
            thread.setDaemon(true);
            return thread;
        });
        watchdog.schedule(this::deadlineExceeded, deadline.toMillis(), TimeUnit.MILLISECONDS);
        Main main = newMain(job, environment, overrides);
        try {
            return startAndFire(main);
        } finally {
            watchdog.shutdownNow();
            main.stop();
            removeHook(onSigterm);
        }
    }

    private ExitCode startAndFire(Main main) {
        try {
            main.start();
        } catch (Exception e) {
            return configurationError(FailureReport.explainStartup(e, environment), e);
        }
        CamelContext context = main.getCamelContext();
        calls = context.getRegistry().lookupByNameAndType("callStats", CallStats.class);
        Route route = context.getRoute(job.id());
        if (route == null) {
            return configurationError(job.routeLocation() + " defines no route with id '" + job.id() + "'", null);
        }
        List<String> targets = targets(context);
        if (environment.requiresHttps()) {
            for (String target : targets) {
                if (target.startsWith("http://")) {
                    return configurationError("plain http:// is not allowed in " + environment.id() + ": " + target
                            + "; set CA_API_URL / CA_FRONTEND_URL / SUPABASE_API_URL to an https:// URL", null);
                }
            }
        }
        LOG.info("Starting job {} ({}) environment={} target={}", job.id(), job.name(), environment.id(),
                targets.isEmpty() ? "(none)" : String.join(", ", targets));
        return outcome(fireOnce(route));
    }

    /**
     * Camel Main for one job: the environment's profile, the shared configuration and the job's own
     * route file only, so a broken or slow file of another job cannot affect this one.
     */
    static Main newMain(Job job, Environment environment, Map<String, String> overrides) {
        Main main = new Main();
        // no graceful-hangup hook: on SIGTERM the runner logs the summary and the JVM exits (143) at
        // once, well inside the platform's grace period; a run-once job has nothing to drain
        main.setShutdownStrategy(new SimpleMainShutdownStrategy());
        main.configure().setProfile(environment.id());
        main.configure().withRoutesIncludePattern("classpath:shared/*.yaml," + job.routeLocation());
        overrides.forEach(main::addOverrideProperty);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterConfigure(BaseMainSupport configured) {
                fireByHand(configured.getCamelContext(), job.id());
            }
        });
        return main;
    }

    /**
     * The container is started by the platform's scheduler and runs the job once: the route's quartz
     * trigger (which documents the schedule and feeds the deploy files) is swapped for a direct
     * endpoint before the route starts, so no Quartz scheduler is created, waited for or shut down.
     */
    private static void fireByHand(CamelContext context, String routeId) {
        RouteDefinition route = ((ModelCamelContext) context).getRouteDefinition(routeId);
        if (route != null && route.getInput().getEndpointUri().startsWith("quartz:")) {
            route.getInput().setUri("direct:run-once-" + routeId);
        }
    }

    /** Sends one exchange through the route's consumer, as its trigger would, and waits for it. */
    private Exchange fireOnce(Route route) {
        Consumer consumer = route.getConsumer();
        if (!(consumer instanceof DefaultConsumer trigger)) {
            throw new ConfigurationException("route " + route.getRouteId() + " has a trigger that cannot be fired once: "
                    + route.getEndpoint().getEndpointUri());
        }
        Exchange exchange = trigger.createExchange(false);
        exchange.setProperty(RUN_KEY_PROPERTY, runKey);
        try {
            trigger.getProcessor().process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        }
        return exchange;
    }

    private ExitCode outcome(Exchange exchange) {
        Message message = exchange.getMessage();
        Exception failure = exchange.getException();
        HttpOperationFailedException httpFailure = FailureReport.find(failure, HttpOperationFailedException.class);
        Integer status = httpFailure != null ? Integer.valueOf(httpFailure.getStatusCode())
                : message.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);

        StringBuilder details = new StringBuilder(attempts());
        if (status != null) {
            details.append(" http_status=").append(status);
        }
        String result = exchange.getProperty(RESULT_PROPERTY, String.class);
        if (result != null) {
            details.append(' ').append(result);
        }
        if (failure == null) {
            summary("SUCCESS", details.toString().trim(), null);
            return ExitCode.SUCCESS;
        }
        String reason = FailureReport.explain(failure);
        LOG.error("Job {} failed: {}", job.id(), reason);
        LOG.debug("Failure of job {}", job.id(), failure);
        summary("FAILED", details.toString().trim(), reason);
        return ExitCode.JOB_FAILED;
    }

    private ExitCode configurationError(String reason, Exception cause) {
        LOG.error("Configuration error, job {} not run: {}", job.id(), reason);
        if (cause != null) {
            LOG.debug("Start-up failure of job {}", job.id(), cause);
        }
        summary("CONFIGURATION_ERROR", "", reason);
        return ExitCode.CONFIGURATION_ERROR;
    }

    /** JOB_TIMEOUT reached: the in-flight call is abandoned with the process. */
    private void deadlineExceeded() {
        String reason = "deadline exceeded: the job ran longer than JOB_TIMEOUT=" + deadline.toSeconds() + "s";
        LOG.error("Job {} stopped: {}", job.id(), reason);
        if (summary("FAILED", attempts(), reason)) {
            // halt, not exit: nothing may wait for the hung call, and the summary is already written
            Runtime.getRuntime().halt(ExitCode.JOB_FAILED.code);
        }
    }

    /** The platform stops the container (SIGTERM): say so, and let the JVM exit with 143. */
    private void terminated() {
        if (!summarised.get()) {
            String reason = "terminated by the platform (SIGTERM) while running; the in-flight call was abandoned";
            LOG.error("Job {} {}", job.id(), reason);
            summary("TERMINATED", attempts(), reason);
        }
    }

    private String attempts() {
        CallStats stats = calls;
        return stats == null || stats.getAttempts() == 0 ? "" : "attempts=" + stats.getAttempts();
    }

    /** Logs the run's one summary line; false when another ending already logged it. */
    private boolean summary(String outcome, String details, String reason) {
        if (summarised.getAndSet(true)) {
            return false;
        }
        LOG.info(summaryLine(job.id(), environment.id(), outcome, started, details, reason));
        return true;
    }

    /** {@code SUMMARY job=... environment=... outcome=... duration=1.234s [details] [reason="..."]}. */
    static String summaryLine(String job, String environment, String outcome, long startedNanos, String details, String reason) {
        long millis = (System.nanoTime() - startedNanos) / 1_000_000;
        return "SUMMARY job=" + job + " environment=" + environment + " outcome=" + outcome
                + " duration=" + millis / 1000 + "." + String.format("%03d", millis % 1000) + "s"
                + (details.isEmpty() ? "" : " " + details)
                + (reason == null ? "" : " reason=\"" + reason.replace('"', '\'').replaceAll("\\s+", " ") + "\"");
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is already exiting (deadline or SIGTERM): the hook has done its part
        }
    }

    /**
     * The systems this job talks to, for the start line: the callUri of each HTTP call in the route
     * (placeholders resolved; ${...} parts are filled in per call) and any BigQuery endpoint.
     */
    private List<String> targets(CamelContext context) {
        List<String> targets = new ArrayList<>();
        RouteDefinition definition = ((ModelCamelContext) context).getRouteDefinition(job.id());
        collectCallUris(context, definition.getOutputs(), targets);
        context.getEndpoints().stream().map(Endpoint::getEndpointBaseUri)
                .filter(uri -> uri.startsWith("google-bigquery"))
                .map(uri -> URLDecoder.decode(uri, StandardCharsets.UTF_8)).forEach(targets::add);
        return targets;
    }

    private static void collectCallUris(CamelContext context, List<ProcessorDefinition<?>> steps, List<String> targets) {
        for (ProcessorDefinition<?> step : steps) {
            if (step instanceof SetPropertyDefinition property && "callUri".equals(property.getName())) {
                targets.add(context.resolvePropertyPlaceholders(property.getExpression().getExpression()));
            }
            collectCallUris(context, step.getOutputs(), targets);
        }
    }
}
