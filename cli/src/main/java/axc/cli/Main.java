package axc.cli;

import axc.target.cpu.NativeLibraryCache;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** Process entry point: the only place axc calls System.exit. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        NativeLibraryCache.configure();
        // picocli registers converters for java.sql and java.time types by reflection, loading those
        // classes on every start (about 25 ms); no axc option has such a type.
        if (System.getProperty("picocli.converters.excludes") == null) {
            System.setProperty("picocli.converters.excludes", "java\\.(sql|time)\\..*");
        }
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int code = AxcCli.run(out, err, args);
        out.flush();
        err.flush();
        System.exit(code);
    }
}
