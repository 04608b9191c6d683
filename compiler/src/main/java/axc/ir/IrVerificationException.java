package axc.ir;

import axc.errors.CompileFailedException;

import java.util.List;

/** A graph breaks an IR rule; the message names the graph, the node and the rule. */
public final class IrVerificationException extends CompileFailedException {
    private final List<String> problems;

    public IrVerificationException(String graph, List<String> problems) {
        super("graph " + graph + ": " + problems.getFirst() + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more problems)" : ""));
        this.problems = List.copyOf(problems);
    }

    /** Every problem found, one per line of a report. */
    public List<String> problems() {
        return problems;
    }
}
