package ai.cloudact.jobs.state;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import ai.cloudact.jobs.support.TestPostgres;
import org.junit.jupiter.params.provider.Arguments;

/** The two databases the run state store supports, each fresh: a real PostgreSQL database and an embedded H2 file. */
final class Stores {

    private Stores() {
    }

    static Stream<Arguments> both() {
        return Stream.of(Arguments.of("postgresql"), Arguments.of("h2"));
    }

    static StateStore open(String kind) throws Exception {
        if (kind.equals("postgresql")) {
            return StateStore.openConfigured(TestPostgres.url(TestPostgres.createDatabase()), TestPostgres.USER, TestPostgres.PASSWORD);
        }
        Path dir = Files.createTempDirectory("state-h2");
        return StateStore.openEmbedded(dir).orElseThrow(() -> new AssertionError("embedded store did not open in " + dir));
    }
}
