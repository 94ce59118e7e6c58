package ai.cloudact.jobs.support;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.tomakehurst.wiremock.extension.ResponseTransformerV2;
import com.github.tomakehurst.wiremock.http.Response;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

/**
 * A WireMock extension that holds back the answers of the stubs naming it ({@code .withTransformers(AnswerGate.NAME)})
 * until the test opens the gate: a call that stays in flight exactly as long as the test needs, however
 * slowly a loaded machine starts the other processes of the test. Closed again by {@link #close()}.
 */
public final class AnswerGate implements ResponseTransformerV2 {

    public static final String NAME = "answer-gate";
    private static final long MAX_WAIT_SECONDS = 120;

    private volatile CountDownLatch gate = new CountDownLatch(1);
    private final AtomicInteger held = new AtomicInteger();

    @Override
    public Response transform(Response response, ServeEvent serveEvent) {
        held.incrementAndGet();
        try {
            gate.await(MAX_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            held.decrementAndGet();
        }
        return response;
    }

    /** Calls held right now (WireMock's request journal lists a call only once it is answered). */
    public int held() {
        return held.get();
    }

    @Override
    public boolean applyGlobally() {
        return false;
    }

    @Override
    public String getName() {
        return NAME;
    }

    /** Lets every held answer (and every later one) go. */
    public void open() {
        gate.countDown();
    }

    /** Holds answers again (after opening it for anything still held). */
    public void close() {
        CountDownLatch previous = gate;
        gate = new CountDownLatch(1);
        previous.countDown();
    }
}
