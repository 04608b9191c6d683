package axc.formats.convert;

import java.util.List;

/**
 * Go's {@code json.Marshal} for lists of strings and numbers: the encoding ollama hashes its expected
 * tokenizer arrays with (HTML-escaped {@code < > &}, {@code \u2028}/{@code \u2029} escaped, shortest
 * float formatting).
 */
final class GoJson {
    private GoJson() {
    }

    static String marshal(List<?> values) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) sb.append(',');
            Object v = values.get(i);
            if (v instanceof String s) string(sb, s);
            else if (v instanceof Double d) number(sb, d);
            else sb.append(v);
        }
        return sb.append(']').toString();
    }

    private static void number(StringBuilder sb, double d) {
        float f = (float) d;
        if (f == Math.rint(f) && Math.abs(f) < 1e21) sb.append((long) f);
        else sb.append(Float.toString(f));
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '<', '>', '&', '\u2028', '\u2029' -> sb.append(String.format("\\u%04x", (int) c));
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
