package ai.cloudact.jobs.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Paths in the repository; Maven runs the tests from its root. */
final class Repo {

    static final Path ROOT = Path.of("").toAbsolutePath();
    static final Path RESOURCES = ROOT.resolve("src/main/resources");

    private Repo() {
    }

    static String read(String relative) {
        try {
            return Files.readString(ROOT.resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** CI sets CI=true: there a missing tool is a failure, not a reason to skip. */
    static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }
}
