package axc.target.reference;

import axc.bundle.Bundle;
import axc.errors.InvalidInputException;
import axc.formats.hf.ModelConfig;
import axc.formats.json.Json;

/** The model config stored in an artifact ({@code config.json}, the checkpoint's own). */
public final class ArtifactConfig {
    private ArtifactConfig() {
    }

    public static ModelConfig read(Bundle b) {
        if (!b.contains("config.json")) throw InvalidInputException.of(b.path(), "artifact has no config.json");
        ModelConfig c = ModelConfig.parse(Json.parse(b.bytes("config.json"), b.path() + " (config.json)"), b.path());
        if (c.family() == null) {
            String fam = b.manifest().device() == null ? null : b.manifest().device().path("family").asText(null);
            throw InvalidInputException.of(b.path(), "config.json names no known family" + (fam == null ? "" : " (" + fam + ")"));
        }
        return c;
    }
}
