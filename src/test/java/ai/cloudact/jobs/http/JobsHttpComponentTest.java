package ai.cloudact.jobs.http;

import java.io.IOException;
import java.security.KeyStoreException;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.hc.client5.http.socket.ConnectionSocketFactory;
import org.apache.hc.client5.http.socket.LayeredConnectionSocketFactory;
import org.apache.hc.client5.http.socket.PlainConnectionSocketFactory;
import org.apache.hc.client5.http.ssl.SSLConnectionSocketFactory;
import org.apache.hc.core5.http.config.Registry;
import org.apache.hc.core5.http.protocol.BasicHttpContext;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TLS is set up at the first https socket, once, by Camel's own code; plain http never sets it up. */
@SuppressWarnings("deprecation")
class JobsHttpComponentTest {

    @Test
    void theRegistryHasPlainHttpAndADeferredHttps() {
        Registry<ConnectionSocketFactory> registry = new JobsHttpComponent().createConnectionRegistry(null, null, false);

        assertThat(registry.lookup("http")).isSameAs(PlainConnectionSocketFactory.getSocketFactory());
        assertThat(registry.lookup("https")).isInstanceOf(JobsHttpComponent.DeferredTls.class);
    }

    @Test
    void theTlsFactoryIsMadeAtTheFirstSocketAndOnlyOnce() throws Exception {
        AtomicInteger made = new AtomicInteger();
        LayeredConnectionSocketFactory tls = new JobsHttpComponent.DeferredTls(() -> {
            made.incrementAndGet();
            return SSLConnectionSocketFactory.getSocketFactory();
        });
        assertThat(made).as("nothing made before a socket is asked for").hasValue(0);

        try (var first = tls.createSocket(new BasicHttpContext()); var second = tls.createSocket(new BasicHttpContext())) {
            assertThat(first).isNotNull();
            assertThat(second).isNotNull();
        }
        assertThat(made).hasValue(1);
    }

    @Test
    void httpsGoesThroughTheJdksTls() throws Exception {
        LayeredConnectionSocketFactory https = (LayeredConnectionSocketFactory) new JobsHttpComponent()
                .createConnectionRegistry(null, null, false).lookup("https");

        // the JDK's TLS socket factory refuses to layer TLS over a socket that is not connected
        try (java.net.Socket plain = new java.net.Socket()) {
            assertThatThrownBy(() -> https.createLayeredSocket(plain, "localhost", 443, new BasicHttpContext()))
                    .isInstanceOf(java.net.SocketException.class).hasMessageContaining("not connected");
        }
    }

    @Test
    void aTlsSetUpThatFailsIsAnIoErrorOfTheCallThatSaysSo() {
        LayeredConnectionSocketFactory tls = new JobsHttpComponent.DeferredTls(() -> {
            throw new KeyStoreException("trust store unreadable");
        });

        assertThatThrownBy(() -> tls.createSocket(new BasicHttpContext())).isInstanceOf(IOException.class)
                .hasMessage("TLS could not be set up: trust store unreadable");
    }
}
