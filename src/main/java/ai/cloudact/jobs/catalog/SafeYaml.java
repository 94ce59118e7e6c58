package ai.cloudact.jobs.catalog;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.CollectionEndEvent;
import org.snakeyaml.engine.v2.events.CollectionStartEvent;
import org.snakeyaml.engine.v2.events.Event;

/**
 * Reads YAML that anyone may have written (job files, ROUTES_DIR, sandbox files) without letting it
 * hurt the process: the structure is first walked as a stream of parser events (no recursion), so a
 * file nested thousands of levels deep is refused with a message instead of a StackOverflowError;
 * alias bombs and huge documents are capped too. Only then is it loaded.
 */
public final class SafeYaml {

    /** Far deeper than any job file (a route nests about 12 levels). */
    public static final int MAX_DEPTH = 64;
    public static final int MAX_ALIASES = 20;

    private SafeYaml() {
    }

    /** The document, or an IllegalArgumentException whose message says what is wrong (without the file name). */
    public static Object load(String text, String label) {
        LoadSettings settings = LoadSettings.builder().setLabel(label).setAllowDuplicateKeys(false)
                .setMaxAliasesForCollections(MAX_ALIASES).setCodePointLimit(Locations.MAX_FILE_BYTES).build();
        try {
            int depth = 0;
            for (Event event : new Parse(settings).parseString(text)) {
                if (event instanceof CollectionStartEvent) {
                    if (++depth > MAX_DEPTH) {
                        int line = event.getStartMark().map(mark -> mark.getLine() + 1).orElse(0);
                        throw new IllegalArgumentException("nested more than " + MAX_DEPTH + " levels deep (line " + line
                                + "): not a job file");
                    }
                } else if (event instanceof CollectionEndEvent) {
                    depth--;
                }
            }
            return new Load(settings).loadFromString(text);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            throw new IllegalArgumentException("not valid YAML: " + String.valueOf(e.getMessage()).replaceAll("\\s+", " ").trim(), e);
        }
    }
}
