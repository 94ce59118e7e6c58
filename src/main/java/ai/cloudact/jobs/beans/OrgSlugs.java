package ai.cloudact.jobs.beans;

import java.util.Map;
import java.util.regex.Pattern;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import static ai.cloudact.jobs.run.Quoted.quote;

/**
 * Takes the org slug out of an org list entry ({@link OrgEntry}) for org-sync-all, or refuses the
 * entry. The slug goes into the URL path of the sync call, so it is data that must never become URL
 * syntax: only a slug that matches {@link #SLUG} (letters, digits, '-' and '_', at most 64, starting
 * with a letter or digit) is used; anything else ({@code ../x}, {@code a?b}, {@code a/b}, blanks,
 * numbers, null, a missing field or an entry that is not an object) is skipped with its reason.
 *
 * <p>Sets the exchange property {@code orgSlug}, or {@link OrgSyncTally#SKIPPED} and
 * {@link #SKIP_REASON}; and {@link ShardShare#KEY}, the key that decides which of N parallel tasks
 * handles the entry: the slug, or for a refused entry its place in the list (so exactly one task
 * counts it as skipped).
 */
public class OrgSlugs implements Processor {

    /** The documented slug pattern: such a slug is the same in a URL path as it is here. */
    public static final Pattern SLUG = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    public static final String SKIP_REASON = "orgSkipReason";

    @Override
    public void process(Exchange exchange) {
        OrgEntry entry = exchange.getMessage().getBody(OrgEntry.class);
        String refused = entry == null ? "not an org list entry" : refusal(entry.value());
        exchange.setProperty(ShardShare.KEY, entry == null ? "?" : shardKey(entry));
        if (refused == null) {
            exchange.setProperty("orgSlug", ((Map<?, ?>) entry.value()).get("org_slug"));
        } else {
            exchange.setProperty(OrgSyncTally.SKIPPED, true);
            exchange.setProperty(SKIP_REASON, (entry == null ? "" : entry.where() + ": ") + refused);
        }
    }

    /** The key that decides which parallel task handles the entry: its slug, or where it is when it has no usable slug. */
    static String shardKey(OrgEntry entry) {
        return refusal(entry.value()) == null ? (String) ((Map<?, ?>) entry.value()).get("org_slug") : entry.where();
    }

    /** Why the entry cannot be synced, or null when its org_slug is usable. */
    static String refusal(Object value) {
        if (!(value instanceof Map<?, ?> fields)) {
            return "the entry is " + (value == null ? "null" : "not an object (" + quote(value) + ")");
        }
        if (!fields.containsKey("org_slug") || fields.get("org_slug") == null) {
            return "the entry has no org_slug";
        }
        if (!(fields.get("org_slug") instanceof String slug)) {
            return "org_slug is not a string (" + quote(fields.get("org_slug")) + ")";
        }
        if (!SLUG.matcher(slug).matches()) {
            return "org_slug " + quote(slug) + " does not match " + SLUG.pattern();
        }
        return null;
    }
}
