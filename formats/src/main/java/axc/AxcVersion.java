package axc;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The axc version, for provenance records in the files axc writes. */
public final class AxcVersion {
    private static final String VERSION = load();

    private AxcVersion() {
    }

    private static String load() {
        Properties p = new Properties();
        try (InputStream in = AxcVersion.class.getResourceAsStream("/axc/version.properties")) {
            if (in != null) p.load(in);
        } catch (IOException ignored) {
            // "unknown" below
        }
        String v = p.getProperty("axc.version", "unknown");
        return v.startsWith("${") ? "unknown" : v;
    }

    public static String version() {
        return VERSION;
    }
}
