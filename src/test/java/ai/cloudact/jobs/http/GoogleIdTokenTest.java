package ai.cloudact.jobs.http;

import ai.cloudact.jobs.run.ConfigurationException;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The local sandbox's stand-in for a Google ID token exists on a developer's machine only. */
class GoogleIdTokenTest {

    @Test
    void whileTheLocalSandboxAnswersTheTokenIsAStandIn() throws Exception {
        GoogleIdToken step = new GoogleIdToken();
        step.setEnvironment("local");
        step.setLocalSandbox(true);
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty("callUri", "http://localhost:4321/api/v1/scheduled/clear-sessions/");

        step.process(exchange);

        assertThat(exchange.getMessage().getHeader("Authorization")).isEqualTo("Bearer " + GoogleIdToken.SANDBOX_TOKEN);
    }

    @Test
    void theStandInIsRefusedInEveryDeployedEnvironmentWhateverTheOrderOfTheSettings() {
        for (String environment : new String[] {"test", "stage", "prod"}) {
            GoogleIdToken sandboxFirst = new GoogleIdToken();
            sandboxFirst.setLocalSandbox(true);
            assertThatThrownBy(() -> sandboxFirst.setEnvironment(environment)).isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("ENVIRONMENT=" + environment);
            GoogleIdToken environmentFirst = new GoogleIdToken();
            environmentFirst.setEnvironment(environment);
            assertThatThrownBy(() -> environmentFirst.setLocalSandbox(true)).isInstanceOf(ConfigurationException.class);
        }
    }
}
