package axc.target;

import java.nio.file.Path;

/** Options of one compile: where to dump IR after each pass (null: nowhere), the model's name. */
public record CompileOptions(Path dumpIr, String modelName) {
}
