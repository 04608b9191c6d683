package axc.cli.commands;

import axc.cli.Ui;
import axc.target.Availability;
import axc.target.TargetInfo;
import axc.target.TargetOptions;
import axc.target.TargetProvider;
import axc.target.Targets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Command(name = "targets", description = "List compilation targets and whether each is available here.")
public final class TargetsCommand extends AxcCommand {
    @Option(names = "--explain", description = "Also show what each target supports and why one is unavailable.")
    boolean explain;

    @Override
    protected int execute(Ui ui) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (TargetProvider p : Targets.all()) {
            Availability a = p.probe();
            TargetInfo info = p.create(TargetOptions.defaults()).info();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", p.id());
            m.put("available", a.available());
            m.put("reason", a.reason());
            m.put("api_version", info.apiVersion());
            m.put("description", info.description());
            m.put("schemes", info.schemes());
            m.put("ops", info.ops());
            rows.add(m);
            if (!ui.json()) {
                ui.out().printf("%-10s %-12s %s%n", p.id(), a.available() ? "available" : "unavailable", a.available() ? info.description() : a.reason());
                if (explain) {
                    ui.out().printf("           api %d; schemes: %s%n", info.apiVersion(), String.join(", ", info.schemes()));
                    ui.out().printf("           ops: %s%n", String.join(", ", info.ops()));
                }
            }
        }
        if (ui.json()) ui.printJson(Map.of("targets", rows));
        return ok();
    }
}
