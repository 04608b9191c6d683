package axc.cli;

import picocli.CommandLine;
import picocli.CommandLine.Help;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders the command list of {@code axc --help} in groups: Model, Build, Run, Diagnostics. */
final class GroupedCommandList implements CommandLine.IHelpSectionRenderer {
    private static final Map<String, List<String>> GROUPS = new LinkedHashMap<>();

    static {
        GROUPS.put("Model", List.of("convert", "quantize", "inspect", "tokenize", "generate"));
        GROUPS.put("Build", List.of("compile", "targets"));
        GROUPS.put("Run", List.of("run", "validate", "bench"));
        GROUPS.put("Diagnostics", List.of("demo", "help"));
    }

    @Override
    public String render(Help help) {
        Map<String, Help> subs = help.subcommands();
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, List<String>> g : GROUPS.entrySet()) {
            sb.append('\n').append(g.getKey()).append(" commands:\n");
            for (String name : g.getValue()) {
                Help h = subs.get(name);
                if (h == null) continue;
                sb.append(String.format("  %-10s %s%n", name, firstLine(h.commandSpec().usageMessage().description())));
            }
        }
        return sb.toString();
    }

    private static String firstLine(String[] description) {
        for (String d : description) {
            for (String line : d.split("%n")) {
                if (!line.isBlank()) return line.strip();
            }
        }
        return "";
    }
}
