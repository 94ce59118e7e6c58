package ai.cloudact.jobs.http;

import java.net.URI;

import ai.cloudact.jobs.run.ExplainedFailure;
import ai.cloudact.jobs.run.Run;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Runs when a call fails in a way no retry can fix (shared/error-handling.yaml): counts the calls an
 * open circuit breaker refused, for the summary, and turns a TLS failure into a reason that names TLS
 * and the host.
 */
public class CallFailures implements Processor {

    @Override
    public void process(Exchange exchange) {
        Exception failure = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (FailureReport.find(failure, CallNotPermittedException.class) != null) {
            Run.of(exchange).shortCircuited();
            return;
        }
        javax.net.ssl.SSLException tls = FailureReport.find(failure, javax.net.ssl.SSLException.class);
        if (tls != null) {
            String callUri = exchange.getProperty("callUri", String.class);
            String host = callUri == null ? "the server" : URI.create(callUri).getHost();
            exchange.setException(new ExplainedFailure("TLS failure talking to " + host + ", not retried: "
                    + FailureReport.rootMessage(tls) + "; check the server's certificate (issued for " + host
                    + " by a CA this runtime trusts)", failure));
        }
    }
}
