package axc.partition;

import axc.compile.ArtifactCompiler;
import axc.progress.Progress;
import axc.target.Availability;
import axc.target.CompileOptions;
import axc.target.Target;
import axc.target.TargetOptions;
import axc.target.TargetProvider;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Compiles test checkpoints for targets built in the test (no ServiceLoader), with or without a fallback. */
final class Artifacts {
    private Artifacts() {
    }

    static TargetProvider provider(Target t) {
        return new TargetProvider() {
            @Override
            public String id() {
                return t.info().id();
            }

            @Override
            public Availability probe() {
                return Availability.yes();
            }

            @Override
            public Target create(TargetOptions options) {
                return t;
            }
        };
    }

    static ArtifactCompiler.Result compile(Path model, Target target, Target fallback, Path out) {
        return ArtifactCompiler.compile(model, provider(target), Optional.ofNullable(fallback).map(Artifacts::provider), new TargetOptions(2, null, Map.of()),
                new CompileOptions(null, model.getFileName().toString()), out, null, Progress.SILENT);
    }
}
