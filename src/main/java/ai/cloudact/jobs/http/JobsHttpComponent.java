package ai.cloudact.jobs.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.util.Map;

import javax.net.ssl.HostnameVerifier;

import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.hc.client5.http.cookie.CookieSpecFactory;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.socket.ConnectionSocketFactory;
import org.apache.hc.client5.http.socket.LayeredConnectionSocketFactory;
import org.apache.hc.client5.http.socket.PlainConnectionSocketFactory;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.config.Registry;
import org.apache.hc.core5.http.config.RegistryBuilder;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * Camel's {@code http} and {@code https} components as the jobs use them (the runtime binds one of these
 * under each name), without two costs that Camel's component pays when it makes a client, whatever the
 * job calls (about 50 ms and 400 classes of every start together; bench/README.md):
 * <ul>
 * <li>the TLS socket factory, an SSLContext over the JDK's trust store, is made at the first https
 * connection, so a job that only calls http:// (the local sandbox, a service inside the cluster) never
 * makes one. It is still Camel's own, made by Camel's code with the same settings (SSLContextParameters,
 * host name verifier, system properties);</li>
 * <li>with cookies off ({@code cookieManagementDisabled}, application.properties), the client gets no
 * cookie specifications, which would otherwise load the public suffix list.</li>
 * </ul>
 */
@SuppressWarnings("deprecation") // the socket factory API that Camel's connection manager is built on
public class JobsHttpComponent extends HttpComponent {

    @Override
    protected Registry<ConnectionSocketFactory> createConnectionRegistry(HostnameVerifier hostnameVerifier,
            SSLContextParameters sslContextParams, boolean useSystemProperties) {
        return RegistryBuilder.<ConnectionSocketFactory>create()
                .register("http", PlainConnectionSocketFactory.getSocketFactory())
                .register("https", new DeferredTls(() -> (LayeredConnectionSocketFactory) super.createConnectionRegistry(
                        hostnameVerifier, sslContextParams, useSystemProperties).lookup("https")))
                .build();
    }

    @Override
    protected HttpClientBuilder createHttpClientBuilder(String uri, Map<String, Object> parameters, Map<String, Object> httpClientOptions) {
        HttpClientBuilder builder = super.createHttpClientBuilder(uri, parameters, httpClientOptions);
        if (isCookieManagementDisabled()) {
            builder.setDefaultCookieSpecRegistry(RegistryBuilder.<CookieSpecFactory>create().build());
        }
        return builder;
    }

    /** How Camel makes its TLS socket factory: called once, at the first https connection. */
    @FunctionalInterface
    interface TlsFactoryMaker {
        LayeredConnectionSocketFactory make() throws GeneralSecurityException, IOException;
    }

    /** A TLS socket factory made on first use; every call goes to it. */
    static final class DeferredTls implements LayeredConnectionSocketFactory {

        private final TlsFactoryMaker maker;
        private LayeredConnectionSocketFactory tls;

        DeferredTls(TlsFactoryMaker maker) {
            this.maker = maker;
        }

        private synchronized LayeredConnectionSocketFactory tls() throws IOException {
            if (tls == null) {
                try {
                    tls = maker.make();
                } catch (GeneralSecurityException e) {
                    throw new IOException("TLS could not be set up: " + e.getMessage(), e);
                }
            }
            return tls;
        }

        @Override
        public Socket createSocket(HttpContext context) throws IOException {
            return tls().createSocket(context);
        }

        @Override
        public Socket createSocket(Proxy proxy, HttpContext context) throws IOException {
            return tls().createSocket(proxy, context);
        }

        @Override
        public Socket connectSocket(TimeValue connectTimeout, Socket socket, HttpHost host, InetSocketAddress remoteAddress,
                InetSocketAddress localAddress, HttpContext context) throws IOException {
            return tls().connectSocket(connectTimeout, socket, host, remoteAddress, localAddress, context);
        }

        @Override
        public Socket connectSocket(Socket socket, HttpHost host, InetSocketAddress remoteAddress, InetSocketAddress localAddress,
                Timeout connectTimeout, Object attachment, HttpContext context) throws IOException {
            return tls().connectSocket(socket, host, remoteAddress, localAddress, connectTimeout, attachment, context);
        }

        @Override
        public Socket createLayeredSocket(Socket socket, String target, int port, HttpContext context) throws IOException {
            return tls().createLayeredSocket(socket, target, port, context);
        }

        @Override
        public Socket createLayeredSocket(Socket socket, String target, int port, Object attachment, HttpContext context)
                throws IOException {
            return tls().createLayeredSocket(socket, target, port, attachment, context);
        }
    }
}
