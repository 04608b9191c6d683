package axc.cli.commands;

import axc.cli.Ui;
import axc.errors.InvalidInputException;
import axc.runner.LoadedModel;
import axc.target.Executable;
import axc.target.TargetOptions;

import java.nio.file.Path;
import java.util.Map;

/** {@code --trace FILE} of {@code run} and {@code bench}: passed to the targets as a setting, refused for models with no simulated device. */
final class Trace {
    private Trace() {
    }

    static TargetOptions options(Ui ui, Path trace) {
        return new TargetOptions(ui.threads(), null, trace == null ? Map.of() : Map.of(TargetOptions.TRACE, trace.toString()));
    }

    static void check(LoadedModel m, Path model, Path trace) {
        if (trace != null && !(m.model() instanceof Executable e && e.simulated() != null)) {
            throw new InvalidInputException("--trace: " + model + " runs on no simulated device (only npu artifacts have a timeline)");
        }
    }
}
