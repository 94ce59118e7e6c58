package ai.cloudact.jobs.http;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import ai.cloudact.jobs.run.Run;
import org.apache.camel.Exchange;

/**
 * The Idempotency-Key of a call: derived from the run's identity ({@link RunKey}) and the call
 * itself (method and URL), so it is the same on every retry and task attempt of a run, different for
 * each org of a fan-out, and different for the next run.
 */
public class IdempotencyKeys {

    public String forCall(Exchange exchange) {
        String run = Run.of(exchange).runKey();
        String method = exchange.getMessage().getHeader(Exchange.HTTP_METHOD, "POST", String.class);
        String uri = exchange.getProperty("callUri", "", String.class);
        return UUID.nameUUIDFromBytes((run + "|" + method + "|" + uri).getBytes(StandardCharsets.UTF_8)).toString();
    }
}
