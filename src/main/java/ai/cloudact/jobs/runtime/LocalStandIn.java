package ai.cloudact.jobs.runtime;

import java.util.List;

import ai.cloudact.jobs.catalog.Job;

/**
 * A stand-in for the remote systems a job calls, so it runs on a developer's machine with no
 * credentials and nothing else running. The runner uses one only when ENVIRONMENT=local and an
 * implementation is on the class path ({@link java.util.ServiceLoader}); the sandbox lives with the
 * tests, so it is never part of the packaged runtime.
 */
public interface LocalStandIn extends AutoCloseable {

    /**
     * Starts the stand-in for one job, with the answers its job file's sandbox file declares
     * ({@link Job#sandboxLocation()}).
     *
     * @return its base URL, which the runner gives to every URL setting the user has not set
     */
    String start(Job job);

    /**
     * The calls the job's route declares (their URLs, {@code ${...}} parts standing for anything):
     * each gets {@code 200 {}} unless the sandbox file answers it; any other call gets {@code 501}
     * with a message naming the job, the call and the file to add.
     */
    void expect(List<String> declaredCalls);

    @Override
    void close();
}
