package ai.cloudact.jobs.state;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import ai.cloudact.jobs.run.ConfigurationException;
import ai.cloudact.jobs.support.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store: opening, the versioned schema (idempotent, concurrent), masking, the embedded default's fallback. */
class StateStoreTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @MethodSource("ai.cloudact.jobs.state.Stores#both")
    void schemaIsCreatedOnceAndOpeningAgainChangesNothing(String kind) throws Exception {
        try (StateStore store = Stores.open(kind); Connection connection = store.connection()) {
            assertThat(Schema.migrate(connection)).isEqualTo(Schema.SCRIPTS.size());
            assertThat(Schema.migrate(connection)).isEqualTo(Schema.SCRIPTS.size());
            assertThat(versions(connection)).containsExactly(1);
            try (Statement statement = connection.createStatement()) {
                statement.executeQuery("SELECT COUNT(*) FROM run_lease").close();
                statement.executeQuery("SELECT COUNT(*) FROM run_history").close();
            }
        }
    }

    @Test
    void runtimesStartingTogetherMigrateOnePostgresDatabaseOnce() throws Exception {
        String url = TestPostgres.url(TestPostgres.createDatabase());
        ExecutorService threads = Executors.newFixedThreadPool(6);
        try {
            List<Future<StateStore>> opened = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Callable<StateStore> open = () -> StateStore.openConfigured(url, TestPostgres.USER, TestPostgres.PASSWORD);
                opened.add(threads.submit(open));
            }
            for (Future<StateStore> store : opened) {
                store.get().close();
            }
        } finally {
            threads.shutdownNow();
        }
        try (Connection connection = TestPostgres.connect(url.substring(url.lastIndexOf('/') + 1))) {
            assertThat(versions(connection)).containsExactly(1);
        }
    }

    @Test
    void unreachableDatabaseIsAConfigurationErrorNamingTheUrlWithItsPasswordMasked() {
        String url = "jdbc:postgresql://127.0.0.1:1/jobs?user=jobs&password=hunter2-secret";
        assertThatThrownBy(() -> StateStore.openConfigured(url, null, null))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("STATE_DB_URL=jdbc:postgresql://127.0.0.1:1/jobs?user=jobs&password=****")
                .hasMessageContaining("refused")
                .message().doesNotContain("hunter2-secret");
    }

    @Test
    void loginThatFailsIsAConfigurationErrorWithoutThePassword() {
        assertThatThrownBy(() -> StateStore.openConfigured(TestPostgres.url("no_such_db_x"), "jobs_user", "wrong-password-x"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("no_such_db_x")
                .message().doesNotContain("wrong-password-x");
    }

    @Test
    void notAPostgresOrH2UrlIsRefused() {
        assertThatThrownBy(() -> StateStore.openConfigured("jdbc:mysql://db/jobs", null, null))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("PostgreSQL");
    }

    @Test
    void passwordsInJdbcUrlsAreMasked() {
        assertThat(StateStore.masked("jdbc:postgresql://db:5432/jobs?sslmode=require&password=s3cret&user=u"))
                .isEqualTo("jdbc:postgresql://db:5432/jobs?sslmode=require&password=****&user=u");
        assertThat(StateStore.masked("jdbc:postgresql://u:s3cret@db/jobs")).isEqualTo("jdbc:postgresql://u:****@db/jobs");
        assertThat(StateStore.masked("jdbc:postgresql://db/jobs")).isEqualTo("jdbc:postgresql://db/jobs");
        assertThat(StateStore.masked("jdbc:postgresql://u:pa/ss@db/jobs")).as("a / in the password").isEqualTo("jdbc:postgresql://u:****@db/jobs");
        assertThat(StateStore.masked("jdbc:postgresql://db/jobs?sslpassword=k3y&sslmode=verify-full"))
                .isEqualTo("jdbc:postgresql://db/jobs?sslpassword=****&sslmode=verify-full");
    }

    /** Registered before any connection is tried: whatever quotes the URL (a driver, a pool) prints no password. */
    @Test
    void aJdbcUrlsPasswordsAreSecretsWhereverTheyAppear() {
        JdbcUrls.registerPassword("jdbc:postgresql://ops:pw-in-user-info-41@db/jobs?sslpassword=ssl-key-pass-77");
        assertThat(ai.cloudact.jobs.run.Redaction.redact("refused: jdbc:postgresql://ops:pw-in-user-info-41@db/jobs, key ssl-key-pass-77"))
                .doesNotContain("pw-in-user-info-41").doesNotContain("ssl-key-pass-77");
    }

    @Test
    void embeddedDefaultThatCannotBeCreatedIsNoStoreNotAFailure() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "not a directory");
        assertThat(StateStore.openEmbedded(file.resolve("state"))).isEmpty();
    }

    @Test
    void embeddedDefaultIsCreatedWithItsDirectory() throws Exception {
        Path dir = tmp.resolve("deeper/.jobs-state");
        try (StateStore store = StateStore.openEmbedded(dir).orElseThrow()) {
            assertThat(store.embedded()).isTrue();
        }
        assertThat(dir.resolve("jobs.mv.db")).exists();
    }

    @Test
    void scriptsSplitIntoStatements() {
        assertThat(Schema.statements("-- a comment\nCREATE TABLE a (x INT); -- trailing\nCREATE INDEX i\n  ON a (x);\n"))
                .containsExactly("CREATE TABLE a (x INT)", "CREATE INDEX i\nON a (x)");
    }

    private static List<Integer> versions(Connection connection) throws Exception {
        List<Integer> versions = new ArrayList<>();
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT version FROM schema_version ORDER BY version")) {
            while (rows.next()) {
                versions.add(rows.getInt(1));
            }
        }
        return versions;
    }
}
