package axc.partition;

import axc.bundle.Bundle;
import axc.bundle.BundleTensors;
import axc.bundle.VerificationCache;
import axc.errors.InvalidInputException;
import axc.errors.TargetUnavailableException;
import axc.errors.UnsupportedFeatureException;
import axc.examples.CheckpointGenerator;
import axc.examples.ModelSpec;
import axc.formats.hf.Family;
import axc.formats.hf.ModelConfig;
import axc.formats.io.Sha256;
import axc.formats.json.Json;
import axc.formats.tensor.TensorInfo;
import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.Op;
import axc.ir.Verifier;
import axc.ir.text.AxirParser;
import axc.bundle.BundleWriter;
import axc.target.CompileContext;
import axc.target.Executable;
import axc.target.Support;
import axc.target.Target;
import axc.target.TargetInfo;
import axc.target.reference.ArtifactConfig;
import axc.target.reference.ReferenceTarget;
import axc.target.testing.RefusingTarget;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a partitioned compile writes: partition.json, the fallback's entries, the manifest; and when it refuses to compile. */
class PartitionTest {
    @TempDir
    static Path tmp;
    static Path model;
    static Path artifact;

    @BeforeAll
    static void compile() {
        model = tmp.resolve("qwen2");
        CheckpointGenerator.write(ModelSpec.preset("tiny").withFamily(Family.QWEN2), model);
        artifact = tmp.resolve("a.axc");
        Artifacts.compile(model, new RefusingTarget("attention", "rope"), new ReferenceTarget(), artifact);
    }

    static Graph graph(Bundle b) {
        return AxirParser.parse(new String(b.bytes("graph.axir"), StandardCharsets.UTF_8));
    }

    @Test
    void partitionJsonPlacesEveryNodeAndSplitsAtEachRefusal() {
        try (Bundle b = Bundle.open(artifact, VerificationCache.none())) {
            ModelConfig c = ArtifactConfig.read(b);
            Graph g = graph(b);
            JsonNode j = Json.parse(b.bytes(Partition.ENTRY), "partition.json");
            assertEquals(Partition.FORMAT, j.get("format").asText());
            assertEquals(RefusingTarget.ID, j.get("target").asText());
            assertEquals("reference", j.get("fallback").asText());
            // Every computing node once, in graph order; the refused ones (attention, the QKV matmul carrying RoPE) with a reason.
            List<Integer> computing = g.nodes().stream().filter(n -> n.op() != Op.INPUT && n.op() != Op.PARAM).map(Node::id).toList();
            List<Integer> placed = new ArrayList<>();
            for (JsonNode n : j.get("nodes")) {
                placed.add(n.get("id").asInt());
                Node node = g.node(n.get("id").asInt());
                boolean refused = node.op() == Op.ATTENTION || node.attrs().has("rope_theta");
                assertEquals(refused ? "reference" : RefusingTarget.ID, n.get("target").asText(), node.toString());
                assertEquals(refused, n.has("reason"), node.toString());
                if (refused) assertTrue(n.get("reason").asText().contains("not implemented on this test device"), n.toString());
            }
            assertEquals(computing, placed);
            // Per layer: QKV (fallback) | slices (target) | attention (fallback) | o_proj, MLP (target); embedding and head on the target.
            JsonNode segs = j.get("segments");
            assertEquals(4 * c.numLayers() + 1, segs.size(), segs.toString());
            List<Integer> concatenated = new ArrayList<>();
            for (int i = 0; i < segs.size(); i++) {
                assertEquals(i % 2 == 0 ? RefusingTarget.ID : "reference", segs.get(i).get("target").asText(), "targets alternate");
                segs.get(i).get("nodes").forEach(n -> concatenated.add(n.asInt()));
            }
            assertEquals(computing, concatenated, "segments are runs of the graph order");
            // Crossing per layer: the residual stream in, QKV out, q/k/v in, attention out (positions are a graph input: not counted).
            long qkv = c.qDim() + 2L * c.kvDim();
            assertEquals(6L * c.numLayers(), j.get("boundary").get("values_per_step").asLong());
            assertEquals(4L * c.numLayers() * (c.hiddenSize() + qkv + qkv + c.qDim()), j.get("boundary").get("bytes_per_token").asLong());
            // The manifest says so.
            JsonNode part = b.manifest().device().get("partition");
            assertEquals("reference", part.get("fallback").asText());
            assertEquals(2 * c.numLayers(), part.get("fallback_nodes").asInt());
            assertEquals(segs.size(), part.get("segments").asInt());
        }
    }

    @Test
    void eachSegmentIsAVerifiedGraphKeepingItsIdsWithItsBoundaryAsInputsAndOutputs() {
        try (Bundle b = Bundle.open(artifact, VerificationCache.none())) {
            Graph g = graph(b);
            Partition p = Partition.read(b, g);
            Set<Integer> defined = new HashSet<>();
            g.graphInputs().forEach(n -> defined.add(n.id()));
            for (int i = 0; i < p.segments().size(); i++) {
                Segment s = p.segments().get(i);
                Graph cut = p.segmentGraph(g, i);
                Verifier.verify(cut);
                for (int id : s.nodes()) assertEquals(g.node(id), cut.node(id));
                assertEquals(s.outputs(), cut.outputs());
                for (Node in : cut.graphInputs()) {
                    assertTrue(defined.contains(in.id()), "segment " + i + " reads %" + in.id() + " before it is computed");
                    assertEquals(g.node(in.id()).op() == Op.INPUT ? g.node(in.id()).name() : Segment.inputName(in.id()), in.name());
                }
                assertEquals(new TreeSet<>(s.inputs()), new TreeSet<>(cut.graphInputs().stream().map(Node::id).toList()));
                defined.addAll(s.outputs());
            }
            assertTrue(defined.containsAll(g.outputs()));
        }
    }

    @Test
    void theFallbackStoresExactlyTheTensorsOfTheNodesItRunsInItsOwnFolder() {
        try (Bundle b = Bundle.open(artifact, VerificationCache.none())) {
            Graph g = graph(b);
            Partition p = Partition.read(b, g);
            Set<String> expected = new TreeSet<>();
            for (Node n : p.part(g, "reference").params()) expected.add(n.name());
            assertFalse(expected.isEmpty());
            Set<String> stored = new TreeSet<>(BundleTensors.open(b.part("reference")).tensors().stream().map(TensorInfo::name).toList());
            assertEquals(expected, stored);
            assertTrue(expected.stream().allMatch(n -> n.contains("self_attn") || n.contains("input_layernorm")), expected.toString());
            // The target's own weights/ stay whole and unshared.
            assertEquals(BundleTensors.open(b).tensors().size(), b.names().stream().filter(n -> n.startsWith("weights/") && !n.endsWith("index.json")).count());
            assertTrue(b.names().stream().anyMatch(n -> n.startsWith("part/reference/weights/")));
        }
    }

    @Test
    void twoCompilesAreByteIdentical() {
        Path again = tmp.resolve("again.axc");
        Artifacts.compile(model, new RefusingTarget("attention", "rope"), new ReferenceTarget(), again);
        assertEquals(Sha256.of(artifact), Sha256.of(again));
    }

    @Test
    void aPartitionThatDisagreesWithTheGraphIsRefused() throws Exception {
        Path other = tmp.resolve("other.axc");
        Artifacts.compile(model, new RefusingTarget("embedding"), new ReferenceTarget(), other);
        try (Bundle a = Bundle.open(artifact, VerificationCache.none()); Bundle o = Bundle.open(other, VerificationCache.none())) {
            assertNotEquals(Partition.read(a, graph(a)), Partition.read(o, graph(o)));
            Graph fewer = new Graph(graph(a).name(), graph(a).nodes().subList(0, graph(a).nodes().size() - 1), List.of());
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> Partition.read(a, fewer));
            assertTrue(e.getMessage().contains("partition.json does not match graph.axir"), e.getMessage());
        }
    }

    @Test
    void refusedNodesWithoutAFallbackStopTheCompileWithTargetUnavailable() {
        Path out = tmp.resolve("none.axc");
        TargetUnavailableException e = assertThrows(TargetUnavailableException.class,
                () -> Artifacts.compile(model, new RefusingTarget("attention"), null, out));
        assertTrue(e.getMessage().contains("refusing cannot run 2 nodes and no cpu target is installed"), e.getMessage());
        assertFalse(Files.exists(out));
        // A target that refuses nothing needs no fallback, and writes no partition.
        Artifacts.compile(model, new RefusingTarget(), null, out);
        try (Bundle b = Bundle.open(out, VerificationCache.none())) {
            assertFalse(b.contains(Partition.ENTRY));
            assertFalse(b.manifest().device().has("partition"));
        }
    }

    /** A target written against API 2: no {@code loadSegment} (nor {@code loadGraph}), its info says version 2. */
    static final class Api2 implements Target {
        final RefusingTarget base;

        Api2(String... refused) {
            base = new RefusingTarget(refused);
        }

        @Override
        public TargetInfo info() {
            TargetInfo i = base.info();
            return new TargetInfo(i.id(), i.description(), 2, i.schemes(), i.ops());
        }

        @Override
        public Support supports(Node node) {
            return base.supports(node);
        }

        @Override
        public void compile(Graph g, CompileContext ctx, BundleWriter out) {
            base.compile(g, ctx, out);
        }

        @Override
        public Executable load(Bundle b) {
            return base.load(b);
        }
    }

    @Test
    void anApi2TargetStillCompilesAndRunsWholeGraphsButIsNotPartitioned() {
        Path whole = tmp.resolve("api2.axc");
        Artifacts.compile(model, new Api2(), new ReferenceTarget(), whole);
        try (Bundle b = Bundle.open(whole, VerificationCache.none()); Executable exe = new Api2().load(b)) {
            assertFalse(b.contains(Partition.ENTRY));
            assertEquals(exe.vocabRows(), exe.newSession(1).next(7).length);
            UnsupportedFeatureException d = assertThrows(UnsupportedFeatureException.class, () -> new Api2().loadSegment(b, graph(b)));
            assertTrue(d.getMessage().contains("target API 3"), d.getMessage());
        }
        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
                () -> Artifacts.compile(model, new Api2("attention"), new ReferenceTarget(), tmp.resolve("api2-parted.axc")));
        assertTrue(e.getMessage().contains("implements target API 2") && e.getMessage().contains("Target.loadSegment"), e.getMessage());
    }
}
