package ai.cloudact.jobs;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code --validate}: the shipped routes pass; each kind of broken route is reported with file and line. */
class RouteValidatorTest {

    private static final String BROKEN = "src/test/resources/broken-routes/";

    @Test
    void shippedRoutesAreValid() throws Exception {
        assertThat(RouteValidator.validate(null, JobCatalog.load())).isEmpty();
    }

    @Test
    void everyBrokenRouteIsReportedWithFileAndLine() throws Exception {
        List<String> problems = RouteValidator.validate(Path.of(BROKEN), JobCatalog.load());

        assertThat(problems).hasSize(9);
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith(BROKEN + "wrong-id.yaml:1: no route with id 'wrong-id'"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith(BROKEN + "no-cron.yaml:1: no cron"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith(BROKEN + "bad-cron.yaml:1: invalid Quartz cron '0 0 25 * * ?'"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith(BROKEN + "no-breaker.yaml:10: the call to direct:outbound-call is not inside a circuitBreaker"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith(BROKEN + "no-auth.yaml:1: no authentication step"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith(BROKEN + "unknown-property.yaml:9: unknown property {{ca.api.ulr}}"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith(BROKEN + "bad-simple.yaml:13: invalid simple expression"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith(BROKEN + "not-yaml.yaml:5: does not parse"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith(BROKEN + "unknown-step.yaml:8: does not parse").contains("setHeadr"));
    }

    @Test
    void sharedErrorHandlingExpressionsCompile() throws Exception {
        // a simple predicate with a syntax error only fails when the first failure happens: check them now
        assertThat(RouteValidator.validate(Path.of("src/main/resources/routes"), JobCatalog.load())).isEmpty();
    }
}
