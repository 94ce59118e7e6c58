package ai.cloudact.jobs.runtime;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * Short lines for a terminal: {@code 12:00:00.123 INFO  [runner] message}, the level in SLF4J's names
 * and, on a terminal, in colour; a logged stack trace follows on its own lines.
 */
final class TextLogFormat extends Formatter {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    private final boolean colour;

    TextLogFormat(boolean colour) {
        this.colour = colour;
    }

    @Override
    public String format(LogRecord record) {
        String level = level(record.getLevel());
        StringBuilder line = new StringBuilder(128);
        TIME.formatTo(record.getInstant(), line);
        line.append(' ');
        if (colour) {
            line.append(colour(level)).append(level).append("\u001b[m");
        } else {
            line.append(level);
        }
        line.append(" ".repeat(6 - level.length())).append('[').append(shortName(record.getLoggerName())).append("] ")
                .append(formatMessage(record)).append('\n');
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            line.append(trace);
        }
        return line.toString();
    }

    /** SLF4J's name of a java.util.logging level, as slf4j-jdk14 maps them. */
    static String level(Level level) {
        int value = level.intValue();
        return value >= Level.SEVERE.intValue() ? "ERROR"
                : value >= Level.WARNING.intValue() ? "WARN"
                : value >= Level.INFO.intValue() ? "INFO"
                : value >= Level.FINE.intValue() ? "DEBUG"
                : "TRACE";
    }

    private static String colour(String level) {
        return switch (level) {
            case "ERROR" -> "\u001b[1;31m";
            case "WARN" -> "\u001b[33m";
            case "INFO" -> "\u001b[32m";
            case "DEBUG" -> "\u001b[36m";
            default -> "\u001b[2m";
        };
    }

    private static String shortName(String logger) {
        return logger == null ? "" : logger.substring(logger.lastIndexOf('.') + 1);
    }
}
