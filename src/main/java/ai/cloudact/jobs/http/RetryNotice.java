package ai.cloudact.jobs.http;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs before each redelivery of a call (shared/error-handling.yaml): logs one line that says which
 * call is retried, which attempt this is and why, and counts the attempt.
 */
public class RetryNotice implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(RetryNotice.class);

    private final CallStats callStats = new CallStats();

    @Override
    public void process(Exchange exchange) {
        Integer redelivery = exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, Integer.class);
        Integer maxRedeliveries = exchange.getMessage().getHeader(Exchange.REDELIVERY_MAX_COUNTER, Integer.class);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        LOG.warn("retrying {} {} (attempt {} of {}) after: {}",
                exchange.getMessage().getHeader(Exchange.HTTP_METHOD, "POST", String.class),
                exchange.getProperty("callUri", "the call", String.class),
                redelivery == null ? "?" : redelivery + 1,
                maxRedeliveries == null ? "?" : maxRedeliveries + 1,
                cause == null ? "a transient failure" : FailureReport.explain(cause, FailureReport.hints(exchange.getContext())));
        callStats.process(exchange);
    }
}
