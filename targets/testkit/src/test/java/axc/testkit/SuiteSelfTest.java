package axc.testkit;

import axc.bundle.Bundle;
import axc.bundle.BundleWriter;
import axc.interp.Tensor;
import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.Op;
import axc.ir.WeightScheme;
import axc.passes.FuseQkv;
import axc.target.Availability;
import axc.target.CompileContext;
import axc.target.Executable;
import axc.target.FusionPattern;
import axc.target.GraphExecutable;
import axc.target.Support;
import axc.target.Target;
import axc.target.TargetInfo;
import axc.target.TargetOptions;
import axc.target.TargetProvider;
import axc.target.reference.ReferenceTarget;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The suite fails a wrong target, reports (not fails) refused nodes, and checks declared fusion patterns. */
class SuiteSelfTest {
    /** The reference target with hooks: outputs scaled by {@code 1 + error}, nodes refused, patterns declared. */
    static final class Mutant implements Target {
        final Target base = new ReferenceTarget();
        final float error;
        final Op refused;
        final List<FusionPattern> patterns;

        Mutant(float error, Op refused, List<FusionPattern> patterns) {
            this.error = error;
            this.refused = refused;
            this.patterns = patterns;
        }

        @Override
        public TargetInfo info() {
            TargetInfo i = base.info();
            return new TargetInfo("mutant", "reference with faults", i.apiVersion(), i.schemes(), i.ops());
        }

        @Override
        public Support supports(Node node) {
            return node.op() == refused ? Support.no(refused.spelling() + " is not implemented") : Support.yes();
        }

        @Override
        public List<FusionPattern> fusionPatterns() {
            return patterns;
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
            GraphExecutable exe = base.loadGraph(b);
            return new GraphExecutable() {
                @Override
                public Graph graph() {
                    return exe.graph();
                }

                @Override
                public Session newSession(int capacity) {
                    Session s = exe.newSession(capacity);
                    return inputs -> {
                        List<Tensor> out = new ArrayList<>();
                        for (Tensor t : s.run(inputs)) {
                            float[] f = t.floats().clone();
                            for (int i = 0; i < f.length; i++) f[i] *= 1 + error;
                            out.add(Tensor.f32(f, t.shape()));
                        }
                        return out;
                    };
                }

                @Override
                public void close() {
                    exe.close();
                }
            };
        }
    }

    static final class MutantSuite extends TargetConformanceSuite {
        final Mutant target;

        MutantSuite(Mutant target) {
            this.target = target;
        }

        @Override
        protected TargetProvider provider() {
            return new TargetProvider() {
                @Override
                public String id() {
                    return "mutant";
                }

                @Override
                public Availability probe() {
                    return Availability.yes();
                }

                @Override
                public Target create(TargetOptions options) {
                    return target;
                }
            };
        }

        void check(OpCases.Case c) throws Exception {
            checkGraph("op", c.name(), c.graph(), 1);
        }
    }

    static OpCases.Case matmul(WeightScheme s) {
        return OpCases.withWeights(s, WeightScheme.F32).getFirst();
    }

    @Test
    void anErrorOverTheSchemesBoundFails() throws Exception {
        MutantSuite suite = new MutantSuite(new Mutant(1e-4f, null, List.of()));
        // nmse of a relative error e is e^2 = 1e-8: over f32's 1e-10, under q4_k's 1e-3.
        assertThrows(AssertionFailedError.class, () -> suite.check(matmul(WeightScheme.F32)));
        suite.check(matmul(WeightScheme.parse("q4_k")));
        assertEquals(2, suite.report().comparisons().size());
        assertTrue(suite.report().summary().contains("1 over bound"), suite.report().summary());
    }

    @Test
    void refusedNodesAreReportedNotFailed() {
        MutantSuite suite = new MutantSuite(new Mutant(0, Op.MATMUL, List.of()));
        assertThrows(TestAbortedException.class, () -> suite.check(matmul(WeightScheme.F32)));
        assertEquals(1, suite.report().unsupported().size());
        String summary = suite.report().summary();
        assertTrue(summary.contains("matmul {scheme=f32}: matmul is not implemented"), summary);
    }

    @Test
    void declaredFusionPatternsAreChecked() {
        MutantSuite suite = new MutantSuite(new Mutant(0, null, List.of(new FusionPattern("qkv", new FuseQkv()))));
        suite.fusedVsUnfused().forEach(t -> {
            try {
                t.getExecutable().execute();
            } catch (Throwable e) {
                throw new AssertionError(t.getDisplayName(), e);
            }
        });
        long checked = suite.report().comparisons().stream().filter(c -> c.check().equals("fusion-target")).count();
        assertEquals(suite.qwenBlockCount(), checked);
    }
}
