package ai.cloudact.jobs.http;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.io.entity.HttpEntityWrapper;

/**
 * The limits of one HTTP call, set on the HTTP client of both the {@code http} and {@code https}
 * components ({@code camel.component.http*.httpClientConfigurer}):
 * <ul>
 *   <li>a deadline for the whole call — connect, send and every read of the answer — not per read, so
 *   an answer that trickles in cannot hold a run for ever: when it passes, the connection is closed
 *   and the call fails as a timeout ({@link CallDeadlineExceeded});</li>
 *   <li>a cap on the answer's size: a declared or actual length over it fails the call at once
 *   ({@link AnswerTooLarge}) and nothing more is read.</li>
 * </ul>
 */
public class CallLimits implements HttpClientConfigurer {

    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "http-call-deadline");
        thread.setDaemon(true);
        return thread;
    });

    private long deadlineMs = 60_000;
    private long maxBodyBytes = 4L << 20;

    public void setDeadlineMs(long deadlineMs) {
        this.deadlineMs = deadlineMs;
    }

    public void setMaxBodyBytes(long maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        builder.addExecInterceptorFirst("call-limits", this::execute);
    }

    private ClassicHttpResponse execute(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
            throws IOException, HttpException {
        AtomicBoolean expired = new AtomicBoolean();
        ScheduledFuture<?> timer = TIMER.schedule(() -> {
            expired.set(true);
            scope.execRuntime.discardEndpoint(); // closes the connection: a blocked read ends at once
        }, deadlineMs, TimeUnit.MILLISECONDS);
        ClassicHttpResponse response;
        try {
            response = chain.proceed(request, scope);
        } catch (IOException e) {
            timer.cancel(false);
            throw expired.get() ? deadlineExceeded() : e;
        }
        HttpEntity entity = response.getEntity();
        if (entity == null) {
            timer.cancel(false);
            return response;
        }
        if (entity.getContentLength() > maxBodyBytes) {
            timer.cancel(false);
            response.close();
            throw tooLarge(entity.getContentLength() + " bytes declared");
        }
        response.setEntity(new LimitedEntity(entity, timer, expired));
        return response;
    }

    private CallDeadlineExceeded deadlineExceeded() {
        return new CallDeadlineExceeded("no complete answer within " + deadlineMs + " ms (HTTP_RESPONSE_TIMEOUT_MS)");
    }

    private AnswerTooLarge tooLarge(String size) {
        return new AnswerTooLarge("the answer is larger than HTTP_MAX_BODY_BYTES=" + maxBodyBytes + " (" + size
                + "); nothing more was read");
    }

    /** The answer's body, read within the deadline and the size cap; the deadline ends when it is read. */
    private final class LimitedEntity extends HttpEntityWrapper {

        private final ScheduledFuture<?> timer;
        private final AtomicBoolean expired;

        LimitedEntity(HttpEntity entity, ScheduledFuture<?> timer, AtomicBoolean expired) {
            super(entity);
            this.timer = timer;
            this.expired = expired;
        }

        @Override
        public InputStream getContent() throws IOException {
            return new FilterInputStream(super.getContent()) {
                private long read;

                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    int n = read(one, 0, 1);
                    return n < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] buffer, int offset, int length) throws IOException {
                    int n;
                    try {
                        n = super.read(buffer, offset, length);
                    } catch (IOException e) {
                        timer.cancel(false);
                        throw expired.get() ? deadlineExceeded() : e;
                    }
                    if (n < 0) {
                        timer.cancel(false);
                        return n;
                    }
                    read += n;
                    if (read > maxBodyBytes) {
                        timer.cancel(false);
                        throw tooLarge("more than " + maxBodyBytes + " bytes sent");
                    }
                    return n;
                }

                @Override
                public void close() throws IOException {
                    timer.cancel(false);
                    super.close();
                }
            };
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            try (InputStream in = getContent()) {
                in.transferTo(out);
            }
        }

        @Override
        public boolean isStreaming() {
            return true;
        }
    }
}
