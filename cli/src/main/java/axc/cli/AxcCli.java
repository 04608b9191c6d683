package axc.cli;

import axc.cli.commands.BenchCommand;
import axc.cli.commands.CompileCommand;
import axc.cli.commands.ConvertCommand;
import axc.cli.commands.DemoCommand;
import axc.cli.commands.GenerateCommand;
import axc.cli.commands.InspectCommand;
import axc.cli.commands.QuantizeCommand;
import axc.cli.commands.RunCommand;
import axc.cli.commands.TargetsCommand;
import axc.cli.commands.TokenizeCommand;
import axc.cli.commands.ValidateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.PrintWriter;
import java.util.List;

/**
 * The {@code axc} command. {@link #run} is the whole program: it parses, runs one command and maps any
 * failure to an exit code through {@link ExitCodes}; tests call it directly with captured writers.
 */
@Command(name = "axc",
        mixinStandardHelpOptions = true,
        versionProvider = VersionInfo.class,
        description = "Convert, quantize and compile Qwen-family models, then run and validate them.")
public final class AxcCli implements Runnable {
    /** The subcommands, in the order of {@code axc --help}. */
    private static final List<Class<?>> COMMANDS = List.of(
            ConvertCommand.class, QuantizeCommand.class, InspectCommand.class, TokenizeCommand.class, GenerateCommand.class,
            CompileCommand.class, TargetsCommand.class,
            RunCommand.class, ValidateCommand.class, BenchCommand.class,
            DemoCommand.class,
            CommandLine.HelpCommand.class);

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "Print a machine-readable result on stdout.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, scope = ScopeType.INHERIT, description = "Print no progress, only results and errors.")
    boolean quiet;

    @Option(names = "--threads", scope = ScopeType.INHERIT, paramLabel = "N", description = "Worker threads (default: the number of cores).")
    Integer threads;

    @Option(names = "--stacktrace", scope = ScopeType.INHERIT, description = "Print the full stack trace of an error.")
    boolean stacktrace;

    private PrintWriter out;
    private PrintWriter err;

    @Override
    public void run() {
        commandLine(this, null).usage(out);
    }

    /**
     * The parser, with every subcommand, or with only {@code named} when it names one: picocli builds
     * each subcommand's model by reflection when it is added, which cost a fifth of a second of every
     * start for the ten commands that were not run. Help, a bare {@code axc} and a misspelt command
     * get them all, for the command list and the suggestions.
     */
    private static CommandLine commandLine(AxcCli app, String named) {
        CommandLine cl = new CommandLine(app);
        Class<?> only = named == null || named.equals("help") ? null
                : COMMANDS.stream().filter(c -> nameOf(c).equals(named)).findFirst().orElse(null);
        for (Class<?> c : COMMANDS) {
            if (only == null || c == only) cl.addSubcommand(c);
        }
        return cl;
    }

    private static String nameOf(Class<?> command) {
        return command.getAnnotation(Command.class).name();
    }

    /** The first argument that is not an option (nor the value of {@code --threads}): the command's name, if any. */
    private static String commandName(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--threads")) {
                i++;
            } else if (!args[i].startsWith("-")) {
                return args[i];
            }
        }
        return null;
    }

    public static int run(PrintWriter out, PrintWriter err, String... args) {
        AxcCli app = new AxcCli();
        app.out = out;
        app.err = err;
        CommandLine cl = commandLine(app, commandName(args));
        cl.setOut(out);
        cl.setErr(err);
        cl.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST_HEADING, help -> "");
        cl.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST, new GroupedCommandList());
        cl.setParameterExceptionHandler((ex, argv) -> {
            err.println("axc: " + ex.getMessage());
            CommandLine c = ex.getCommandLine();
            err.println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            err.flush();
            return ExitCodes.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> ExitCodes.report(ex, err, app.stacktrace));
        if (app.threads != null && app.threads < 1) {
            err.println("axc: --threads must be at least 1");
            return ExitCodes.USAGE;
        }
        applyThreads(args);
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /**
     * The worker pool of the parallel kernels is the JVM's common pool; its size can only be set
     * before its first use, so {@code --threads} is applied here, ahead of any command.
     */
    private static void applyThreads(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String v = args[i].startsWith("--threads=") ? args[i].substring(10) : args[i].equals("--threads") && i + 1 < args.length ? args[i + 1] : null;
            if (v != null && v.matches("\\d+") && Integer.parseInt(v) >= 1) {
                System.setProperty("java.util.concurrent.ForkJoinPool.common.parallelism", Integer.toString(Math.max(1, Integer.parseInt(v) - 1)));
            }
        }
    }

    /** What every command needs from the shell: streams, output mode and progress. */
    public Ui ui() {
        if (threads != null && threads < 1) throw new CommandLine.ParameterException(new CommandLine(this), "--threads must be at least 1");
        return new Ui(out, err, json, quiet, threads == null ? Runtime.getRuntime().availableProcessors() : threads);
    }
}
