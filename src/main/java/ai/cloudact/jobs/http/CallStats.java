package ai.cloudact.jobs.http;

import ai.cloudact.jobs.run.Run;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Counts an HTTP request of the run, retries included, for the summary line. Called once before
 * each call (shared/outbound-call.yaml) and before each redelivery ({@link RetryNotice}).
 */
public class CallStats implements Processor {

    @Override
    public void process(Exchange exchange) {
        Run.of(exchange).attempt();
    }
}
