package axc.target.reference;

import axc.formats.hf.ModelConfig;
import axc.interp.InterpretedModel;
import axc.target.Executable;

/** An interpreted graph as an {@link Executable}. */
public record InterpretedExecutable(InterpretedModel model, String backend) implements Executable {
    @Override
    public ModelConfig config() {
        return model.config();
    }

    @Override
    public int vocabRows() {
        return model.vocabRows();
    }

    @Override
    public Session newSession(int capacity) {
        return model.newSession(capacity);
    }

    @Override
    public long weightBytesPerToken() {
        return model.weightBytesPerToken();
    }

    @Override
    public void close() {
        // weights belong to the bundle, which the loader closes
    }
}
