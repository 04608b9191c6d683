package axc.formats.safetensors;

import axc.formats.dtype.DType;

import java.util.Optional;

/** The dtype strings of the safetensors format. */
public final class SafetensorsDType {
    private SafetensorsDType() {
    }

    public static Optional<DType> fromId(String id) {
        return Optional.ofNullable(switch (id) {
            case "F64" -> DType.F64;
            case "F32" -> DType.F32;
            case "F16" -> DType.F16;
            case "BF16" -> DType.BF16;
            case "F8_E4M3" -> DType.F8_E4M3;
            case "F8_E5M2" -> DType.F8_E5M2;
            case "I64" -> DType.I64;
            case "I32" -> DType.I32;
            case "I16" -> DType.I16;
            case "I8" -> DType.I8;
            case "U64" -> DType.U64;
            case "U32" -> DType.U32;
            case "U16" -> DType.U16;
            case "U8" -> DType.U8;
            case "BOOL" -> DType.BOOL;
            default -> null;
        });
    }

    public static String id(DType t) {
        if (t.isQuantized()) throw new IllegalArgumentException(t + " has no safetensors dtype");
        return t.name();
    }
}
