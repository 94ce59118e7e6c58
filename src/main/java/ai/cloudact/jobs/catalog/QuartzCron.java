package ai.cloudact.jobs.catalog;

import java.util.Locale;

/**
 * Turns the Quartz cron of a route ({@code sec min hour day-of-month month day-of-week [year]}) into
 * the five-field cron that Cloud Scheduler and Kubernetes CronJobs take. Only what both can express
 * is accepted; anything else fails loudly instead of deploying a different schedule.
 */
public final class QuartzCron {

    private static final String NAMES = "JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC|SUN|MON|TUE|WED|THU|FRI|SAT";

    private QuartzCron() {
    }

    public static String toUnix(String quartz) {
        String[] f = quartz.trim().split("\\s+");
        if (f.length != 6 && !(f.length == 7 && f[6].equals("*"))) {
            throw new IllegalArgumentException("Quartz cron '" + quartz + "' must have 6 fields (or a 7th year field '*')");
        }
        if (!f[0].equals("0")) {
            throw new IllegalArgumentException("Quartz cron '" + quartz + "' fires at second " + f[0]
                    + ": Cloud Scheduler and Kubernetes only fire on whole minutes, so the seconds field must be 0");
        }
        for (String field : f) {
            String withoutNames = field.toUpperCase(Locale.ROOT).replaceAll(NAMES, "");
            if (withoutNames.matches(".*[LW#].*")) {
                throw new IllegalArgumentException("Quartz cron '" + quartz + "' uses L, W or #, which five-field cron cannot express");
            }
        }
        String dayOfMonth = f[3].equals("?") ? "*" : f[3];
        String dayOfWeek = f[5].equals("?") ? "*" : quartzDayOfWeek(f[5], quartz);
        return String.join(" ", f[1], f[2], dayOfMonth, f[4], dayOfWeek);
    }

    /** Quartz numbers the days 1 (Sunday) to 7 (Saturday); five-field cron 0 (Sunday) to 6. */
    private static String quartzDayOfWeek(String field, String quartz) {
        if (field.equals("*") || field.matches("[A-Za-z,\\-]+")) {
            return field.toUpperCase(Locale.ROOT);
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (Character.isDigit(c) && (i == 0 || "-,".indexOf(field.charAt(i - 1)) >= 0)) {
                int day = c - '0';
                if (day < 1 || day > 7 || (i + 1 < field.length() && Character.isDigit(field.charAt(i + 1)))) {
                    throw new IllegalArgumentException("Quartz cron '" + quartz + "': day of week must be 1-7 or SUN-SAT");
                }
                out.append(day - 1);
            } else if (c == '/' || Character.isDigit(c)) {
                // a step such as 2/3 would shift meaning between the two numberings
                throw new IllegalArgumentException("Quartz cron '" + quartz + "': write day-of-week steps as names or lists");
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
