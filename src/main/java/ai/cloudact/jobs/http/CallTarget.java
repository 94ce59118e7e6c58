package ai.cloudact.jobs.http;

import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;

import ai.cloudact.jobs.run.Quoted;
import ai.cloudact.jobs.run.Redaction;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.http.HttpMethods;

/**
 * Prepares the HTTP request for the exchange property callUri: the full URL travels in the
 * CamelHttpUri header, and the endpoint is only the target's base (scheme, host, port), in the
 * property callBase. So a fan-out over thousands of org URLs shares one endpoint, one HTTP client and
 * one connection pool per host, instead of creating an endpoint per URL.
 *
 * <p>The method a route sets as text (CamelHttpMethod: POST) is handed on as camel-http's enum: the
 * HTTP producer reads it as that type, and a String would go through Camel's fallback type conversion
 * (a scan of every converter) at every call: a quarter of the CPU of 5,000 calls (bench/README.md).
 */
public class CallTarget implements Processor {

    private static final Pattern CREDENTIAL = Pattern.compile("(?i)authorization|.*(key|token|secret|password).*");

    @Override
    public void process(Exchange exchange) {
        String callUri = exchange.getProperty("callUri", String.class);
        if (callUri == null || callUri.isBlank()) {
            throw new IllegalStateException("the route did not set the exchange property callUri before calling direct:outbound-call");
        }
        // a credential this call sends is a secret wherever it shows up again (an API echoing it back)
        exchange.getMessage().getHeaders().forEach((name, value) -> {
            if (value instanceof String text && CREDENTIAL.matcher(name).matches() && !name.equalsIgnoreCase("Idempotency-Key")) {
                Redaction.register(text);
                Redaction.register(text.replaceFirst("(?i)^(Bearer|Basic)\\s+", ""));
            }
        });
        if (exchange.getMessage().getHeader(Exchange.HTTP_METHOD) instanceof String method) {
            exchange.getMessage().setHeader(Exchange.HTTP_METHOD, httpMethod(method));
        }
        URI target = URI.create(callUri);
        exchange.getMessage().setHeader(Exchange.HTTP_URI, callUri);
        exchange.setProperty("callBase", target.getScheme() + "://" + target.getRawAuthority());
    }

    private static HttpMethods httpMethod(String method) {
        try {
            return HttpMethods.valueOf(method.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the route set CamelHttpMethod to " + Quoted.quote(method)
                    + ", which is not an HTTP method: use one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS");
        }
    }
}
