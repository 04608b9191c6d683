package axc.cli;

import axc.errors.CompileFailedException;
import axc.errors.InvalidInputException;
import axc.errors.TargetUnavailableException;
import axc.errors.UnsupportedFeatureException;
import axc.errors.ValidationFailedException;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

/** The one mapping from what went wrong to the process exit code and the line the user sees. */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int INTERNAL = 1;
    public static final int USAGE = 2;
    public static final int INVALID_INPUT = 3;
    public static final int UNSUPPORTED = 4;
    public static final int COMPILE_FAILED = 5;
    public static final int TARGET_UNAVAILABLE = 6;
    public static final int VALIDATION_FAILED = 7;

    private ExitCodes() {
    }

    public static int of(Throwable t) {
        Throwable e = unwrap(t);
        if (e instanceof CommandLine.ParameterException) return USAGE;
        if (e instanceof InvalidInputException) return INVALID_INPUT;
        if (e instanceof UnsupportedFeatureException) return UNSUPPORTED;
        if (e instanceof CompileFailedException) return COMPILE_FAILED;
        if (e instanceof TargetUnavailableException) return TARGET_UNAVAILABLE;
        if (e instanceof ValidationFailedException) return VALIDATION_FAILED;
        return INTERNAL;
    }

    /** The one line printed for {@code t}. */
    public static String message(Throwable t) {
        Throwable e = unwrap(t);
        String msg = e.getMessage() == null ? "" : e.getMessage().strip();
        int nl = msg.indexOf('\n');
        if (nl >= 0) msg = msg.substring(0, nl);
        return switch (of(e)) {
            case INVALID_INPUT, UNSUPPORTED, COMPILE_FAILED, TARGET_UNAVAILABLE, VALIDATION_FAILED, USAGE -> msg;
            default -> {
                if (e instanceof IOException || e instanceof UncheckedIOException) yield "I/O error: " + msg;
                if (e instanceof OutOfMemoryError) yield "out of memory: " + msg + " (raise -Xmx via AXC_JAVA_OPTS)";
                yield "internal error: " + e.getClass().getSimpleName() + (msg.isEmpty() ? "" : ": " + msg) + " (rerun with --stacktrace and report it)";
            }
        };
    }

    public static int report(Throwable t, PrintWriter err, boolean stacktrace) {
        err.println("axc: " + message(t));
        if (stacktrace) t.printStackTrace(err);
        err.flush();
        return of(t);
    }

    private static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while ((e instanceof CommandLine.ExecutionException || e instanceof java.util.concurrent.ExecutionException
                || e instanceof java.util.concurrent.CompletionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof UncheckedIOException u && u.getCause() != null && u.getMessage() == null) return u.getCause();
        return e;
    }
}
