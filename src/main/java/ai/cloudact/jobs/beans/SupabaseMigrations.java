package ai.cloudact.jobs.beans;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import ai.cloudact.jobs.http.FailureReport;
import ai.cloudact.jobs.run.ExplainedFailure;
import ai.cloudact.jobs.run.Run;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the migrate route cannot say in YAML: reads the migration files, compares them with the
 * history the Supabase CLI keeps ({@code supabase_migrations.schema_migrations}), builds each
 * request body and explains a failure. One instance serves one run (the container runs one job
 * once); {@link #start} resets it.
 */
public class SupabaseMigrations {

    /** The Supabase CLI's file name pattern: the version is the leading digits. */
    private static final Pattern FILE_NAME = Pattern.compile("(\\d+)_(.*)\\.sql");

    /**
     * Transaction control outside function bodies and comments would end the job's transaction
     * early, so the file and its history row would no longer be applied together.
     */
    private static final Pattern TRANSACTION_CONTROL = Pattern.compile(
            "^\\s*((begin|commit|rollback)(\\s+(work|transaction))?\\s*;|start\\s+transaction\\b)",
            Pattern.CASE_INSENSITIVE | Pattern.MULTILINE);
    private static final Pattern DOLLAR_QUOTED = Pattern.compile("\\$([A-Za-z_0-9]*)\\$.*?\\$\\1\\$", Pattern.DOTALL);
    private static final Pattern COMMENTS = Pattern.compile("--[^\\n]*|/\\*.*?\\*/", Pattern.DOTALL);

    /** The Supabase CLI's own DDL for the history table, so `supabase db push` reads the same rows. */
    static final String HISTORY_TABLE_SQL = """
            create schema if not exists supabase_migrations;
            create table if not exists supabase_migrations.schema_migrations (version text not null primary key);
            alter table supabase_migrations.schema_migrations add column if not exists statements text[];
            alter table supabase_migrations.schema_migrations add column if not exists name text;
            """;
    /**
     * The applied versions, and no rows (rather than an error) while the history table does not exist
     * yet: a dry run reads the history but must not create the table. The table is only named inside
     * query_to_xml, which the CASE evaluates only when the table exists.
     */
    static final String HISTORY_SQL = """
            select (xpath('/row/version/text()', row))[1]::text as version, (xpath('/row/name/text()', row))[1]::text as name
            from unnest(xpath('/table/row', case when to_regclass('supabase_migrations.schema_migrations') is null
                then '<table/>'::xml
                else query_to_xml('select version, name from supabase_migrations.schema_migrations order by version',
                    false, false, '') end)) as row""";

    private static final int MAX_MESSAGE_CHARS = 400;
    private static final Logger LOG = LoggerFactory.getLogger("migrate");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One migration file; the version as written (leading zeros too, as the CLI records it). */
    public record Migration(String version, String name, String fileName, String sql) {

        BigInteger number() {
            return new BigInteger(version);
        }
    }

    private String directory = "";
    private boolean strict;

    private List<Migration> onDisk = List.of();
    private int skipped;
    private int applied;
    private int pending;
    private Migration current;
    private String failed;

    /** MIGRATIONS_DIR; blank: the migrations/ folder bundled in the image (class path). */
    public void setDirectory(String directory) {
        this.directory = directory == null ? "" : directory.trim();
    }

    /** MIGRATE_STRICT: history that does not match the files stops the run instead of a warning. */
    public void setStrict(boolean strict) {
        this.strict = strict;
    }

    /** Before any request: reads the migration files. */
    public void start(Exchange exchange) {
        skipped = applied = pending = 0;
        current = null;
        failed = null;
        onDisk = directory.isEmpty() ? fromClassPath(exchange) : fromDirectory(Path.of(directory));
        LOG.info("migrate: {} migration file(s) in {}", onDisk.size(), where());
    }

    public String historyTableQuery() throws JsonProcessingException {
        return body(HISTORY_TABLE_SQL);
    }

    public String historyQuery() throws JsonProcessingException {
        return body(HISTORY_SQL);
    }

    /**
     * The migrations to apply, in version order, given the history answer (the unmarshalled JSON
     * rows). Warns about, or with MIGRATE_STRICT fails on, history that does not match the files.
     */
    public List<Migration> plan(Object historyAnswer) {
        if (!(historyAnswer instanceof List<?> rows)) {
            // a dry run sends no POST, and the Management API reads with POST too: no history
            pending = onDisk.size();
            LOG.info("migrate: DRY RUN: the history was not read; a real run applies those of these that are not in"
                    + " supabase_migrations.schema_migrations yet: {}", names(onDisk));
            return List.of();
        }
        Map<BigInteger, String> history = new TreeMap<>();
        List<String> unreadable = new ArrayList<>();
        for (Object row : rows) {
            Object version = row instanceof Map<?, ?> map ? map.get("version") : null;
            try {
                history.put(new BigInteger(String.valueOf(version).trim()), String.valueOf(((Map<?, ?>) row).get("name")));
            } catch (RuntimeException notANumber) {
                unreadable.add(String.valueOf(version));
            }
        }
        Set<BigInteger> files = onDisk.stream().map(Migration::number).collect(Collectors.toSet());
        BigInteger newestApplied = history.keySet().stream().max(Comparator.naturalOrder()).orElse(null);
        List<String> mismatches = new ArrayList<>();
        history.forEach((version, name) -> {
            if (!files.contains(version)) {
                mismatches.add("migration " + version + "_" + name + " is applied (in supabase_migrations.schema_migrations)"
                        + " but has no file in " + where());
            }
        });
        unreadable.forEach(version -> mismatches.add("history version '" + version + "' is not a number; ignored"));
        List<Migration> todo = new ArrayList<>();
        for (Migration migration : onDisk) {
            if (history.containsKey(migration.number())) {
                skipped++;
            } else {
                if (newestApplied != null && migration.number().compareTo(newestApplied) < 0) {
                    mismatches.add(migration.fileName() + " is older than the newest applied migration (" + newestApplied
                            + ") and not applied yet; it will be applied out of order");
                }
                todo.add(migration);
            }
        }
        mismatches.forEach(mismatch -> LOG.warn("migrate: {}", mismatch));
        if (strict && !mismatches.isEmpty()) {
            throw new ExplainedFailure("the migration history does not match the files (MIGRATE_STRICT=true): "
                    + String.join("; ", mismatches));
        }
        pending = todo.size();
        LOG.info("migrate: {} already applied, {} to apply{}", skipped, todo.size(),
                todo.isEmpty() ? "" : ": " + names(todo));
        return todo;
    }

    /**
     * The request that applies one migration: its history row and its SQL in one transaction, so
     * both are applied or neither is. The row goes first: a second run that races this one, or a
     * retry after an answer that got lost, stops at the primary key before running the SQL again.
     */
    public String applyQuery(Migration migration) throws JsonProcessingException {
        current = migration;
        LOG.info("migrate: applying {}", migration.fileName());
        String quote = dollarQuote(migration.sql() + migration.name());
        return body("begin;\n"
                + "insert into supabase_migrations.schema_migrations (version, name, statements) values ('"
                + migration.version() + "', " + quote + migration.name() + quote + ", array[" + quote + migration.sql() + quote
                + "]);\n"
                // the newline ends a trailing -- comment, the semicolon an unterminated last statement
                + migration.sql() + "\n;\n"
                + "commit;\n");
    }

    public void applied(Migration migration) {
        applied++;
        current = null;
        LOG.info("migrate: applied {}", migration.fileName());
    }

    /** For the SUMMARY line. */
    public String summary() {
        return "applied=" + applied + " skipped=" + skipped + (failed == null ? "" : " failed=" + failed);
    }

    /** For a dry run's SUMMARY line. */
    public String dryRunSummary() {
        return "dry_run=true would_apply=" + pending + " skipped=" + skipped;
    }

    /**
     * The route's doCatch: fails the run with one line that says which migration failed, what the
     * API or the database said and what state the database is in.
     */
    public void fail(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (current != null) {
            failed = current.fileName();
        }
        exchange.setProperty(Run.RESULT_PROPERTY, summary());
        if (cause instanceof ExplainedFailure explained) {
            throw explained;
        }
        throw new ExplainedFailure(explain(cause), cause);
    }

    private String explain(Exception cause) {
        HttpOperationFailedException http = FailureReport.find(cause, HttpOperationFailedException.class);
        String reason = http == null ? FailureReport.explain(cause) : explainHttp(http);
        if (current == null) {
            return reason;
        }
        String state = "; " + applied + " applied before it, the later ones not attempted";
        if (http != null && http.getStatusCode() >= 400 && http.getStatusCode() < 500) {
            return "migration " + current.fileName() + " failed and was rolled back: " + reason + state;
        }
        // no answer: the transaction either committed or not; the history tells, and a re-run carries on
        return "migration " + current.fileName() + " was not confirmed (applied completely or not at all; a re-run"
                + " carries on): " + reason + state;
    }

    private static String explainHttp(HttpOperationFailedException http) {
        int status = http.getStatusCode();
        if (status == 401 || status == 403) {
            return "HTTP " + status + " from " + http.getUri() + ": the Supabase Management API refused the access token;"
                    + " check SUPABASE_ACCESS_TOKEN or its Secret Manager secret (supabase-access-token-<suffix>)"
                    + " and that it may access SUPABASE_PROJECT_REF";
        }
        if (status == 404) {
            return "HTTP 404 from " + http.getUri() + ": no such project or endpoint; check SUPABASE_PROJECT_REF and"
                    + " SUPABASE_API_URL";
        }
        if (status >= 400 && status < 500) {
            return "HTTP " + status + ", the database said: " + apiMessage(http.getResponseBody());
        }
        return FailureReport.explain(http);
    }

    /** The Management API answers an SQL error with {"message": "..."}. */
    static String apiMessage(String body) {
        String message = body == null ? "" : body;
        try {
            JsonNode answer = JSON.readTree(message);
            if (answer != null && answer.hasNonNull("message")) {
                message = answer.get("message").asText();
            }
        } catch (IOException notJson) {
            // the raw answer is the best we have
        }
        message = message.replaceAll("\\s+", " ").trim();
        return message.length() > MAX_MESSAGE_CHARS ? message.substring(0, MAX_MESSAGE_CHARS) + "..." : message;
    }

    static String body(String sql) throws JsonProcessingException {
        return JSON.writeValueAsString(Map.of("query", sql));
    }

    /** A dollar quote whose tag does not occur in the text, so the text needs no escaping. */
    static String dollarQuote(String text) {
        String quote = "$migration$";
        for (int i = 1; text.contains(quote); i++) {
            quote = "$migration" + i + "$";
        }
        return quote;
    }

    private String where() {
        return directory.isEmpty() ? "the bundled migrations/ folder" : "MIGRATIONS_DIR=" + directory;
    }

    private static String names(List<Migration> migrations) {
        return migrations.stream().map(Migration::fileName).collect(Collectors.joining(", "));
    }

    static List<Migration> fromDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ExplainedFailure("MIGRATIONS_DIR=" + dir + " is not a directory");
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> sql = files.filter(file -> file.getFileName().toString().endsWith(".sql")).toList();
            List<Migration> migrations = new ArrayList<>();
            for (Path file : sql) {
                parse(file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8), migrations);
            }
            return ordered(migrations);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read MIGRATIONS_DIR=" + dir + ": " + e.getMessage(), e);
        }
    }

    private static List<Migration> fromClassPath(Exchange exchange) {
        try {
            List<Migration> migrations = new ArrayList<>();
            for (Resource resource : PluginHelper.getPackageScanResourceResolver(exchange.getContext())
                    .findResources("classpath:migrations/*.sql")) {
                String location = resource.getLocation();
                try (InputStream in = resource.getInputStream()) {
                    parse(location.substring(location.lastIndexOf('/') + 1),
                            new String(in.readAllBytes(), StandardCharsets.UTF_8), migrations);
                }
            }
            return ordered(migrations);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the bundled migrations: " + e.getMessage(), e);
        }
    }

    private static void parse(String fileName, String sql, List<Migration> into) {
        Matcher name = FILE_NAME.matcher(fileName);
        if (!name.matches()) {
            // the Supabase CLI skips such files too, so both agree on what exists
            LOG.warn("migrate: skipped {}: not named <version>_<name>.sql", fileName);
            return;
        }
        String code = COMMENTS.matcher(DOLLAR_QUOTED.matcher(sql).replaceAll("")).replaceAll("");
        Matcher control = TRANSACTION_CONTROL.matcher(code);
        if (control.find()) {
            throw new ExplainedFailure(fileName + " contains its own transaction control ('" + control.group().trim()
                    + "'): remove it, the job runs each migration in one transaction with its history row");
        }
        into.add(new Migration(name.group(1), name.group(2), fileName, sql));
    }

    private static List<Migration> ordered(List<Migration> migrations) {
        List<Migration> sorted = migrations.stream().sorted(Comparator.comparing(Migration::number)).toList();
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).number().equals(sorted.get(i - 1).number())) {
                throw new ExplainedFailure("two migrations have version " + sorted.get(i).version() + ": "
                        + sorted.get(i - 1).fileName() + " and " + sorted.get(i).fileName());
            }
        }
        return sorted;
    }
}
