package ai.cloudact.jobs.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import ai.cloudact.jobs.run.Run;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DRY_RUN=true: stands in for a call that would change something and logs it instead: method, URL,
 * headers (credentials masked) and body, or the BigQuery statement and its parameters.
 */
public class DryRunReport implements Processor {

    static final String MASK = "****";

    private static final Logger LOG = LoggerFactory.getLogger(DryRunReport.class);

    @Override
    public void process(Exchange exchange) {
        String uri = exchange.getProperty(Exchange.INTERCEPTED_ENDPOINT, String.class);
        Map<String, Object> headers = new TreeMap<>();
        exchange.getMessage().getHeaders().forEach((name, value) -> {
            if (!name.startsWith("Camel")) {
                headers.put(name, isCredential(name) && !"Idempotency-Key".equalsIgnoreCase(name) ? MASK : value);
            }
        });
        if (uri != null && uri.startsWith("google-bigquery")) {
            String statement = URLDecoder.decode(uri.substring(uri.indexOf(':') + 1), StandardCharsets.UTF_8)
                    .replaceFirst("^//", "").replaceFirst("\\?connectionFactory=.*$", "");
            LOG.info("DRY RUN: would run on BigQuery: {} with parameters {}", statement, headers);
            exchange.getMessage().setBody("(dry run: none)");
        } else {
            String method = exchange.getMessage().getHeader(Exchange.HTTP_METHOD, "POST", String.class);
            String url = exchange.getProperty("callUri", uri, String.class);
            LOG.info("DRY RUN: would send {} {} headers={} body={}", method, url, headers,
                    exchange.getMessage().getBody(String.class));
        }
        Run.of(exchange).result("dry_run", "true");
    }

    static boolean isCredential(String headerName) {
        String name = headerName.toLowerCase(Locale.ROOT);
        return name.contains("key") || name.contains("token") || name.contains("secret")
                || name.contains("authorization") || name.contains("password") || name.contains("cookie");
    }
}
