package ai.cloudact.jobs.run;

/**
 * A value from outside (an API's answer, a job file) as a message may quote it: in single quotes, on
 * one line (control characters as {@code ?}), at most 80 characters and then its length. An answer
 * or a file may hold anything, of any length; the message must stay one readable line.
 */
public final class Quoted {

    private static final int MAX_CHARS = 80;

    private Quoted() {
    }

    public static String quote(Object value) {
        String text = String.valueOf(value).replaceAll("\\p{Cntrl}", "?");
        return "'" + (text.length() > MAX_CHARS ? text.substring(0, MAX_CHARS) + "...(" + text.length() + " chars)" : text) + "'";
    }
}
