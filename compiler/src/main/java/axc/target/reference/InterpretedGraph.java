package axc.target.reference;

import axc.interp.Interpreter;
import axc.interp.KvState;
import axc.interp.Tensor;
import axc.ir.Graph;
import axc.target.GraphExecutable;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A graph artifact (or a segment of one) run by the interpreter, with whatever params the target gave
 * it; {@code onClose} releases what the target opened for it (threads), once.
 */
public final class InterpretedGraph implements GraphExecutable {
    private final Interpreter interpreter;
    private final Runnable onClose;
    private final AtomicBoolean closed = new AtomicBoolean();

    public InterpretedGraph(Interpreter interpreter) {
        this(interpreter, () -> {
            // weights belong to the bundle, which the caller closes
        });
    }

    public InterpretedGraph(Interpreter interpreter, Runnable onClose) {
        this.interpreter = interpreter;
        this.onClose = onClose;
    }

    @Override
    public Graph graph() {
        return interpreter.graph();
    }

    @Override
    public Session newSession(int capacity) {
        KvState state = interpreter.newState(capacity);
        return new Session() {
            @Override
            public List<Tensor> run(Map<String, Tensor> inputs) {
                return interpreter.run(state, inputs);
            }

            @Override
            public List<Tensor> runLastRow(Map<String, Tensor> inputs) {
                return interpreter.runLastRow(state, inputs);
            }
        };
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) onClose.run();
    }
}
