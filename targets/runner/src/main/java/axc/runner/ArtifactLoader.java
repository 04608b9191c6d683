package axc.runner;

import axc.bundle.Bundle;
import axc.errors.InvalidInputException;
import axc.errors.TargetUnavailableException;
import axc.formats.io.AtomicOutput;
import axc.formats.tokenizer.Tokenizer;
import axc.partition.Partition;
import axc.partition.PartitionedModel;
import axc.target.Availability;
import axc.target.Executable;
import axc.target.TargetOptions;
import axc.target.TargetProvider;
import axc.target.Targets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Opens a {@code .axc} artifact: verifies it against its manifest (once per file version), finds its
 * target, refuses with exit 6 when the target cannot run here, and loads it through the target. A
 * partitioned artifact ({@code partition.json}) needs its fallback target too, and runs across both
 * ({@link PartitionedModel}).
 */
public final class ArtifactLoader {
    private ArtifactLoader() {
    }

    public static boolean looksLike(Path p) {
        return Files.isRegularFile(p) && p.getFileName().toString().endsWith(".axc");
    }

    public static LoadedModel load(Path file, TargetOptions options) {
        Bundle b = Bundle.open(file);
        try {
            b.verify();
            String id = b.manifest().target();
            TargetProvider provider = provider(file, id);
            Executable exe;
            String runsOn = id;
            if (b.contains(Partition.ENTRY)) {
                String fallback = Partition.fallbackOf(b);
                exe = PartitionedModel.load(b, provider.create(options), provider(file, fallback).create(options));
                runsOn = id + "+" + fallback;
            } else {
                exe = provider.create(options).load(b);
            }
            Tokenizer tok = tokenizer(b);
            Set<Integer> stops = new TreeSet<>(exe.config().eosTokenIds());
            if (tok != null) tok.specialTokens().eos().ifPresent(stops::add);
            return new LoadedModel(file.getFileName().toString(), file, "axc:" + runsOn, exe, tok, stops, b.fileSize(), new ArrayList<>(List.of(exe, b)));
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
    }

    /** The installed provider of target {@code id}, available here; exit 6 otherwise. */
    private static TargetProvider provider(Path file, String id) {
        TargetProvider provider = Targets.find(id).orElseThrow(() -> new TargetUnavailableException(file + ": compiled for target '" + id
                + "', which is not installed (installed: " + String.join(", ", Targets.all().stream().map(TargetProvider::id).toList()) + ")"));
        Availability a = provider.probe();
        if (!a.available()) throw new TargetUnavailableException(file + ": target '" + id + "' is unavailable here: " + a.reason());
        return provider;
    }

    /** The tokenizer files of {@code tokenizer/}, read through a temporary folder (they are small). */
    static Tokenizer tokenizer(Bundle b) {
        List<String> names = b.names().stream().filter(n -> n.startsWith("tokenizer/")).toList();
        if (names.isEmpty()) return null;
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory("axc-tokenizer");
            for (String n : names) Files.write(tmp.resolve(n.substring("tokenizer/".length())), b.bytes(n));
            return Tokenizer.load(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InvalidInputException e) {
            throw InvalidInputException.of(b.path(), "bad tokenizer in the artifact: " + e.getMessage());
        } finally {
            AtomicOutput.deleteQuietly(tmp);
        }
    }
}
