package ai.cloudact.jobs.state;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ai.cloudact.jobs.run.Redaction;

/**
 * The password a JDBC URL may hold (user:password@host, or a password= / sslpassword= parameter):
 * masked where the URL is shown, and a secret wherever else it appears. No logger here: the runtime
 * registers these passwords before logging is set up.
 */
public final class JdbcUrls {

    private static final Pattern PARAMETER = Pattern.compile("(?i)([?&;](?:ssl)?password=)([^&;]*)");
    private static final Pattern USER_INFO = Pattern.compile("(//[^/:@]*:)([^@]*)@");

    private JdbcUrls() {
    }

    /** The URL with its password masked. */
    public static String masked(String url) {
        String masked = PARAMETER.matcher(url).replaceAll("$1" + Redaction.MASK);
        return USER_INFO.matcher(masked).replaceAll("$1" + Redaction.MASK + "@");
    }

    /** Makes the URL's password a secret: never printed, whoever quotes the URL (a driver, a pool). */
    public static void registerPassword(String url) {
        Matcher parameter = PARAMETER.matcher(url);
        while (parameter.find()) {
            Redaction.register(parameter.group(2));
        }
        Matcher userInfo = USER_INFO.matcher(url);
        while (userInfo.find()) {
            Redaction.register(userInfo.group(2));
        }
    }
}
