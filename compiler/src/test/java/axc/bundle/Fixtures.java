package axc.bundle;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/** Entries and writers for the bundle tests. */
final class Fixtures {
    private Fixtures() {
    }

    static BundleWriter writer() {
        return new BundleWriter().target("cpu", "1");
    }

    static Manifest emptyManifest() {
        return new Manifest(Manifest.FORMAT, "test", "cpu", "1", JsonNodeFactory.instance.objectNode(), new TreeMap<>(),
                null, 0, List.of(), List.of());
    }

    static byte[] random(long seed, int size) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** A small artifact's entries: configs, a weight that is not a multiple of 512, an empty entry. */
    static Map<String, byte[]> sample() {
        Map<String, byte[]> m = new TreeMap<>();
        m.put("config.json", "{\"hidden_size\": 64}\n".getBytes());
        m.put("tokenizer.json", random(1, 3000));
        m.put("weights/model.layers.0.mlp.down_proj.weight", random(2, 4096 + 17));
        m.put("weights/model.embed_tokens.weight", random(3, 512));
        m.put("golden/empty", new byte[0]);
        m.put("code/plan.bin", random(4, 1));
        return m;
    }

    static BundleWriter writerWith(Map<String, byte[]> entries) {
        BundleWriter w = writer();
        entries.forEach(w::add);
        return w;
    }
}
