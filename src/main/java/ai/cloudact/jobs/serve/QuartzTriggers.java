package ai.cloudact.jobs.serve;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TimeZone;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import ai.cloudact.jobs.catalog.Job;
import ai.cloudact.jobs.catalog.Schedule;
import ai.cloudact.jobs.run.Outcome;
import ai.cloudact.jobs.run.RunRecord;
import ai.cloudact.jobs.runtime.RunKey;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.component.quartz.QuartzEndpoint;
import org.apache.camel.component.quartz.QuartzMessage;
import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerKey;
import org.quartz.impl.matchers.GroupMatcher;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's own triggers: one Camel quartz route per scheduled job, on the cron and time zone of
 * {@link Job#schedule()} (never the raw route: a route without {@code trigger.timeZone} has its pack's),
 * whose firing runs the job through {@link Executions}.
 *
 * <p>With the run-state database, camel-quartz's scheduler uses Quartz's JDBC job store with clustering
 * on, so the replicas share the work: each firing runs on one replica, a job never overlaps itself
 * ({@code stateful}: Quartz holds its trigger while it runs, on every replica), a replica that dies
 * mid-run has that firing recovered by another ({@code recoverableJob}), and a firing more than a
 * minute late (every replica down at the fire time) follows the job's {@code misfire} policy:
 * {@code fire-once-now} runs it once as soon as a replica is back (missed firings coalesce),
 * {@code skip} waits for the next fire time. Without the database: Quartz's in-memory store, this
 * process only.
 */
final class QuartzTriggers extends RouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger("runner");
    /** Quartz's name for the run-state pool. */
    private static final String DATA_SOURCE = "state";
    /** How often a replica tells the others it is alive; a replica silent for this plus 7.5 s is taken for dead. */
    static final long CHECKIN_INTERVAL_MS = 5000;
    /** A firing later than this is a misfire (Quartz's default). */
    static final long MISFIRE_THRESHOLD_MS = 60_000;

    private final String pack;
    private final List<Job> jobs;
    private final FiringLedger ledger;
    private final Executions executions;

    QuartzTriggers(String pack, List<Job> jobs, FiringLedger ledger, Executions executions) {
        this.pack = pack;
        this.jobs = jobs;
        this.ledger = ledger;
        this.executions = executions;
    }

    /**
     * The quartz component the service binds in place of the default one: Quartz's JDBC store on the
     * run-state pool with clustering on, or its in-memory store; a thread per job (a job never runs twice
     * at once); the scheduler started by the service once it takes runs, not by Camel.
     */
    static QuartzComponent component(String pack, DataSource dataSource, int jobCount) {
        Properties quartz = new Properties();
        quartz.setProperty("org.quartz.scheduler.instanceName", "jobs-" + pack);
        quartz.setProperty("org.quartz.scheduler.instanceId", "AUTO");
        quartz.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        quartz.setProperty("org.quartz.threadPool.threadCount", Integer.toString(Math.max(1, Math.min(jobCount, 20))));
        quartz.setProperty("org.quartz.threadPool.threadNamePrefix", "trigger");
        quartz.setProperty("org.quartz.jobStore.misfireThreshold", Long.toString(MISFIRE_THRESHOLD_MS));
        if (dataSource != null) {
            DBConnectionManager.getInstance().addConnectionProvider(DATA_SOURCE, new Pool(dataSource));
            quartz.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
            quartz.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
            quartz.setProperty("org.quartz.jobStore.dataSource", DATA_SOURCE);
            quartz.setProperty("org.quartz.jobStore.isClustered", "true");
            quartz.setProperty("org.quartz.jobStore.clusterCheckinInterval", Long.toString(CHECKIN_INTERVAL_MS));
            quartz.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
        } else {
            quartz.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        }
        QuartzComponent component = new QuartzComponent();
        component.setProperties(quartz);
        component.setPrefixInstanceName(false);
        component.setEnableJmx(false);
        component.setAutoStartScheduler(false);
        return component;
    }

    @Override
    public void configure() {
        QuartzComponent component = getContext().getComponent("quartz", QuartzComponent.class);
        component.addScheduleInitTask(this::reconcile);
        for (Job job : jobs) {
            Schedule schedule = job.schedule();
            QuartzEndpoint endpoint = getContext().getEndpoint("quartz:" + pack + "/" + job.id(), QuartzEndpoint.class);
            endpoint.setCron(schedule.cron());
            endpoint.setStateful(true);
            endpoint.setRecoverableJob(true);
            Map<String, Object> trigger = new HashMap<>();
            trigger.put("timeZone", schedule.zone().getId());
            trigger.put("misfireInstruction", misfireInstruction(job));
            endpoint.setTriggerParameters(trigger);
            from(endpoint).routeId("trigger-" + job.id()).process(exchange -> fired(job, exchange));
        }
    }

    /** Quartz's misfire instruction for the job's policy. */
    static int misfireInstruction(Job job) {
        return "skip".equals(job.spec().getMisfire()) ? CronTrigger.MISFIRE_INSTRUCTION_DO_NOTHING
                : CronTrigger.MISFIRE_INSTRUCTION_FIRE_ONCE_NOW;
    }

    /**
     * A firing: takes it in the ledger (a tick may have run it already) unless Quartz is recovering one a
     * dead replica had taken, then runs the job on this trigger thread.
     */
    private void fired(Job job, Exchange exchange) throws SQLException {
        JobExecutionContext firing = exchange.getIn(QuartzMessage.class).getJobExecutionContext();
        Instant slot = slot(job, firing);
        String trigger = firing.isRecovering() ? "quartz-recovery" : "quartz";
        if (!executions.accepting()) {
            keepForAnotherReplica();
        }
        if (!firing.isRecovering() && !ledger.claim(job.id(), slot)) {
            LOG.info("Job {} firing {}: already taken (by a tick, or by another replica)", job.id(), slot);
            return;
        }
        RunRecord record = executions.runHere(job, RunKey.ofSlot(job, slot), trigger, firing.isRecovering());
        if (record.outcome() == Outcome.TERMINATED) {
            keepForAnotherReplica();
        }
    }

    /**
     * The cron slot a firing stands for: the scheduled fire time; for a recovered firing, the one the
     * dead replica was running; for a misfire fired late, the latest slot it stands in for.
     */
    static Instant slot(Job job, JobExecutionContext firing) {
        Instant scheduled = firing.getScheduledFireTime().toInstant();
        if (firing.isRecovering()) {
            String original = firing.getMergedJobDataMap().getString(Scheduler.FAILED_JOB_ORIGINAL_TRIGGER_FIRETIME_IN_MILLISECONDS);
            if (original != null) {
                scheduled = Instant.ofEpochMilli(Long.parseLong(original));
            }
        }
        Instant slot = job.schedule().lastFireAtOrBefore(scheduled);
        return slot != null ? slot : scheduled;
    }

    /**
     * The service is stopping and this firing did not run to its end here: the trigger thread never
     * reports it done, so it stays in Quartz's fired triggers and another replica recovers it once this
     * process is gone (it exits right after).
     */
    private static void keepForAnotherReplica() {
        while (true) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                // exit is near; keep holding the firing
            }
        }
    }

    /**
     * Before the scheduler starts: the stored triggers of the pack's jobs follow the job files. camel-quartz
     * reschedules a stored trigger only when its cron changed; here a changed time zone or misfire policy
     * is applied too, and the triggers of jobs no longer served are removed (every replica of a pack
     * serves the same jobs).
     */
    private void reconcile(Scheduler scheduler) throws SchedulerException {
        Set<TriggerKey> wanted = jobs.stream().map(job -> new TriggerKey(job.id(), pack)).collect(Collectors.toSet());
        for (TriggerKey key : scheduler.getTriggerKeys(GroupMatcher.triggerGroupEquals(pack))) {
            if (!wanted.contains(key)) {
                LOG.warn("Removing the stored trigger of {}: this service does not serve that job (SERVE_JOBS, or its file is gone)",
                        key.getName());
                scheduler.unscheduleJob(key);
            }
        }
        for (Job job : jobs) {
            TriggerKey key = new TriggerKey(job.id(), pack);
            Trigger stored = scheduler.getTrigger(key);
            if (stored instanceof CronTrigger cron && !matches(cron, job)) {
                LOG.info("Job {}: trigger updated to {} misfire={}", job.id(), job.schedule(), job.spec().getMisfire());
                CronScheduleBuilder schedule = CronScheduleBuilder.cronSchedule(job.schedule().cron())
                        .inTimeZone(TimeZone.getTimeZone(job.schedule().zone()));
                schedule = misfireInstruction(job) == CronTrigger.MISFIRE_INSTRUCTION_DO_NOTHING
                        ? schedule.withMisfireHandlingInstructionDoNothing() : schedule.withMisfireHandlingInstructionFireAndProceed();
                scheduler.rescheduleJob(key, cron.getTriggerBuilder().withSchedule(schedule).startNow().build());
            }
        }
    }

    private static boolean matches(CronTrigger stored, Job job) {
        return stored.getCronExpression().equals(job.schedule().cron())
                && stored.getTimeZone().toZoneId().equals(job.schedule().zone())
                && stored.getMisfireInstruction() == misfireInstruction(job);
    }

    /** Quartz's connections come from the service's pool, which the service owns and closes. */
    private record Pool(DataSource dataSource) implements ConnectionProvider {
        @Override
        public Connection getConnection() throws SQLException {
            return dataSource.getConnection();
        }

        @Override
        public void shutdown() {
            // the pool is the service's
        }

        @Override
        public void initialize() {
            // the pool is ready
        }
    }
}
