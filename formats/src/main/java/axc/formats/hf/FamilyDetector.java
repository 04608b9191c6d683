package axc.formats.hf;

import axc.errors.InvalidInputException;
import axc.errors.UnsupportedFeatureException;
import axc.formats.tensor.TensorInfo;
import axc.formats.tensor.TensorStore;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Recognises the family from the tensors as well as the config, and checks that every tensor the family
 * needs is present with the shape the config implies. A derived model (its own architecture name, a
 * different vocabulary, an untied head) is accepted when its tensors say it is a Qwen2 or Qwen3.
 */
public final class FamilyDetector {
    private FamilyDetector() {
    }

    public static ModelConfig confirm(ModelConfig cfg, TensorStore store, Path where) {
        boolean hasQNorm = store.contains(HfNames.qNorm(0));
        boolean hasQBias = store.contains(HfNames.qBias(0));
        if (store.tensors().stream().anyMatch(t -> t.name().contains(".experts."))) {
            throw new UnsupportedFeatureException(where + ": tensor '" + store.tensors().stream().filter(t -> t.name().contains(".experts.")).findFirst().get().name()
                    + "': mixture-of-experts weights are not supported");
        }
        Family byTensors = hasQNorm ? Family.QWEN3 : Family.QWEN2;
        if (cfg.family() != null && cfg.family() != byTensors) {
            throw InvalidInputException.of(where, "config says " + cfg.family().hfArchitecture() + " but the tensors are "
                    + byTensors.hfArchitecture() + (hasQNorm ? " (q_norm present)" : " (no q_norm)"));
        }
        if (byTensors == Family.QWEN3 && hasQBias) {
            throw new UnsupportedFeatureException(where + ": tensor '" + HfNames.qBias(0) + "': q_norm together with qkv bias is not a known Qwen layout");
        }
        ModelConfig c = cfg.withFamily(byTensors);
        checkShapes(c, store, where);
        return c;
    }

    /** The quantization layout of the checkpoint being checked (layer matrices are stored packed). */
    private static final ThreadLocal<QuantizationConfig> CURRENT = new ThreadLocal<>();

    /** Checks the packed tensors that stand for a quantized {@code [out, in]} matrix. */
    private static void expectQuantized(TensorStore s, Path where, String weightName, QuantizationConfig q, long out, long in) {
        String base = weightName.substring(0, weightName.length() - ".weight".length());
        if (q.gptq()) {
            if (in % 8 != 0 || out % 8 != 0 || in % q.groupSize() != 0) {
                throw InvalidInputException.of(where, base + ": [" + out + ", " + in + "] does not pack into GPTQ int4 groups of " + q.groupSize());
            }
            expectShape(s, where, base + ".qweight", in / 8, out);
            expectShape(s, where, base + ".qzeros", in / q.groupSize(), out / 8);
            expectShape(s, where, base + ".scales", in / q.groupSize(), out);
        } else {
            expectShape(s, where, weightName, out, in);
            expectShape(s, where, base + ".weight_scale", out, 1);
        }
    }

    private static void expectShape(TensorStore s, Path where, String name, long... shape) {
        TensorInfo t = s.find(name).orElseThrow(() -> InvalidInputException.of(where, "tensor " + name + " is missing"));
        if (!Arrays.equals(t.shape(), shape)) {
            throw InvalidInputException.of(where, "tensor " + name + " has shape " + t.shapeString() + " but the config implies " + Arrays.toString(shape));
        }
    }

    /** Refuses {@code s} (under Hugging Face names) when a tensor is missing or its shape is not the one {@code c} implies. */
    public static void checkShapes(ModelConfig c, TensorStore s, Path where) {
        CURRENT.set(c.quantization());
        try {
            checkShapesOf(c, s, where);
        } finally {
            CURRENT.remove();
        }
    }

    private static void checkShapesOf(ModelConfig c, TensorStore s, Path where) {
        long h = c.hiddenSize();
        expect(s, where, HfNames.EMBED, c.vocabSize(), h);
        expect(s, where, HfNames.FINAL_NORM, h);
        if (!c.tieWordEmbeddings()) {
            expect(s, where, HfNames.LM_HEAD, c.vocabSize(), h);
        }
        for (int l = 0; l < c.numLayers(); l++) {
            expect(s, where, HfNames.attnNorm(l), h);
            expect(s, where, HfNames.ffnNorm(l), h);
            expect(s, where, HfNames.q(l), c.qDim(), h);
            expect(s, where, HfNames.k(l), c.kvDim(), h);
            expect(s, where, HfNames.v(l), c.kvDim(), h);
            expect(s, where, HfNames.o(l), h, c.qDim());
            expect(s, where, HfNames.gate(l), c.intermediateSize(), h);
            expect(s, where, HfNames.up(l), c.intermediateSize(), h);
            expect(s, where, HfNames.down(l), h, c.intermediateSize());
            if (c.family() == Family.QWEN2) {
                expect(s, where, HfNames.qBias(l), c.qDim());
                expect(s, where, HfNames.kBias(l), c.kvDim());
                expect(s, where, HfNames.vBias(l), c.kvDim());
            } else {
                expect(s, where, HfNames.qNorm(l), c.headDim());
                expect(s, where, HfNames.kNorm(l), c.headDim());
            }
        }
    }

    private static void expect(TensorStore s, Path where, String name, long... shape) {
        QuantizationConfig q = CURRENT.get();
        boolean keptFloat = s.find(name).map(t -> t.dtype().isFloatStorage()).orElse(false);
        if (q != null && !keptFloat && shape.length == 2 && !name.equals(HfNames.EMBED) && !name.equals(HfNames.LM_HEAD)) {
            expectQuantized(s, where, name, q, shape[0], shape[1]);
            return;
        }
        TensorInfo t = s.find(name).orElseThrow(() -> InvalidInputException.of(where, "tensor " + name + " is missing"));
        if (!Arrays.equals(t.shape(), shape)) {
            throw InvalidInputException.of(where, "tensor " + name + " has shape " + t.shapeString() + " but the config implies " + Arrays.toString(shape));
        }
    }
}
