package axc.partition;

import axc.formats.hf.ModelConfig;
import axc.formats.tensor.TensorInfo;
import axc.formats.tensor.TensorStore;
import axc.interp.ParamSource;
import axc.interp.WeightsParams;
import axc.ir.Graph;
import axc.ir.Node;
import axc.reference.Weights;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The tensors of a checkpoint that one part of a partitioned graph reads: what the fallback target is
 * given to write into its own entries. Found by reading the part's params the way a loaded artifact
 * does ({@link WeightsParams}) and keeping every tensor whose bytes were asked for, so every stored
 * layout (float, llama.cpp blocks, GPTQ's qweight/qzeros/scales/g_idx, int8 with its scales) and
 * both naming conventions (Hugging Face, GGUF) are covered without a list of file layouts here.
 */
public final class PartTensors {
    private PartTensors() {
    }

    public static TensorStore of(TensorStore store, ModelConfig config, Graph part, Path where) {
        Set<String> read = new HashSet<>();
        ParamSource params = new WeightsParams(new Weights(new Subset(store, null) {
            @Override
            public MemorySegment data(String name) {
                read.add(name);
                return super.data(name);
            }
        }, config, where));
        for (Node n : part.params()) {
            if (n.type().rank() == 2) params.matrix(n.name(), n.scheme());
            else params.vector(n.name());
        }
        return new Subset(store, read);
    }

    /** {@code store} limited to the tensors named in {@code kept} (all of them when null), in the store's order. */
    private static class Subset implements TensorStore {
        private final TensorStore store;
        private final Set<String> kept;

        Subset(TensorStore store, Set<String> kept) {
            this.store = store;
            this.kept = kept;
        }

        @Override
        public List<TensorInfo> tensors() {
            return store.tensors().stream().filter(t -> kept == null || kept.contains(t.name())).toList();
        }

        @Override
        public Optional<TensorInfo> find(String name) {
            return kept == null || kept.contains(name) ? store.find(name) : Optional.empty();
        }

        @Override
        public MemorySegment data(String name) {
            if (kept != null && !kept.contains(name)) throw new IllegalArgumentException("no tensor " + name);
            return store.data(name);
        }

        @Override
        public Optional<FileRegion> region(String name) {
            return find(name).isPresent() ? store.region(name) : Optional.empty();
        }

        @Override
        public List<Path> files() {
            return store.files();
        }

        @Override
        public void close() {
            // the whole store's owner closes it
        }
    }
}
