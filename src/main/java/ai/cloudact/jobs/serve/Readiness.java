package ai.cloudact.jobs.serve;

import java.util.Map;
import java.util.function.Supplier;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * The service's part of {@code /observe/health/ready}: ready only while it takes runs, its scheduler
 * is started and the run-state database answers. Not part of liveness: a database outage takes the
 * replica out of rotation, it does not restart it.
 */
final class Readiness extends AbstractHealthCheck {

    private final Supplier<String> problem;

    /** @param problem why the service is not ready, or null when it is */
    Readiness(Supplier<String> problem) {
        super("jobs", "service");
        this.problem = problem;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        String why = problem.get();
        if (why == null) {
            builder.up();
        } else {
            builder.message(why).down();
        }
    }
}
