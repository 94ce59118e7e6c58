package ai.cloudact.jobs.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Paths in the repository; Maven runs the tests from its root. */
public final class Repo {

    public static final Path ROOT = Path.of("").toAbsolutePath();
    public static final Path RESOURCES = ROOT.resolve("src/main/resources");
    public static final Path PACKS = RESOURCES.resolve("packs");

    private Repo() {
    }

    public static String read(String relative) {
        try {
            return Files.readString(ROOT.resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** CI sets CI=true: there a missing tool is a failure, not a reason to skip. */
    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }
}
