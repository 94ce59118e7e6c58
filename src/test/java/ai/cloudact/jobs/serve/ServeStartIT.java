package ai.cloudact.jobs.serve;

import java.util.Map;

import ai.cloudact.jobs.support.JobProcess;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --serve} refuses to start, with one line and the right exit code, before serving anything:
 * 2 for a configuration it cannot serve with, 1 for a run-state database it cannot reach. No secret
 * in the output.
 */
class ServeStartIT {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "PORT=abc                                   | 2 | Invalid PORT 'abc': not an integer",
            "SERVE_AUTH=maybe                           | 2 | Invalid SERVE_AUTH 'maybe'",
            "ENVIRONMENT=prod                           | 2 | SERVE_AUTH=oidc (the default outside local) needs SERVE_AUDIENCE",
            "SERVE_AUTH=bearer                          | 2 | SERVE_AUTH=bearer needs CRON_SECRET",
            "SERVE_JOBS=quota-rest                      | 2 | SERVE_JOBS=quota-rest: unknown job(s) [quota-rest]",
            "SERVE_SCHEDULER=cron                       | 2 | Invalid SERVE_SCHEDULER 'cron'",
            "STATE_DB_URL=jdbc:postgresql://127.0.0.1:1/state | 1 | the run-state database (STATE_DB_URL=jdbc:postgresql://127.0.0.1:1/state) cannot be reached"})
    void refusesToStart(String setting, int exitCode, String message) throws Exception {
        String[] pair = setting.split("=", 2);
        Map<String, String> env = new java.util.HashMap<>(Map.of("SERVE_JOBS", "alerts", "STATE_DB_PASSWORD", "it-start-db-password"));
        env.put(pair[0], pair[1]);
        JobProcess.Result result = JobProcess.run(env, "--serve");
        assertThat(result.exitCode()).as(result.output()).isEqualTo(exitCode);
        assertThat(result.output()).contains(message).doesNotContain("it-start-db-password").doesNotContain("\tat ");
    }
}
