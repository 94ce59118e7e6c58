package ai.cloudact.jobs.http;

import org.apache.camel.Exchange;
import org.apache.camel.component.http.HttpMethods;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The request CallTarget prepares: the endpoint's base, the full URL, and the method as camel-http's own type. */
class CallTargetTest {

    private static Exchange call(String uri, Object method) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty("callUri", uri);
        if (method != null) {
            exchange.getMessage().setHeader(Exchange.HTTP_METHOD, method);
        }
        new CallTarget().process(exchange);
        return exchange;
    }

    @Test
    void oneEndpointPerHostTheFullUrlInTheHeader() {
        Exchange exchange = call("https://api.example.com:8443/admin/orgs/acme/sync?x=1", "POST");
        assertThat(exchange.getProperty("callBase")).isEqualTo("https://api.example.com:8443");
        assertThat(exchange.getMessage().getHeader(Exchange.HTTP_URI)).isEqualTo("https://api.example.com:8443/admin/orgs/acme/sync?x=1");
    }

    @Test
    void theMethodTextBecomesCamelHttpsEnumSoNoConversionRunsPerCall() {
        assertThat(call("http://h/p", "POST").getMessage().getHeader(Exchange.HTTP_METHOD)).isSameAs(HttpMethods.POST);
        assertThat(call("http://h/p", " delete ").getMessage().getHeader(Exchange.HTTP_METHOD)).isSameAs(HttpMethods.DELETE);
        assertThat(call("http://h/p", HttpMethods.PATCH).getMessage().getHeader(Exchange.HTTP_METHOD)).isSameAs(HttpMethods.PATCH);
        assertThat(call("http://h/p", null).getMessage().getHeader(Exchange.HTTP_METHOD)).isNull();
    }

    @Test
    void aMethodThatIsNoneSaysWhatToUse() {
        assertThatThrownBy(() -> call("http://h/p", "FETCH\n"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the route set CamelHttpMethod to 'FETCH?', which is not an HTTP method: use one of GET, POST, PUT,"
                        + " PATCH, DELETE, HEAD, OPTIONS");
    }
}
