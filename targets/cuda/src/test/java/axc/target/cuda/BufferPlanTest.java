package axc.target.cuda;

import axc.examples.CheckpointGenerator;
import axc.examples.ModelSpec;
import axc.formats.hf.Family;
import axc.formats.hf.HfCheckpoint;
import axc.frontend.QwenFrontend;
import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.Op;
import axc.pass.PassContext;
import axc.passes.StandardPipeline;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Buffer slots on real Qwen graphs, before and after the standard pipeline's fusions. */
class BufferPlanTest {
    @ParameterizedTest
    @EnumSource(Family.class)
    void liveValuesNeverShareASlotAndSlotsAreReused(Family family, @TempDir Path dir) {
        CheckpointGenerator.write(ModelSpec.preset("tiny").withFamily(family), dir);
        try (HfCheckpoint ck = HfCheckpoint.open(dir)) {
            Graph raw = QwenFrontend.build(ck.config(), ck.tensors());
            Graph fused = StandardPipeline.create().run(raw, new PassContext());
            for (Graph g : List.of(raw, fused)) check(g, family);
        }
    }

    private static void holds(Graph g, int id, int at, Map<Integer, Integer> last) {
        for (int v = id; ; v = g.node(v).input(0)) {
            last.merge(v, at, Math::max);
            if (g.node(v).op() != Op.SLICE && g.node(v).op() != Op.RMS_NORM) return;
        }
    }

    static void check(Graph g, Family family) {
        BufferPlan p = BufferPlan.of(g);
        List<Node> nodes = g.nodes();
        Map<Integer, Integer> def = new HashMap<>(), last = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            def.put(nodes.get(i).id(), i);
        }
        // A reader of a slice or an rms_norm may read the slice's or norm's input instead (a view at
        // one row; a GEMV normalizing on the way in): walk the chain up to the value actually held.
        for (int i = 0; i < nodes.size(); i++) for (int in : nodes.get(i).inputs()) holds(g, in, i, last);
        for (int o : g.outputs()) holds(g, o, Integer.MAX_VALUE, last);
        List<Node> values = nodes.stream().filter(n -> n.op() != Op.PARAM).toList();
        for (Node v : values) {
            assertTrue(p.slotElementsPerRow(p.slot(v.id())) >= BufferPlan.perRow(v), v.ref() + " fits its slot");
        }
        for (Node a : values) {
            for (Node b : values) {
                if (a.id() >= b.id()) continue;
                int aFrom = def.get(a.id()), aTo = last.getOrDefault(a.id(), aFrom);
                int bFrom = def.get(b.id()), bTo = last.getOrDefault(b.id(), bFrom);
                // A value is live from the node writing it through its last reader, inclusive.
                boolean overlap = aFrom <= bTo && bFrom <= aTo;
                if (overlap) assertNotEquals(p.slot(a.id()), p.slot(b.id()), family + ": " + a.ref() + " and " + b.ref() + " are live together");
            }
        }
        // Reuse: no more slots than twice the most values ever live at once (sizes differ, so a free
        // slot can be too small), and far fewer than values.
        int maxLive = 0;
        for (int i = 0; i < nodes.size(); i++) {
            int at = i, live = 0;
            for (Node v : values) if (def.get(v.id()) <= at && last.getOrDefault(v.id(), def.get(v.id())) >= at) live++;
            maxLive = Math.max(maxLive, live);
        }
        assertTrue(p.slots() <= 2 * maxLive && p.slots() < values.size(),
                family + ": " + p.slots() + " slots for " + values.size() + " values, at most " + maxLive + " live at once");
    }
}
