package axc.testkit;

import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.Op;
import axc.ir.WeightScheme;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Weight schemes as targets list them ({@code TargetInfo.schemes()}: {@code f32}, {@code q4_k},
 * {@code gptq-int4}, {@code int8}, {@code w8a8}, ...) and as the IR spells them, and what shapes each
 * can store.
 */
public final class Schemes {
    /** Group size used for a listed {@code gptq-int4} without one (the {@code int4-gptq-g128} preset's). */
    public static final int GPTQ_GROUP = 128;

    private Schemes() {
    }

    /** The IR scheme a listed name stands for, if any ({@code gptq-int4} is GPTQ with groups of 128, {@code int8} is int8 per channel). */
    public static Optional<WeightScheme> parse(String listed) {
        String s = listed.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        switch (s) {
            case "int8", "int8_channel", "int8_per_channel" -> {
                return Optional.of(new WeightScheme.Int8Channel(false));
            }
            case "w8a8", "w8a8_sq" -> {
                return Optional.of(new WeightScheme.Int8Channel(true));
            }
            case "gptq_int4", "gptq", "int4_gptq" -> {
                return Optional.of(new WeightScheme.GptqInt4(GPTQ_GROUP));
            }
            default -> {
            }
        }
        try {
            return Optional.of(WeightScheme.parse(s));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The IR schemes of a target's list, in its order, without the names that stand for none. */
    public static List<WeightScheme> parseAll(List<String> listed) {
        Set<WeightScheme> out = new LinkedHashSet<>();
        for (String l : listed) parse(l).ifPresent(out::add);
        return List.copyOf(out);
    }

    /** The short name used in reports and bounds: the IR spelling ({@code q4_k}, {@code gptq_int4_g128}, {@code int8_channel}). */
    public static String name(WeightScheme s) {
        return s.spelling();
    }

    /** Whether a {@code rows x cols} matrix can be stored in {@code s}. */
    public static boolean fits(WeightScheme s, long rows, long cols) {
        return switch (s) {
            case WeightScheme.Stored st -> cols % st.dtype().blockSize() == 0;
            case WeightScheme.GptqInt4 g -> cols % g.groupSize() == 0 && cols % 8 == 0 && rows % 8 == 0;
            case WeightScheme.Int8Channel i -> true;
        };
    }

    /** Input widths ({@code cols}) that {@code s} stores: the smallest multiple of its block, and twice that. */
    public static int width(WeightScheme s) {
        return switch (s) {
            case WeightScheme.Stored st -> st.dtype().blockSize() == 1 ? 48 : Math.max(64, st.dtype().blockSize());
            case WeightScheme.GptqInt4 g -> Math.max(64, 2 * g.groupSize());
            case WeightScheme.Int8Channel i -> 48;
        };
    }

    /**
     * {@code g} with every matrix stored in a scheme of {@code allowed} that fits its shape: a param
     * keeps its scheme when it can, else takes {@code fallback} (a float scheme, which fits any shape);
     * weights read by one op end up sharing one scheme, and ops' {@code scheme} attributes follow their
     * weights. Vector params not stored as a listed float type become {@code fallback} as well.
     * Used to run generators written for dense weights ({@code RandomGraphs}, {@code RandomQwenBlocks})
     * on real stored weights.
     */
    public static Graph adapt(Graph g, List<WeightScheme> allowed, WeightScheme fallback) {
        Map<Integer, WeightScheme> chosen = new HashMap<>();
        for (Node p : g.params()) {
            WeightScheme s = p.scheme();
            boolean ok = allowed.contains(s) && (p.type().rank() == 1 ? s.isFloat() : fits(s, p.type().dim(0).size(), p.type().dim(1).size()));
            chosen.put(p.id(), ok ? s : fallback);
        }
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Node n : g.nodes()) {
                if (n.op() == Op.PARAM || !n.attrs().has("scheme")) continue;
                Set<WeightScheme> ws = new LinkedHashSet<>();
                List<Integer> mats = matrices(g, n);
                for (int id : mats) ws.add(chosen.get(id));
                if (ws.size() > 1) {
                    for (int id : mats) chosen.put(id, fallback);
                    changed = true;
                }
            }
        }
        List<Node> nodes = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (n.op() == Op.PARAM) {
                nodes.add(n.withAttrs(n.attrs().with("scheme", chosen.get(n.id()).spelling())));
            } else if (n.attrs().has("scheme") && !matrices(g, n).isEmpty()) {
                nodes.add(n.withAttrs(n.attrs().with("scheme", chosen.get(matrices(g, n).getFirst()).spelling())));
            } else {
                nodes.add(n);
            }
        }
        return new Graph(g.name(), nodes, g.outputs());
    }

    private static List<Integer> matrices(Graph g, Node n) {
        List<Integer> out = new ArrayList<>();
        for (int in : n.inputs()) {
            Node i = g.node(in);
            if (i.op() == Op.PARAM && i.type().rank() == 2) out.add(in);
        }
        return out;
    }
}
