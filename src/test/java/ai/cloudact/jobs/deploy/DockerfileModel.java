package ai.cloudact.jobs.deploy;

import ai.cloudact.jobs.support.Repo;
import ai.cloudact.jobs.support.Jobs;
import ai.cloudact.jobs.catalog.Job;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The top-level Dockerfile read as stages of instructions: enough to check it without a Docker engine
 * (continuation lines joined, comments and the syntax line skipped).
 */
record DockerfileModel(List<Stage> stages) {

    record Instruction(String keyword, String arguments) {

        /** The words of the arguments, and of a JSON (exec form) array as its elements. */
        List<String> words() {
            String text = arguments.trim();
            if (text.startsWith("[")) {
                List<String> out = new ArrayList<>();
                for (String part : text.substring(1, text.length() - 1).split(",")) {
                    out.add(part.trim().replaceAll("^\"|\"$", ""));
                }
                return out;
            }
            return Arrays.asList(text.split("\\s+"));
        }
    }

    record Stage(String image, String name, List<Instruction> instructions) {

        List<Instruction> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
        }

        String workdir() {
            List<Instruction> workdirs = all("WORKDIR");
            return workdirs.isEmpty() ? "/" : workdirs.get(workdirs.size() - 1).arguments().trim();
        }
    }

    static DockerfileModel parse(String text) {
        List<Stage> stages = new ArrayList<>();
        List<Instruction> current = null;
        StringBuilder pending = new StringBuilder();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (pending.isEmpty() && (line.isEmpty() || line.startsWith("#"))) {
                continue;
            }
            if (line.endsWith("\\")) {
                pending.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            String full = pending.append(line).toString().strip();
            pending.setLength(0);
            String[] split = full.split("\\s+", 2);
            Instruction instruction = new Instruction(split[0].toUpperCase(Locale.ROOT), split.length > 1 ? split[1] : "");
            if (instruction.keyword().equals("FROM")) {
                String[] from = instruction.arguments().split("\\s+");
                current = new ArrayList<>();
                stages.add(new Stage(from[0], from.length == 3 && from[1].equalsIgnoreCase("AS") ? from[2] : null, current));
            } else if (current != null) {
                current.add(instruction);
            }
        }
        return new DockerfileModel(stages);
    }

    Stage stage(String name) {
        return stages.stream().filter(s -> name.equals(s.name())).findFirst()
                .orElseThrow(() -> new AssertionError("Dockerfile has no stage " + name));
    }

    Stage last() {
        return stages.get(stages.size() - 1);
    }

    /** The ENTRYPOINT of the final stage as one command line. */
    String entrypoint() {
        List<Instruction> entrypoints = last().all("ENTRYPOINT");
        return String.join(" ", entrypoints.get(entrypoints.size() - 1).words());
    }
}
