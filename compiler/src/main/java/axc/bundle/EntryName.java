package axc.bundle;

import java.util.List;

/**
 * Rules for entry names, shared by the writer (which refuses a bad name) and the reader (which refuses
 * a file that carries one): relative, '/'-separated segments of letters, digits and {@code . _ - + = @ , : ~},
 * no empty, {@code .} or {@code ..} segment, at most 256 bytes and splittable into ustar's prefix and name
 * fields. Such a name extracts to the same path on every system and never escapes the extraction folder.
 */
final class EntryName {
    static final int MAX = Tar.PREFIX_LEN + 1 + Tar.NAME_LEN;

    private EntryName() {
    }

    /** The problem with {@code name}, or null when it is acceptable. */
    static String problem(String name) {
        if (name == null || name.isEmpty()) return "entry name is empty";
        String shown = printable(name);
        if (name.startsWith("/")) return "entry name '" + shown + "' is absolute";
        if (name.indexOf('\\') >= 0) return "entry name '" + shown + "' has a backslash";
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "._-+=@,:~/".indexOf(c) >= 0;
            if (!ok) {
                return "entry name '" + shown + "' has character " + describe(c)
                        + "; names use letters, digits, '/' and ._-+=@,:~";
            }
        }
        for (String seg : name.split("/", -1)) {
            if (seg.isEmpty()) return "entry name '" + shown + "' has an empty path segment";
            if (seg.equals("..")) return "entry name '" + shown + "' has a '..' segment";
            if (seg.equals(".")) return "entry name '" + shown + "' has a '.' segment";
        }
        if (name.length() > MAX) return "entry name '" + shown + "' is longer than " + MAX + " bytes";
        if (splitAt(name) < -1) {
            return "entry name '" + shown + "' does not fit ustar's 155-byte prefix and 100-byte name fields";
        }
        return null;
    }

    /**
     * Where the name is split into prefix and name: -1 for no prefix (it fits 100 bytes), the index of
     * the '/' otherwise (the shortest prefix whose rest fits), -2 when no split fits.
     */
    private static int splitAt(String name) {
        if (name.length() <= Tar.NAME_LEN) return -1;
        for (int i = name.indexOf('/'); i >= 0; i = name.indexOf('/', i + 1)) {
            if (i > Tar.PREFIX_LEN) break;
            if (name.length() - i - 1 <= Tar.NAME_LEN) return i;
        }
        return -2;
    }

    /** {prefix, name} for the ustar header; the prefix is empty when the name fits on its own. */
    static String[] split(String name) {
        int at = splitAt(name);
        if (at == -2) throw new IllegalArgumentException("entry name '" + name + "' does not fit ustar's fields");
        return at == -1 ? new String[] {"", name} : new String[] {name.substring(0, at), name.substring(at + 1)};
    }

    /**
     * The problem with a name list that is sorted and free of duplicates: an entry that is also the
     * folder of another ({@code a} and {@code a/b}) could not be extracted. Null when none.
     */
    static String folderClash(List<String> sorted) {
        // In sorted order every name starting with "a/" follows "a" after only names starting with "a"
        // and a character below '/'; walk forward from each name while the prefix matches.
        for (int i = 0; i < sorted.size(); i++) {
            String a = sorted.get(i);
            for (int j = i + 1; j < sorted.size() && sorted.get(j).startsWith(a); j++) {
                if (sorted.get(j).charAt(a.length()) == '/') {
                    return "entry '" + a + "' is also the folder of entry '" + sorted.get(j) + "'";
                }
            }
        }
        return null;
    }

    private static String describe(char c) {
        return c >= 0x21 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) b.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        return b.toString();
    }
}
