package ai.cloudact.jobs.runtime;

import java.io.PrintStream;
import java.util.logging.ErrorManager;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * The process's one log handler: each record as one line (or, with a stack trace, one block) on the
 * current {@code System.out}, looked up at every line because the runtime replaces it with a stream
 * that filters secrets; flushed at once, so a line is out before the process exits or is killed.
 */
final class ConsoleLines extends Handler {

    ConsoleLines(Formatter format) {
        setFormatter(format);
        setLevel(Level.ALL);
    }

    @Override
    public synchronized void publish(LogRecord record) {
        if (!isLoggable(record)) {
            return;
        }
        String line;
        try {
            line = getFormatter().format(record);
        } catch (RuntimeException e) {
            reportError(null, e, ErrorManager.FORMAT_FAILURE);
            return;
        }
        PrintStream out = System.out;
        out.print(line);
        out.flush();
    }

    @Override
    public void flush() {
        System.out.flush();
    }

    @Override
    public void close() {
        flush();
    }
}
