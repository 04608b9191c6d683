package axc.bundle;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A second target's entries: written under part/<id>/ by its writer, seen without the prefix in its view, never mixed with the first's. */
class BundlePartTest {
    @Test
    void aPartSeesItsOwnEntriesAndTheSharedOnesButNotTheTargetsWeightsOrCode(@TempDir Path dir) {
        BundleWriter w = Fixtures.writerWith(Fixtures.sample());
        BundleWriter cpu = w.part("cpu");
        byte[] own = Fixtures.random(9, 700);
        cpu.add("weights/model.embed_tokens.weight", own);
        cpu.add("weights/index.json", "[]".getBytes());
        assertEquals(List.of("weights/index.json", "weights/model.embed_tokens.weight"), cpu.names());
        assertTrue(w.names().contains("part/cpu/weights/index.json"));
        assertThrows(IllegalStateException.class, () -> cpu.seed(1), "a part writer only adds entries");
        assertThrows(IllegalStateException.class, () -> cpu.finish(dir.resolve("x.axc")));
        Path file = dir.resolve("a.axc");
        w.finish(file);
        try (Bundle b = Bundle.open(file, VerificationCache.none())) {
            b.verify();
            Bundle view = b.part("cpu");
            assertArrayEquals(own, view.bytes("weights/model.embed_tokens.weight"));
            assertArrayEquals(b.bytes("config.json"), view.bytes("config.json"), "shared entries are shared");
            assertFalse(view.contains("weights/model.layers.0.mlp.down_proj.weight"), "the target's weights are not the part's");
            assertFalse(view.contains("code/plan.bin"), "nor its code");
            assertFalse(view.contains("part/cpu/weights/index.json"));
            assertEquals(List.of("config.json", "golden/empty", "tokenizer.json", "weights/index.json", "weights/model.embed_tokens.weight"), view.names());
            assertFalse(b.part("npu").contains("weights/index.json"), "another part has none of cpu's entries");
            view.close(); // a view leaves the mapping to its artifact
            assertEquals(b.bytes("config.json")[0], b.data("config.json").get(ValueLayout.JAVA_BYTE, 0));
        }
    }
}
