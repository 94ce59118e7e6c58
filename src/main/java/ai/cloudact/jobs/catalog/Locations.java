package ai.cloudact.jobs.catalog;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Job files and pack files live on the class path (shipped in the jar) or in a directory (ROUTES_DIR),
 * named the way Camel's routes loader names them: {@code classpath:packs/cloudact/alerts.yaml},
 * {@code file:/routes/alerts.yaml}.
 */
public final class Locations {

    /** Larger files are refused before parsing: a job file is a page of YAML, not megabytes. */
    public static final int MAX_FILE_BYTES = 1 << 20;

    private Locations() {
    }

    public static String ofFile(Path file) {
        return "file:" + file.toAbsolutePath().normalize();
    }

    /** The text of a location, or null when it does not exist. Refuses files over {@link #MAX_FILE_BYTES}. */
    public static String read(String location) {
        try (InputStream in = open(location)) {
            if (in == null) {
                return null;
            }
            byte[] bytes = in.readNBytes(MAX_FILE_BYTES + 1);
            if (bytes.length > MAX_FILE_BYTES) {
                throw new IllegalArgumentException("larger than " + MAX_FILE_BYTES / 1024 + " KiB");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + location + ": " + e.getMessage(), e);
        }
    }

    /**
     * The file names (not paths) directly in a file directory, or in a class-path directory on every
     * root of the class path that has it (as Camel's {@code classpath:dir/*.yaml} finds them), sorted,
     * each once; empty when it does not exist.
     */
    public static List<String> list(String directory) {
        return list(directory, Locations.class.getClassLoader());
    }

    static List<String> list(String directory, ClassLoader classPath) {
        try {
            if (directory.startsWith("file:")) {
                Path dir = Path.of(directory.substring("file:".length()));
                if (!Files.isDirectory(dir)) {
                    return List.of();
                }
                try (Stream<Path> files = Files.list(dir)) {
                    return files.filter(Files::isRegularFile).map(file -> file.getFileName().toString()).sorted().toList();
                }
            }
            String resource = directory.substring("classpath:".length());
            String prefix = resource.endsWith("/") ? resource : resource + "/";
            Set<String> names = new TreeSet<>();
            for (URL url : Collections.list(classPath.getResources(prefix))) {
                names.addAll(files(url, prefix));
            }
            return List.copyOf(names);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory + ": " + e.getMessage(), e);
        }
    }

    /** The file names directly in one class-path root's directory {@code prefix} (a jar's or a folder's). */
    private static List<String> files(URL url, String prefix) throws IOException {
        List<String> names = new ArrayList<>();
        if (url.getProtocol().equals("jar")) {
            JarURLConnection connection = (JarURLConnection) url.openConnection();
            connection.setUseCaches(false);
            try (JarFile jar = connection.getJarFile()) {
                for (JarEntry entry : Collections.list(jar.entries())) {
                    String name = entry.getName();
                    if (name.startsWith(prefix) && !entry.isDirectory() && name.indexOf('/', prefix.length()) < 0) {
                        names.add(name.substring(prefix.length()));
                    }
                }
            }
            return names;
        }
        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
            files.filter(Files::isRegularFile).forEach(file -> names.add(file.getFileName().toString()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return names;
    }

    /** The sub-directories of a class-path directory (e.g. the packs). */
    public static List<String> directories(String directory) {
        String resource = directory.substring("classpath:".length());
        String prefix = resource.endsWith("/") ? resource : resource + "/";
        URL url = Locations.class.getClassLoader().getResource(prefix);
        if (url == null) {
            return List.of();
        }
        try {
            if (url.getProtocol().equals("jar")) {
                JarURLConnection connection = (JarURLConnection) url.openConnection();
                connection.setUseCaches(false);
                try (JarFile jar = connection.getJarFile()) {
                    return Collections.list(jar.entries()).stream().map(JarEntry::getName)
                            .filter(name -> name.startsWith(prefix) && name.length() > prefix.length())
                            .map(name -> name.substring(prefix.length()))
                            .filter(rest -> rest.indexOf('/') > 0).map(rest -> rest.substring(0, rest.indexOf('/')))
                            .distinct().sorted().toList();
                }
            }
            try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
                return files.filter(Files::isDirectory).map(file -> file.getFileName().toString()).sorted().toList();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory + ": " + e.getMessage(), e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static InputStream open(String location) throws IOException {
        if (location.startsWith("file:")) {
            Path path = Path.of(location.substring("file:".length()));
            return Files.isRegularFile(path) ? Files.newInputStream(path) : null;
        }
        if (location.startsWith("classpath:")) {
            return Locations.class.getClassLoader().getResourceAsStream(location.substring("classpath:".length()));
        }
        throw new IllegalArgumentException("not a classpath: or file: location: " + location);
    }
}
