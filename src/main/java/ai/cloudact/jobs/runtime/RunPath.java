package ai.cloudact.jobs.runtime;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import ai.cloudact.jobs.catalog.Job;
import ai.cloudact.jobs.http.FailureReport;
import ai.cloudact.jobs.run.Environment;
import ai.cloudact.jobs.run.Outcome;
import ai.cloudact.jobs.run.Run;
import ai.cloudact.jobs.run.RunRecord;
import ai.cloudact.jobs.run.Shard;
import ai.cloudact.jobs.run.Summary;
import ai.cloudact.jobs.state.RunControl;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SetPropertyDefinition;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one path every run of a job takes, whatever started it (a one-shot process, the service's
 * trigger, an HTTP request): one exchange through the job's route, waited for with all its
 * sub-exchanges, then the run's record and its summary line. A run that ends another way (deadline,
 * signal) is ended through {@link #end} too, so its summary is written exactly once.
 *
 * <p>Run control ({@link RunControl}) is part of the path: before the job does anything the run takes
 * its overlap lease on (pack, job, shard) and starts its history row; however it ends, {@link #end}
 * writes the history row and gives the lease up. A run refused the lease ends at once, SKIPPED (or
 * FAILED, as OVERLAP_POLICY says) with the holder in its reason.
 */
public final class RunPath {

    private static final Logger LOG = LoggerFactory.getLogger("runner");

    private final CamelContext context;
    private final String pack;
    private final Environment environment;
    private final ProducerTemplate template;
    private final RunControl control;

    /** Without run control: no lease, no history. */
    public RunPath(CamelContext context, String pack, Environment environment) {
        this(context, pack, environment, RunControl.off());
    }

    /** With lease and history in {@code control}'s store (shared by every run of the process; its owner closes it). */
    public RunPath(CamelContext context, String pack, Environment environment, RunControl control) {
        this.context = context;
        this.pack = pack;
        this.environment = environment;
        this.template = context.createProducerTemplate();
        this.control = control;
    }

    /** Checks the job can run here; a ConfigurationException says why not (e.g. plain http in prod). */
    public List<String> prepare(Job job) {
        if (context.getRoute(job.id()) == null) {
            throw new ai.cloudact.jobs.run.ConfigurationException(job.location() + " defines no route with id '" + job.id() + "'");
        }
        List<String> targets = targets(job);
        for (String target : targets) {
            if (!target.startsWith("google-bigquery") && !target.matches("(?i)https?://[^/?#\\s]+.*")) {
                // a URL setting without a default in this environment (e.g. a worker's URL the deploy sets)
                String setting = unsetSetting(job);
                throw new ai.cloudact.jobs.run.ConfigurationException("job " + job.id() + " calls '" + target + "', not an http(s) URL: "
                        + (setting == null ? "set the job's URL setting (--help lists them)"
                        : "set " + setting + " (it has no default in " + environment.id() + ")"));
            }
        }
        if (environment.requiresHttps()) {
            for (String target : targets) {
                if (target.startsWith("http://")) {
                    throw new ai.cloudact.jobs.run.ConfigurationException("plain http:// is not allowed in " + environment.id() + ": "
                            + target + "; set the job's URL setting (e.g. CA_API_URL) to an https:// URL");
                }
            }
        }
        return targets;
    }

    /**
     * Takes the run's lease, runs the job once and ends the run; the record, or empty when another
     * ending came first.
     *
     * @param shard "i/N" when the run is one of N parallel tasks of a fan-out job (it processes only
     *              its share of the items, and the lease and history are per shard), else null
     */
    public java.util.Optional<RunRecord> execute(Job job, Run run, Instant started, String shard) {
        run.shard(Shard.parse(shard));
        java.util.Optional<RunControl.Refusal> refused = control.begin(run, pack, environment.id(), shard, started);
        if (refused.isPresent()) {
            return end(run, started, refused.get().outcome(), null, shard, refused.get().reason());
        }
        Exchange exchange = new DefaultExchange(context);
        run.attach(exchange);
        try {
            template.send(CamelSetup.entry(job.id()), exchange);
        } catch (RuntimeException e) {
            exchange.setException(e);
        }
        Exception failure = exchange.getException();
        HttpOperationFailedException http = FailureReport.find(failure, HttpOperationFailedException.class);
        Integer status = http != null ? Integer.valueOf(http.getStatusCode())
                : exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        if (status != null) {
            run.httpStatus(status);
        }
        String extra = exchange.getProperty(Run.RESULT_PROPERTY, String.class);
        if (failure == null) {
            return end(run, started, Outcome.SUCCESS, extra, shard, null);
        }
        String reason = FailureReport.explain(failure, FailureReport.hints(context));
        if (run.shortCircuitedCalls() > 0) {
            reason += " (circuit breaker open: " + run.shortCircuitedCalls() + " call(s) not made)";
        }
        LOG.error("Job {} failed: {}", job.id(), reason);
        LOG.debug("Failure of job {}", job.id(), failure);
        return end(run, started, Outcome.FAILED, extra, shard, reason);
    }

    /**
     * Ends the run with this outcome, unless it has ended already: logs its summary line, then writes
     * its history row and gives its lease up (waiting for the store at most {@link RunControl#END_WITHIN}).
     */
    public java.util.Optional<RunRecord> end(Run run, Instant started, Outcome outcome, String extra, String shard, String reason) {
        if (!run.end()) {
            return java.util.Optional.empty();
        }
        RunRecord record = RunRecord.of(run, pack, environment.id(), started, outcome, extra, shard, reason);
        Summary.log(record);
        control.end(run, record);
        return java.util.Optional.of(record);
    }

    /**
     * The systems this job talks to, for the start line: the callUri of each HTTP call in its route and
     * the helper routes of its file (placeholders resolved; ${...} parts are filled in per call), and
     * any BigQuery endpoint.
     */
    public List<String> targets(Job job) {
        List<String> targets = new ArrayList<>();
        for (RouteDefinition definition : ((ModelCamelContext) context).getRouteDefinitions()) {
            if (job.location().equals(sourceOf(definition))) {
                collectCallUris(definition.getOutputs(), targets);
            }
        }
        context.getEndpoints().stream().map(Endpoint::getEndpointBaseUri)
                .filter(uri -> uri.startsWith("google-bigquery"))
                .map(uri -> URLDecoder.decode(uri, StandardCharsets.UTF_8)).forEach(targets::add);
        return targets.stream().distinct().toList();
    }

    /** WORKER_URL when a call of the job starts with a {{worker.url}} that resolves to nothing; else null. */
    private String unsetSetting(Job job) {
        for (RouteDefinition definition : ((ModelCamelContext) context).getRouteDefinitions()) {
            if (job.location().equals(sourceOf(definition))) {
                List<String> raw = new ArrayList<>();
                collectRawCallUris(definition.getOutputs(), raw);
                for (String uri : raw) {
                    java.util.regex.Matcher leading = java.util.regex.Pattern.compile("^\\{\\{([^{}:]+)}}").matcher(uri);
                    if (leading.find() && context.resolvePropertyPlaceholders(leading.group()).isBlank()) {
                        return Setting.envName(leading.group(1));
                    }
                }
            }
        }
        return null;
    }

    private static void collectRawCallUris(List<ProcessorDefinition<?>> steps, List<String> uris) {
        for (ProcessorDefinition<?> step : steps) {
            if (step instanceof SetPropertyDefinition property && "callUri".equals(property.getName())) {
                uris.add(property.getExpression().getExpression());
            }
            collectRawCallUris(step.getOutputs(), uris);
        }
    }

    private static String sourceOf(RouteDefinition definition) {
        return definition.getResource() == null ? null : definition.getResource().getLocation();
    }

    private void collectCallUris(List<ProcessorDefinition<?>> steps, List<String> targets) {
        for (ProcessorDefinition<?> step : steps) {
            if (step instanceof SetPropertyDefinition property && "callUri".equals(property.getName())) {
                targets.add(context.resolvePropertyPlaceholders(property.getExpression().getExpression()));
            }
            collectCallUris(step.getOutputs(), targets);
        }
    }
}
