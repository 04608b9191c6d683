package axc.bundle;

import axc.AxcVersion;
import axc.formats.io.AtomicOutput;
import axc.formats.io.Payload;
import axc.formats.io.SegmentIo;
import axc.formats.io.Sha256;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Writes a compiled artifact ({@code model.axc}): one uncompressed POSIX ustar archive whose bytes
 * depend only on what was added, never on time, user, machine or the order of the {@code add} calls.
 *
 * <h2>Layout</h2>
 * <pre>
 *   0      header of manifest.json
 *   512    manifest.json (UTF-8 JSON, L bytes), zero-padded to a multiple of 512
 *   ...    for each other entry, sorted by name (String order, which is byte order for the ASCII names
 *          allowed): a 512-byte header, then the data, zero-padded to a multiple of 512
 *   end    two zero blocks (the end-of-archive marker), nothing after
 * </pre>
 * Every entry's data starts on a 512-byte boundary, so it can be mapped and used in place with any
 * alignment up to 512 (64-byte SIMD or 256-byte DMA alignment comes for free). Headers carry mode
 * 0644, uid/gid 0, empty user and group names, mtime 0, type '0' (regular file) and no PAX or GNU
 * extension records: names that do not fit ustar's 100-byte name field use its 155-byte prefix field,
 * names that fit neither are refused, and only a size of 8 GiB or more is written in GNU's base-256
 * form (which GNU tar, bsdtar and Commons Compress read).
 *
 * <h2>Manifest first, with offsets and hashes of what follows</h2>
 * The manifest lists the offset and sha256 of every entry after it, so a reader finds everything from
 * the first few kilobytes. Its length is exact, not padded with spaces: sizes are known up front and a
 * sha256 is always 64 hex digits, so the manifest is rendered with placeholder hashes to fix its length
 * L; the data offsets follow from L, and L from the offsets' digits, so the two are iterated to a fixed
 * point (both only grow, so it ends in a step or two). Then each entry is written once, at its planned
 * offset, while its sha256 is computed from the bytes as they pass; finally the manifest, now with
 * real hashes and the same length, is written into its slot at the start. Each payload is read once.
 *
 * <p>The file is written under a temporary name in the destination folder, forced to disk and renamed
 * into place ({@link AtomicOutput}): a crash never leaves a half artifact under the final name.
 *
 * <p>Payloads stream: a multi-gigabyte weight mapped from a source file goes to the archive in chunks,
 * never through the heap. A writer is used once: {@link #finish} writes the file and ends it.
 */
public final class BundleWriter {
    private static final String PLACEHOLDER_SHA = "0".repeat(64);
    private static final byte[] ZEROS = new byte[2 * Tar.BLOCK];

    private record Pending(String name, long size, Payload payload) {
    }

    private final TreeMap<String, Pending> entries = new TreeMap<>();
    private final TreeMap<String, String> sources = new TreeMap<>();
    private String target;
    private String targetApiVersion;
    private ObjectNode device = JsonNodeFactory.instance.objectNode();
    private JsonNode recipe;
    private long seed;
    private List<String> passes = List.of();
    private boolean finished;
    /** For a {@link #part} writer: the writer of the whole artifact, and the folder its entries go to. */
    private final BundleWriter whole;
    private final String folder;

    public BundleWriter() {
        this(null, "");
    }

    private BundleWriter(BundleWriter whole, String folder) {
        this.whole = whole;
        this.folder = folder;
    }

    /**
     * A writer for the entries of target {@code id} as the second target of a partitioned artifact: each
     * name is stored under {@code part/<id>/}, where {@link Bundle#part} finds it again. It only adds
     * entries; the manifest fields and {@link #finish} belong to the whole artifact's writer.
     */
    public BundleWriter part(String id) {
        if (whole != null) throw new IllegalStateException("already the writer of part " + folder);
        return new BundleWriter(this, Bundle.partFolder(id));
    }

    /** Adds an entry of {@code size} bytes that {@code payload} writes, exactly, when the file is written. */
    public BundleWriter add(String name, long size, Payload payload) {
        if (whole != null) {
            whole.add(folder + name, size, payload);
            return this;
        }
        open();
        Objects.requireNonNull(payload, "payload");
        String problem = EntryName.problem(name);
        if (problem != null) throw new IllegalArgumentException(problem);
        if (name.equals(Manifest.NAME)) throw new IllegalArgumentException("entry name '" + name + "' is reserved for the manifest");
        if (size < 0 || size > Tar.MAX_SIZE) throw new IllegalArgumentException("entry '" + name + "': size " + size + " out of range");
        if (entries.containsKey(name)) throw new IllegalArgumentException("duplicate entry '" + name + "'");
        entries.put(name, new Pending(name, size, payload));
        return this;
    }

    /** Adds a small entry held in memory (a copy is taken). */
    public BundleWriter add(String name, byte[] bytes) {
        byte[] copy = bytes.clone();
        return add(name, copy.length, out -> SegmentIo.write(out, ByteBuffer.wrap(copy)));
    }

    /** Adds an entry whose bytes are {@code data}, typically a slice of a mapped file; it must stay readable until {@link #finish}. */
    public BundleWriter add(String name, MemorySegment data) {
        return add(name, data.byteSize(), out -> SegmentIo.write(out, data));
    }

    /** The target the artifact is compiled for and the target SPI version it was compiled against. Required. */
    public BundleWriter target(String id, String apiVersion) {
        open();
        if (id == null || id.isEmpty()) throw new IllegalArgumentException("target id is empty");
        if (apiVersion == null || apiVersion.isEmpty()) throw new IllegalArgumentException("target API version is empty");
        this.target = id;
        this.targetApiVersion = apiVersion;
        return this;
    }

    /** Free-form description of the device compiled for (default: empty object). Stored with sorted keys. */
    public BundleWriter device(ObjectNode description) {
        open();
        this.device = Objects.requireNonNull(description, "device").deepCopy();
        return this;
    }

    /** Records a source file by name and the sha256 of its bytes. */
    public BundleWriter source(String fileName, String sha256) {
        open();
        if (fileName == null || fileName.isEmpty()) throw new IllegalArgumentException("source file name is empty");
        if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("source '" + fileName + "': sha256 is not 64 lowercase hex digits");
        }
        String old = sources.putIfAbsent(fileName, sha256);
        if (old != null && !old.equals(sha256)) {
            throw new IllegalArgumentException("source '" + fileName + "' recorded twice with different hashes");
        }
        return this;
    }

    /** Records a source file under its file name, hashing its bytes. */
    public BundleWriter source(Path file) {
        return source(file.getFileName().toString(), Sha256.of(file));
    }

    /** The quantization recipe as JSON, or null for none (the default). */
    public BundleWriter recipe(JsonNode recipe) {
        open();
        this.recipe = recipe == null ? null : recipe.deepCopy();
        return this;
    }

    /** The seed of every random choice made while building (default 0). */
    public BundleWriter seed(long seed) {
        open();
        this.seed = seed;
        return this;
    }

    /** Names of the passes that ran, in order (default: none). */
    public BundleWriter passes(List<String> names) {
        open();
        this.passes = List.copyOf(names);
        return this;
    }

    /** Names added so far, sorted (for a {@link #part} writer: its own, without the folder). */
    public List<String> names() {
        if (whole != null) {
            return whole.names().stream().filter(n -> n.startsWith(folder)).map(n -> n.substring(folder.length())).toList();
        }
        return List.copyOf(entries.keySet());
    }

    /**
     * Writes the archive to {@code out} (temp file, fsync, rename) and returns its manifest. Consumes
     * every payload once. A payload that writes more or fewer bytes than declared is a bug: the write is
     * abandoned with {@link IllegalStateException} and {@code out} is left as it was.
     */
    public Manifest finish(Path out) {
        open();
        if (target == null) throw new IllegalStateException("target not set: call target(id, apiVersion) before finish");
        finished = true;
        List<String> names = List.copyOf(entries.keySet());
        String clash = EntryName.folderClash(names);
        if (clash != null) throw new IllegalArgumentException(clash);
        List<Map.Entry<String, Long>> sized = new ArrayList<>();
        for (Pending p : entries.values()) sized.add(Map.entry(p.name(), p.size()));
        Manifest base = new Manifest(Manifest.FORMAT, AxcVersion.version(), target, targetApiVersion, device, sources,
                recipe, seed, passes, List.of());
        Manifest planned = plan(base, sized);
        int plannedLength = planned.toJson().length;
        Manifest[] result = new Manifest[1];
        AtomicOutput.writeFile(out, temp -> {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                List<Manifest.Entry> hashed = new ArrayList<>(planned.entries().size());
                for (Manifest.Entry e : planned.entries()) {
                    Pending p = entries.get(e.name());
                    writeFully(ch, e.offset() - Tar.BLOCK, ByteBuffer.wrap(Tar.header(e.name(), e.size())));
                    ch.position(e.offset());
                    HashingChannel hc = new HashingChannel(ch, e.name(), e.size());
                    p.payload().writeTo(hc);
                    if (hc.count != e.size()) {
                        throw new IllegalStateException("entry '" + e.name() + "': payload wrote " + hc.count
                                + " bytes, declared " + e.size());
                    }
                    long end = e.offset() + e.size();
                    writeFully(ch, end, ByteBuffer.wrap(ZEROS, 0, (int) (Tar.padded(end) - end)));
                    hashed.add(new Manifest.Entry(e.name(), e.offset(), e.size(), Sha256.hex(hc.md.digest())));
                }
                writeFully(ch, endOfData(planned), ByteBuffer.wrap(ZEROS));
                Manifest done = planned.withEntries(hashed);
                byte[] json = done.toJson();
                if (json.length != plannedLength) {
                    throw new IllegalStateException("manifest length changed from " + plannedLength + " to " + json.length);
                }
                writeFully(ch, 0, ByteBuffer.wrap(Tar.header(Manifest.NAME, json.length)));
                writeFully(ch, Tar.BLOCK, ByteBuffer.wrap(json));
                long end = Tar.BLOCK + (long) json.length;
                writeFully(ch, end, ByteBuffer.wrap(ZEROS, 0, (int) (Tar.padded(end) - end)));
                result[0] = done;
            }
        });
        return result[0];
    }

    /**
     * Places {@code sized} (sorted by name) after a manifest built on {@code base}: the manifest with
     * every entry's offset and a placeholder hash, whose rendered length is exactly that of the final
     * manifest. Iterates manifest length and offsets to their (least) fixed point.
     */
    static Manifest plan(Manifest base, List<Map.Entry<String, Long>> sized) {
        long length = 0;
        for (int round = 0; round < 64; round++) {
            List<Manifest.Entry> placed = new ArrayList<>(sized.size());
            long pos = Tar.BLOCK + Tar.padded(length);
            for (Map.Entry<String, Long> s : sized) {
                long offset = Math.addExact(pos, Tar.BLOCK);
                placed.add(new Manifest.Entry(s.getKey(), offset, s.getValue(), PLACEHOLDER_SHA));
                pos = Tar.padded(Math.addExact(offset, s.getValue()));
            }
            Manifest m = base.withEntries(placed);
            long next = m.toJson().length;
            if (Tar.padded(next) == Tar.padded(length)) return m;
            length = next;
        }
        throw new IllegalStateException("manifest layout did not settle");
    }

    /** Where the end-of-archive marker starts: after the last entry's padded data, or after the manifest. */
    static long endOfData(Manifest m) {
        if (m.entries().isEmpty()) return Tar.BLOCK + Tar.padded(m.toJson().length);
        Manifest.Entry last = m.entries().getLast();
        return Tar.padded(last.offset() + last.size());
    }

    private void open() {
        if (whole != null) throw new IllegalStateException("the writer of part " + folder + " only adds entries");
        if (finished) throw new IllegalStateException("this BundleWriter has already written its file");
    }

    private static void writeFully(FileChannel ch, long position, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) position += ch.write(b, position);
    }

    /** Passes a payload's bytes to the file at its current position, hashing and counting them. */
    private static final class HashingChannel implements WritableByteChannel {
        private final FileChannel ch;
        private final String name;
        private final long size;
        final MessageDigest md = Sha256.digest();
        long count;

        HashingChannel(FileChannel ch, String name, long size) {
            this.ch = ch;
            this.name = name;
            this.size = size;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int n = src.remaining();
            if (count + n > size) {
                throw new IllegalStateException("entry '" + name + "': payload wrote more than its declared " + size + " bytes");
            }
            ByteBuffer view = src.duplicate();
            while (src.hasRemaining()) ch.write(src);
            md.update(view);
            count += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return ch.isOpen();
        }

        @Override
        public void close() {
            // The archive's channel outlives each payload.
        }
    }
}
