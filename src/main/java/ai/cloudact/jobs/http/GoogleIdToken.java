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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates a call to a private Cloud Run service: sets {@code Authorization: Bearer <Google ID
 * token>} whose audience is the target's base URL (scheme, host and port of the exchange property
 * callUri, or the property oidcAudience when a route sets one). The token comes from the Application
 * Default Credentials: on Cloud Run the metadata server; the library's documented GCE_METADATA_HOST
 * override points it elsewhere (tests). Nothing is fetched until a route uses this step.
 *
 * <p>When the local sandbox answers the job's calls (the runner sets {@code local.sandbox=true}; only
 * with ENVIRONMENT=local, and the sandbox is never in the image), the token is a fixed stand-in,
 * {@value #SANDBOX_TOKEN}: a developer's machine has no service account to mint one, and the sandbox
 * does not check it. Any other environment with local.sandbox set is refused at start.
 */
public class GoogleIdToken implements Processor {

    /** The token sent while the local sandbox answers: not a JWT, so no real service would take it. */
    public static final String SANDBOX_TOKEN = "local-sandbox-id-token";

    private static final Logger LOG = LoggerFactory.getLogger(GoogleIdToken.class);

    private final Map<String, IdTokenCredentials> byAudience = new ConcurrentHashMap<>();
    private boolean localSandbox;
    private String environment = "local";

    /** True while the local sandbox answers the job's calls (set by the runner, never by a deploy). */
    public void setLocalSandbox(boolean localSandbox) {
        this.localSandbox = localSandbox;
        refuseOutsideLocal();
    }

    /** The run's ENVIRONMENT. */
    public void setEnvironment(String environment) {
        this.environment = environment;
        refuseOutsideLocal();
    }

    private void refuseOutsideLocal() {
        if (localSandbox && !"local".equals(environment)) {
            throw new ConfigurationException("local.sandbox (LOCAL_SANDBOX) stands in for Google ID tokens on a developer's"
                    + " machine only, not in ENVIRONMENT=" + environment + ": unset it");
        }
    }

    @Override
    public void process(Exchange exchange) throws IOException {
        String audience = exchange.getProperty("oidcAudience", String.class);
        if (audience == null) {
            URI target = URI.create(exchange.getProperty("callUri", String.class));
            audience = target.getScheme() + "://" + target.getAuthority();
        }
        if (localSandbox) {
            LOG.info("LOCAL SANDBOX: a stand-in Google ID token for audience {}", audience);
            exchange.getMessage().setHeader("Authorization", "Bearer " + SANDBOX_TOKEN);
            return;
        }
        IdTokenCredentials credentials = byAudience.computeIfAbsent(audience, this::credentialsFor);
        credentials.refreshIfExpired();
        String token = credentials.getIdToken().getTokenValue();
        // a bearer credential like any other: never in any output
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
