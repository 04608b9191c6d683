package axc.target.reference;

import axc.interp.Interpreter;
import axc.interp.KvState;
import axc.ir.Graph;
import axc.target.GraphExecutable;

/** A graph artifact run by the interpreter. */
public record InterpretedGraph(Interpreter interpreter) implements GraphExecutable {
    @Override
    public Graph graph() {
        return interpreter.graph();
    }

    @Override
    public Session newSession(int capacity) {
        KvState state = interpreter.newState(capacity);
        return inputs -> interpreter.run(state, inputs);
    }

    @Override
    public void close() {
        // weights belong to the bundle, which the caller closes
    }
}
