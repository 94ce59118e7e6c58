package ai.cloudact.jobs.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * target/lib/dependencies.jar: every runtime dependency merged into one jar (pom.xml, maven-shade-plugin),
 * which the runtime jar's Class-Path names. The end-to-end tests run through it; this checks the
 * merging rules themselves, which a test of one job would notice only when its library is hit.
 */
class DependenciesJarIT {

    private static final Path DEPENDENCIES = Path.of("target", "lib", "dependencies.jar");

    @Test
    void theRuntimeJarNamesTheMergedJarAndNothingElse() throws IOException {
        try (JarFile jar = new JarFile(Path.of("target", "scheduler-jobs.jar").toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue(Attributes.Name.CLASS_PATH)).isEqualTo("lib/dependencies.jar");
        }
    }

    @Test
    void serviceFilesOfSeveralLibrariesAreMergedNotOverwritten() throws IOException {
        // java.util.ServiceLoader: both JDBC drivers (PostgreSQL and the embedded H2)
        assertThat(lines("META-INF/services/java.sql.Driver")).contains("org.postgresql.Driver", "org.h2.Driver");
        // Camel's own list files: the type converters of its core, of camel-http and of camel-jackson
        assertThat(lines("META-INF/services/org/apache/camel/TypeConverterLoader")).contains(
                "org.apache.camel.converter.CamelBaseBulkConverterLoader",
                "org.apache.camel.component.http.HttpConvertersLoader",
                "org.apache.camel.component.jackson.converter.JacksonTypeConvertersLoader");
        // one factory file per component, as in its own jar
        assertThat(lines("META-INF/services/org/apache/camel/component/http")).contains("class=org.apache.camel.component.http.HttpComponent");
    }

    @Test
    void itsManifestIsItsOwnAndNoLibraryDescriptorLeaksIn() throws IOException {
        try (JarFile jar = new JarFile(DEPENDENCIES.toFile())) {
            Attributes main = jar.getManifest().getMainAttributes();
            // versioned classes (META-INF/versions/N) of the libraries that have them stay in use
            assertThat(main.getValue("Multi-Release")).isEqualTo("true");
            // the first library's title and version would be every package's
            assertThat(main.getValue(Attributes.Name.IMPLEMENTATION_TITLE)).isNull();
            assertThat(main.getValue(Attributes.Name.IMPLEMENTATION_VERSION)).isNull();
            List<String> names = jar.stream().map(JarEntry::getName).toList();
            assertThat(names).noneMatch(name -> name.endsWith("module-info.class"));
            assertThat(names).noneMatch(name -> name.matches("META-INF/[^/]+\\.(SF|DSA|RSA|EC)"));
            assertThat(names).contains("org/apache/camel/main/Main.class", "org/postgresql/Driver.class",
                    "com/google/cloud/bigquery/BigQuery.class");
            assertThat(names).noneMatch(name -> name.startsWith("ai/cloudact/"));
        }
    }

    @Test
    void eachLibraryKeepsItsOwnLicenceAndNoticeBesideIt() throws IOException {
        // the merged jar holds one file per path; lib/licenses holds each library's, as its own jar had them
        assertThat(licenceFiles("camel-main")).contains("META-INF/LICENSE.txt", "META-INF/NOTICE.txt");
        assertThat(licenceFiles("httpclient5")).contains("META-INF/LICENSE", "META-INF/NOTICE");
        assertThat(licenceFiles("jackson-core")).contains("META-INF/LICENSE", "META-INF/NOTICE");
        assertThat(licenceFiles("postgresql")).contains("META-INF/LICENSE");
    }

    /** The files under lib/licenses/ of the one library whose folder is the artifact's name and a version. */
    private static List<String> licenceFiles(String artifactId) throws IOException {
        Path licenses = Path.of("target", "lib", "licenses");
        try (Stream<Path> folders = Files.list(licenses)) {
            List<Path> found = folders.filter(folder -> folder.getFileName().toString().matches(Pattern.quote(artifactId) + "-\\d.*")).toList();
            assertThat(found).as("the licence folder of " + artifactId + " in " + licenses).hasSize(1);
            try (Stream<Path> files = Files.walk(found.get(0))) {
                return files.filter(Files::isRegularFile).map(file -> found.get(0).relativize(file).toString().replace('\\', '/')).toList();
            }
        }
    }

    private static List<String> lines(String entry) throws IOException {
        try (JarFile jar = new JarFile(DEPENDENCIES.toFile())) {
            JarEntry found = jar.getJarEntry(entry);
            assertThat(found).as(entry).isNotNull();
            try (InputStream in = jar.getInputStream(found)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::trim).toList();
            }
        }
    }
}
