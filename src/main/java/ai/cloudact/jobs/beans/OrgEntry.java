package ai.cloudact.jobs.beans;

/**
 * One entry of the org list as the API sent it, with where it was: {@code value} is whatever the
 * {@code orgs[]} array held at that place (normally an object with {@code org_slug}, but possibly
 * null, a number or anything else). Camel's split drops null items silently, so the entries travel
 * wrapped, and every entry seen is counted as ok, failed or skipped.
 *
 * @param page     the page of the list, from 1
 * @param position the entry's place on that page, from 1
 */
public record OrgEntry(int page, int position, Object value) {

    /** "page 2, entry 5", for log lines. */
    public String where() {
        return "page " + page + ", entry " + position;
    }
}
