package ai.cloudact.jobs.beans;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import ai.cloudact.jobs.support.TestPostgres;
import com.fasterxml.jackson.databind.JsonNode;
import ai.cloudact.jobs.support.TestPostgres;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.postgresql.util.PSQLException;

/**
 * Test-only stand-in for the Supabase Management API's {@code POST /v1/projects/{ref}/database/query}:
 * checks the Bearer token (401 otherwise), runs the body's {@code query} on a real PostgreSQL
 * database and answers 201 with the rows of the last statement as a JSON array ({@code []} when it
 * returns none), or 400 with {@code {"message": "Failed to run sql query: ERROR: ..."}} as the API
 * does for an SQL error.
 *
 * <p>Like the API, it sends the whole query as one simple-protocol query on a connection of its
 * own, so a multi-statement query behaves as it would there; closing the connection after an error
 * rolls back whatever transaction the query left open.
 */
final class SupabaseQueryStandIn implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final String database;
    private final String projectRef;
    private final String token;
    private final AtomicInteger requests = new AtomicInteger();

    private SupabaseQueryStandIn(String database, String projectRef, String token) throws IOException {
        this.database = database;
        this.projectRef = projectRef;
        this.token = token;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    static SupabaseQueryStandIn start(String database, String projectRef, String token) throws IOException {
        return new SupabaseQueryStandIn(database, projectRef, token);
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Requests received, answered or refused. */
    int requests() {
        return requests.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try (exchange; InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readAllBytes();
            if (!"POST".equals(exchange.getRequestMethod())
                    || !exchange.getRequestURI().getPath().equals("/v1/projects/" + projectRef + "/database/query")) {
                answer(exchange, 404, Map.of("message", "Not Found"));
                return;
            }
            if (!("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                answer(exchange, 401, Map.of("message", "Unauthorized"));
                return;
            }
            JsonNode query = JSON.readTree(body).get("query");
            if (query == null || !query.isTextual()) {
                answer(exchange, 400, Map.of("message", "query is required"));
                return;
            }
            try {
                answer(exchange, 201, run(query.asText()));
            } catch (SQLException e) {
                String message = e instanceof PSQLException psql && psql.getServerErrorMessage() != null
                        ? psql.getServerErrorMessage().getSQLState() + ": " + psql.getServerErrorMessage().getMessage()
                        : e.getMessage();
                answer(exchange, 400, Map.of("message", "Failed to run sql query: ERROR:  " + message));
            }
        }
    }

    private List<Map<String, Object>> run(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(TestPostgres.url(database) + "?preferQueryMode=simple",
                TestPostgres.USER, TestPostgres.PASSWORD); Statement statement = connection.createStatement()) {
            List<Map<String, Object>> rows = List.of();
            boolean hasRows = statement.execute(sql);
            while (hasRows || statement.getUpdateCount() != -1) {
                if (hasRows) {
                    try (ResultSet result = statement.getResultSet()) {
                        rows = rows(result);
                    }
                }
                hasRows = statement.getMoreResults();
            }
            return rows;
        }
    }

    private static List<Map<String, Object>> rows(ResultSet result) throws SQLException {
        ResultSetMetaData columns = result.getMetaData();
        List<Map<String, Object>> rows = new ArrayList<>();
        while (result.next()) {
            Map<String, Object> row = new LinkedHashMap<>();
            for (int i = 1; i <= columns.getColumnCount(); i++) {
                Object value = result.getObject(i);
                if (value instanceof Array array) {
                    value = Arrays.asList((Object[]) array.getArray());
                } else if (value != null && !(value instanceof Number) && !(value instanceof Boolean)) {
                    value = value.toString();
                }
                row.put(columns.getColumnLabel(i), value);
            }
            rows.add(row);
        }
        return rows;
    }

    private static void answer(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
