package axc.compile;

import axc.errors.InvalidInputException;
import axc.formats.json.Json;
import axc.model.LanguageModel;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Golden vectors stored in an artifact so it can be checked where it runs, without the checkpoint:
 * token-id prompts, the reference's argmax at every position, and its full logits at the last
 * position ({@code golden/prompts.json}, {@code golden/logits.f32}).
 */
public record Golden(List<int[]> prompts, List<int[]> argmax, List<float[]> lastLogits) {
    public static final String PROMPTS = "golden/prompts.json";
    public static final String LOGITS = "golden/logits.f32";
    /**
     * Optional, written by a target whose artifacts compute differently from the float reference on
     * purpose (the npu target's W8A8): {@code {"max_nmse": x, "min_top1": y}}, the golden check's
     * defaults for the artifact instead of 1e-4 and 0.99.
     */
    public static final String TOLERANCE = "golden/tolerance.json";

    /** Runs {@code model} on {@code prompts} and records what it computes. */
    public static Golden record(LanguageModel model, List<int[]> prompts) {
        List<int[]> am = new ArrayList<>();
        List<float[]> last = new ArrayList<>();
        for (int[] p : prompts) {
            float[][] l = model.newSession(p.length).prefill(p);
            int[] a = new int[p.length];
            for (int i = 0; i < p.length; i++) a[i] = argmax(l[i]);
            am.add(a);
            last.add(l[l.length - 1]);
        }
        return new Golden(prompts, am, last);
    }

    public byte[] promptsJson() {
        ArrayNode arr = Json.MAPPER.createArrayNode();
        for (int i = 0; i < prompts.size(); i++) {
            ObjectNode o = arr.addObject();
            ArrayNode ids = o.putArray("ids");
            for (int t : prompts.get(i)) ids.add(t);
            ArrayNode a = o.putArray("argmax");
            for (int t : argmax.get(i)) a.add(t);
            o.put("logits", lastLogits.get(i).length);
        }
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(arr);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public byte[] logitsBytes() {
        int n = lastLogits.stream().mapToInt(l -> l.length).sum();
        ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] l : lastLogits) for (float v : l) b.putFloat(v);
        return b.array();
    }

    public static Golden parse(byte[] promptsJson, byte[] logits, Path where) {
        JsonNode arr = Json.parse(promptsJson, where + " (" + PROMPTS + ")");
        ByteBuffer b = ByteBuffer.wrap(logits).order(ByteOrder.LITTLE_ENDIAN);
        List<int[]> ps = new ArrayList<>(), am = new ArrayList<>();
        List<float[]> last = new ArrayList<>();
        for (JsonNode o : arr) {
            ps.add(ints(o.get("ids")));
            am.add(ints(o.get("argmax")));
            int n = o.path("logits").asInt(-1);
            if (n < 0 || n > b.remaining() / 4) throw InvalidInputException.of(where, "golden logits are truncated");
            float[] l = new float[n];
            for (int i = 0; i < n; i++) l[i] = b.getFloat();
            last.add(l);
        }
        return new Golden(ps, am, last);
    }

    private static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }

    static int argmax(float[] l) {
        int a = 0;
        for (int i = 1; i < l.length; i++) if (l[i] > l[a]) a = i;
        return a;
    }
}
