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

    /** Whether the item was left to another task. */
    public static boolean notMine(Exchange exchange) {
        return exchange.getProperty(NOT_MINE, false, Boolean.class);
    }
}
