package axc.partition;

import axc.bundle.Bundle;
import axc.errors.InvalidInputException;
import axc.formats.json.Json;
import axc.ir.Dim;
import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.Op;
import axc.ir.TensorType;
import axc.target.Support;
import axc.target.Target;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which target runs each node of a compiled graph: the artifact's target, or the fallback (cpu) for
 * the nodes it refused ({@link Target#supports}), and the {@link Segment}s that follow, maximal runs
 * of consecutive nodes on one target in graph order. Only computing nodes are placed: {@code input}
 * and {@code param} nodes are data every segment may read. Stored in the artifact as
 * {@value #ENTRY} (schema in docs/artifact.md); the segments are derived from the placement alone,
 * so a reader rebuilds them from {@code graph.axir} and checks the file says the same.
 *
 * @param target   the artifact's target
 * @param fallback the target that runs what {@code target} refused
 * @param nodes    every computing node, in graph order, with its target (and the refusal's reason)
 * @param segments the runs, in the order the host calls them
 * @param boundary values handed between the two targets per step, and their bytes per token
 */
public record Partition(String target, String fallback, List<Placement> nodes, List<Segment> segments, Boundary boundary) {
    public static final String ENTRY = "partition.json";
    public static final String FORMAT = "axc.partition/1";
    /** The target that runs what others refuse (DESIGN.md: "what a target can't run falls back to cpu"). */
    public static final String FALLBACK = "cpu";

    /** One computing node's placement: {@code reason} is why {@code target} is the fallback, empty otherwise. */
    public record Placement(int id, String op, String target, String reason) {
    }

    public Partition {
        nodes = List.copyOf(nodes);
        segments = List.copyOf(segments);
    }

    /** Asks {@code target} about every computing node of {@code g} and places the refused ones on {@code fallback}. */
    public static Partition plan(Graph g, Target target, String fallback) {
        Map<Integer, String> refused = new LinkedHashMap<>();
        for (Node n : g.nodes()) {
            if (!placed(n)) continue;
            Support s = target.supports(g, n);
            if (!s.supported()) refused.put(n.id(), s.reason());
        }
        return of(g, target.info().id(), fallback, refused);
    }

    /** The partition of {@code g} with the nodes of {@code refused} (id to reason) on {@code fallback}, the rest on {@code target}. */
    public static Partition of(Graph g, String target, String fallback, Map<Integer, String> refused) {
        if (target.equals(fallback) && !refused.isEmpty()) throw new IllegalArgumentException("target " + target + " refuses nodes and is its own fallback");
        for (Node n : g.graphInputs()) {
            if (n.name().startsWith("%")) throw new IllegalArgumentException("graph input '" + n.name() + "' is spelled like a segment's boundary input");
        }
        List<Placement> placements = new ArrayList<>();
        List<String> runTargets = new ArrayList<>();
        List<List<Integer>> runs = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (!placed(n)) continue;
            String reason = refused.get(n.id());
            String t = reason == null ? target : fallback;
            placements.add(new Placement(n.id(), n.op().spelling(), t, reason == null ? "" : reason));
            if (runs.isEmpty() || !runTargets.getLast().equals(t)) {
                runs.add(new ArrayList<>());
                runTargets.add(t);
            }
            runs.getLast().add(n.id());
        }
        Map<Integer, List<Node>> users = g.users();
        List<Segment> segments = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) segments.add(Segment.of(g, runTargets.get(i), runs.get(i), users));
        return new Partition(target, fallback, placements, segments, boundary(g, placements, segments));
    }

    /** Values each target receives from the other in one step (once per receiving target), and their bytes per token. */
    private static Boundary boundary(Graph g, List<Placement> placements, List<Segment> segments) {
        Map<Integer, String> producer = new HashMap<>();
        for (Placement p : placements) producer.put(p.id(), p.target());
        Set<String> received = new HashSet<>();
        Boundary b = Boundary.NONE;
        for (Segment s : segments) {
            for (int v : s.inputs()) {
                String from = producer.get(v);
                if (from != null && !from.equals(s.target()) && received.add(v + ">" + s.target())) b = b.plus(1, bytesPerToken(g.node(v).type()));
            }
        }
        return b;
    }

    /** Bytes of one token's slice of a value: 4 an element (host tensors are f32 or i32), the token axis counted once. */
    static long bytesPerToken(TensorType t) {
        long n = 4;
        for (Dim d : t.shape()) if (d instanceof Dim.Fixed f) n *= f.size();
        return n;
    }

    static boolean placed(Node n) {
        return n.op() != Op.INPUT && n.op() != Op.PARAM;
    }

    /** Whether any node runs on the fallback (otherwise the artifact is not partitioned and has no {@value #ENTRY}). */
    public boolean partitioned() {
        return nodes.stream().anyMatch(p -> !p.target().equals(target));
    }

    /** Nodes the fallback runs. */
    public int fallbackNodes() {
        return (int) nodes.stream().filter(p -> !p.target().equals(target)).count();
    }

    /** Segments the fallback runs. */
    public int fallbackSegments() {
        return (int) segments.stream().filter(s -> !s.target().equals(target)).count();
    }

    /** The refused nodes as {@code "%id op"} to the reason, in graph order. */
    public Map<String, String> refused() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Placement p : nodes) if (!p.target().equals(target)) out.put("%" + p.id() + " " + p.op(), p.reason());
        return out;
    }

    /** Segment {@code i} as a graph of its own ({@link Segment#graph}). */
    public Graph segmentGraph(Graph g, int i) {
        return segments.get(i).graph(g, g.name() + ".segment" + i);
    }

    /**
     * Everything {@code id} runs as one graph: what {@link Target#compile} receives for its part of a
     * partitioned artifact (its segments, with every value it receives from the other target as an input).
     */
    public Graph part(Graph g, String id) {
        List<Integer> own = nodes.stream().filter(p -> p.target().equals(id)).map(Placement::id).toList();
        return Segment.of(g, id, own, g.users()).graph(g, g.name() + "." + id);
    }

    // ---- partition.json

    /** The file's bytes: pretty-printed JSON, keys in a fixed order, so equal partitions give equal bytes. */
    public byte[] toJson() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("format", FORMAT);
        root.put("target", target);
        root.put("fallback", fallback);
        ObjectNode b = root.putObject("boundary");
        b.put("values_per_step", boundary.values());
        b.put("bytes_per_token", boundary.bytes());
        ArrayNode ns = root.putArray("nodes");
        for (Placement p : nodes) {
            ObjectNode n = ns.addObject();
            n.put("id", p.id());
            n.put("op", p.op());
            n.put("target", p.target());
            if (!p.reason().isEmpty()) n.put("reason", p.reason());
        }
        ArrayNode ss = root.putArray("segments");
        for (Segment s : segments) {
            ObjectNode o = ss.addObject();
            o.put("target", s.target());
            ids(o.putArray("nodes"), s.nodes());
            ids(o.putArray("inputs"), s.inputs());
            ids(o.putArray("outputs"), s.outputs());
        }
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void ids(ArrayNode a, List<Integer> ids) {
        ids.forEach(a::add);
    }

    /** The fallback target that the partition stored in {@code b} names: a loader finds it before loading. */
    public static String fallbackOf(Bundle b) {
        String f = Json.parse(b.bytes(ENTRY), b.path() + " (" + ENTRY + ")").path("fallback").asText("");
        if (f.isEmpty()) throw InvalidInputException.of(b.path(), ENTRY + " names no fallback target; recompile the model");
        return f;
    }

    /**
     * The partition stored in {@code b}, for its graph {@code g}: the placement is read from the file and
     * the segments rebuilt from {@code g}; the file must be exactly what that partition writes, so a file
     * that disagrees with the graph is refused rather than run in a wrong order.
     */
    public static Partition read(Bundle b, Graph g) {
        byte[] bytes = b.bytes(ENTRY);
        String where = b.path() + " (" + ENTRY + ")";
        JsonNode root = Json.parse(bytes, where);
        if (!FORMAT.equals(root.path("format").asText())) {
            throw InvalidInputException.of(b.path(), ENTRY + ": format '" + root.path("format").asText() + "' is not " + FORMAT + "; recompile the model");
        }
        String target = root.path("target").asText();
        String fallback = root.path("fallback").asText();
        Map<Integer, String> refused = new LinkedHashMap<>();
        for (JsonNode n : root.path("nodes")) if (!n.path("target").asText().equals(target)) refused.put(n.path("id").asInt(), n.path("reason").asText());
        Partition p;
        try {
            p = of(g, target, fallback, refused);
        } catch (IllegalArgumentException e) {
            throw InvalidInputException.of(b.path(), ENTRY + ": " + e.getMessage());
        }
        if (!Arrays.equals(p.toJson(), bytes)) throw InvalidInputException.of(b.path(), ENTRY + " does not match graph.axir; recompile the model");
        return p;
    }
}
