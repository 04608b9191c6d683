package axc.cli.malformed;

import axc.examples.ExampleModels;
import axc.formats.json.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

/**
 * Copies of the shipped trained model, one per malformed case. Unchanged files are hard links to
 * one extracted original (the weights are 22 MB), so a changed file is always written anew, never
 * through the link.
 */
final class ModelFolder {
    static final String WEIGHTS = "model.safetensors";
    private final Path base;
    private final Path root;

    ModelFolder(Path root) {
        this.root = root;
        this.base = ExampleModels.extractTinyPy(root.resolve("original"));
    }

    /** A fresh copy named {@code name}. */
    Path copy(String name) {
        try {
            Path dir = Files.createDirectories(root.resolve(name.replaceAll("[^A-Za-z0-9]+", "-")));
            try (Stream<Path> files = Files.list(base)) {
                for (Path f : files.toList()) Files.createLink(dir.resolve(f.getFileName()), f);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path original() {
        return base;
    }

    /** Replaces {@code file} (a hard link) by a new file holding {@code bytes}. */
    static Path replace(Path file, byte[] bytes) {
        try {
            Files.deleteIfExists(file);
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replaces {@code file} by {@code size} zero bytes that take no disk (a sparse file). */
    static Path sparse(Path file, long size) {
        replace(file, new byte[0]);
        try (RandomAccessFile r = new RandomAccessFile(file.toFile(), "rw")) {
            r.setLength(size);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    static Path replace(Path file, String text) {
        return replace(file, text.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode json(Path file) {
        return (ObjectNode) Json.read(file);
    }

    /** {@code open} nested {@code depth} times, then closed: JSON no parser should recurse through. */
    static String nested(int depth, String open, String close) {
        return open.repeat(depth) + close.repeat(depth);
    }

    /** A safetensors file as its header (parsed) and the data that follows it. */
    record Safetensors(ObjectNode header, byte[] data) {
        static Safetensors read(Path file) {
            byte[] all = ModelFolder.read(file);
            int n = (int) ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            ObjectNode h = (ObjectNode) Json.parse(Arrays.copyOfRange(all, 8, 8 + n), file.toString());
            return new Safetensors(h, Arrays.copyOfRange(all, 8 + n, all.length));
        }

        /** The file with {@code header} as its header text and length field {@code lengthField}. */
        static byte[] bytes(String header, long lengthField, byte[] data) {
            byte[] h = header.getBytes(StandardCharsets.UTF_8);
            ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
            return b.putLong(lengthField).put(h).put(data).array();
        }

        static byte[] bytes(String header, byte[] data) {
            return bytes(header, header.getBytes(StandardCharsets.UTF_8).length, data);
        }

        byte[] bytes() {
            return bytes(header.toString(), data);
        }

        ObjectNode tensor(String name) {
            return (ObjectNode) header.get(name);
        }

        /** The tensors in file order, each with its own bytes. */
        java.util.LinkedHashMap<String, Tensor> tensors() {
            java.util.LinkedHashMap<String, Tensor> m = new java.util.LinkedHashMap<>();
            header.properties().forEach(e -> {
                if (e.getKey().equals("__metadata__")) return;
                var v = e.getValue();
                long[] shape = new long[v.get("shape").size()];
                for (int i = 0; i < shape.length; i++) shape[i] = v.get("shape").get(i).asLong();
                int b = v.get("data_offsets").get(0).asInt(), end = v.get("data_offsets").get(1).asInt();
                m.put(e.getKey(), new Tensor(v.get("dtype").asText(), shape, Arrays.copyOfRange(data, b, end)));
            });
            return m;
        }

        /** A well-formed file of {@code tensors}, laid out back to back in the given order. */
        static byte[] of(java.util.Map<String, Tensor> tensors) {
            ObjectNode h = Json.MAPPER.createObjectNode();
            h.putObject("__metadata__").put("format", "pt");
            java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
            tensors.forEach((name, t) -> {
                ObjectNode e = h.putObject(name);
                e.put("dtype", t.dtype());
                var sh = e.putArray("shape");
                for (long d : t.shape()) sh.add(d);
                e.putArray("data_offsets").add(data.size()).add(data.size() + t.bytes().length);
                data.writeBytes(t.bytes());
            });
            return bytes(h.toString(), data.toByteArray());
        }
    }

    record Tensor(String dtype, long[] shape, byte[] bytes) {
        Tensor withShape(long... s) {
            return new Tensor(dtype, s, bytes);
        }
    }
}
