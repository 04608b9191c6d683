package axc.cli.commands;

import axc.bundle.Bundle;
import axc.cli.Ui;
import axc.cli.Units;
import axc.formats.inspect.InspectReport;
import axc.formats.inspect.Inspector;
import axc.ir.Graph;
import axc.ir.text.AxirParser;
import axc.partition.Partition;
import axc.partition.Segment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

@Command(name = "inspect", description = "Show a model's format, architecture, tensors, tokenizer and file hashes.")
public final class InspectCommand extends AxcCommand {
    @Parameters(index = "0", paramLabel = "PATH", description = "A Hugging Face folder, a .gguf file or a .axc artifact.")
    Path path;

    @Option(names = "--tensors", description = "List every tensor (the default lists the first 20).")
    boolean allTensors;

    @Override
    protected int execute(Ui ui) {
        if (path.getFileName() != null && path.getFileName().toString().endsWith(".axc") && java.nio.file.Files.isRegularFile(path)) {
            try (Bundle b = Bundle.open(path)) {
                if (ui.json()) {
                    ui.out().println(new String(b.manifest().toJson(), java.nio.charset.StandardCharsets.UTF_8));
                } else {
                    var m = b.manifest();
                    ui.out().printf("%s%n  format        %s (axc %s)%n  target        %s (api %s)%n  device        %s%n  passes        %s%n  seed          %d%n  recipe        %s%n",
                            path, m.format(), m.axcVersion(), m.target(), m.targetApiVersion(), m.device(), String.join(", ", m.passes()), m.seed(), m.recipe());
                    ui.out().println("  sources");
                    m.sources().forEach((k, v) -> ui.out().printf("    %-40s sha256 %s%n", k, v));
                    ui.out().println("  entries");
                    for (var e : m.entries()) ui.out().printf("    %-48s %12s  offset %d%n", e.name(), Units.bytes(e.size()), e.offset());
                    if (b.contains(Partition.ENTRY)) partition(ui.out(), b);
                }
            }
            return ok();
        }
        InspectReport r = Inspector.inspect(path);
        if (ui.json()) {
            ui.printJson(r);
            return ok();
        }
        PrintWriter o = ui.out();
        o.printf("%s%n", r.path());
        o.printf("  format        %s%n", r.format());
        o.printf("  architecture  %s (family %s)%n", r.architecture(), r.family());
        o.printf("  parameters    %,d%n", r.parameters());
        o.printf("  dtypes        %s%n", r.dtypes());
        o.println("  config");
        r.config().forEach((k, v) -> o.printf("    %-24s %s%n", k, v));
        o.println("  tokenizer");
        r.tokenizer().forEach((k, v) -> o.printf("    %-24s %s%n", k, v));
        if (!r.metadata().isEmpty()) {
            o.println("  metadata");
            for (Map.Entry<String, Object> e : r.metadata().entrySet()) o.printf("    %-40s %s%n", e.getKey(), e.getValue());
        }
        o.printf("  tensors       %d%n", r.tensors().size());
        int shown = 0;
        for (InspectReport.TensorRow t : r.tensors()) {
            if (!allTensors && shown++ >= 20) {
                o.printf("    ... %d more (--tensors lists all)%n", r.tensors().size() - 20);
                break;
            }
            o.printf("    %-48s %-5s %-18s %s%n", t.name(), t.dtype(), Arrays.toString(t.shape()), Units.bytes(t.bytes()));
        }
        o.println("  files");
        for (InspectReport.FileRow f : r.files()) o.printf("    %-40s %12s  sha256 %s%n", f.name(), Units.bytes(f.bytes()), f.sha256());
        o.flush();
        return ok();
    }

    /** Which target runs what: the segments in order, then the refused nodes and why. */
    private static void partition(PrintWriter o, Bundle b) {
        Graph g = AxirParser.parse(new String(b.bytes("graph.axir"), StandardCharsets.UTF_8));
        Partition p = Partition.read(b, g);
        o.printf("  partition     %d of %d nodes on %s (%s refuses them), %d segments; %d values (%s per token) cross between the targets each step%n",
                p.fallbackNodes(), p.nodes().size(), p.fallback(), p.target(), p.segments().size(), p.boundary().values(), Units.bytes(p.boundary().bytes()));
        for (int i = 0; i < p.segments().size(); i++) {
            Segment s = p.segments().get(i);
            List<String> ops = s.nodes().stream().map(id -> "%" + id + " " + g.node(id).op().spelling()).toList();
            String shown = ops.size() <= 4 ? String.join(", ", ops) : String.join(", ", ops.subList(0, 2)) + ", ... " + ops.getLast();
            o.printf("    segment %-4d %-12s %4d node%s  %s%n", i, s.target(), ops.size(), ops.size() == 1 ? " " : "s", shown);
        }
        o.println("  refused");
        p.refused().forEach((node, reason) -> o.printf("    %-28s %s%n", node, reason));
    }
}
