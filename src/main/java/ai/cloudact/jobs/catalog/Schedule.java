package ai.cloudact.jobs.catalog;

import java.text.ParseException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.TimeZone;

import org.quartz.CronExpression;

/**
 * When a job fires: a Quartz cron (seconds first: {@code 0 0 3 * * ?}) in a time zone. The route's
 * quartz trigger is its only source; the deploy targets get it as a five-field cron
 * ({@link #unixCron()}).
 *
 * @param cron the Quartz cron as written in the route
 * @param zone the time zone the cron is read in
 */
public record Schedule(String cron, ZoneId zone) {

    /** Parses and checks both parts; the message names what is wrong and the expected form. */
    public static Schedule of(String cron, String zone) {
        if (!CronExpression.isValidExpression(cron)) {
            throw new IllegalArgumentException("invalid Quartz cron '" + cron + "' (six fields, seconds first: 0 0 3 * * ?)");
        }
        ZoneId zoneId;
        try {
            zoneId = ZoneId.of(zone);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("unknown time zone '" + zone + "' (an IANA name such as Etc/UTC or Australia/Sydney)");
        }
        return new Schedule(cron, zoneId);
    }

    /**
     * Does once what reading the first cron costs, about 0.02 s: Quartz's cron classes, and the JDK's
     * calendar, locale and time-zone data behind them (a one-shot run starts it on another thread).
     * A region, not an offset: the time-zone rules are read at the first region.
     */
    public static void prepare() {
        new Schedule("0 0 0 * * ?", ZoneId.of("Etc/UTC")).lastFireAtOrBefore(Instant.now());
    }

    /** The five-field cron for Cloud Scheduler and Kubernetes; fails when they cannot express it. */
    public String unixCron() {
        return QuartzCron.toUnix(cron);
    }

    /** The next {@code count} fire times after {@code after}. */
    public List<Instant> next(Instant after, int count) {
        List<Instant> times = new ArrayList<>();
        CronExpression expression = expression();
        Date at = Date.from(after);
        while (times.size() < count && (at = expression.getNextValidTimeAfter(at)) != null) {
            times.add(at.toInstant());
        }
        return times;
    }

    /** The latest fire time at or before {@code now}, looking back at most 32 days; null if none. */
    public Instant lastFireAtOrBefore(Instant now) {
        CronExpression expression = expression();
        for (long lookBackDays : new long[] {1, 32}) {
            Date slot = null;
            Date next = expression.getNextValidTimeAfter(Date.from(now.minus(lookBackDays, ChronoUnit.DAYS)));
            while (next != null && !next.toInstant().isAfter(now)) {
                slot = next;
                next = expression.getNextValidTimeAfter(next);
            }
            if (slot != null) {
                return slot.toInstant();
            }
        }
        return null;
    }

    private CronExpression expression() {
        try {
            CronExpression expression = new CronExpression(cron);
            expression.setTimeZone(TimeZone.getTimeZone(zone));
            return expression;
        } catch (ParseException e) {
            throw new IllegalStateException("checked in of(): " + cron, e);
        }
    }

    @Override
    public String toString() {
        return cron + " " + zone.getId();
    }
}
