package ai.cloudact.jobs.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An in-memory stand-in for the two Google REST APIs the deploy scripts reach through the real gcloud:
 * Cloud Run Admin v1 (namespaced jobs: get, list, create, replace, :run) and Cloud Scheduler v1 (jobs:
 * get, list, create, patch with updateMask, pause, resume, delete). gcloud is pointed at it as its
 * HTTP proxy, so request lines arrive in absolute form ({@code GET http://us-central1-run.fake/apis/...}).
 * It keeps state like the real services where the scripts depend on it (create of an existing job is
 * 409, pause needs ENABLED, resume needs PAUSED, a patch changes only the fields of its updateMask and
 * never the state), records every request, and can be told to answer an error instead.
 */
final class FakeGoogleApis implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    /** One request as gcloud sent it: method, path without host or query, query, JSON body (or missing). */
    record Request(String method, String path, String query, JsonNode body) {
        boolean isWrite() {
            return !method.equals("GET");
        }

        @Override
        public String toString() {
            return method + " " + path + (query.isEmpty() ? "" : "?" + query) + (body.isMissingNode() ? "" : " " + body);
        }
    }

    private record Failure(String method, Pattern path, String bodyContains, int code, String status, String message) {
    }

    /** What the fake holds, to start another test from the same deployment without redeploying. */
    record State(Map<String, JsonNode> runJobs, Map<String, JsonNode> schedulerJobs) {
    }

    private static final Pattern RUN_JOBS = Pattern.compile("/apis/run\\.googleapis\\.com/v1/namespaces/([^/]+)/jobs");
    private static final Pattern RUN_JOB = Pattern.compile("/apis/run\\.googleapis\\.com/v1/namespaces/([^/]+)/jobs/([^/:]+)(:run)?");
    private static final Pattern RUN_EXECUTIONS = Pattern.compile("/apis/run\\.googleapis\\.com/v1/namespaces/([^/]+)/executions(?:/([^/]+))?");
    private static final Pattern SCHEDULER_JOBS = Pattern.compile("/v1/(projects/[^/]+/locations/[^/]+)/jobs");
    private static final Pattern SCHEDULER_JOB = Pattern.compile("/v1/(projects/[^/]+/locations/[^/]+/jobs/[^/:]+)(:pause|:resume)?");

    private final HttpServer server;
    private final List<Request> requests = new ArrayList<>();
    private final List<Failure> failures = new ArrayList<>();
    /** Cloud Run jobs by "namespace/name"; Scheduler jobs by their full resource name. Sorted, as list answers are. */
    private final Map<String, ObjectNode> runJobs = new TreeMap<>();
    private final Map<String, ObjectNode> schedulerJobs = new TreeMap<>();
    private final Map<String, ObjectNode> executions = new TreeMap<>();

    FakeGoogleApis() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Answers {@code code} with a Google error body to every request of {@code method} whose path matches {@code pathRegex}. */
    synchronized void fail(String method, String pathRegex, int code, String status, String message) {
        fail(method, pathRegex, "", code, status, message);
    }

    /** The same, only for requests whose JSON body contains {@code bodyContains} (e.g. the name of the job to create). */
    synchronized void fail(String method, String pathRegex, String bodyContains, int code, String status, String message) {
        failures.add(new Failure(method, Pattern.compile(pathRegex), bodyContains, code, status, message));
    }

    synchronized State state() {
        return new State(runJobs(), schedulerJobs());
    }

    synchronized void restore(State state) {
        runJobs.clear();
        schedulerJobs.clear();
        state.runJobs().forEach((k, v) -> runJobs.put(k, (ObjectNode) v.deepCopy()));
        state.schedulerJobs().forEach((k, v) -> schedulerJobs.put(k, (ObjectNode) v.deepCopy()));
    }

    synchronized void clearFailures() {
        failures.clear();
    }

    synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    synchronized void clearRequests() {
        requests.clear();
    }

    /** The stored Cloud Run job, or a missing node. */
    synchronized JsonNode runJob(String namespace, String name) {
        ObjectNode job = runJobs.get(namespace + "/" + name);
        return job == null ? MissingNode.getInstance() : job.deepCopy();
    }

    /** The stored Scheduler job ({@code projects/P/locations/L/jobs/N}), or a missing node. */
    synchronized JsonNode schedulerJob(String name) {
        ObjectNode job = schedulerJobs.get(name);
        return job == null ? MissingNode.getInstance() : job.deepCopy();
    }

    synchronized Map<String, JsonNode> runJobs() {
        Map<String, JsonNode> copy = new TreeMap<>();
        runJobs.forEach((k, v) -> copy.put(k, v.deepCopy()));
        return copy;
    }

    synchronized Map<String, JsonNode> schedulerJobs() {
        Map<String, JsonNode> copy = new TreeMap<>();
        schedulerJobs.forEach((k, v) -> copy.put(k, v.deepCopy()));
        return copy;
    }

    /** Changes a field of a stored Scheduler job behind the scripts' back (what an operator's console click does). */
    synchronized void setSchedulerField(String name, String field, String value) {
        schedulerJobs.get(name).put(field, value);
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            URI uri = exchange.getRequestURI();
            String method = exchange.getRequestMethod();
            String path = uri.getRawPath();
            String query = uri.getRawQuery() == null ? "" : URLDecoder.decode(uri.getRawQuery(), StandardCharsets.UTF_8);
            byte[] raw;
            try (InputStream in = exchange.getRequestBody()) {
                raw = in.readAllBytes();
            }
            JsonNode body = raw.length == 0 ? MissingNode.getInstance() : JSON.readTree(raw);
            int code;
            JsonNode answer;
            synchronized (this) {
                requests.add(new Request(method, path, query, body));
                Failure failure = failures.stream()
                        .filter(f -> f.method().equals(method) && f.path().matcher(path).find()
                                && (f.bodyContains().isEmpty() || body.toString().contains(f.bodyContains())))
                        .findFirst().orElse(null);
                if (failure != null) {
                    code = failure.code();
                    answer = error(failure.code(), failure.status(), failure.message());
                } else {
                    Object[] result = route(method, path, query, body);
                    code = (Integer) result[0];
                    answer = (JsonNode) result[1];
                }
            }
            byte[] out = JSON.writeValueAsBytes(answer);
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
            exchange.sendResponseHeaders(code, out.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(out);
            }
        }
    }

    private Object[] route(String method, String path, String query, JsonNode body) {
        Matcher m;
        if ((m = RUN_JOBS.matcher(path)).matches()) {
            String namespace = m.group(1);
            if (method.equals("GET")) {
                ArrayNode items = JSON.createArrayNode();
                runJobs.forEach((key, job) -> {
                    if (key.startsWith(namespace + "/")) {
                        items.add(job);
                    }
                });
                ObjectNode list = JSON.createObjectNode().put("apiVersion", "run.googleapis.com/v1").put("kind", "JobsList");
                list.putObject("metadata");
                list.set("items", items);
                return ok(list);
            }
            if (method.equals("POST")) {
                String key = namespace + "/" + body.path("metadata").path("name").asText();
                if (runJobs.containsKey(key)) {
                    return new Object[] {409, error(409, "ALREADY_EXISTS", "Resource '" + key + "' already exists.")};
                }
                ObjectNode job = body.deepCopy();
                ready(job, 1);
                runJobs.put(key, job);
                return ok(job);
            }
        } else if ((m = RUN_EXECUTIONS.matcher(path)).matches() && method.equals("GET")) {
            if (m.group(2) != null) {
                ObjectNode execution = executions.get(m.group(1) + "/" + m.group(2));
                return execution == null ? notFound("Execution " + m.group(2) + " not found.") : ok(execution);
            }
            ObjectNode list = JSON.createObjectNode().put("apiVersion", "run.googleapis.com/v1").put("kind", "ExecutionsList");
            list.putObject("metadata");
            ArrayNode items = list.putArray("items");
            String namespace = m.group(1);
            executions.forEach((key, execution) -> {
                if (key.startsWith(namespace + "/")) {
                    items.add(execution);
                }
            });
            return ok(list);
        } else if ((m = RUN_JOB.matcher(path)).matches()) {
            String key = m.group(1) + "/" + m.group(2);
            ObjectNode job = runJobs.get(key);
            if (job == null) {
                return notFound("Resource '" + m.group(2) + "' of kind 'JOB' in region 'us-central1' in project '" + m.group(1) + "' does not exist.");
            }
            if (m.group(3) != null && method.equals("POST")) {
                String name = m.group(2) + "-" + String.format("%05d", executions.size() + 1);
                ObjectNode execution = JSON.createObjectNode().put("apiVersion", "run.googleapis.com/v1").put("kind", "Execution");
                execution.putObject("metadata").put("name", name).put("namespace", m.group(1)).put("generation", 1);
                execution.putObject("spec").put("taskCount", 1);
                ObjectNode status = execution.putObject("status");
                status.put("observedGeneration", 1);
                // done at once: resources found, started, completed (what gcloud waits for, with or without --wait)
                ArrayNode conditions = status.putArray("conditions");
                for (String type : List.of("Completed", "ResourcesAvailable", "Started")) {
                    conditions.addObject().put("type", type).put("status", "True");
                }
                status.put("succeededCount", 1);
                executions.put(m.group(1) + "/" + name, execution);
                return ok(execution);
            }
            if (method.equals("GET")) {
                return ok(job);
            }
            if (method.equals("PUT")) {
                ObjectNode replaced = body.deepCopy();
                ready(replaced, job.path("metadata").path("generation").asInt(1) + 1);
                runJobs.put(key, replaced);
                return ok(replaced);
            }
        } else if ((m = SCHEDULER_JOBS.matcher(path)).matches()) {
            String parent = m.group(1);
            if (method.equals("GET")) {
                ArrayNode jobs = JSON.createArrayNode();
                schedulerJobs.forEach((name, job) -> {
                    if (name.startsWith(parent + "/")) {
                        jobs.add(job);
                    }
                });
                ObjectNode list = JSON.createObjectNode();
                list.set("jobs", jobs);
                return ok(list);
            }
            if (method.equals("POST")) {
                String name = body.path("name").asText();
                if (schedulerJobs.containsKey(name)) {
                    return new Object[] {409, error(409, "ALREADY_EXISTS", "Job " + name + " already exists.")};
                }
                ObjectNode job = body.deepCopy();
                // output-only fields: a new job is always ENABLED (the API has no way to create one paused)
                job.put("state", "ENABLED").put("userUpdateTime", "2026-11-29T00:00:00Z").put("scheduleTime", "2026-11-29T00:05:00Z");
                schedulerJobs.put(name, job);
                return ok(job);
            }
        } else if ((m = SCHEDULER_JOB.matcher(path)).matches()) {
            String name = m.group(1);
            ObjectNode job = schedulerJobs.get(name);
            if (job == null) {
                return notFound("Job not found.");
            }
            String verb = m.group(2);
            if (":pause".equals(verb) && method.equals("POST")) {
                if (!job.path("state").asText().equals("ENABLED")) {
                    return new Object[] {400, error(400, "FAILED_PRECONDITION", "Job.state must be ENABLED to pause.")};
                }
                job.put("state", "PAUSED");
                return ok(job);
            }
            if (":resume".equals(verb) && method.equals("POST")) {
                if (!job.path("state").asText().equals("PAUSED")) {
                    return new Object[] {400, error(400, "FAILED_PRECONDITION", "Job.state must be PAUSED to resume.")};
                }
                job.put("state", "ENABLED");
                return ok(job);
            }
            if (verb == null && method.equals("GET")) {
                return ok(job);
            }
            if (verb == null && method.equals("PATCH")) {
                String mask = queryParameter(query, "updateMask");
                if (mask == null || mask.isEmpty()) {
                    return new Object[] {400, error(400, "INVALID_ARGUMENT", "this fake needs an updateMask")};
                }
                for (String field : mask.split(",")) {
                    if (field.equals("state") || field.equals("name")) {
                        return new Object[] {400, error(400, "INVALID_ARGUMENT", field + " cannot be updated")};
                    }
                    copyPath(body, job, field.split("\\."));
                }
                return ok(job);
            }
            if (verb == null && method.equals("DELETE")) {
                schedulerJobs.remove(name);
                return ok(JSON.createObjectNode());
            }
        }
        return new Object[] {400, error(400, "INVALID_ARGUMENT", "the fake does not know " + method + " " + path)};
    }

    /** Copies the value at a dotted path from the patch into the job, or removes it there when the patch lacks it. */
    private static void copyPath(JsonNode from, ObjectNode to, String[] path) {
        ObjectNode target = to;
        JsonNode source = from;
        for (int i = 0; i < path.length - 1; i++) {
            source = source.path(path[i]);
            JsonNode next = target.get(path[i]);
            target = next instanceof ObjectNode o ? o : target.putObject(path[i]);
        }
        String last = path[path.length - 1];
        JsonNode value = source.path(last);
        if (value.isMissingNode()) {
            target.remove(last);
        } else {
            target.set(last, value.deepCopy());
        }
    }

    private static String queryParameter(String query, String name) {
        for (String pair : query.split("&")) {
            if (pair.startsWith(name + "=")) {
                return pair.substring(name.length() + 1);
            }
        }
        return null;
    }

    /** Cloud Run marks a job Ready once it has seen its generation; gcloud waits for exactly that. */
    private static void ready(ObjectNode job, int generation) {
        JsonNode metadata = job.get("metadata");
        (metadata instanceof ObjectNode o ? o : job.putObject("metadata")).put("generation", generation);
        ObjectNode status = job.putObject("status");
        status.put("observedGeneration", generation);
        status.putArray("conditions").addObject().put("type", "Ready").put("status", "True");
    }

    private static Object[] ok(JsonNode body) {
        return new Object[] {200, body};
    }

    private static Object[] notFound(String message) {
        return new Object[] {404, error(404, "NOT_FOUND", message)};
    }

    static JsonNode error(int code, String status, String message) {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("error").put("code", code).put("message", message).put("status", status);
        return root;
    }
}
