package axc.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a conformance run saw, printed after it: every comparison (check, case, NMSE, bound) and every
 * node the target said it does not run. Unsupported nodes are reported, not failed: a target that
 * leaves an op to the {@code cpu} fallback is conformant, and this summary is the list of what falls back.
 */
public final class ConformanceReport {
    /** A node the target refused in a case. */
    public record Unsupported(String check, String caseName, String node, String reason) {
    }

    /** One comparison with the interpreter (or the reference model). */
    public record Comparison(String check, String caseName, double nmse, double bound) {
        public boolean passed() {
            return nmse <= bound;
        }
    }

    private final String target;
    private final List<Unsupported> unsupported = new ArrayList<>();
    private final List<Comparison> comparisons = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    public ConformanceReport(String target) {
        this.target = target;
    }

    public synchronized void unsupported(String check, String caseName, Map<String, String> nodes) {
        nodes.forEach((n, reason) -> unsupported.add(new Unsupported(check, caseName, n, reason)));
    }

    public synchronized void compared(String check, String caseName, double nmse, double bound) {
        comparisons.add(new Comparison(check, caseName, nmse, bound));
    }

    /** A line of information (a scheme the kit cannot generate, a pattern that never fired). */
    public synchronized void note(String line) {
        notes.add(line);
    }

    public synchronized List<Unsupported> unsupported() {
        return List.copyOf(unsupported);
    }

    public synchronized List<Comparison> comparisons() {
        return List.copyOf(comparisons);
    }

    public synchronized List<String> notes() {
        return List.copyOf(notes);
    }

    /**
     * The summary: per check, cases compared, failures and the worst NMSE; then unsupported nodes
     * grouped by op and reason with the cases they occurred in; then notes.
     */
    public synchronized String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append("conformance of target '").append(target).append("'\n");
        Map<String, List<Comparison>> byCheck = new TreeMap<>();
        for (Comparison c : comparisons) byCheck.computeIfAbsent(c.check(), k -> new ArrayList<>()).add(c);
        for (Map.Entry<String, List<Comparison>> e : byCheck.entrySet()) {
            List<Comparison> cs = e.getValue();
            Comparison worst = cs.stream().max((a, b) -> Double.compare(a.nmse() / Math.max(a.bound(), 1e-300), b.nmse() / Math.max(b.bound(), 1e-300))).orElseThrow();
            long failed = cs.stream().filter(c -> !c.passed()).count();
            sb.append(String.format(Locale.ROOT, "  %-22s %4d compared, %d over bound; worst nmse %.3g (bound %.3g) in %s%n",
                    e.getKey(), cs.size(), failed, worst.nmse(), worst.bound(), worst.caseName()));
        }
        if (unsupported.isEmpty()) {
            sb.append("  unsupported nodes: none\n");
        } else {
            Map<String, List<String>> groups = new TreeMap<>();
            for (Unsupported u : unsupported) {
                String op = u.node().replaceFirst("^%\\d+ ", "");
                groups.computeIfAbsent(op + ": " + u.reason(), k -> new ArrayList<>()).add(u.check() + "/" + u.caseName());
            }
            sb.append("  unsupported nodes (reported, not failed; ").append(unsupported.size()).append(" in all):\n");
            for (Map.Entry<String, List<String>> g : groups.entrySet()) {
                List<String> cases = g.getValue().stream().distinct().toList();
                sb.append("    ").append(g.getKey()).append("  [").append(cases.size()).append(" cases: ")
                        .append(String.join(", ", cases.subList(0, Math.min(4, cases.size())))).append(cases.size() > 4 ? ", ..." : "").append("]\n");
            }
        }
        for (String n : notes) sb.append("  note: ").append(n).append('\n');
        return sb.toString();
    }
}
