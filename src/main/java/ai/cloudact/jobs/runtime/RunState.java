package ai.cloudact.jobs.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import ai.cloudact.jobs.state.OverlapPolicy;
import ai.cloudact.jobs.state.RunControl;
import ai.cloudact.jobs.state.StateStore;
import org.slf4j.LoggerFactory;

/**
 * The run state store and the run control on it, from the settings: STATE_DB_URL (exit 2 when it
 * cannot be reached), else the embedded default under STATE_DIR (or none, said once, where that
 * cannot be written). One per process: a service opens it once and passes it to every run.
 *
 * <p>A dry run changes nothing, the run state included: it takes no lease (it must never make a real
 * run skip) and writes no history; with STATE_DB_URL set it still proves the database can be reached.
 */
public final class RunState {

    private RunState() {
    }

    /** For running jobs. */
    public static RunControl open(Settings settings, Map<String, String> env) {
        boolean dryRun = Boolean.parseBoolean(settings.value(Settings.DRY_RUN));
        String url = settings.value(Settings.STATE_DB_URL);
        if (dryRun) {
            if (url != null) {
                configured(settings, url).close();
            }
            LoggerFactory.getLogger("runner").info("DRY RUN: no lease taken, no history written");
            return RunControl.off();
        }
        Optional<StateStore> store = url != null ? Optional.of(configured(settings, url)) : StateStore.openEmbedded(stateDir(settings));
        return store.map(s -> RunControl.on(s, Durations.parse(valueOrDefault(settings, Settings.LEASE_TTL)),
                OverlapPolicy.parse(settings.value(Settings.OVERLAP_POLICY)),
                Durations.parse(valueOrDefault(settings, Settings.HISTORY_RETENTION)), host(env), execution(env)))
                .orElseGet(RunControl::off);
    }

    /** For reading the history: the configured store, or the embedded one if a run has created it; empty otherwise. */
    public static Optional<RunControl> openExisting(Settings settings, Map<String, String> env) {
        String url = settings.value(Settings.STATE_DB_URL);
        if (url == null && !Files.exists(stateDir(settings).resolve("jobs.mv.db"))) {
            return Optional.empty();
        }
        Optional<StateStore> store = url != null ? Optional.of(configured(settings, url)) : StateStore.openEmbedded(stateDir(settings));
        return store.map(s -> RunControl.on(s, Durations.parse(valueOrDefault(settings, Settings.LEASE_TTL)), OverlapPolicy.SKIP,
                Durations.parse(valueOrDefault(settings, Settings.HISTORY_RETENTION)), host(env), execution(env)));
    }

    public static Path stateDir(Settings settings) {
        return Path.of(valueOrDefault(settings, Settings.STATE_DIR));
    }

    private static StateStore configured(Settings settings, String url) {
        return StateStore.openConfigured(url, settings.value(Settings.STATE_DB_USER), settings.value(Settings.STATE_DB_PASSWORD));
    }

    private static String valueOrDefault(Settings settings, Setting setting) {
        String value = settings.value(setting);
        return value != null ? value : setting.defaultText();
    }

    /** The machine or container: HOSTNAME (the pod's name on Kubernetes), else the kernel's host name. */
    static String host(Map<String, String> env) {
        String host = env.get("HOSTNAME");
        if (host != null && !host.isBlank()) {
            return host.trim();
        }
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException | RuntimeException e) {
            return "localhost";
        }
    }

    /** This process as the platform knows it: the Cloud Run execution and task, the Kubernetes pod, or the process id. */
    static String execution(Map<String, String> env) {
        String execution = env.get("CLOUD_RUN_EXECUTION");
        if (execution != null && !execution.isBlank()) {
            return execution + "/task-" + env.getOrDefault("CLOUD_RUN_TASK_INDEX", "0");
        }
        if (env.containsKey("KUBERNETES_SERVICE_HOST") && env.get("HOSTNAME") != null) {
            return "pod " + env.get("HOSTNAME");
        }
        return "pid " + ProcessHandle.current().pid();
    }
}
