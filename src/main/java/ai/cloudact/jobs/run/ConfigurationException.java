package ai.cloudact.jobs.run;

/** Bad configuration or usage: the run stops before any request and exits with code 2. */
public class ConfigurationException extends RuntimeException {
    public ConfigurationException(String message) {
        super(message);
    }

    public ConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
