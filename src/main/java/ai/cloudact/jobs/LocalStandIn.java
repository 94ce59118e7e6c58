package ai.cloudact.jobs;

import java.util.Map;

/**
 * A stand-in for the remote systems (API, frontend, BigQuery) that lets a job run on a developer's
 * machine with no credentials and nothing else running. The runner uses one only when
 * ENVIRONMENT=local and an implementation is on the class path ({@link java.util.ServiceLoader});
 * the sandbox lives with the tests, so it is never part of the packaged runtime.
 */
public interface LocalStandIn extends AutoCloseable {

    /**
     * Starts the stand-in.
     *
     * @return properties that point the jobs at it, e.g. {@code ca.api.url}; the runner applies
     *         only those the user has not set
     */
    Map<String, String> start();

    @Override
    void close();
}
