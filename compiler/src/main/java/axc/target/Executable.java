package axc.target;

import axc.model.LanguageModel;

/** A loaded artifact ready to run: a language model plus what it holds open. */
public interface Executable extends LanguageModel, AutoCloseable {
    @Override
    void close();
}
