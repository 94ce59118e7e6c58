package ai.cloudact.jobs.http;

import java.net.URI;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Prepares the HTTP request for the exchange property callUri: the full URL travels in the
 * CamelHttpUri header, and the endpoint is only the target's base (scheme, host, port), in the
 * property callBase. So a fan-out over thousands of org URLs shares one endpoint, one HTTP client and
 * one connection pool per host, instead of creating an endpoint per URL.
 */
public class CallTarget implements Processor {

    @Override
    public void process(Exchange exchange) {
        String callUri = exchange.getProperty("callUri", String.class);
        if (callUri == null || callUri.isBlank()) {
            throw new IllegalStateException("the route did not set the exchange property callUri before calling direct:outbound-call");
        }
        URI target = URI.create(callUri);
        exchange.getMessage().setHeader(Exchange.HTTP_URI, callUri);
        exchange.setProperty("callBase", target.getScheme() + "://" + target.getRawAuthority());
    }
}
