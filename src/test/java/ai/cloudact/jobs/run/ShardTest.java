package ai.cloudact.jobs.run;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The split of a fan-out's items over N tasks: CRC-32 mod N, stable, every item in exactly one share. */
class ShardTest {

    @Test
    void theSplitIsCrc32OfTheKeyModN() {
        // the same numbers as Python's zlib.crc32(b"acme") etc.: any tool can tell which task owns an org
        assertThat(Shard.of("acme", 3)).isEqualTo((int) (96778814L % 3));
        assertThat(Shard.of("globex", 3)).isEqualTo((int) (2528353018L % 3));
        assertThat(Shard.of("initech", 3)).isEqualTo((int) (2187739728L % 3));
        assertThat(new Shard(2, 3).owns("acme")).isTrue();
        assertThat(new Shard(0, 3).owns("acme")).isFalse();
    }

    @Test
    void everyKeyIsInExactlyOneShareAndTheSharesAreEven() {
        for (int count = 2; count <= 10; count++) {
            Map<Integer, Integer> sizes = new HashMap<>();
            for (int i = 0; i < 10_000; i++) {
                String key = "org-" + i;
                int owners = 0;
                for (int index = 0; index < count; index++) {
                    if (new Shard(index, count).owns(key)) {
                        owners++;
                        sizes.merge(index, 1, Integer::sum);
                    }
                }
                assertThat(owners).as("tasks owning %s of %d", key, count).isEqualTo(1);
            }
            int even = 10_000 / count;
            assertThat(sizes.values()).as("share sizes of %d tasks", count).allSatisfy(size -> assertThat(size).isBetween(even * 8 / 10, even * 12 / 10));
        }
    }

    @Test
    void oneTaskIsNoShardAndABadIndexIsAConfigurationError() {
        assertThat(Shard.of(0, 1)).isNull();
        assertThat(Shard.of(1, 4)).hasToString("1/4");
        assertThat(Shard.parse("3/10")).isEqualTo(new Shard(3, 10));
        assertThat(Shard.parse(null)).isNull();
        assertThatThrownBy(() -> Shard.of(4, 4)).isInstanceOf(ConfigurationException.class).hasMessageContaining("0 to 3");
        assertThatThrownBy(() -> Shard.of(2, 1)).isInstanceOf(ConfigurationException.class);
        assertThatThrownBy(() -> Shard.parse("x/y")).isInstanceOf(ConfigurationException.class);
    }
}
