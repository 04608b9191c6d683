package axc.example.scalar;

import axc.ir.Op;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** The ops the scalar example runs. Adding one: a case in {@link ScalarGraph#step}, then its name here. */
final class ScalarOps {
    private static final Set<Op> RUNS = EnumSet.of(Op.INPUT, Op.PARAM, Op.ADD, Op.MUL, Op.SILU, Op.SWIGLU, Op.RMS_NORM, Op.MATMUL,
            Op.BIAS_ADD, Op.SLICE);

    private ScalarOps() {
    }

    static boolean runs(Op op) {
        return RUNS.contains(op);
    }

    static List<String> names() {
        return RUNS.stream().filter(o -> o != Op.INPUT && o != Op.PARAM).map(Op::spelling).toList();
    }
}
