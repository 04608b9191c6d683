package axc.cli;

import java.util.ArrayList;
import java.util.List;

/** The command line of axc in its own JVM, as a user runs it, on this test's class path, with {@code -q}. */
final class AxcProcess {
    private AxcProcess() {
    }

    static List<String> command(List<String> args) {
        // No hsperfdata file: a test that limits what the process may write should see only axc's own writes.
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
                "-XX:-UsePerfData", "-cp", System.getProperty("java.class.path"), "axc.cli.Main", "-q"));
        cmd.addAll(args);
        return cmd;
    }
}
