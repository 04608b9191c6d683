package axc.interp;

import axc.formats.hf.ModelConfig;
import axc.formats.tensor.TensorStore;
import axc.frontend.QwenFrontend;
import axc.ir.Graph;
import axc.ir.Node;
import axc.model.LanguageModel;
import axc.reference.Weights;

import java.nio.file.Path;

/**
 * A step graph run by the {@link Interpreter}, as a {@link LanguageModel}: {@code next} runs the graph
 * with T = 1, {@code prefill} runs all the prompt's tokens in one step. The graph takes
 * {@code tokens} and {@code positions} ({@code i32[T]}) and returns logits {@code f32[T,vocab]}, as
 * {@link QwenFrontend} builds it (before or after passes).
 */
public final class InterpretedModel implements LanguageModel {
    private final Interpreter interpreter;
    private final ModelConfig config;
    private final int vocabRows;
    private final long weightBytes;

    public InterpretedModel(Graph graph, ModelConfig config, ParamSource params, long weightBytesPerToken) {
        this.interpreter = new Interpreter(graph, params);
        this.config = config;
        Node out = graph.node(graph.outputs().getFirst());
        this.vocabRows = (int) out.type().last().size();
        this.weightBytes = weightBytesPerToken;
    }

    /** The frontend's graph of the checkpoint in {@code store}, interpreted. */
    public static InterpretedModel open(TensorStore store, ModelConfig config, Path where) {
        Weights w = new Weights(store, config, where);
        return new InterpretedModel(QwenFrontend.build(config, store), config, new WeightsParams(w), w.matrixBytes());
    }

    public Interpreter interpreter() {
        return interpreter;
    }

    public Graph graph() {
        return interpreter.graph();
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public int vocabRows() {
        return vocabRows;
    }

    @Override
    public long weightBytesPerToken() {
        return weightBytes;
    }

    @Override
    public String backend() {
        return "interp";
    }

    @Override
    public Session newSession(int capacity) {
        KvState state = interpreter.newState(capacity);
        return new StepSession(capacity, inputs -> interpreter.run(state, inputs), inputs -> interpreter.runLastRow(state, inputs), true);
    }

    /** Logits of every position of {@code tokens} from an empty cache, in one step. */
    public float[][] forwardAll(int[] tokens) {
        return newSession(tokens.length).prefill(tokens);
    }
}
