package axc.formats.tokenizer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Just enough of GGUF to take the tokenizer out of llama.cpp's vocab-only test files: the key/value
 * section, with string and integer arrays. Test-only; tensors and most value types are skipped.
 */
final class GgufVocab {
    final List<String> tokens = new ArrayList<>();
    final List<String> merges = new ArrayList<>();
    final List<Integer> tokenTypes = new ArrayList<>();

    static GgufVocab read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt() != 0x46554747) throw new IOException(file + ": not GGUF");
        int version = b.getInt();
        if (version < 2) throw new IOException(file + ": GGUF v" + version);
        b.getLong(); // tensor count
        long kvs = b.getLong();
        GgufVocab v = new GgufVocab();
        Map<String, Object> kv = new HashMap<>();
        for (long i = 0; i < kvs; i++) {
            String key = string(b);
            int type = b.getInt();
            kv.put(key, value(b, type));
        }
        for (Object o : (List<?>) kv.get("tokenizer.ggml.tokens")) v.tokens.add((String) o);
        for (Object o : (List<?>) kv.get("tokenizer.ggml.merges")) v.merges.add((String) o);
        Object types = kv.get("tokenizer.ggml.token_type");
        if (types != null) for (Object o : (List<?>) types) v.tokenTypes.add(((Number) o).intValue());
        return v;
    }

    private static String string(ByteBuffer b) {
        byte[] s = new byte[Math.toIntExact(b.getLong())];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    private static Object value(ByteBuffer b, int type) {
        return switch (type) {
            case 0, 1 -> b.get();
            case 2, 3 -> b.getShort();
            case 4, 5 -> b.getInt();
            case 6 -> b.getFloat();
            case 7 -> b.get() != 0;
            case 8 -> string(b);
            case 9 -> {
                int elem = b.getInt();
                long n = b.getLong();
                List<Object> list = new ArrayList<>();
                for (long i = 0; i < n; i++) list.add(value(b, elem));
                yield list;
            }
            case 10, 11 -> b.getLong();
            case 12 -> b.getDouble();
            default -> throw new IllegalStateException("GGUF value type " + type);
        };
    }
}
