package ai.cloudact.jobs.run;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * One of N parallel tasks of a fan-out job, and which items are its share. An item belongs to the
 * shard {@code CRC32(UTF-8 bytes of its key) mod N} (CRC-32 as in zlib, java.util.zip and Python's
 * zlib.crc32, read as an unsigned number): stable across processes, machines, JVM versions and
 * languages, so every task decides alike without talking to the others, and the union of the N
 * shares is every item exactly once.
 *
 * @param index this task's index, 0 to count - 1
 * @param count how many tasks share the items, at least 2
 */
public record Shard(int index, int count) {

    public Shard {
        if (count < 2 || index < 0 || index >= count) {
            throw new ConfigurationException("task index " + index + " of " + count + " tasks: the index must be 0 to "
                    + (count - 1) + " (CLOUD_RUN_TASK_INDEX or JOB_COMPLETION_INDEX, with CLOUD_RUN_TASK_COUNT or TASK_COUNT)");
        }
    }

    /** The shard of task {@code index} of {@code count}; null for a single task (no sharding). */
    public static Shard of(int index, int count) {
        if (count <= 1 && index == 0) {
            return null;
        }
        return new Shard(index, count);
    }

    /** "2/4" back to the shard; null for null. */
    public static Shard parse(String text) {
        if (text == null) {
            return null;
        }
        String[] parts = text.split("/", 2);
        try {
            return new Shard(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new ConfigurationException("shard '" + text + "' is not index/count, such as 2/4");
        }
    }

    /** The shard an item key belongs to among {@code count}. */
    public static int of(String key, int count) {
        CRC32 crc = new CRC32();
        crc.update(key.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % count);
    }

    /** Whether the item with this key is this task's to process. */
    public boolean owns(String key) {
        return of(key, count) == index;
    }

    /** "i/N", as the summary line, the lease and the history say it. */
    @Override
    public String toString() {
        return index + "/" + count;
    }
}
