package ai.cloudact.jobs.deploy;

import ai.cloudact.jobs.support.Repo;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the deploy scripts with the real gcloud CLI, pointed at a {@link FakeGoogleApis} on loopback.
 * Everything gcloud reads lives in a throw-away CLOUDSDK_CONFIG: the API endpoints are overridden to
 * fake host names and reached through an HTTP proxy that is the fake itself (a region prefixed to a
 * 127.0.0.1 endpoint would not resolve), and the access token comes from a file. The developer's own
 * gcloud configuration, account and project are never read or changed.
 */
final class RealGcloud {

    static final String INSTALL_HINT = "the deploy tests run the scripts with the real gcloud CLI, which is not on PATH."
            + " Install the Google Cloud SDK (Debian/Ubuntu: apt-get install google-cloud-cli from Google's apt repository,"
            + " see https://cloud.google.com/sdk/docs/install; .ci/run installs it when missing), then run the tests again.";

    record Result(int exit, String output) {
    }

    private final FakeGoogleApis api;
    private final Path config;
    private final Path token;

    RealGcloud(FakeGoogleApis api, Path dir) throws IOException {
        requireInstalled();
        this.api = api;
        this.config = Files.createDirectories(dir.resolve("gcloud-config"));
        this.token = dir.resolve("access-token");
        Files.writeString(token, "fake-token-for-tests\n");
        Files.createDirectories(config.resolve("configurations"));
        Files.writeString(config.resolve("active_config"), "default");
        Files.writeString(config.resolve("configurations/config_default"), """
                [api_endpoint_overrides]
                run = http://run.fake/
                cloudscheduler = http://scheduler.fake/

                [proxy]
                type = http
                address = 127.0.0.1
                port = %d

                [core]
                disable_usage_reporting = true
                disable_prompts = true

                [component_manager]
                disable_update_check = true

                [survey]
                disable_prompts = true
                """.formatted(api.port()));
    }

    /** Fails, never skips, when gcloud is missing: a test that cannot run must say so. */
    static void requireInstalled() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "gcloud"))) {
                return;
            }
        }
        throw new AssertionError(INSTALL_HINT);
    }

    /** Runs {@code command} (a script, or gcloud itself) from the repository root, {@code stdin} as its input. */
    Result run(String stdin, Map<String, String> extraEnv, String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(Repo.ROOT.toFile()).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        // nothing of the developer's gcloud setup, proxies or deploy inputs may leak in
        env.keySet().removeIf(k -> k.startsWith("CLOUDSDK_") || k.toLowerCase().endsWith("_proxy")
                || k.equals("CLOUDACT_REGION") || k.equals("SUPABASE_PROJECT_REF") || k.equals("GOOGLE_APPLICATION_CREDENTIALS"));
        env.put("CLOUDSDK_CONFIG", config.toString());
        env.put("CLOUDSDK_AUTH_ACCESS_TOKEN_FILE", token.toString());
        env.putAll(extraEnv);
        Process process = builder.start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException scriptExitedFirst) {
            // a script that refuses before reading its input closes the pipe: nothing to send
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(300, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 300 s:\n" + output);
        }
        return new Result(process.exitValue(), output);
    }

    FakeGoogleApis api() {
        return api;
    }
}
