package axc.target.npu;

import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.Op;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fused QKV projections whose output the attention reads where the projection wrote it in device
 * DRAM. The pattern: an attention node whose q, k and v are the three slices (q, then k, then v, whole)
 * of one matmul's output, the slices its only readers and it theirs, nothing of it a graph output,
 * and the five nodes back to back in graph order (so no other program runs on the device between the
 * projection and the attention). The slices are then views that cost nothing: the runtime neither
 * reads the projection's output back nor writes the attention's input, and a decode step stays on the
 * device from one layer to the next.
 *
 * @param slices      the slice nodes that are views
 * @param projections the matmuls whose output stays in DRAM for an attention
 */
record QkvViews(Set<Integer> slices, Set<Integer> projections) {
    static QkvViews of(Graph g) {
        Map<Integer, List<Integer>> readers = new HashMap<>();
        for (Node n : g.nodes()) for (int in : n.inputs()) readers.computeIfAbsent(in, k -> new ArrayList<>()).add(n.id());
        Map<Integer, Integer> order = new HashMap<>();
        for (Node n : g.nodes()) if (n.op() != Op.INPUT && n.op() != Op.PARAM) order.put(n.id(), order.size());
        Set<Integer> slices = new HashSet<>(), projections = new HashSet<>();
        for (Node n : g.nodes()) {
            if (n.op() != Op.ATTENTION) continue;
            var a = n.attrs();
            int d = a.getInt("head_dim"), qw = a.getInt("heads") * d, kw = a.getInt("kv_heads") * d;
            int[] starts = {0, qw, qw + kw}, sizes = {qw, kw, kw};
            Node p = null;
            boolean ok = true;
            for (int i = 0; i < 3 && ok; i++) {
                Node s = g.node(n.input(i));
                ok = s.op() == Op.SLICE && s.attrs().getInt("start") == starts[i] && s.attrs().getInt("size") == sizes[i]
                        && readers.getOrDefault(s.id(), List.of()).equals(List.of(n.id())) && !g.outputs().contains(s.id())
                        && (p == null || p.id() == s.input(0)) && order.get(s.id()) == order.get(n.id()) - 3 + i;
                if (ok) p = g.node(s.input(0));
            }
            if (!ok || p == null || (p.op() != Op.MATMUL && p.op() != Op.RMS_NORM_MATMUL) || g.outputs().contains(p.id())) continue;
            if (NpuMatmul.fixed(p.type().last()) != qw + 2L * kw || readers.getOrDefault(p.id(), List.of()).size() != 3) continue;
            if (order.get(p.id()) != order.get(n.id()) - 4) continue;
            for (int i = 0; i < 3; i++) slices.add(n.input(i));
            projections.add(p.id());
        }
        return new QkvViews(slices, projections);
    }
}
