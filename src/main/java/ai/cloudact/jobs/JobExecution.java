package ai.cloudact.jobs;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Route;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.main.Main;
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
 */
final class JobExecution {

    /** Exchange property a route may set to add its result to the summary, e.g. rows_deleted=42. */
    static final String RESULT_PROPERTY = "jobResult";

    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

    private final Job job;
    private final Environment environment;
    private final Map<String, String> overrides;

    JobExecution(Job job, Environment environment, Map<String, String> overrides) {
        this.job = job;
        this.environment = environment;
        this.overrides = overrides;
    }

    ExitCode run() {
        long started = System.nanoTime();
        Main main = newMain(job, environment, overrides);
        try {
            try {
                main.start();
            } catch (Exception e) {
                String reason = FailureReport.explainStartup(e, environment);
                LOG.error("Configuration error, job {} not started: {}", job.id(), reason);
                LOG.debug("Start-up failure of job {}", job.id(), e);
                summary(started, "CONFIGURATION_ERROR", null, reason);
                return ExitCode.CONFIGURATION_ERROR;
            }
            CamelContext context = main.getCamelContext();
            Route route = context.getRoute(job.id());
            if (route == null) {
                String reason = job.routeFile() + " defines no route with id '" + job.id() + "'";
                LOG.error("Configuration error: {}", reason);
                summary(started, "CONFIGURATION_ERROR", null, reason);
                return ExitCode.CONFIGURATION_ERROR;
            }
            LOG.info("Starting job {} ({}) environment={} target={}", job.id(), job.name(), environment.id(),
                    targets(context));
            Exchange exchange = fireOnce(route);
            return outcome(exchange, started);
        } finally {
            main.stop();
        }
    }

    /**
     * Camel Main for one job: the environment's profile, the shared configuration and the job's own
     * route file only, so a broken or slow file of another job cannot affect this one.
     */
    static Main newMain(Job job, Environment environment, Map<String, String> overrides) {
        Main main = new Main();
        main.configure().setProfile(environment.id());
        main.configure().withRoutesIncludePattern("classpath:shared/*.yaml,classpath:" + job.routeFile());
        overrides.forEach(main::addOverrideProperty);
        return main;
    }

    /** Sends one exchange through the route's consumer, as its trigger would, and waits for it. */
    private static Exchange fireOnce(Route route) {
        Consumer consumer = route.getConsumer();
        if (!(consumer instanceof DefaultConsumer trigger)) {
            throw new ConfigurationException("route " + route.getRouteId() + " has a trigger that cannot be fired once: "
                    + route.getEndpoint().getEndpointUri());
        }
        Exchange exchange = trigger.createExchange(false);
        try {
            trigger.getProcessor().process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        }
        return exchange;
    }

    private ExitCode outcome(Exchange exchange, long started) {
        Message message = exchange.getMessage();
        Exception failure = exchange.getException();
        HttpOperationFailedException httpFailure = FailureReport.find(failure, HttpOperationFailedException.class);
        Integer status = httpFailure != null ? Integer.valueOf(httpFailure.getStatusCode())
                : message.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);

        StringBuilder details = new StringBuilder();
        CallStats calls = exchange.getContext().getRegistry().lookupByNameAndType("callStats", CallStats.class);
        if (calls != null && calls.getAttempts() > 0) {
            details.append("attempts=").append(calls.getAttempts());
        }
        if (status != null) {
            details.append(" http_status=").append(status);
        }
        String result = exchange.getProperty(RESULT_PROPERTY, String.class);
        if (result != null) {
            details.append(' ').append(result);
        }
        if (failure == null) {
            summary(started, "SUCCESS", details.toString().trim(), null);
            return ExitCode.SUCCESS;
        }
        String reason = FailureReport.explain(failure);
        LOG.error("Job {} failed: {}", job.id(), reason);
        LOG.debug("Failure of job {}", job.id(), failure);
        summary(started, "FAILED", details.toString().trim(), reason);
        return ExitCode.JOB_FAILED;
    }

    private void summary(long started, String outcome, CharSequence details, String reason) {
        long millis = (System.nanoTime() - started) / 1_000_000;
        LOG.info("SUMMARY job={} environment={} outcome={} duration={}.{}s{}{}", job.id(), environment.id(), outcome,
                millis / 1000, String.format("%03d", millis % 1000), details == null || details.isEmpty() ? "" : " " + details,
                reason == null ? "" : " reason=\"" + reason.replace('"', '\'') + "\"");
    }

    /**
     * The systems this job talks to, for the start line: the callUri of each HTTP call in the route
     * (placeholders resolved; ${...} parts are filled in per call) and any BigQuery endpoint.
     */
    private String targets(CamelContext context) {
        List<String> targets = new ArrayList<>();
        RouteDefinition definition = ((ModelCamelContext) context).getRouteDefinition(job.id());
        collectCallUris(context, definition.getOutputs(), targets);
        context.getEndpoints().stream().map(Endpoint::getEndpointBaseUri)
                .filter(uri -> uri.startsWith("google-bigquery"))
                .map(uri -> URLDecoder.decode(uri, StandardCharsets.UTF_8)).forEach(targets::add);
        return targets.isEmpty() ? "(none)" : String.join(", ", targets);
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
