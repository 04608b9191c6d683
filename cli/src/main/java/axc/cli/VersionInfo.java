package axc.cli;

import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** {@code axc --version}: the axc version and the git commit it was built from. */
public final class VersionInfo implements CommandLine.IVersionProvider {
    private static final Properties PROPS = load();

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = VersionInfo.class.getResourceAsStream("/axc/cli/version.properties")) {
            if (in != null) p.load(in);
        } catch (IOException ignored) {
            // fall back to "unknown" below
        }
        return p;
    }

    public static String version() {
        return PROPS.getProperty("axc.version", "unknown");
    }

    public static String commit() {
        String c = PROPS.getProperty("axc.commit", "unknown");
        return c.startsWith("${") ? "unknown" : c;
    }

    @Override
    public String[] getVersion() {
        return new String[]{"axc " + version() + " (commit " + commit() + ", Java " + Runtime.version() + ")"};
    }
}
