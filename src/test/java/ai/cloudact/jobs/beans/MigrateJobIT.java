package ai.cloudact.jobs.beans;

import ai.cloudact.jobs.support.JobProcess;
import ai.cloudact.jobs.support.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The migrate job end to end: the packaged jar as a real process, talking HTTP to a stand-in for the
 * Supabase Management API that runs the SQL on a real PostgreSQL server (see TestPostgres and
 * SupabaseQueryStandIn). Each test has a database of its own and checks what really happened in it.
 */
class MigrateJobIT {

    private static final String TOKEN = "sbp_it_token_3f9a1c7e";
    private static final String PROJECT_REF = "itproject";

    private static final String CREATE_ORGS = "20260101090000_create_orgs.sql";
    private static final String ADD_INDEX = "20260102090000_add_quota_index.sql";
    private static final String SEED = "20260103090000_seed_plans.sql";

    @TempDir
    Path migrations;

    private String database;
    private SupabaseQueryStandIn api;
    private final List<JobProcess.Result> runs = new ArrayList<>();

    @BeforeEach
    void freshDatabase() throws Exception {
        database = TestPostgres.createDatabase();
        api = SupabaseQueryStandIn.start(database, PROJECT_REF, TOKEN);
    }

    @AfterEach
    void tokenNeverPrintedAndCleanUp() throws Exception {
        // 6. the access token never appears in the output, whatever happened
        runs.forEach(run -> assertThat(run.output()).doesNotContain(TOKEN));
        if (api != null) {
            api.close();
        }
        if (database != null) {
            TestPostgres.dropDatabase(database);
        }
    }

    @Test
    void freshDatabaseGetsEveryMigrationInOrderAndAReRunAppliesNothing() throws Exception {
        writeGoodMigrations();

        // 1. fresh database
        JobProcess.Result first = migrate(Map.of());
        assertThat(first.exitCode()).as(first.output()).isZero();
        assertThat(first.output())
                .contains("Starting job migrate (cloudact-manual-supabase-migrate)")
                .containsPattern("SUMMARY job=migrate environment=local outcome=SUCCESS .* applied=3 skipped=0\\R");
        assertThat(first.output().indexOf("applied " + CREATE_ORGS))
                .isLessThan(first.output().indexOf("applied " + ADD_INDEX));
        assertThat(first.output().indexOf("applied " + ADD_INDEX))
                .isLessThan(first.output().indexOf("applied " + SEED));
        assertThat(history()).containsExactly(
                "20260101090000 create_orgs", "20260102090000 add_quota_index", "20260103090000 seed_plans");
        assertThat(query("select statements[1] from supabase_migrations.schema_migrations where version = '20260103090000'"))
                .containsExactly(Files.readString(migrations.resolve(SEED)));
        // the schema really changed: table, index, function and data
        assertThat(query("select indexname from pg_indexes where tablename = 'orgs' order by indexname"))
                .containsExactly("orgs_pkey", "orgs_plan_idx");
        assertThat(query("select slug || ' ' || plan || ' ' || note from orgs")).containsExactly("acme pro it's $1 a month \"quoted\" \\ backslash");
        assertThat(query("select plan_label('pro')")).containsExactly("plan: pro");

        // 2. re-run
        int before = api.requests();
        JobProcess.Result again = migrate(Map.of());
        assertThat(again.exitCode()).as(again.output()).isZero();
        assertThat(again.output()).containsPattern("outcome=SUCCESS .* applied=0 skipped=3\\R");
        assertThat(api.requests() - before).as("only the history table check and the history read").isEqualTo(2);
        assertThat(history()).hasSize(3);
    }

    @Test
    void aBrokenMigrationIsRolledBackCompletelyAndTheFixedRunCarriesOn() throws Exception {
        write(CREATE_ORGS, "create table orgs (id bigint primary key, slug text not null);\n");
        String broken = "20260102090000_add_billing.sql";
        // the first statement works, the second fails when it runs (not a syntax error, which
        // PostgreSQL would reject before running anything)
        write(broken, "create table billing_accounts (id bigint primary key);\n"
                + "alter table orgs add column billing_id bigint;\n"
                + "alter table no_such_table add column x int;\n");
        write(SEED, "insert into orgs (id, slug) values (1, 'acme');\n");

        // 3. a broken migration in the middle
        JobProcess.Result failed = migrate(Map.of());
        assertThat(failed.exitCode()).as(failed.output()).isEqualTo(1);
        assertThat(failed.output())
                .containsPattern("SUMMARY job=migrate environment=local outcome=FAILED .*http_status=400 applied=1 skipped=0 failed="
                        + broken + " reason=")
                .contains("migration " + broken + " failed and was rolled back")
                .contains("relation 'no_such_table' does not exist")
                .doesNotContain("retrying");
        assertThat(history()).containsExactly("20260101090000 create_orgs");
        assertThat(tableExists("orgs")).isTrue();
        assertThat(tableExists("billing_accounts")).as("no half-applied DDL").isFalse();
        assertThat(query("select count(*) from information_schema.columns where table_name = 'orgs' and column_name = 'billing_id'"))
                .containsExactly("0");
        assertThat(query("select count(*) from orgs")).as("the later migration was not applied").containsExactly("0");

        // 4. fixed and re-run
        write(broken, "create table billing_accounts (id bigint primary key);\n"
                + "alter table orgs add column billing_id bigint references billing_accounts (id);\n");
        JobProcess.Result fixed = migrate(Map.of());
        assertThat(fixed.exitCode()).as(fixed.output()).isZero();
        assertThat(fixed.output()).containsPattern("outcome=SUCCESS .* applied=2 skipped=1\\R");
        assertThat(history()).containsExactly(
                "20260101090000 create_orgs", "20260102090000 add_billing", "20260103090000 seed_plans");
        assertThat(tableExists("billing_accounts")).isTrue();
        assertThat(query("select count(*) from orgs")).containsExactly("1");
    }

    @Test
    void aRefusedTokenFailsAtOnceAndSaysWhichSettingToCheck() throws Exception {
        writeGoodMigrations();

        // 5. 401 from the API
        JobProcess.Result refused = migrate(Map.of("SUPABASE_ACCESS_TOKEN", "sbp_wrong_token_0000"));
        assertThat(refused.exitCode()).as(refused.output()).isEqualTo(1);
        assertThat(refused.output())
                .containsPattern("outcome=FAILED .*http_status=401 applied=0 skipped=0 reason=\"HTTP 401 from .*"
                        + "the Supabase Management API refused the access token; check SUPABASE_ACCESS_TOKEN")
                .doesNotContain("retrying")
                .doesNotContain("sbp_wrong_token_0000");
        assertThat(api.requests()).as("no retries").isEqualTo(1);
        assertThat(tableExists("orgs")).isFalse();
    }

    @Test
    void dryRunListsTheMigrationsAndChangesNothing() throws Exception {
        writeGoodMigrations();

        JobProcess.Result dry = migrate(Map.of("DRY_RUN", "true"));
        assertThat(dry.exitCode()).as(dry.output()).isZero();
        assertThat(dry.output())
                .contains(CREATE_ORGS + ", " + ADD_INDEX + ", " + SEED)
                .containsPattern("outcome=SUCCESS .*dry_run=true would_apply=3 skipped=0\\R");
        // only the history read reached the API; creating the history table was only logged
        assertThat(api.requests()).isEqualTo(1);
        assertThat(query("select count(*) from pg_namespace where nspname = 'supabase_migrations'")).containsExactly("0");
        assertThat(tableExists("orgs")).isFalse();

        // after a real run of the first file, a dry run names only what is still pending
        Files.delete(migrations.resolve(ADD_INDEX));
        Files.delete(migrations.resolve(SEED));
        assertThat(migrate(Map.of()).exitCode()).isZero();
        writeGoodMigrations();
        JobProcess.Result pending = migrate(Map.of("DRY_RUN", "true"));
        assertThat(pending.exitCode()).as(pending.output()).isZero();
        assertThat(pending.output()).contains(ADD_INDEX + ", " + SEED).containsPattern("dry_run=true would_apply=2 skipped=1\\R");
        assertThat(tableExists("orgs")).isTrue();
    }

    @Test
    void historyThatDoesNotMatchTheFilesWarnsOrWithStrictStopsTheRun() throws Exception {
        write(CREATE_ORGS, "create table orgs (id bigint primary key, slug text not null);\n");
        write(SEED, "insert into orgs (id, slug) values (1, 'acme');\n");
        assertThat(migrate(Map.of()).exitCode()).isZero();
        // an applied migration whose file is gone, and a new file older than the newest applied one
        Files.delete(migrations.resolve(CREATE_ORGS));
        write(ADD_INDEX, "create index orgs_slug_idx on orgs (slug);\n");

        JobProcess.Result strict = migrate(Map.of("MIGRATE_STRICT", "true"));
        assertThat(strict.exitCode()).as(strict.output()).isEqualTo(1);
        assertThat(strict.output())
                .contains("the migration history does not match the files (MIGRATE_STRICT=true)")
                .contains("migration 20260101090000_create_orgs is applied")
                .contains(ADD_INDEX + " is older than the newest applied migration");
        assertThat(history()).hasSize(2);

        JobProcess.Result lenient = migrate(Map.of());
        assertThat(lenient.exitCode()).as(lenient.output()).isZero();
        assertThat(lenient.output())
                .containsPattern("WARN .*migration 20260101090000_create_orgs is applied .* but has no file")
                .containsPattern("WARN .*" + ADD_INDEX + " is older than the newest applied migration")
                .containsPattern("outcome=SUCCESS .* applied=1 skipped=1\\R");
        assertThat(history()).hasSize(3);
    }

    @Test
    void theProdSettingsAloneDoNotMigrateProduction() throws Exception {
        writeGoodMigrations();

        // a Camel setting could switch the prod profile on while ENVIRONMENT says nothing: refused
        JobProcess.Result refused = migrate(Map.of("CAMEL_MAIN_PROFILE", "prod"));
        assertThat(refused.exitCode()).as(refused.output()).isEqualTo(2);
        assertThat(refused.output()).contains("CAMEL_MAIN_PROFILE=prod contradicts ENVIRONMENT=local");
        assertThat(api.requests()).isZero();

        // ENVIRONMENT=prod is the only way in, and then only over https
        JobProcess.Result prod = migrate(Map.of("ENVIRONMENT", "prod"));
        assertThat(prod.exitCode()).as(prod.output()).isEqualTo(2);
        assertThat(prod.output()).contains("environment=prod", "plain http:// is not allowed in prod");
        assertThat(api.requests()).isZero();
    }

    private JobProcess.Result migrate(Map<String, String> extra) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of(
                "JOB_ID", "migrate",
                "MIGRATIONS_DIR", migrations.toString(),
                "SUPABASE_API_URL", api.baseUrl(),
                "SUPABASE_PROJECT_REF", PROJECT_REF,
                "SUPABASE_ACCESS_TOKEN", TOKEN,
                "MIGRATE_STRICT", "false",
                "RETRY_DELAY_MS", "20"));
        env.putAll(extra);
        JobProcess.Result result = JobProcess.run(env);
        runs.add(result);
        return result;
    }

    /** Three migrations that depend on each other's order; SQL that needs careful quoting. */
    private void writeGoodMigrations() throws Exception {
        write(CREATE_ORGS, "-- orgs\ncreate table orgs (id bigint primary key, slug text not null, plan text, note text);\n");
        write(ADD_INDEX, """
                create index orgs_plan_idx on orgs (plan);
                create function plan_label(plan text) returns text language plpgsql as $$
                begin
                  return 'plan: ' || plan;
                end;
                $$;""");
        write(SEED, "insert into orgs values (1, 'acme', 'pro', 'it''s $1 a month \"quoted\" \\ backslash');\n"
                + "-- a last line that is a comment, without a newline");
    }

    private void write(String name, String sql) throws Exception {
        Files.writeString(migrations.resolve(name), sql, StandardCharsets.UTF_8);
    }

    private List<String> history() throws SQLException {
        return query("select version || ' ' || name from supabase_migrations.schema_migrations order by version");
    }

    private boolean tableExists(String table) throws SQLException {
        return query("select to_regclass('public." + table + "') is not null").equals(List.of("t"));
    }

    private List<String> query(String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection connection = TestPostgres.connect(database); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery(sql)) {
            while (result.next()) {
                values.add(result.getString(1));
            }
        }
        return values;
    }
}
