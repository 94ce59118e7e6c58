package ai.cloudact.jobs.beans;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import ai.cloudact.jobs.run.ExplainedFailure;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The migrate job's file handling, request bodies and environment check, without any server. */
class SupabaseMigrationsTest {

    @TempDir
    Path dir;

    @Test
    void filesAreOrderedByNumericVersionAndOtherNamesAreSkipped() throws Exception {
        Files.writeString(dir.resolve("20260115093000_add_quota_index.sql"), "select 1;");
        Files.writeString(dir.resolve("9_early.sql"), "select 1;");
        Files.writeString(dir.resolve("0010_padded.sql"), "select 1;");
        Files.writeString(dir.resolve("notes.sql"), "select 1;");
        Files.writeString(dir.resolve("README.md"), "not sql");

        List<SupabaseMigrations.Migration> migrations = SupabaseMigrations.fromDirectory(dir);

        assertThat(migrations).extracting(SupabaseMigrations.Migration::fileName)
                .containsExactly("9_early.sql", "0010_padded.sql", "20260115093000_add_quota_index.sql");
        // recorded as written, as the Supabase CLI records it
        assertThat(migrations.get(1).version()).isEqualTo("0010");
        assertThat(migrations.get(2).name()).isEqualTo("add_quota_index");
    }

    @Test
    void twoFilesWithOneVersionAreRefused() throws Exception {
        Files.writeString(dir.resolve("20260101_a.sql"), "select 1;");
        Files.writeString(dir.resolve("20260101_b.sql"), "select 1;");

        assertThatThrownBy(() -> SupabaseMigrations.fromDirectory(dir))
                .isInstanceOf(ExplainedFailure.class).hasMessageContaining("two migrations have version 20260101");
    }

    @Test
    void transactionControlOfItsOwnIsRefusedButFunctionBodiesAreFine() throws Exception {
        Files.writeString(dir.resolve("1_function.sql"), """
                create function f() returns void language plpgsql as $body$
                begin
                  perform 1;
                end;
                $body$;
                create procedure p() language plpgsql as $$ begin commit; end $$;
                -- commit;
                """);
        assertThat(SupabaseMigrations.fromDirectory(dir)).hasSize(1);

        Files.writeString(dir.resolve("2_own_transaction.sql"), "begin;\ncreate table t (id int);\nCOMMIT;\n");
        assertThatThrownBy(() -> SupabaseMigrations.fromDirectory(dir))
                .isInstanceOf(ExplainedFailure.class)
                .hasMessageContaining("2_own_transaction.sql contains its own transaction control ('begin;')");
    }

    @Test
    void theApplyRequestIsJsonWithTheFileAndItsHistoryRowInOneTransaction() throws Exception {
        String sql = "insert into t values ('it''s', \"x\", '$migration$', E'\\n');";
        String body = new SupabaseMigrations().applyQuery(new SupabaseMigrations.Migration("20260101", "o'brien", "20260101_o'brien.sql", sql));

        String query = (String) new ObjectMapper().readValue(body, Map.class).get("query");
        assertThat(query)
                .startsWith("begin;\ninsert into supabase_migrations.schema_migrations (version, name, statements) values "
                        + "('20260101', $migration1$o'brien$migration1$, array[$migration1$" + sql + "$migration1$]);\n")
                .contains("\n" + sql + "\n;\n")
                .endsWith("commit;\n");
    }

    @Test
    void apiErrorMessageIsTakenFromTheJsonAnswer() {
        assertThat(SupabaseMigrations.apiMessage("{\"message\":\"Failed to run sql query: ERROR:  42P01: relation \\\"x\\\" does not exist\\n\"}"))
                .isEqualTo("Failed to run sql query: ERROR: 42P01: relation \"x\" does not exist");
        assertThat(SupabaseMigrations.apiMessage("<html>bad gateway</html>")).isEqualTo("<html>bad gateway</html>");
    }

}
