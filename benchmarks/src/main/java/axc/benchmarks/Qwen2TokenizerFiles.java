package axc.benchmarks;

import axc.formats.hf.TokenizerFiles;
import axc.formats.json.Json;
import axc.formats.tokenizer.AddedToken;
import axc.formats.tokenizer.PreTokenizer;
import axc.formats.tokenizer.TokenizerConfig;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The real Qwen2 tokenizer (shipped in the examples module) in the two forms the benchmark compares:
 * vocab.json + merges.txt + tokenizer_config.json as a Qwen2 checkpoint ships them, and the equivalent
 * tokenizer.json in the layout transformers' Qwen2 converter writes (NFC, Split(Qwen2 regex, Isolated),
 * ByteLevel without its own regex; BPE with the full vocabulary, merges and added tokens).
 */
final class Qwen2TokenizerFiles {
    private static final String RESOURCES = "/axc/examples/qwen2-tokenizer/";

    private Qwen2TokenizerFiles() {
    }

    /** Copies vocab.json, merges.txt and tokenizer_config.json into {@code dir}. */
    static void writeHfFiles(Path dir) throws IOException {
        for (String f : List.of("vocab.json", "merges.txt", "tokenizer_config.json")) {
            try (InputStream in = Qwen2TokenizerFiles.class.getResourceAsStream(RESOURCES + f)) {
                if (in == null) throw new IllegalStateException("missing resource " + RESOURCES + f);
                Files.copy(in, dir.resolve(f));
            }
        }
    }

    /** Writes {@code target}/tokenizer.json from the files {@link #writeHfFiles} put in {@code hfDir}. */
    static Path writeTokenizerJson(Path hfDir, Path target) throws IOException {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (AddedToken t : TokenizerConfig.read(TokenizerFiles.scan(hfDir)).addedTokens()) {
            added.addObject().put("id", t.id()).put("content", t.content()).put("single_word", false).put("lstrip", false)
                    .put("rstrip", false).put("normalized", false).put("special", t.special());
        }
        root.putObject("normalizer").put("type", "NFC");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "Sequence");
        ArrayNode steps = pre.putArray("pretokenizers");
        ObjectNode split = steps.addObject();
        split.put("type", "Split");
        split.putObject("pattern").put("Regex", PreTokenizer.QWEN2_PATTERN);
        split.put("behavior", "Isolated");
        split.put("invert", false);
        byteLevel(steps.addObject());
        byteLevel(root.putObject("post_processor"));
        byteLevel(root.putObject("decoder"));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        model.set("vocab", Json.read(hfDir.resolve("vocab.json")));
        ArrayNode merges = model.putArray("merges");
        List<String> lines = Files.readAllLines(hfDir.resolve("merges.txt"), StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.isEmpty() || (i == 0 && l.startsWith("#version"))) continue;
            merges.add(l);
        }
        Path file = target.resolve("tokenizer.json");
        Json.MAPPER.writeValue(file.toFile(), root);
        return file;
    }

    private static void byteLevel(ObjectNode n) {
        n.put("type", "ByteLevel");
        n.put("add_prefix_space", false);
        n.put("trim_offsets", false);
        n.put("use_regex", false);
    }
}
