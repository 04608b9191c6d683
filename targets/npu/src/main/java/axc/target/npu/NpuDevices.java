package axc.target.npu;

import axc.errors.InvalidInputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Turns {@code --device} into device.json text: a preset name, a device file, or the default ATOM. */
final class NpuDevices {
    static final String DEFAULT = "{\"preset\":\"atom\"}";
    static final List<String> PRESETS = List.of("atom", "atom-max", "rebel-chiplet");

    private NpuDevices() {
    }

    static String json(String device) {
        if (device == null || device.isBlank()) return DEFAULT;
        if (PRESETS.contains(device)) return "{\"preset\":\"" + device + "\"}";
        Path p = Path.of(device);
        if (!Files.isRegularFile(p)) {
            throw new InvalidInputException("--device " + device + ": neither a preset (" + String.join(", ", PRESETS) + ") nor a device file");
        }
        try {
            if (Files.size(p) > (1 << 20)) throw InvalidInputException.of(p, "a device file larger than 1 MiB");
            return Files.readString(p);
        } catch (IOException e) {
            throw InvalidInputException.of(p, "cannot read: " + e.getMessage());
        }
    }

    /** A simulator for {@code json}; a bad device file is a one-line input error naming {@code where}. */
    static Simulator open(String json, String where) {
        try {
            return new Simulator(json);
        } catch (NpuException e) {
            throw new InvalidInputException(where + ": " + e.getMessage());
        }
    }
}
