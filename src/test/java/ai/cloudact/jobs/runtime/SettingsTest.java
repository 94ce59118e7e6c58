package ai.cloudact.jobs.runtime;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import ai.cloudact.jobs.catalog.Pack;
import ai.cloudact.jobs.catalog.SafeYaml;
import ai.cloudact.jobs.run.ConfigurationException;
import ai.cloudact.jobs.run.Environment;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The settings check, their help, and a fuzz of hostile values: each is named, masked when secret, on one line. */
class SettingsTest {

    private static List<Setting> all() {
        List<Setting> settings = new ArrayList<>(Settings.RUNTIME);
        settings.addAll(Settings.of(Pack.load(Pack.DEFAULT), Environment.LOCAL));
        return settings;
    }

    @Test
    void goodValuesPassAndEachBadOneIsNamedWithItsAcceptedForm() {
        new Settings(Map.of("JOB_TIMEOUT", "10m", "DRY_RUN", "TRUE", "ORG_SYNC_CONCURRENCY", "256", "CA_API_URL", "https://api.example.com/v1"))
                .check(all());
        assertThatThrownBy(() -> new Settings(Map.of("ORG_SYNC_CONCURRENCY", "257", "DRY_RUN", "maybe")).check(all()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("Invalid ORG_SYNC_CONCURRENCY '257': out of range; accepted: an integer from 1 to 256.")
                .hasMessageContaining("Invalid DRY_RUN 'maybe'");
        assertThatThrownBy(() -> new Settings(Map.of("JOB_TIMEOUT", "PT9999999999999999H")).check(all()))
                .hasMessageContaining("Invalid JOB_TIMEOUT");
        assertThatThrownBy(() -> new Settings(Map.of("CA_API_URL", "https://u:pw-123456@h.example")).check(all()))
                .hasMessageContaining("user and password").hasMessageNotContaining("pw-123456");
    }

    @Test
    void aUrlWithAnEmptyOrImpossiblePortIsRefusedRatherThanCallingPort80() {
        new Settings(Map.of("CA_API_URL", "http://127.0.0.1:8080")).check(all());
        assertThatThrownBy(() -> new Settings(Map.of("CA_API_URL", "http://127.0.0.1:")).check(all()))
                .hasMessageContaining("Invalid CA_API_URL 'http://127.0.0.1:': a ':' with no port after it");
        assertThatThrownBy(() -> new Settings(Map.of("CA_API_URL", "https://api.example.com:/v1")).check(all()))
                .hasMessageContaining("a ':' with no port after it");
        assertThatThrownBy(() -> new Settings(Map.of("CA_API_URL", "http://127.0.0.1:0")).check(all()))
                .hasMessageContaining("port 0 is not a port (1 to 65535)");
        assertThatThrownBy(() -> new Settings(Map.of("CA_API_URL", "http://127.0.0.1:99999")).check(all()))
                .hasMessageContaining("port 99999 is not a port (1 to 65535)");
    }

    @Test
    void durationsInEveryAcceptedForm() {
        assertThat(Durations.parse("90")).hasSeconds(90);
        assertThat(Durations.parse("10m")).hasMinutes(10);
        assertThat(Durations.parse("2h")).hasHours(2);
        assertThat(Durations.parse("PT1H30M")).hasMinutes(90);
        assertThat(Durations.parse("250ms")).hasMillis(250);
        for (String bad : List.of("0", "-1", "ten", "10 minutes", "99999999999999999999", "PT", "")) {
            assertThatThrownBy(() -> Durations.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void helpShowsEverySettingWithDefaultAndAcceptedForm() {
        for (Setting setting : all()) {
            assertThat(setting.help()).contains(setting.env(), setting.accepted()).doesNotContain("\u001b");
            if (setting.secret()) {
                assertThat(setting.help()).doesNotContain("local-dev");
            }
        }
    }

    /** 300 generated hostile values for random settings: never anything but a ConfigurationException with one line per value. */
    @Test
    void fuzzedSettingsAreAlwaysNamedNeverLeakedNeverAStackOverflow() {
        Random random = new Random(1129);
        List<Setting> settings = all().stream().filter(s -> !s.secret()).toList();
        List<String> pieces = List.of("abc", "-1", "0", "99999999999999999999", "1e9", " ", "\u0000", "\n", "{{x}}", "${env:HOME}",
                "https://user:pw-fuzz-77@host", "http://", "ftp://x", "%00", "true ", "PT-1S", "\u202e", "x".repeat(5000), "[]", "null");
        for (int i = 0; i < 300; i++) {
            Setting setting = settings.get(random.nextInt(settings.size()));
            String value = pieces.get(random.nextInt(pieces.size())) + (random.nextBoolean() ? pieces.get(random.nextInt(pieces.size())) : "");
            Map<String, String> env = new HashMap<>(Map.of(setting.env(), value));
            try {
                new Settings(env).check(List.of(setting));
            } catch (ConfigurationException e) {
                assertThat(e.getMessage()).as(setting.env() + "=" + value).startsWith("Invalid " + setting.env() + " '")
                        .doesNotContain("pw-fuzz-77").hasSizeLessThan(800);
                assertThat(e.getMessage().lines()).as(setting.env()).hasSize(1);
            }
        }
    }

    @Test
    void fuzzedYamlIsRefusedWithAReasonNeverAStackOverflow() {
        Random random = new Random(29);
        List<String> shapes = List.of("[", "{a: ", "- ", "&a [*a]", "*", "!!", "? ", "\"", "'", "|\n", ">\n", "\t", "- [", "{");
        for (int i = 0; i < 200; i++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(3000);
            for (int j = 0; j < length; j++) {
                text.append(shapes.get(random.nextInt(shapes.size())));
            }
            try {
                SafeYaml.load(text.toString(), "fuzz-" + i);
            } catch (IllegalArgumentException refused) {
                assertThat(refused.getMessage()).isNotBlank();
            }
        }
    }
}
