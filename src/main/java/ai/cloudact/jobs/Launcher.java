package ai.cloudact.jobs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import ai.cloudact.jobs.run.ConfigurationException;
import ai.cloudact.jobs.run.ExitCode;
import ai.cloudact.jobs.runtime.Commands;
import ai.cloudact.jobs.runtime.OneShot;
import ai.cloudact.jobs.runtime.Output;
import ai.cloudact.jobs.runtime.Settings;
import ai.cloudact.jobs.serve.Service;
import org.slf4j.LoggerFactory;

/**
 * The container's entry point: {@code java -jar scheduler-jobs.jar [command]}. Without a command it
 * runs the job named by JOB_ID once; {@code --serve} serves the pack's jobs until SIGTERM
 * ({@link Service}); see {@link Commands#usage()}.
 */
public final class Launcher {

    private Launcher() {
    }

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.getenv()).code);
    }

    static ExitCode run(List<String> arguments, Map<String, String> env) {
        List<String> args = new ArrayList<>(arguments);
        int packAt = args.indexOf("--pack");
        if (packAt >= 0 && packAt + 1 < args.size()) {
            System.setProperty("pack", args.remove(packAt + 1));
            args.remove(packAt);
        }
        boolean oneShot = args.isEmpty();
        boolean serve = !oneShot && args.get(0).equals("--serve");
        if (oneShot) {
            OneShot.prepareInBackground();
        }
        // first of all: a signal from now on has its summary line (or, serving, a graceful stop); then no
        // secret leaves the process
        Output.startLogging(env, new Settings(env));
        OneShot shot = oneShot ? new OneShot(env).handleSignals() : null;
        Service service = serve ? new Service(env).handleSignals() : null;
        Output.prepare(env);
        // configures logging now, not when the first line is written
        Output.configureLogging();
        ai.cloudact.jobs.runtime.Signals.loggingReady();
        if (oneShot) {
            return shot.run();
        }
        try {
            Commands commands = new Commands(new Settings(env));
            String command = args.isEmpty() ? "--help" : args.remove(0);
            switch (command) {
                case "--help", "-h" -> {
                    requireNoMore(args);
                    return commands.help();
                }
                case "--list" -> {
                    String next = option(args, "--next");
                    requireNoMore(args);
                    return commands.list(next == null ? 0 : count("--next", next, 100));
                }
                case "--history" -> {
                    String limit = option(args, "--limit");
                    String format = option(args, "--format");
                    if (format != null && !format.equals("text") && !format.equals("json")) {
                        throw new ConfigurationException("--format '" + format + "': text or json");
                    }
                    String job = args.isEmpty() || args.get(0).startsWith("--") ? null : args.remove(0);
                    requireNoMore(args);
                    return commands.history(job, limit == null ? 20 : count("--limit", limit, 10_000), format == null ? "text" : format, env);
                }
                case "--serve" -> {
                    requireNoMore(args);
                    return service.run();
                }
                case "--validate" -> {
                    Optional<Path> dir = args.isEmpty() ? Optional.empty() : Optional.of(Path.of(args.remove(0)));
                    requireNoMore(args);
                    return commands.validate(dir);
                }
                default -> throw new ConfigurationException("Unknown argument '" + command + "'.\n" + Commands.usage());
            }
        } catch (ConfigurationException e) {
            LoggerFactory.getLogger("runner").error("{}", e.getMessage());
            return ExitCode.CONFIGURATION_ERROR;
        }
    }

    /** Removes {@code --name value} from the arguments and returns the value (null when absent). */
    private static String option(List<String> args, String name) {
        int at = args.indexOf(name);
        if (at < 0) {
            return null;
        }
        if (at + 1 >= args.size()) {
            throw new ConfigurationException(name + " needs a value.\n" + Commands.usage());
        }
        String value = args.get(at + 1);
        args.remove(at + 1);
        args.remove(at);
        return value;
    }

    private static void requireNoMore(List<String> args) {
        if (!args.isEmpty()) {
            throw new ConfigurationException("Unexpected argument(s) " + args + ".\n" + Commands.usage());
        }
    }

    private static int count(String name, String text, int max) {
        try {
            int n = Integer.parseInt(text.trim());
            if (n >= 1 && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new ConfigurationException(name + " '" + text + "': a number from 1 to " + max);
    }
}
