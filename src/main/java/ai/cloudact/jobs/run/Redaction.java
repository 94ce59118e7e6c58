package ai.cloudact.jobs.run;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Keeps every secret the run knows out of every line it writes. Secrets are registered as they become
 * known (the secrets of the settings, each {@code {{secret:NAME}}} resolved, each ID token minted, the
 * credential headers of each call, the password of a URL); {@link #install()} puts a filter in front
 * of stdout and stderr, so log lines, {@code --list}/{@code --validate} output and anything a library
 * prints pass through it, whatever the log level or format. A secret is replaced by {@value #MASK},
 * also in its JSON-escaped and URL-encoded forms (an API that echoes it back in a body or a header).
 */
public final class Redaction {

    public static final String MASK = "****";
    /** Shorter values are not redacted: replacing every "a" would destroy the output, not protect it. */
    public static final int MIN_LENGTH = 4;

    private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();
    /** Longest first, so a secret containing another is masked whole. */
    private static final List<String> ORDERED = new CopyOnWriteArrayList<>();
    private static volatile boolean installed;

    private Redaction() {
    }

    /** Registers a secret value (and the forms it takes when echoed back). */
    public static void register(String secret) {
        if (secret == null || secret.length() < MIN_LENGTH) {
            return;
        }
        boolean added = false;
        for (String form : List.of(secret, jsonEscaped(secret), java.net.URLEncoder.encode(secret, StandardCharsets.UTF_8))) {
            added |= SECRETS.add(form);
        }
        if (added) {
            synchronized (ORDERED) {
                ORDERED.clear();
                ORDERED.addAll(SECRETS.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList());
            }
        }
    }

    /** The text with every registered secret masked. */
    public static String redact(String text) {
        if (text == null || ORDERED.isEmpty()) {
            return text;
        }
        String result = text;
        for (String secret : ORDERED) {
            if (result.contains(secret)) {
                result = result.replace(secret, MASK);
            }
        }
        return result;
    }

    /** Filters stdout and stderr from now on (idempotent). */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        System.setOut(new PrintStream(new LineFilter(System.out), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new LineFilter(System.err), true, StandardCharsets.UTF_8));
        installed = true;
    }

    private static String jsonEscaped(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '/' -> out.append("/");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /** Holds each line until its end, so a secret written in two pieces is still seen whole. */
    private static final class LineFilter extends OutputStream {

        private static final int MAX_LINE = 1 << 20;

        private final PrintStream target;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LineFilter(PrintStream target) {
            this.target = target;
        }

        @Override
        public synchronized void write(int b) {
            line.write(b);
            if (b == '\n' || line.size() >= MAX_LINE) {
                flushLine();
            }
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) {
            for (int i = offset; i < offset + length; i++) {
                write(bytes[i]);
            }
        }

        @Override
        public synchronized void flush() {
            // a partial line waits for its end; a secret must not slip out in halves
            target.flush();
        }

        @Override
        public synchronized void close() {
            flushLine();
            target.flush();
        }

        private void flushLine() {
            if (line.size() == 0) {
                return;
            }
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            target.print(redact(text));
            target.flush();
        }
    }
}
