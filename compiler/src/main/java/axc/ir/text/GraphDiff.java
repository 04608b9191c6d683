package axc.ir.text;

import axc.ir.Graph;
import axc.ir.Node;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Structural differences between an expected and an actual graph, as readable lines, ignoring how
 * nodes are numbered: nodes are aligned by a longest common subsequence of (op, attributes, type), the
 * alignment maps expected ids to actual ids, and inputs are compared through that map. Golden tests
 * of passes compare {@code expected.axir} with the pass's output this way.
 *
 * <pre>
 * - %7 = silu(%6) : f32[T,128]                       a node the actual graph lacks
 * + %9 = swiglu(%6, %8) : f32[T,128]                 a node only the actual graph has
 * ~ %12 = matmul(...): attrs {scheme=bf16} != {scheme=q8_0}
 * ~ %14 = add(%3, %13): input 1 is %20 (matmul), expected %13 (matmul) = actual %19
 * </pre>
 */
public final class GraphDiff {
    private GraphDiff() {
    }

    /** True when the graphs are the same up to node numbering. */
    public static boolean equivalent(Graph expected, Graph actual) {
        return diff(expected, actual).isEmpty();
    }

    public static List<String> diff(Graph expected, Graph actual) {
        List<String> out = new ArrayList<>();
        if (!expected.name().equals(actual.name())) out.add("~ graph name: expected " + expected.name() + ", got " + actual.name());
        List<Node> a = expected.nodes();
        List<Node> b = actual.nodes();
        Map<Integer, String> refsA = AxirPrinter.refs(expected);
        Map<Integer, String> refsB = AxirPrinter.refs(actual);
        // LCS on node keys.
        int n = a.size();
        int m = b.size();
        int[][] lcs = new int[n + 1][m + 1];
        for (int i = n - 1; i >= 0; i--) {
            for (int j = m - 1; j >= 0; j--) {
                lcs[i][j] = key(a.get(i)).equals(key(b.get(j))) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        Map<Integer, Integer> map = new HashMap<>();
        List<Node[]> pairs = new ArrayList<>();
        List<String> unmatched = new ArrayList<>();
        int i = 0;
        int j = 0;
        List<Node> gapA = new ArrayList<>();
        List<Node> gapB = new ArrayList<>();
        while (i < n || j < m) {
            if (i < n && j < m && key(a.get(i)).equals(key(b.get(j)))) {
                pairGap(gapA, gapB, map, pairs, unmatched, refsA, refsB);
                map.put(a.get(i).id(), b.get(j).id());
                pairs.add(new Node[]{a.get(i), b.get(j)});
                i++;
                j++;
            } else if (j >= m || (i < n && lcs[i + 1][j] >= lcs[i][j + 1])) {
                gapA.add(a.get(i++));
            } else {
                gapB.add(b.get(j++));
            }
        }
        pairGap(gapA, gapB, map, pairs, unmatched, refsA, refsB);
        Map<Integer, Node> byIdB = new HashMap<>();
        for (Node x : b) byIdB.put(x.id(), x);
        Map<Integer, Node> byIdA = new HashMap<>();
        for (Node x : a) byIdA.put(x.id(), x);
        for (Node[] p : pairs) {
            Node x = p[0];
            Node y = p[1];
            String line = "~ " + AxirPrinter.line(x, refsA);
            if (x.op() != y.op()) out.add(line + ": op " + y.op().spelling() + ", expected " + x.op().spelling());
            if (!x.attrs().equals(y.attrs())) out.add(line + ": attrs " + y.attrs() + ", expected " + x.attrs());
            if (!x.type().equals(y.type())) out.add(line + ": type " + y.type() + ", expected " + x.type());
            if (x.inputs().size() != y.inputs().size()) {
                out.add(line + ": " + y.inputs().size() + " inputs, expected " + x.inputs().size());
                continue;
            }
            for (int k = 0; k < x.inputs().size(); k++) {
                int want = x.input(k);
                int got = y.input(k);
                Integer mapped = map.get(want);
                if (!Objects.equals(mapped, got)) {
                    out.add(line + ": input " + k + " is " + describe(got, byIdB, refsB) + ", expected " + describe(want, byIdA, refsA)
                            + (mapped == null ? " (which has no counterpart)" : " = actual " + describe(mapped, byIdB, refsB)));
                }
            }
        }
        out.addAll(unmatched);
        List<Integer> mappedOutputs = expected.outputs().stream().map(o -> map.getOrDefault(o, -1)).toList();
        if (!mappedOutputs.equals(actual.outputs())) {
            out.add("~ return: " + actual.outputs().stream().map(o -> describe(o, byIdB, refsB)).toList()
                    + ", expected " + expected.outputs().stream().map(o -> describe(o, byIdA, refsA)).toList());
        }
        return out;
    }

    /** Within a gap between aligned runs, pairs removed and added nodes of the same op in order (a changed node). */
    private static void pairGap(List<Node> gapA, List<Node> gapB, Map<Integer, Integer> map, List<Node[]> pairs, List<String> unmatched,
                                Map<Integer, String> refsA, Map<Integer, String> refsB) {
        int jb = 0;
        List<Node> restB = new ArrayList<>(gapB);
        for (Node x : gapA) {
            Node match = null;
            for (int k = jb; k < restB.size(); k++) {
                if (restB.get(k).op() == x.op()) {
                    match = restB.get(k);
                    for (int r = jb; r < k; r++) unmatched.add("+ " + AxirPrinter.line(restB.get(r), refsB));
                    jb = k + 1;
                    break;
                }
            }
            if (match == null) {
                unmatched.add("- " + AxirPrinter.line(x, refsA));
            } else {
                map.put(x.id(), match.id());
                pairs.add(new Node[]{x, match});
            }
        }
        for (int r = jb; r < restB.size(); r++) unmatched.add("+ " + AxirPrinter.line(restB.get(r), refsB));
        gapA.clear();
        gapB.clear();
    }

    private static String key(Node n) {
        return n.op().spelling() + " " + n.attrs() + " " + n.type() + " " + n.inputs().size();
    }

    private static String describe(int id, Map<Integer, Node> byId, Map<Integer, String> refs) {
        Node n = byId.get(id);
        if (n == null) return "%" + id + " (undefined)";
        return refs.getOrDefault(id, "%" + id) + " (" + n.op().spelling() + ")";
    }
}
