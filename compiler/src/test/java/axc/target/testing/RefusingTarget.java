package axc.target.testing;

import axc.bundle.Bundle;
import axc.bundle.BundleWriter;
import axc.ir.Epilogue;
import axc.ir.Graph;
import axc.ir.Node;
import axc.target.CompileContext;
import axc.target.Executable;
import axc.target.GraphExecutable;
import axc.target.Support;
import axc.target.Target;
import axc.target.TargetInfo;
import axc.target.TargetOptions;
import axc.target.reference.ReferenceTarget;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A test target that refuses some op kinds, so that compiled graphs really split between it and the
 * fallback: otherwise the reference interpreter (exact, so a partitioned run must give the same bits).
 * The refused kinds are op spellings; {@code rope} also refuses matmuls with a RoPE epilogue (the
 * passes fuse RoPE into the QKV projection). They come from the device string {@code refuse=a,b}
 * ({@code axc compile --device}), by default {@code attention} and {@code rope}.
 */
public final class RefusingTarget implements Target {
    public static final String ID = "refusing";
    private final ReferenceTarget base = new ReferenceTarget();
    private final String id;
    private final Set<String> refused;

    /** A target named {@code id} (tests that need a target that is not installed name another). */
    public RefusingTarget(String id, Set<String> refused) {
        this.id = id;
        this.refused = new TreeSet<>(refused);
    }

    public RefusingTarget(Set<String> refused) {
        this(ID, refused);
    }

    public RefusingTarget(String... refused) {
        this(Set.of(refused));
    }

    /** The target a device string {@code refuse=a,b} describes (no device: attention and RoPE refused). */
    public static RefusingTarget from(TargetOptions options) {
        String d = options.device();
        if (d == null) return new RefusingTarget("attention", "rope");
        if (!d.startsWith("refuse=")) throw new IllegalArgumentException("device '" + d + "': expected refuse=op,op,...");
        return new RefusingTarget(Set.copyOf(Arrays.asList(d.substring("refuse=".length()).split(","))));
    }

    @Override
    public TargetInfo info() {
        TargetInfo i = base.info();
        return new TargetInfo(id, "the reference interpreter, refusing " + String.join(", ", refused), i.apiVersion(), i.schemes(), List.of("all but " + refused));
    }

    @Override
    public Support supports(Node n) {
        if (refused.contains(n.op().spelling())) return Support.no(n.op().spelling() + " is not implemented on this test device");
        if (refused.contains("rope") && Epilogue.of(n).rope() != null) return Support.no("RoPE epilogue is not implemented on this test device");
        return Support.yes();
    }

    @Override
    public void compile(Graph g, CompileContext ctx, BundleWriter out) {
        base.compile(g, ctx, out);
    }

    @Override
    public Executable load(Bundle b) {
        return base.load(b);
    }

    @Override
    public GraphExecutable loadGraph(Bundle b) {
        return base.loadGraph(b);
    }

    @Override
    public GraphExecutable loadSegment(Bundle b, Graph segment) {
        return base.loadSegment(b, segment);
    }
}
