package axc.pass;

import axc.ir.Graph;

/**
 * One graph-to-graph transformation, named verb-noun ({@code FuseQkv}, {@code PlanMemory}). A pass
 * returns a new graph (graphs are immutable), the same graph when nothing matched, and logs what it
 * did through {@link PassContext#log}. It never needs to verify its result: {@link PassPipeline} does.
 */
public interface Pass {
    /** The pass's name as it appears in logs and IR dumps: its class name. */
    default String name() {
        return getClass().getSimpleName();
    }

    Graph run(Graph g, PassContext ctx);
}
