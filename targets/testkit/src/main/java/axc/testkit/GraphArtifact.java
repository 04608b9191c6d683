package axc.testkit;

import axc.bundle.BundleWriter;
import axc.formats.json.Json;
import axc.formats.tensor.TensorStore;
import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.pb.GraphCodec;
import axc.ir.text.AxirPrinter;
import axc.pass.Pass;
import axc.pass.PassContext;
import axc.pass.PassPipeline;
import axc.passes.PlanMemory;
import axc.target.CompileContext;
import axc.target.CompileOptions;
import axc.target.Support;
import axc.target.Target;
import axc.target.TargetProvider;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A bare graph compiled into an artifact for a target (target API 2), as {@code axc compile} would
 * compile a model but without config, tokenizer or golden vectors: {@code PlanMemory} and the
 * target's lowering passes run (no fusion: op-level checks test ops as written), the target is asked
 * {@link Target#supports} for every node, and when all are supported the artifact holds
 * {@code graph.axir}, {@code graph.pb} and the target's entries for the graph and its stored weights.
 * Load it with {@link Target#loadGraph}.
 */
public final class GraphArtifact {
    private GraphArtifact() {
    }

    /** What compiling gave: the graph as lowered, and the nodes the target refused (then no file is written). */
    public record Result(Graph lowered, Map<String, String> unsupported, Path file) {
        public boolean written() {
            return unsupported.isEmpty();
        }
    }

    public static Result compile(Target target, Graph g, TensorStore weights, Path out) {
        List<Pass> passes = new ArrayList<>();
        passes.add(new PlanMemory());
        passes.addAll(target.loweringPasses());
        Graph lowered = new PassPipeline(passes).run(g, new PassContext());
        Map<String, String> unsupported = unsupported(target, lowered);
        if (!unsupported.isEmpty()) return new Result(lowered, unsupported, null);
        BundleWriter w = new BundleWriter();
        w.target(target.info().id(), Integer.toString(TargetProvider.API_VERSION));
        ObjectNode device = Json.MAPPER.createObjectNode();
        device.put("target", target.info().description());
        device.put("kind", "graph");
        w.device(device);
        w.seed(0);
        w.passes(passes.stream().map(Pass::name).toList());
        w.add("graph.axir", AxirPrinter.print(lowered).getBytes(StandardCharsets.UTF_8));
        w.add("graph.pb", GraphCodec.toBytes(lowered));
        target.compile(lowered, new CompileContext(null, weights, new CompileOptions(null, g.name())), w);
        w.finish(out);
        return new Result(lowered, unsupported, out);
    }

    /** {@code "%id op"} to the reason, for every node of {@code g} the target does not run. */
    public static Map<String, String> unsupported(Target target, Graph g) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Node n : g.nodes()) {
            Support s = target.supports(g, n);
            if (!s.supported()) out.put("%" + n.id() + " " + n.op().spelling() + describe(n), s.reason());
        }
        return out;
    }

    private static String describe(Node n) {
        return n.attrs().has("scheme") ? " {scheme=" + n.attrs().getString("scheme") + "}" : "";
    }
}
