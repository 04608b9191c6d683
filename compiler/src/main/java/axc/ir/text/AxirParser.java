package axc.ir.text;

import axc.ir.Attrs;
import axc.ir.DataType;
import axc.ir.Dim;
import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.Op;
import axc.ir.TensorType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the {@code .axir} text {@link AxirPrinter} writes (whitespace and {@code #} comments are free).
 * {@code parse(print(g))} equals {@code g}. The parser checks syntax and that every {@code @name}
 * names a param declared above; everything else is the {@link axc.ir.Verifier}'s job.
 */
public final class AxirParser {
    private enum Kind { PUNCT, WORD, STRING, VALUE_REF, PARAM_REF, EOF }

    private record Tok(Kind kind, String text, int line, int col) {
    }

    private final String source;
    private final List<Tok> toks = new ArrayList<>();
    private int p;

    private AxirParser(String source, String text) {
        this.source = source;
        lex(text);
    }

    public static Graph parse(String text) {
        return new AxirParser("<axir>", text).graph();
    }

    public static Graph parse(Path file) {
        try {
            return new AxirParser(file.toString(), Files.readString(file, StandardCharsets.UTF_8)).graph();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Graph graph() {
        expectWord("axir");
        Tok v = next(Kind.WORD, "a version number");
        if (!v.text.equals(Integer.toString(AxirPrinter.VERSION))) throw error(v, "axir version " + v.text + " is not supported (this reader knows " + AxirPrinter.VERSION + ")");
        expectWord("graph");
        String name = wordOrString("a graph name");
        expect("{");
        List<Node> nodes = new ArrayList<>();
        Map<String, Integer> params = new HashMap<>();
        while (!(peek().kind == Kind.WORD && peek().text.equals("return"))) {
            Node n = node(params);
            nodes.add(n);
            if (n.op() == Op.PARAM) params.putIfAbsent(n.name(), n.id());
        }
        p++;
        List<Integer> outputs = operands(params, "}");
        expect("}");
        if (peek().kind != Kind.EOF) throw error(peek(), "text after the end of the graph");
        return new Graph(name, nodes, outputs);
    }

    private Node node(Map<String, Integer> params) {
        Tok idTok = next(Kind.VALUE_REF, "a node definition (%id = ...) or 'return'");
        int id = id(idTok);
        expect("=");
        Tok opTok = next(Kind.WORD, "an op name");
        Op op;
        try {
            op = Op.parse(opTok.text);
        } catch (IllegalArgumentException e) {
            throw error(opTok, e.getMessage());
        }
        List<Integer> inputs = List.of();
        Map<String, Object> attrs = new LinkedHashMap<>();
        if (op == Op.PARAM && peek().kind == Kind.PARAM_REF) {
            attrs.put("name", next(Kind.PARAM_REF, "a param name").text);
        } else if (op == Op.INPUT && (peek().kind == Kind.WORD || peek().kind == Kind.STRING)) {
            attrs.put("name", wordOrString("an input name"));
        } else {
            expect("(");
            inputs = operands(params, ")");
            expect(")");
        }
        if (isPunct("{")) {
            p++;
            while (true) {
                Tok key = peek();
                String k = wordOrString("an attribute name");
                expect("=");
                Object val = value();
                if (attrs.put(k, val) != null) throw error(key, "attribute '" + k + "' is given twice");
                if (isPunct(",")) {
                    p++;
                    continue;
                }
                expect("}");
                break;
            }
        }
        expect(":");
        TensorType type = type();
        return new Node(id, op, inputs, Attrs.of(attrs), type);
    }

    private List<Integer> operands(Map<String, Integer> params, String close) {
        List<Integer> out = new ArrayList<>();
        if (isPunct(close)) return out;
        while (true) {
            Tok t = peek();
            if (t.kind == Kind.VALUE_REF) {
                out.add(id(t));
            } else if (t.kind == Kind.PARAM_REF) {
                Integer id = params.get(t.text);
                if (id == null) throw error(t, "@" + t.text + " is not a param declared above");
                out.add(id);
            } else {
                throw error(t, "expected an operand (%id or @param), found " + show(t));
            }
            p++;
            if (!isPunct(",")) return out;
            p++;
        }
    }

    private TensorType type() {
        Tok t = next(Kind.WORD, "an element type");
        DataType d;
        try {
            d = DataType.parse(t.text);
        } catch (IllegalArgumentException e) {
            throw error(t, e.getMessage());
        }
        expect("[");
        List<Dim> dims = new ArrayList<>();
        if (!isPunct("]")) {
            while (true) {
                Tok dt = next(Kind.WORD, "a dimension");
                try {
                    dims.add(Dim.parse(dt.text));
                } catch (IllegalArgumentException e) {
                    throw error(dt, "bad dimension '" + dt.text + "'");
                }
                if (!isPunct(",")) break;
                p++;
            }
        }
        expect("]");
        return new TensorType(d, dims);
    }

    private Object value() {
        Tok t = peek();
        p++;
        if (t.kind == Kind.STRING) return t.text;
        if (t.kind != Kind.WORD) throw error(t, "expected an attribute value, found " + show(t));
        String s = t.text;
        switch (s) {
            case "true" -> {
                return true;
            }
            case "false" -> {
                return false;
            }
            case "nan" -> {
                return Double.NaN;
            }
            case "inf" -> {
                return Double.POSITIVE_INFINITY;
            }
            case "-inf" -> {
                return Double.NEGATIVE_INFINITY;
            }
            default -> {
            }
        }
        char c = s.charAt(0);
        if (Character.isDigit(c) || (c == '-' && s.length() > 1 && Character.isDigit(s.charAt(1)))) {
            try {
                if (s.contains(".") || s.contains("e") || s.contains("E")) return Double.parseDouble(s);
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw error(t, "bad number '" + s + "'");
            }
        }
        if (!AxirPrinter.BARE.matcher(s).matches()) throw error(t, "bad attribute value '" + s + "' (quote strings that are not plain words)");
        return s;
    }

    private int id(Tok t) {
        try {
            return Integer.parseInt(t.text);
        } catch (NumberFormatException e) {
            throw error(t, "bad node id %" + t.text);
        }
    }

    private String wordOrString(String what) {
        Tok t = peek();
        if (t.kind != Kind.WORD && t.kind != Kind.STRING) throw error(t, "expected " + what + ", found " + show(t));
        p++;
        return t.text;
    }

    private Tok peek() {
        return toks.get(p);
    }

    private boolean isPunct(String s) {
        Tok t = peek();
        return t.kind == Kind.PUNCT && t.text.equals(s);
    }

    private Tok next(Kind k, String what) {
        Tok t = peek();
        if (t.kind != k) throw error(t, "expected " + what + ", found " + show(t));
        p++;
        return t;
    }

    private void expect(String punct) {
        Tok t = peek();
        if (t.kind != Kind.PUNCT || !t.text.equals(punct)) throw error(t, "expected '" + punct + "', found " + show(t));
        p++;
    }

    private void expectWord(String w) {
        Tok t = peek();
        if (t.kind != Kind.WORD || !t.text.equals(w)) throw error(t, "expected '" + w + "', found " + show(t));
        p++;
    }

    private static String show(Tok t) {
        return switch (t.kind) {
            case EOF -> "the end of the text";
            case VALUE_REF -> "'%" + t.text + "'";
            case PARAM_REF -> "'@" + t.text + "'";
            case STRING -> "a string";
            default -> "'" + t.text + "'";
        };
    }

    private AxirSyntaxException error(Tok t, String m) {
        return new AxirSyntaxException(source, t.line, t.col, m);
    }

    private void lex(String s) {
        int i = 0;
        int line = 1;
        int lineStart = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            int col = i - lineStart + 1;
            if (c == '\n') {
                line++;
                lineStart = ++i;
            } else if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#') {
                while (i < s.length() && s.charAt(i) != '\n') i++;
            } else if ("=(){}[],:".indexOf(c) >= 0) {
                toks.add(new Tok(Kind.PUNCT, String.valueOf(c), line, col));
                i++;
            } else if (c == '"') {
                int[] end = new int[1];
                toks.add(new Tok(Kind.STRING, string(s, i, end, line, col), line, col));
                i = end[0];
            } else if (c == '%' || c == '@') {
                Kind k = c == '%' ? Kind.VALUE_REF : Kind.PARAM_REF;
                i++;
                if (c == '@' && i < s.length() && s.charAt(i) == '"') {
                    int[] end = new int[1];
                    toks.add(new Tok(k, string(s, i, end, line, col), line, col));
                    i = end[0];
                } else {
                    int st = i;
                    while (i < s.length() && nameChar(s.charAt(i))) i++;
                    if (i == st) throw new AxirSyntaxException(source, line, col, "'" + c + "' must be followed by a name");
                    toks.add(new Tok(k, s.substring(st, i), line, col));
                }
            } else if (wordChar(c)) {
                int st = i;
                while (i < s.length() && wordChar(s.charAt(i))) i++;
                toks.add(new Tok(Kind.WORD, s.substring(st, i), line, col));
            } else {
                throw new AxirSyntaxException(source, line, col, "unexpected character '" + c + "'");
            }
        }
        toks.add(new Tok(Kind.EOF, "", line, s.length() - lineStart + 1));
    }

    private static boolean nameChar(char c) {
        return Character.isLetterOrDigit(c) && c < 128 || c == '_' || c == '.' || c == '-' || c == '/';
    }

    private static boolean wordChar(char c) {
        return Character.isLetterOrDigit(c) && c < 128 || c == '_' || c == '.' || c == '-' || c == '+' || c == '?';
    }

    private String string(String s, int start, int[] end, int line, int col) {
        StringBuilder b = new StringBuilder();
        int i = start + 1;
        while (true) {
            if (i >= s.length() || s.charAt(i) == '\n') throw new AxirSyntaxException(source, line, col, "unterminated string");
            char c = s.charAt(i++);
            if (c == '"') break;
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (i >= s.length()) throw new AxirSyntaxException(source, line, col, "unterminated string");
            char e = s.charAt(i++);
            switch (e) {
                case '"' -> b.append('"');
                case '\\' -> b.append('\\');
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (i + 4 > s.length()) throw new AxirSyntaxException(source, line, col, "bad \\u escape");
                    try {
                        b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                    } catch (NumberFormatException x) {
                        throw new AxirSyntaxException(source, line, col, "bad \\u escape");
                    }
                    i += 4;
                }
                default -> throw new AxirSyntaxException(source, line, col, "bad escape \\" + e);
            }
        }
        end[0] = i;
        return b.toString();
    }
}
