package ai.cloudact.jobs.http;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import ai.cloudact.jobs.run.ConfigurationException;
import ai.cloudact.jobs.run.Redaction;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.IdTokenCredentials;
import com.google.auth.oauth2.IdTokenProvider;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Authenticates a call to a private Cloud Run service: sets {@code Authorization: Bearer <Google ID
 * token>} whose audience is the target's base URL (scheme, host and port of the exchange property
 * callUri, or the property oidcAudience when a route sets one). The token comes from the Application
 * Default Credentials: on Cloud Run the metadata server; the library's documented GCE_METADATA_HOST
 * override points it elsewhere (tests). Nothing is fetched until a route uses this step.
 */
public class GoogleIdToken implements Processor {

    private final Map<String, IdTokenCredentials> byAudience = new ConcurrentHashMap<>();

    @Override
    public void process(Exchange exchange) throws IOException {
        String audience = exchange.getProperty("oidcAudience", String.class);
        if (audience == null) {
            URI target = URI.create(exchange.getProperty("callUri", String.class));
            audience = target.getScheme() + "://" + target.getAuthority();
        }
        IdTokenCredentials credentials = byAudience.computeIfAbsent(audience, this::credentialsFor);
        credentials.refreshIfExpired();
        String token = credentials.getIdToken().getTokenValue();
        Redaction.register(token);
        exchange.getMessage().setHeader("Authorization", "Bearer " + token);
    }

    private IdTokenCredentials credentialsFor(String audience) {
        try {
            GoogleCredentials source = GoogleCredentials.getApplicationDefault();
            if (!(source instanceof IdTokenProvider provider)) {
                throw new ConfigurationException("the Application Default Credentials (" + source.getClass().getSimpleName()
                        + ") cannot mint ID tokens; run on Cloud Run or with a service account key");
            }
            return IdTokenCredentials.newBuilder().setIdTokenProvider(provider).setTargetAudience(audience).build();
        } catch (IOException e) {
            throw new ConfigurationException("no Google credentials to mint an ID token for " + audience + ": "
                    + e.getMessage(), e);
        }
    }
}
