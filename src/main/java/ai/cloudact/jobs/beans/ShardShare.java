package ai.cloudact.jobs.beans;

import ai.cloudact.jobs.run.Run;
import ai.cloudact.jobs.run.Shard;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Keeps a fan-out job's items to this task's share when the run is one of N parallel tasks
 * ({@link Shard}: CRC-32 of the item's key, mod N). In the job's split, after setting the exchange
 * property {@value #KEY} to the item's key:
 *
 * <pre>
 * - process: {ref: shardShare}      # sets shardNotMine=true on another task's items
 * </pre>
 *
 * The route then leaves an item marked {@value #NOT_MINE} alone, and its tally counts it nowhere (not
 * ok, not skipped): another task processes it. A run that is not sharded keeps every item.
 *
 * <p>A job whose split is fed by its own iterator (org-sync-all's {@link OrgPages}) should also hand
 * the split only its share ({@link #only}): with N tasks, each walking every page, the other tasks'
 * items would otherwise cost each task a trip through the split's thread pool for nothing.
 */
public class ShardShare implements Processor {

    /** The item's key (e.g. its org_slug), set by the route before this step. */
    public static final String KEY = "shardKey";
    /** Set to true on an item that another task processes. */
    public static final String NOT_MINE = "shardNotMine";

    @Override
    public void process(Exchange exchange) {
        Shard shard = Run.of(exchange).shard();
        String key = exchange.getProperty(KEY, String.class);
        if (shard != null && key != null && !shard.owns(key)) {
            exchange.setProperty(NOT_MINE, true);
        }
    }

    /** The items of {@code items} that are this shard's (all of them when {@code shard} is null), lazily. */
    public static <T> java.util.Iterator<T> only(java.util.Iterator<T> items, Shard shard, java.util.function.Function<T, String> key) {
        if (shard == null) {
            return items;
        }
        return new java.util.Iterator<>() {
            private T next;
            private boolean ready;

            @Override
            public boolean hasNext() {
                while (!ready && items.hasNext()) {
                    T item = items.next();
                    if (shard.owns(key.apply(item))) {
                        next = item;
                        ready = true;
                    }
                }
                return ready;
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                ready = false;
                return next;
            }
        };
    }

    /** Whether the item was left to another task. */
    public static boolean notMine(Exchange exchange) {
        return exchange.getProperty(NOT_MINE, false, Boolean.class);
    }
}
