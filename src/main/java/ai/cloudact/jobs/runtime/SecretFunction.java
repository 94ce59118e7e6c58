package ai.cloudact.jobs.runtime;

import java.util.Map;

import ai.cloudact.jobs.run.ConfigurationException;
import ai.cloudact.jobs.run.Redaction;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesFunction;

/**
 * {@code {{secret:NAME}}} in a job file: the secret NAME, from the environment variable NAME (or
 * {@code -DNAME}), else from where the pack's {@code secret.NAME} says for this environment:
 * {@code gcp:<secret>} reads Google Secret Manager, {@code value:<text>} is a local stand-in.
 *
 * <p>The value is registered for redaction, and returned escaped so that Camel takes it literally: a
 * secret containing {@code {{...}}} is never expanded as a placeholder. (Route files put secrets in
 * {@code constant:} expressions, where {@code ${...}} is not evaluated either; --validate checks it.)
 */
final class SecretFunction implements PropertiesFunction {

    private final CamelContext context;
    private final Settings settings;
    private final Map<String, String> pack;

    SecretFunction(CamelContext context, Settings settings, Map<String, String> packProperties) {
        this.context = context;
        this.settings = settings;
        this.pack = packProperties;
    }

    @Override
    public String getName() {
        return "secret";
    }

    @Override
    public String apply(String name) {
        String key = name.trim();
        String value = settings.value(Setting.secret(key, ""));
        if (value == null) {
            String source = pack.get("secret." + key);
            if (source == null) {
                throw new ConfigurationException("secret " + key + " is not set: set the environment variable " + key
                        + " (or give the pack a secret." + key + " in pack.properties)");
            }
            if (source.startsWith("value:")) {
                value = source.substring("value:".length());
            } else if (source.startsWith("gcp:")) {
                value = fromSecretManager(key, source.substring("gcp:".length()));
            } else {
                throw new ConfigurationException("pack.properties: secret." + key + " = '" + source
                        + "' must be gcp:<secret> or value:<text>");
            }
        }
        Redaction.register(value);
        return value.replace("{{", "\\{{").replace("}}", "\\}}");
    }

    private String fromSecretManager(String key, String secret) {
        try {
            // the function itself, not "{{gcp:...}}": a resolved placeholder's value is parsed again
            PropertiesFunction gcp = context.getPropertiesComponent().getPropertiesFunction("gcp");
            if (gcp == null) {
                throw new IllegalStateException("Google Secret Manager support (camel-google-secret-manager) is missing");
            }
            return gcp.apply(secret);
        } catch (RuntimeException e) {
            String project = pack.getOrDefault("gcp.project.id", "?");
            throw new ConfigurationException("cannot read secret " + key + " from Google Secret Manager (secret " + secret
                    + " in project " + project + "): " + rootMessage(e) + ". Set the environment variable " + key
                    + ", or run with credentials that may read the secret.", e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return (root.getClass().getSimpleName() + ": " + root.getMessage()).replaceAll("[.\\s]+$", "");
    }
}
