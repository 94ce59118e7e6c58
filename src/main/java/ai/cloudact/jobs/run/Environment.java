package ai.cloudact.jobs.run;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Where a job runs. It picks a pack's per-environment settings (GCP project, URLs, where the secrets
 * come from): the {@code %<name>.} keys of its pack.properties.
 */
public enum Environment {
    LOCAL("local"),
    TEST("test"),
    STAGE("stage", "staging"),
    PROD("prod", "production");

    private final String id;
    private final String alias;

    Environment(String id) {
        this(id, null);
    }

    Environment(String id, String alias) {
        this.id = id;
        this.alias = alias;
    }

    public String id() {
        return id;
    }

    /** Shared and production environments only talk to the API over TLS. */
    public boolean requiresHttps() {
        return this == STAGE || this == PROD;
    }

    /** Parses ENVIRONMENT; unset means {@link #LOCAL}, so nothing ever defaults into production. */
    public static Environment parse(String value) {
        if (value == null || value.isBlank()) {
            return LOCAL;
        }
        String wanted = value.trim().toLowerCase(Locale.ROOT);
        for (Environment environment : values()) {
            if (environment.id.equals(wanted) || wanted.equals(environment.alias)) {
                return environment;
            }
        }
        throw new ConfigurationException("Invalid ENVIRONMENT '" + value + "': set it to one of "
                + Arrays.stream(values()).map(Environment::id).collect(Collectors.joining(", "))
                + " (staging and production are accepted as aliases).");
    }
}
