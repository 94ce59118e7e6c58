package ai.cloudact.jobs.catalog;

import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The facts of a job that Camel's route model has no place for: how it is named and deployed. Declared
 * in the job file as a bean beside the route, so Camel itself checks the keys and types when it loads
 * the file (a misspelt key or {@code retries: three} fails the load), and the catalog reads the same
 * keys without Camel:
 *
 * <pre>
 * - beans:
 *     - name: quota-reset-job            # the job id + "-job"
 *       type: ai.cloudact.jobs.catalog.JobSpec
 *       properties: {longName: cloudact-daily-quota-reset, timeout: 10m, retries: 3}
 * </pre>
 *
 * Every fact is optional; the defaults are the constants below.
 */
public class JobSpec {

    public static final String DEFAULT_TIMEOUT = "10m";
    public static final int DEFAULT_RETRIES = 1;
    public static final String DEFAULT_MEMORY = "512Mi";
    public static final String DEFAULT_CPU = "1";
    /** Gates a job can wait for: the trigger stays off until the operator says the gate is open. */
    public static final Set<String> GATES = Set.of("billing-endpoint");
    public static final Set<String> MISFIRE_POLICIES = Set.of("fire-once-now", "skip");

    private static final Pattern DURATION = Pattern.compile("(\\d{1,6})([smh])");
    private static final Pattern NAME = Pattern.compile("[a-z]([a-z0-9-]{0,48}[a-z0-9])?");
    private static final Pattern MEMORY = Pattern.compile("\\d{1,5}(Mi|Gi)");
    private static final Pattern CPU = Pattern.compile("[1-8]|[1-9]\\d{0,3}m");

    private String longName;
    private String timeout = DEFAULT_TIMEOUT;
    private int retries = DEFAULT_RETRIES;
    private String memory = DEFAULT_MEMORY;
    private String cpu = DEFAULT_CPU;
    private String gate;
    private int shards = 1;
    private boolean fanOut;
    private String misfire = "fire-once-now";

    /** The name on Cloud Run Jobs, Cloud Scheduler and Kubernetes, which JOB_ID also accepts; default {@code <pack>-<id>}. */
    public String getLongName() {
        return longName;
    }

    public void setLongName(String longName) {
        if (longName == null || !NAME.matcher(longName).matches()) {
            throw new IllegalArgumentException("longName '" + longName + "' must be lower-case letters, digits and '-'"
                    + " (a Cloud Run and Kubernetes name), at most 50 characters");
        }
        this.longName = longName;
    }

    /** One attempt's limit: {@code 90s}, {@code 10m}, {@code 1h}. */
    public String getTimeout() {
        return timeout;
    }

    public void setTimeout(String timeout) {
        Duration parsed = parseDuration(timeout);
        if (parsed.compareTo(Duration.ofHours(24)) > 0 || parsed.isZero()) {
            throw new IllegalArgumentException("timeout '" + timeout + "' must be between 1s and 24h (Cloud Run's limit)");
        }
        this.timeout = timeout.trim();
    }

    public Duration timeoutDuration() {
        return parseDuration(timeout);
    }

    /** Attempts after a failed first one (the platform's retries; the runner's HTTP retries are apart). */
    public int getRetries() {
        return retries;
    }

    public void setRetries(int retries) {
        if (retries < 0 || retries > 10) {
            throw new IllegalArgumentException("retries " + retries + " must be 0 to 10 (Cloud Run's limit)");
        }
        this.retries = retries;
    }

    /** Container memory as a Kubernetes quantity: {@code 512Mi}, {@code 1Gi}. */
    public String getMemory() {
        return memory;
    }

    public void setMemory(String memory) {
        if (memory == null || !MEMORY.matcher(memory.trim()).matches()) {
            throw new IllegalArgumentException("memory '" + memory + "' must look like 512Mi or 1Gi");
        }
        this.memory = memory.trim();
    }

    /** vCPUs: {@code 1}, {@code 2}, or millicores {@code 500m}. */
    public String getCpu() {
        return cpu;
    }

    public void setCpu(String cpu) {
        if (cpu == null || !CPU.matcher(cpu.trim()).matches()) {
            throw new IllegalArgumentException("cpu '" + cpu + "' must be 1 to 8 or millicores such as 500m");
        }
        this.cpu = cpu.trim();
    }

    /** What must exist before the trigger may fire (one of {@link #GATES}); null: none. */
    public String getGate() {
        return gate;
    }

    public void setGate(String gate) {
        if (gate != null && !GATES.contains(gate)) {
            throw new IllegalArgumentException("gate '" + gate + "' is unknown; known: " + GATES);
        }
        this.gate = gate;
    }

    /**
     * A fan-out job: its route splits a list of items and keeps only this task's share of them
     * ({@code - process: {ref: shardShare}} after setting the exchange property {@code shardKey}), so
     * it may run as {@link #getShards() shards} parallel tasks, each with a lease of its own.
     */
    public boolean isFanOut() {
        return fanOut;
    }

    public void setFanOut(boolean fanOut) {
        this.fanOut = fanOut;
    }

    /** Parallel tasks a fan-out job is split over (Cloud Run --tasks, Kubernetes Indexed Job); more than 1 needs fanOut. */
    public int getShards() {
        return shards;
    }

    public void setShards(int shards) {
        if (shards < 1 || shards > 100) {
            throw new IllegalArgumentException("shards " + shards + " must be 1 to 100");
        }
        this.shards = shards;
    }

    /** Service mode: what a firing missed while every replica was down does: fire-once-now or skip. */
    public String getMisfire() {
        return misfire;
    }

    public void setMisfire(String misfire) {
        if (!MISFIRE_POLICIES.contains(misfire)) {
            throw new IllegalArgumentException("misfire '" + misfire + "' must be one of " + MISFIRE_POLICIES);
        }
        this.misfire = misfire;
    }

    /** {@code 90s}, {@code 10m}, {@code 1h}. */
    static Duration parseDuration(String text) {
        Matcher m = text == null ? null : DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("timeout '" + text + "' must look like 90s, 10m or 1h");
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "h" -> Duration.ofHours(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofSeconds(amount);
        };
    }
}
