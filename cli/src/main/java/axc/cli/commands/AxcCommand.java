package axc.cli.commands;

import axc.cli.AxcCli;
import axc.cli.ExitCodes;
import axc.cli.Ui;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** Base of every subcommand: access to the shell ({@link Ui}) and the exit-code convention. */
@picocli.CommandLine.Command
public abstract class AxcCommand implements Callable<Integer> {
    @ParentCommand
    AxcCli root;

    // `axc bench --help` prints the command's usage (picocli answers before it checks required parameters).
    @picocli.CommandLine.Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    protected Ui ui() {
        return root.ui();
    }

    @Override
    public final Integer call() throws Exception {
        return execute(ui());
    }

    /** Runs the command; returns an exit code from {@link ExitCodes} or throws an axc exception. */
    protected abstract int execute(Ui ui) throws Exception;

    protected static int ok() {
        return ExitCodes.OK;
    }
}
