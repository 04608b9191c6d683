package axc.cli;

/** Human-readable sizes and rates. */
public final class Units {
    private Units() {
    }

    public static String bytes(long b) {
        if (b < 1024) return b + " B";
        String[] u = {"KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int i = -1;
        do {
            v /= 1024;
            i++;
        } while (v >= 1024 && i < u.length - 1);
        return String.format("%.1f %s", v, u[i]);
    }

    public static String amount(long n, String unit) {
        return unit.equals("B") ? bytes(n) : n + " " + unit;
    }

    public static String rate(long n, double secs, String unit) {
        if (secs <= 0) return amount(n, unit);
        double r = n / secs;
        if (unit.equals("B")) return String.format("%.1f MB/s", r / 1e6);
        return String.format("%.1f %s/s", r, unit);
    }
}
