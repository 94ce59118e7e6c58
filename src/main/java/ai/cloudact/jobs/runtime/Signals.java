package ai.cloudact.jobs.runtime;

import java.util.function.BiConsumer;

import ai.cloudact.jobs.run.ExitCode;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT, handled by the runtime instead of the JVM's default (which would run shutdown
 * hooks and exit 143 for both, after whatever Camel's stop takes): the handler writes the summary and
 * decides the exit code, 143 for SIGTERM, 130 for SIGINT.
 */
public final class Signals {

    /** Open once logging is configured: a handler that runs earlier waits for it, so its lines are not lost. */
    private static final java.util.concurrent.CountDownLatch LOGGING = new java.util.concurrent.CountDownLatch(1);

    private Signals() {
    }

    /** Logging is configured (called once the first logger exists). */
    public static void loggingReady() {
        LOGGING.countDown();
    }

    private static void awaitLogging() {
        try {
            LOGGING.await(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code handler} gets the signal's name and its exit code, on the JVM's signal thread. */
    public static void onTermination(BiConsumer<String, ExitCode> handler) {
        Signal.handle(new Signal("TERM"), signal -> {
            awaitLogging();
            handler.accept("SIGTERM", ExitCode.TERMINATED);
        });
        Signal.handle(new Signal("INT"), signal -> {
            awaitLogging();
            handler.accept("SIGINT", ExitCode.INTERRUPTED);
        });
    }
}
