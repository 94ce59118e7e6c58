package ai.cloudact.jobs.catalog;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** Listing a class-path directory as Camel's {@code classpath:dir/*.yaml} would: on every root that has it. */
class LocationsTest {

    @TempDir
    Path temp;

    @Test
    void aClassPathDirectoryIsListedOnEveryRootThatHasItEachNameOnce() throws IOException {
        Path folder = temp.resolve("classes");
        Files.createDirectories(folder.resolve("shared/nested"));
        Files.writeString(folder.resolve("shared/beans.yaml"), "- beans: []");
        Files.writeString(folder.resolve("shared/nested/deeper.yaml"), "- beans: []");
        Path jar = temp.resolve("more.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            entry(out, "shared/");
            entry(out, "shared/beans.yaml");
            entry(out, "shared/error-handling.yaml");
            entry(out, "other/ignored.yaml");
        }
        try (URLClassLoader classPath = new URLClassLoader(new URL[] {folder.toUri().toURL(), jar.toUri().toURL()}, null)) {
            assertThat(Locations.list("classpath:shared/", classPath)).containsExactly("beans.yaml", "error-handling.yaml");
            assertThat(Locations.list("classpath:shared", classPath)).containsExactly("beans.yaml", "error-handling.yaml");
            assertThat(Locations.list("classpath:missing/", classPath)).isEmpty();
        }
    }

    private static void entry(JarOutputStream out, String name) throws IOException {
        out.putNextEntry(new JarEntry(name));
        if (!name.endsWith("/")) {
            out.write("- beans: []".getBytes(StandardCharsets.UTF_8));
        }
        out.closeEntry();
    }
}
