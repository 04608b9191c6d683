package axc.quant.safetensors;

import axc.AxcVersion;
import axc.errors.InvalidInputException;
import axc.errors.UnsupportedFeatureException;
import axc.formats.convert.HfToGguf;
import axc.formats.convert.TensorCopy;
import axc.formats.dtype.DType;
import axc.formats.hf.HfCheckpoint;
import axc.formats.io.AtomicOutput;
import axc.formats.io.SegmentIo;
import axc.formats.json.Json;
import axc.formats.safetensors.SafetensorsWriter;
import axc.formats.tensor.TensorInfo;
import axc.formats.tokenizer.Tokenizer;
import axc.progress.Progress;
import axc.quant.QuantizeReport;
import axc.quant.TensorError;
import axc.quant.calib.Calibration;
import axc.quant.recipe.Recipe;
import axc.quant.scheme.Int4Group;
import axc.quant.scheme.QuantScheme;
import axc.quant.scheme.QuantizedMatrix;
import axc.quant.scheme.W8A8;
import axc.reference.ReferenceModel;
import axc.reference.Weights;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Integer quantization to a Hugging Face folder: int4 grouped (RTN, AWQ or GPTQ) in GPTQ's packed
 * layout, int8 per channel and W8A8 in compressed-tensors' layout. Tensors are written in layer order
 * and each layer is quantized when the writer first reaches it, so the model is never held in memory.
 */
public final class SafetensorsQuantizer {
    private static final Pattern LAYER = Pattern.compile("model\\.layers\\.(\\d+)\\.");

    private SafetensorsQuantizer() {
    }

    public static QuantizeReport quantize(HfCheckpoint ck, Path out, Recipe recipe, Path calibFile, boolean provenance, Progress progress) {
        QuantScheme scheme = Schemes.of(recipe);
        if (ck.config().quantization() != null) throw new InvalidInputException(ck.dir() + ": already quantized");
        Weights weights = new Weights(ck.tensors(), ck.config(), ck.dir());
        ReferenceModel model = new ReferenceModel(weights);
        Tokenizer tok = Tokenizer.load(ck.dir());
        int maxTokens = intOption(recipe, "calibration_tokens", 512);
        int seqLen = intOption(recipe, "sequence_length", 128);
        Calibration calib = Calibration.of(calibFile, tok, maxTokens, seqLen);
        Set<String> keepFloat = keepFloat(ck, recipe);
        LayerwiseSession session = new LayerwiseSession(model, weights, recipe, scheme, keepFloat, calib.sequences(), progress);
        List<TensorError> errors = new ArrayList<>();
        List<SafetensorsWriter.Entry> entries = entries(ck, scheme, keepFloat, session, errors);
        Map<String, String> meta = new TreeMap<>();
        meta.put("format", "pt");
        if (provenance) {
            meta.put("axc.version", AxcVersion.version());
            meta.put("axc.recipe", recipe.toJson());
            meta.put("axc.seed", "0");
            meta.put("axc.calibration_sha256", calib.sha256());
            meta.put("axc.calibration_tokens", Integer.toString(calib.tokens()));
        }
        long t0 = System.nanoTime();
        progress.start("quantize " + ck.dir().getFileName() + " -> " + out.getFileName() + " (" + recipe.name() + ", "
                + calib.tokens() + " calibration tokens)", ck.config().numLayers(), "layers");
        List<String> files = new ArrayList<>();
        AtomicOutput.writeDirectory(out, tmp -> {
            SafetensorsWriter.write(tmp.resolve("model.safetensors"), entries, meta);
            files.add("model.safetensors");
            ObjectNode cfg = (ObjectNode) Json.read(ck.dir().resolve("config.json"));
            cfg.set("quantization_config", quantizationConfig(scheme, recipe, keepFloat));
            Files.writeString(tmp.resolve("config.json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(cfg) + "\n");
            ck.tokenizer().copyTo(tmp);
        });
        double secs = (System.nanoTime() - t0) / 1e9;
        progress.done(String.format("%d layers in %.1f s", ck.config().numLayers(), secs));
        errors.sort(java.util.Comparator.comparing(TensorError::name));
        return new QuantizeReport(out.toString(), "safetensors", recipe.name(), recipe.algorithm(), entries.size(),
                out.resolve("model.safetensors").toFile().length(), secs, errors);
    }

    private static int intOption(Recipe r, String key, int dflt) {
        Object v = r.options().get(key);
        return v instanceof Number n ? n.intValue() : dflt;
    }

    /** Layer matrices a recipe rule keeps in floating point. */
    static Set<String> keepFloat(HfCheckpoint ck, Recipe recipe) {
        Set<String> keep = new HashSet<>();
        for (int l = 0; l < ck.config().numLayers(); l++) {
            for (LayerPlan.Linear lin : LayerPlan.of(ck.config(), l)) {
                String o = recipe.override(lin.name(), axc.formats.convert.GgufNames.toGguf(lin.name()).orElse(null));
                if (o == null) continue;
                if (!o.equals("f32") && !o.equals("f16") && !o.equals("bf16")) {
                    throw new UnsupportedFeatureException("recipe rule gives " + lin.name() + " '" + o + "': a quantized safetensors checkpoint has one integer scheme; rules may only keep tensors in f32/f16/bf16");
                }
                keep.add(lin.name());
            }
        }
        return keep;
    }

    static List<SafetensorsWriter.Entry> entries(HfCheckpoint ck, QuantScheme scheme, Set<String> keepFloat, LayerwiseSession s, List<TensorError> errors) {
        List<SafetensorsWriter.Entry> out = new ArrayList<>();
        // One packer per tensor, shared by its four entries (the packing is not redone per entry).
        Map<String, GptqPacker> packers = new java.util.HashMap<>();
        Set<String> linears = new HashSet<>();
        for (int l = 0; l < ck.config().numLayers(); l++) for (LayerPlan.Linear lin : LayerPlan.of(ck.config(), l)) linears.add(lin.name());
        for (TensorInfo t : HfToGguf.ordered(ck.tensors())) {
            int layer = layerOf(t.name());
            if (linears.contains(t.name()) && !keepFloat.contains(t.name())) {
                String base = t.name().substring(0, t.name().length() - ".weight".length());
                int rows = (int) t.dim(0), cols = (int) t.dim(1);
                if (scheme instanceof Int4Group g) {
                    int groups = cols / g.groupSize();
                    if (cols % g.groupSize() != 0) throw new InvalidInputException(t.name() + ": " + cols + " columns do not split into groups of " + g.groupSize());
                    java.util.function.Supplier<GptqPacker> packer = () -> packers.computeIfAbsent(t.name(),
                            n -> new GptqPacker(s.layer(layer).matrices().get(n)));
                    out.add(new SafetensorsWriter.Entry(base + ".qweight", DType.I32, new long[]{cols / 8, rows}, ch -> {
                        errors.add(s.layer(layer).errors().get(t.name()));
                        SegmentIo.write(ch, ByteBuffer.wrap(packer.get().qweight()));
                    }));
                    out.add(new SafetensorsWriter.Entry(base + ".qzeros", DType.I32, new long[]{groups, rows / 8},
                            ch -> SegmentIo.write(ch, ByteBuffer.wrap(packer.get().qzeros()))));
                    out.add(new SafetensorsWriter.Entry(base + ".scales", DType.F16, new long[]{groups, rows},
                            ch -> SegmentIo.write(ch, ByteBuffer.wrap(packer.get().scalesF16()))));
                    out.add(new SafetensorsWriter.Entry(base + ".g_idx", DType.I32, new long[]{cols},
                            ch -> SegmentIo.write(ch, ByteBuffer.wrap(packers.remove(t.name()).gIdx()))));
                } else {
                    out.add(new SafetensorsWriter.Entry(t.name(), DType.I8, new long[]{rows, cols}, ch -> {
                        LayerResult r = s.layer(layer);
                        errors.add(r.errors().get(t.name()));
                        SegmentIo.write(ch, ByteBuffer.wrap(r.matrices().get(t.name()).q()));
                    }));
                    out.add(new SafetensorsWriter.Entry(base + ".weight_scale", DType.F32, new long[]{rows, 1}, ch -> {
                        QuantizedMatrix q = s.layer(layer).matrices().get(t.name());
                        ByteBuffer b = ByteBuffer.allocate(4 * rows).order(ByteOrder.LITTLE_ENDIAN);
                        for (int r = 0; r < rows; r++) b.putFloat(q.scales()[r]);
                        SegmentIo.write(ch, b.flip());
                    }));
                }
            } else if (layer >= 0 && t.rank() == 1 && (t.name().endsWith("layernorm.weight"))) {
                // Norms may be rescaled by AWQ/SmoothQuant: always written from the layer's result, in F32.
                out.add(new SafetensorsWriter.Entry(t.name(), DType.F32, t.shape(), ch -> {
                    float[] v = s.layer(layer).vectors().get(t.name());
                    if (v == null) {
                        TensorCopy.write(ck.tensors(), t, DType.F32, ch);
                    } else {
                        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
                        for (float x : v) b.putFloat(x);
                        SegmentIo.write(ch, b.flip());
                    }
                }));
            } else {
                DType keep = t.dtype();
                out.add(new SafetensorsWriter.Entry(t.name(), keep, t.shape(), ch -> {
                    if (layer >= 0) {
                        float[] v = s.layer(layer).vectors().get(t.name());
                        if (v != null) {
                            axc.formats.convert.TensorCast.writeFloats(v, 0, v.length, keep, ch);
                            return;
                        }
                    }
                    TensorCopy.write(ck.tensors(), t, keep, ch);
                }));
            }
        }
        return out;
    }

    static int layerOf(String name) {
        Matcher m = LAYER.matcher(name);
        return m.lookingAt() ? Integer.parseInt(m.group(1)) : -1;
    }

    static ObjectNode quantizationConfig(QuantScheme scheme, Recipe recipe, Set<String> keepFloat) {
        ObjectNode q = Json.MAPPER.createObjectNode();
        List<String> skip = new ArrayList<>(new java.util.TreeSet<>(keepFloat));
        if (scheme instanceof Int4Group g) {
            q.put("quant_method", "gptq");
            q.put("bits", 4);
            q.put("group_size", g.groupSize());
            q.put("desc_act", Boolean.parseBoolean(String.valueOf(recipe.options().getOrDefault("act_order", "false"))));
            q.put("sym", g.symmetric());
            q.put("damp_percent", 0.01);
            q.put("true_sequential", true);
            q.put("static_groups", false);
            q.put("checkpoint_format", "gptq");
            q.put("axc_algorithm", recipe.algorithm());
            var a = q.putArray("modules_to_not_convert");
            skip.forEach(n -> a.add(n.substring(0, n.length() - ".weight".length())));
        } else {
            q.put("quant_method", "compressed-tensors");
            q.put("format", "int-quantized");
            q.put("quantization_status", "compressed");
            ObjectNode g = q.putObject("config_groups").putObject("group_0");
            g.putArray("targets").add("Linear");
            ObjectNode w = g.putObject("weights");
            w.put("num_bits", 8);
            w.put("type", "int");
            w.put("symmetric", true);
            w.put("strategy", "channel");
            w.put("dynamic", false);
            if (scheme instanceof W8A8) {
                ObjectNode a = g.putObject("input_activations");
                a.put("num_bits", 8);
                a.put("type", "int");
                a.put("symmetric", true);
                a.put("strategy", "token");
                a.put("dynamic", true);
            } else {
                g.putNull("input_activations");
            }
            var ig = q.putArray("ignore");
            ig.add("lm_head");
            skip.forEach(n -> ig.add(n.substring(0, n.length() - ".weight".length())));
            q.put("axc_algorithm", recipe.algorithm());
        }
        return q;
    }
}
