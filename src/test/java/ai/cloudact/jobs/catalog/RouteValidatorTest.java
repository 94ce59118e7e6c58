package ai.cloudact.jobs.catalog;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import ai.cloudact.jobs.run.Environment;
import ai.cloudact.jobs.runtime.Settings;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code --validate}: the shipped packs pass; each kind of broken job file is reported with file and line. */
class RouteValidatorTest {

    private static final String BROKEN = "broken-routes/";

    private static Map<String, String> properties(Pack pack) {
        Map<String, String> properties = new HashMap<>(Settings.defaults());
        properties.putAll(pack.properties(Environment.LOCAL));
        return properties;
    }

    @Test
    void shippedPacksAreValid() {
        for (String name : Pack.names()) {
            Pack pack = Pack.load(name);
            RouteValidator.Report report = RouteValidator.validate(JobCatalog.load(pack, null), properties(pack));
            assertThat(report.problems()).as(name).isEmpty();
            assertThat(report.files()).as(name).isPositive();
        }
    }

    @Test
    void everyBrokenJobFileIsReportedWithFileAndLine() {
        Pack pack = Pack.load(Pack.DEFAULT);
        List<String> problems = RouteValidator.validateDirectory(Path.of("src/test/resources/" + BROKEN), pack, properties(pack)).problems();

        assertThat(problems).hasSize(9);
        assertThat(problems).anySatisfy(p -> assertThat(p).contains(BROKEN + "wrong-id.yaml:1: no route with id 'wrong-id'"));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains(BROKEN + "no-cron.yaml:1: no cron"));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains(BROKEN + "bad-cron.yaml:1: invalid Quartz cron '0 0 25 * * ?'"));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains(BROKEN + "no-breaker.yaml:10: the call to direct:outbound-call is not inside a circuitBreaker"));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains(BROKEN + "no-auth.yaml:1: no authentication step"));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains(BROKEN + "unknown-property.yaml:9: unknown property {{ca.api.ulr}}"));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains(BROKEN + "bad-simple.yaml:13: invalid simple expression"));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains(BROKEN + "not-yaml.yaml:5: "));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains(BROKEN + "unknown-step.yaml:8: does not parse").contains("setHeadr"));
    }

    @Test
    void aSecretInASimpleExpressionIsRefused() throws Exception {
        Path dir = java.nio.file.Files.createTempDirectory("validate");
        java.nio.file.Files.writeString(dir.resolve("leaky.yaml"), """
                - route:
                    id: leaky
                    description: "POST {api}/x"
                    from:
                      uri: quartz:cloudact/leaky
                      parameters: {cron: "0 0 3 * * ?"}
                      steps:
                        - setHeader: {name: Authorization, simple: "Bearer {{secret:CRON_SECRET}}"}
                        - setProperty: {name: callUri, constant: "{{ca.api.url}}/x"}
                        - circuitBreaker:
                            steps:
                              - to: direct:outbound-call
                """);
        Pack pack = Pack.load(Pack.DEFAULT);
        assertThat(RouteValidator.validateDirectory(dir, pack, properties(pack)).problems())
                .anySatisfy(p -> assertThat(p).containsPattern("leaky.yaml:\\d+: a secret in a simple expression").contains("use `constant:`"));
    }
}
