package ai.cloudact.jobs;

import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Counts the HTTP requests a run makes, retries included, for the summary line. Called once before
 * each call (shared/outbound-call.yaml) and before each redelivery (shared/error-handling.yaml).
 */
public class CallStats implements Processor {

    private final AtomicInteger attempts = new AtomicInteger();

    @Override
    public void process(Exchange exchange) {
        attempts.incrementAndGet();
    }

    public int getAttempts() {
        return attempts.get();
    }
}
