package ai.cloudact.jobs.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Java 25 (or later) that the image's start needs, for tests that run under Java 17: JAVA25_HOME,
 * else this JVM when it is 25 or later, else the newest JDK 25+ under /usr/lib/jvm. None is a failure
 * with the way to fix it, never a skip.
 */
final class Java25 {

    static final Path JVM_DIR = Path.of("/usr/lib/jvm");
    private static final Pattern VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)");

    private Java25() {
    }

    /** The {@code bin/java} of a Java 25+. */
    static Path find() throws IOException {
        List<String> tried = new ArrayList<>();
        String configured = System.getenv("JAVA25_HOME");
        if (configured != null && !configured.isBlank()) {
            Path home = Path.of(configured);
            if (major(home) >= 25) {
                return home.resolve("bin/java");
            }
            throw new AssertionError("JAVA25_HOME=" + configured + " is not a Java 25 or later (its release file says "
                    + major(home) + "): point it at a Java 25 JDK or JRE, e.g. Temurin 25");
        }
        tried.add("JAVA25_HOME (unset)");
        if (Runtime.version().feature() >= 25) {
            return Path.of(System.getProperty("java.home"), "bin", "java");
        }
        tried.add("this JVM (Java " + Runtime.version().feature() + ")");
        Path best = null;
        if (Files.isDirectory(JVM_DIR)) {
            try (Stream<Path> homes = Files.list(JVM_DIR)) {
                for (Path home : homes.sorted().toList()) {
                    if (major(home) >= 25 && Files.isExecutable(home.resolve("bin/java"))
                            && (best == null || major(home) >= major(best))) {
                        best = home;
                    }
                }
            }
        }
        if (best != null) {
            return best.resolve("bin/java");
        }
        tried.add(JVM_DIR + "/* (no JDK 25 or later)");
        throw new AssertionError("The image runs on Java 25 (its AOT cache only works with the JVM that made it), so this "
                + "test needs a Java 25 runtime, and found none. Tried: " + String.join("; ", tried)
                + ". Install a Java 25 JDK (e.g. Temurin 25) and set JAVA25_HOME to it.");
    }

    /** The feature version in a Java home's release file; 0 when there is none. */
    static int major(Path home) throws IOException {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release)) {
            return 0;
        }
        Matcher matcher = VERSION.matcher(Files.readString(release));
        return matcher.find() ? Integer.parseInt(matcher.group(1)) : 0;
    }
}
