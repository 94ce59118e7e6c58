package ai.cloudact.jobs.http;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import ai.cloudact.jobs.run.Run;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Sets the Idempotency-Key header of a call: derived from the run's identity ({@code RunKey}) and the
 * call itself (method and URL), so it is the same on every retry and task attempt of a run, different
 * for each org of a fan-out, and different for the next run.
 *
 * <p>A processor, not a bean method the route calls: every call of a fan-out passes here, and Camel's
 * bean binding (method lookup, parameter binding) cost more CPU than the key itself.
 */
public class IdempotencyKeys implements Processor {

    private static final String HEADER = "Idempotency-Key";

    @Override
    public void process(Exchange exchange) {
        exchange.getMessage().setHeader(HEADER, forCall(exchange));
    }

    String forCall(Exchange exchange) {
        String run = Run.of(exchange).runKey();
        String method = exchange.getMessage().getHeader(Exchange.HTTP_METHOD, "POST", String.class);
        String uri = exchange.getProperty("callUri", "", String.class);
        return UUID.nameUUIDFromBytes((run + "|" + method + "|" + uri).getBytes(StandardCharsets.UTF_8)).toString();
    }
}
